// Origin and Host checks of the outer Worker, before any Durable Object runs, and the CORS headers that answer an allowed origin.
// - Served locally (`photon-cf dev`, `wrangler dev`: the client connects from a loopback
//   address, CF-Connecting-IP, or env PHOTON_LOCAL is "1"/"true"), a request whose Host or
//   Origin names anything but localhost / 127.0.0.0/8 / [::1] is 403: that is how a DNS
//   rebinding page reaches a local server.
// - Deployed: a request without Origin (every non-browser MCP client) is allowed; with one,
//   the Worker's own origin and the origins listed in env PHOTON_ALLOWED_ORIGINS (comma
//   separated, e.g. "https://app.example.com, https://claude.ai"; "*" allows any) are allowed,
//   anything else is 403.
// - CORS echoes the allowed Origin (with `Vary: Origin`), never `*`.

import { jsonResponse } from "./routing";

const ALLOW_METHODS = "GET, POST, DELETE, OPTIONS";
const ALLOW_HEADERS =
  "Content-Type, Accept, Authorization, Mcp-Protocol-Version, Mcp-Method, Mcp-Name, Mcp-Session-Id, Last-Event-ID, X-Photon-Instance";

function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, "");
  return h === "localhost" || h.endsWith(".localhost") || h === "::1" || /^127(\.\d{1,3}){3}$/.test(h);
}

function hostnameOf(hostHeader: string): string {
  try {
    return new URL(`http://${hostHeader}`).hostname;
  } catch {
    return "";
  }
}

/** True when this Worker is being served on the local machine (see the file comment). */
export function servedLocally(request: Request, env: Record<string, unknown>): boolean {
  const flag = env.PHOTON_LOCAL;
  if (flag === true || flag === "1" || flag === "true") return true;
  const ip = request.headers.get("CF-Connecting-IP");
  return ip !== null && (ip === "::1" || /^127(\.\d{1,3}){3}$/.test(ip) || ip === "::ffff:127.0.0.1");
}

function configuredOrigins(env: Record<string, unknown>): string[] {
  const raw = env.PHOTON_ALLOWED_ORIGINS;
  if (typeof raw !== "string") return [];
  return raw
    .split(",")
    .map((s) => s.trim().replace(/\/+$/, ""))
    .filter((s) => s !== "");
}

/** The request's Origin when it is allowed, null when it has none; false when it is refused. */
export function allowedOrigin(request: Request, env: Record<string, unknown>): string | null | false {
  const origin = request.headers.get("Origin");
  if (servedLocally(request, env)) {
    if (!isLoopbackHost(hostnameOf(request.headers.get("Host") ?? new URL(request.url).host))) return false;
    if (origin === null) return null;
    try {
      return isLoopbackHost(new URL(origin).hostname) ? origin : false;
    } catch {
      return false;
    }
  }
  if (origin === null) return null;
  if (origin === new URL(request.url).origin) return origin;
  const list = configuredOrigins(env);
  return list.includes("*") || list.includes(origin) ? origin : false;
}

export function forbiddenOrigin(): Response {
  return jsonResponse({ error: "forbidden: this Origin or Host is not allowed" }, 403);
}

/** CORS headers for an allowed origin (none for a request without Origin). */
export function corsHeaders(origin: string | null): Record<string, string> {
  if (origin === null) return {};
  return {
    "Access-Control-Allow-Origin": origin,
    "Access-Control-Allow-Methods": ALLOW_METHODS,
    "Access-Control-Allow-Headers": ALLOW_HEADERS,
    "Access-Control-Expose-Headers": "Mcp-Session-Id, Mcp-Protocol-Version, WWW-Authenticate",
    "Access-Control-Max-Age": "86400",
    Vary: "Origin",
  };
}
