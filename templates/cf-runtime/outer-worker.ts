// `createWorker`: the Worker's outer `fetch`, which routes each request to its instance's Durable Object of the host photon, with CORS, size limits and the auth hook.
// Surfaces and what guards them:
// - It answers only `/`, `/mcp`, `/events`, the host photon's HTTP routes (routes.ts) and, with the
//   admin secret set, `/__admin/` (instances.ts); anything else (including `/__call`) is 404
//   before any Durable Object is touched.
// - Origin and Host are checked first (origin.ts): a refused one is 403 before anything else,
//   preflight included; CORS answers echo the allowed Origin.
// - Instance names are checked against INSTANCE_NAME (400 otherwise); bodies over MAX_BODY_BYTES
//   get 413.
// - With auth on (manifest.auth.mode), every request is authorized before any Durable Object
//   runs, and the verified identity travels as the `caller` of the `/mcp` DO RPC call, or in
//   X-Photon-Caller on a forwarded `/events` or route request, a header always stripped from
//   what the client sent. auth.ts is not imported here: the generated entry passes `authorize`
//   in RuntimeOptions only when built with --auth, so a Worker without auth does not bundle it;
//   an auth mode without `authorize` refuses to start (fail closed).

import type { McpAnswer } from "./answer";
import { authorizeHeaders, internalErrorResponse } from "./guard";
import { adminRoute } from "./instances";
import type { Caller, McpCall } from "./mcp";
import { instanceFromServerRequestId } from "./mcp";
import { allowedOrigin, corsHeaders, forbiddenOrigin } from "./origin";
import {
  CALLER_HEADER,
  DEFAULT_INSTANCE,
  INSTANCE_HEADER,
  INSTANCE_NAME,
  isObject,
  jsonResponse,
  methodNotAllowed,
} from "./routing";
import type { Manifest, RuntimeOptions } from "./types";

/** The Durable Object's MCP entry point, as the outer Worker calls it over DO RPC. */
interface McpStub {
  photonMcp(call: McpCall): Promise<McpAnswer>;
}

/** Largest accepted request body. */
export const MAX_BODY_BYTES = 1024 * 1024;

function tooLarge(): Response {
  return jsonResponse({ error: `request body larger than ${MAX_BODY_BYTES} bytes` }, 413);
}

async function readBody(request: Request): Promise<string | Response> {
  const declared = request.headers.get("Content-Length");
  if (declared !== null && Number(declared) > MAX_BODY_BYTES) return tooLarge();
  if (!request.body) return "";
  if (declared !== null && /^\d+$/.test(declared)) {
    // A declared length bounds what the runtime delivers, so the body is read in one go (the
    // chunk loop below costs more per request).
    return request.text();
  }
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      return tooLarge();
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.byteLength;
  }
  return new TextDecoder().decode(all);
}

/** What the outer Worker reads from a JSON-RPC body: the instance it names and, for auth, the method and tool. */
interface Peeked {
  /** `params._meta.photonInstance`, or the instance a response to our server request belongs to. */
  instance: string | null;
  method: string;
  tool?: string;
}

function peek(body: string): Peeked {
  let msg: unknown;
  try {
    msg = JSON.parse(body);
  } catch {
    return { instance: null, method: "" };
  }
  if (!isObject(msg)) return { instance: null, method: "" };
  const params = msg.params;
  const method = typeof msg.method === "string" ? msg.method : "";
  const tool = method === "tools/call" && isObject(params) && typeof params.name === "string" ? params.name : undefined;
  let instance: string | null = null;
  if (isObject(params) && isObject(params._meta) && typeof params._meta.photonInstance === "string")
    instance = params._meta.photonInstance;
  else if (msg.method === undefined) instance = instanceFromServerRequestId(msg.id);
  return { instance, method, tool };
}

/**
 * Whether a body can name its instance: only through `photonInstance` in `params._meta`, or as the
 * answer to one of our server requests (ids `cf:<instance>:...`). JSON without a backslash spells
 * every key and string literally, so a body with neither word cannot name one and needs no parse.
 */
function mayNameInstance(body: string): boolean {
  return body.includes("photonInstance") || body.includes('"cf:') || body.includes("\\");
}

function withCors(response: Response, origin: string | null): Response {
  if (response.status === 101 || origin === null) return response;
  const out = new Response(response.body, response);
  for (const [k, v] of Object.entries(corsHeaders(origin))) out.headers.set(k, v);
  return out;
}

/** The outer `{ fetch }` of the Worker: instance routing into the host photon's Durable Objects. */
export function createWorker(manifest: Manifest, options: RuntimeOptions = {}) {
  const host = manifest.photons[manifest.host];
  if (!host) throw new Error(`photon-cf manifest has no host photon ${manifest.host}`);
  // The authorizer in force: none in auth mode `none`, whatever the entry passed.
  const authorize = manifest.auth.mode === "none" ? undefined : options.authorize;
  if (manifest.auth.mode !== "none" && !authorize) {
    // Serving unauthenticated would be the silent failure; refusing to load is the loud one.
    throw new Error(
      `photon-cf: auth mode ${manifest.auth.mode} but the worker entry passes no authorize; rebuild the project`,
    );
  }

  async function route(request: Request, env: Record<string, unknown>): Promise<Response> {
    const url = new URL(request.url);
    if (request.method === "OPTIONS") return new Response(null, { status: 204 });
    const path =
      url.pathname.length > 1 && url.pathname.endsWith("/") ? url.pathname.replace(/\/+$/, "") : url.pathname;
    // OAuth discovery (RFC 9728), public by design; only a --auth jwt build passes it.
    const metadata = options.protectedResource;
    if (
      metadata &&
      (path === "/.well-known/oauth-protected-resource" || path === "/.well-known/oauth-protected-resource/mcp")
    ) {
      if (request.method !== "GET" && request.method !== "HEAD") return methodNotAllowed("GET");
      return metadata(request, env, manifest);
    }
    if (path.startsWith("/__admin/")) return adminRoute(manifest, request, env, path);
    // The host photon's HTTP routes (routes.ts) pass through the same auth and instance routing.
    const gate = options.routes ? options.routes.gate(host, request.method, path) : "none";
    if (gate instanceof Response) return gate;
    const isRoute = gate === "serve";
    if (!isRoute && path !== "/" && path !== "/mcp" && path !== "/events")
      return new Response("Not Found", { status: 404 });

    if (authorize) {
      const early = await authorizeHeaders(manifest, authorize, request, env);
      if (early !== null) return early;
    }
    let body: string | null = null;
    let peeked: Peeked = { instance: null, method: path === "/events" ? "events" : request.method };
    // The instance the URL or a header names; else the body may name it (peek).
    const named = url.searchParams.get("instance") ?? request.headers.get(INSTANCE_HEADER);
    if (path === "/mcp" && request.method === "POST") {
      const read = await readBody(request);
      if (read instanceof Response) return read;
      body = read;
      // The body is parsed here only when the auth check needs it or it may name the instance;
      // the Durable Object parses it anyway.
      if (authorize || (named === null && mayNameInstance(body))) {
        peeked = peek(body);
      }
    } else if (isRoute && request.method !== "GET" && request.method !== "HEAD") {
      const read = await readBody(request);
      if (read instanceof Response) return read;
      body = read;
    }
    let instance = named ?? peeked.instance ?? DEFAULT_INSTANCE;
    if (!INSTANCE_NAME.test(instance)) {
      return jsonResponse(
        { error: "invalid instance name: use 1-128 letters, digits or ._:@+~- (starting with a letter or digit)" },
        400,
      );
    }

    // Auth (chosen at build time) guards every surface but the CORS preflight, before any
    // Durable Object is reached; the verified identity travels to the DO as this.caller.
    let caller: Caller | null = null;
    if (authorize) {
      const verdict = await authorize(request, env, manifest, peeked.method, peeked.tool);
      if (!verdict.ok) return verdict.response;
      caller = verdict.caller;
      // PHOTON_INSTANCE_PER_USER: each verified identity gets its own instance, whatever it asks for.
      if (env.PHOTON_INSTANCE_PER_USER === "true" && !caller.anonymous && INSTANCE_NAME.test(caller.id))
        instance = caller.id;
    }

    if (path === "/" && !isRoute) {
      if (request.method !== "GET" && request.method !== "HEAD") return methodNotAllowed("GET");
      return jsonResponse({
        name: host.name,
        version: host.version,
        description: host.description,
        instance,
        endpoints: { mcp: "/mcp", events: "/events?channel=<name>" },
        tools: host.tools.length,
      });
    }

    const ns = env[host.binding] as DurableObjectNamespace | undefined;
    if (!ns)
      return jsonResponse({ error: `the Durable Object binding ${host.binding} is missing from wrangler.toml` }, 500);
    const stub = ns.get(ns.idFromName(instance));
    const verified = caller !== null && !caller.anonymous ? caller : null;
    if (path === "/mcp") {
      // DO RPC rather than a forwarded fetch: the body goes as the text already read, the headers
      // as the few values MCP reads, and the answer comes back as a plain object, which costs the
      // runtime less per call than an HTTP request and response between the two.
      const h = request.headers;
      const call: McpCall = {
        method: request.method,
        accept: h.get("Accept"),
        protocolVersion: h.get("Mcp-Protocol-Version"),
        mcpMethod: h.get("Mcp-Method"),
        mcpName: h.get("Mcp-Name"),
        authorization: h.has("Authorization"),
        body: body ?? "",
        instance,
        caller: verified,
      };
      const answer = await (stub as unknown as McpStub).photonMcp(call);
      return new Response(answer.body, { status: answer.status, headers: answer.headers });
    }
    url.pathname = path;
    const headers = new Headers(request.headers);
    headers.set(INSTANCE_HEADER, instance);
    headers.delete(CALLER_HEADER);
    if (verified !== null) headers.set(CALLER_HEADER, JSON.stringify(verified));
    if (path === "/events") return stub.fetch(new Request(url.toString(), { method: request.method, headers }));
    return stub.fetch(new Request(url.toString(), { method: request.method, headers, body }));
  }

  return {
    async fetch(request: Request, env: Record<string, unknown>): Promise<Response> {
      const origin = allowedOrigin(request, env);
      if (origin === false) return forbiddenOrigin();
      try {
        return withCors(await route(request, env), origin);
      } catch (e) {
        return withCors(internalErrorResponse(request, e), origin);
      }
    },
  };
}
