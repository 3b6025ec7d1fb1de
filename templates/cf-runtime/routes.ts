// HTTP routes of the host photon: `@get|@post|@put|@patch|@delete /path/:param` methods and `@expose` endpoints (`POST /api/<kebab-name>`), matched in the outer Worker and served by the instance's Durable Object.
// Surfaces and what guards them:
// - Only the paths the manifest lists are served; the outer Worker runs the same auth and
//   instance routing as for /mcp before any Durable Object is reached. A listed path with
//   another method is 405 with Allow; any other path stays 404.
// - Route handlers are not tools: tools/call runs only the manifest's tools, which never hold
//   them. An `@expose` method stays a tool; without `public` its endpoint answers only browser
//   calls from the same origin or site (Sec-Fetch-Site), so another site's page cannot call it
//   with the visitor's cookies or network position.
// - The handler gets the request without the runtime's internal headers.

import { internalErrorResponse } from "./guard";
import { CALLER_HEADER, INSTANCE_HEADER, jsonResponse, methodNotAllowed } from "./routing";
import type { HttpRoute, HttpRoutes, PhotonManifest } from "./types";

interface Match {
  route: HttpRoute;
  params: Record<string, string>;
}

function segments(path: string): string[] {
  const trimmed = path.length > 1 ? path.replace(/\/+$/, "") : path;
  return trimmed.split("/");
}

/** The `:params` of `path` under `pattern`, or null when it does not match. */
function matchPath(pattern: string, path: string): Record<string, string> | null {
  const a = segments(pattern);
  const b = segments(path);
  if (a.length !== b.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < a.length; i += 1) {
    if (a[i].startsWith(":")) {
      if (b[i] === "") return null;
      try {
        params[a[i].slice(1)] = decodeURIComponent(b[i]);
      } catch {
        return null;
      }
    } else if (a[i] !== b[i]) return null;
  }
  return params;
}

/** The route for `method` at `path` (exact paths beat `:param` paths), and every method the path has. */
function find(photon: PhotonManifest, method: string, path: string): { match: Match | null; allowed: string[] } {
  const candidates: Match[] = [];
  for (const route of photon.routes ?? []) {
    const params = matchPath(route.path, path);
    if (params !== null) candidates.push({ route, params });
  }
  const allowed = [...new Set(candidates.map((c) => c.route.method))];
  const wanted = method === "HEAD" ? "GET" : method;
  const forMethod = candidates.filter((c) => c.route.method === wanted);
  forMethod.sort((x, y) => Number(x.route.path.includes(":")) - Number(y.route.path.includes(":")));
  return { match: forMethod[0] ?? null, allowed };
}

/**
 * The outer Worker's view: `"serve"` when the host photon serves `method path`, a 405 when the
 * path is a route of another method, `"none"` when the path is no route.
 */
export function routeGate(photon: PhotonManifest, method: string, path: string): "serve" | "none" | Response {
  if (!photon.routes || photon.routes.length === 0 || method === "OPTIONS") return "none";
  const { match, allowed } = find(photon, method, path);
  if (match) return "serve";
  return allowed.length > 0 ? methodNotAllowed(allowed.join(", ")) : "none";
}

/** A non-Response result, as the local server renders it: JSON unless asked otherwise. */
function negotiate(request: Request, format: string | null, value: unknown): Response {
  const asText = (type: string) =>
    new Response(typeof value === "string" ? value : JSON.stringify(value ?? null), {
      headers: { "Content-Type": `${type}; charset=utf-8` },
    });
  switch (format) {
    case "text":
      return asText("text/plain");
    case "markdown":
    case "md":
      return asText("text/markdown");
    case "html":
      return asText("text/html");
  }
  const accept = (request.headers.get("Accept") ?? "").toLowerCase();
  const json = format === "json" || accept === "" || accept.includes("application/json") || accept.includes("*/*");
  if (!json && typeof value === "string") {
    for (const type of ["text/html", "text/markdown", "text/plain"]) if (accept.includes(type)) return asText(type);
  }
  return jsonResponse(value ?? null);
}

/** Runs handler `name` of the photon object with `args`, inside the caller's context. */
export type RouteCall = (name: string, args: unknown[]) => Promise<unknown>;

/** The Durable Object's side: serves the route of `request`, or null when it is none. */
export async function serveRoute(photon: PhotonManifest, request: Request, call: RouteCall): Promise<Response | null> {
  const url = new URL(request.url);
  const { match, allowed } = find(photon, request.method, url.pathname);
  if (!match) return allowed.length > 0 ? methodNotAllowed(allowed.join(", ")) : null;
  const { route, params } = match;
  try {
    let result: unknown;
    if (route.expose !== null) {
      const site = request.headers.get("Sec-Fetch-Site");
      if (route.expose !== "public" && site !== "same-origin" && site !== "same-site") {
        return new Response("Forbidden: cross-site @expose call", { status: 403 });
      }
      const text = await request.text();
      let body: unknown = {};
      if (text !== "") {
        try {
          body = JSON.parse(text);
        } catch {
          return new Response("Invalid JSON body", { status: 400 });
        }
      }
      result = await call(route.handler, [body]);
    } else {
      const headers = new Headers(request.headers);
      headers.delete(CALLER_HEADER);
      headers.delete(INSTANCE_HEADER);
      const clean = new Request(request, { headers });
      result = await call(route.handler, [clean, params]);
    }
    if (result instanceof Response) return result;
    return negotiate(request, route.format, result);
  } catch (e) {
    return internalErrorResponse(request, e);
  }
}

/** What the generated entry passes as RuntimeOptions.routes when a photon has routes. */
export const routes: HttpRoutes = { gate: routeGate, serve: serveRoute };
