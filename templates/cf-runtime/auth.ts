// Request authentication chosen at build time (`photon-cf build --auth none|bearer|jwt`, carried
// as manifest.auth.mode): a shared bearer secret, or JWTs (ES256 / RS256) checked against a JWKS
// by jwt.ts (with jose; a `--auth jwt` entry imports `authorize` from there). Both fail closed:
// when the mode needs a secret or keys the Worker was not given, every protected request is
// refused (503), never let through.
//
// Which requests: the MCP authorization spec (2025-06-18 and later, "Access Token Usage")
// says the token MUST be sent on every HTTP request from client to server, so with auth on
// every `/mcp` request needs it, initialize, ping, tools/list and notifications included; only
// tools/call additionally checks the tool's scopes. `/events` is protected the same way; since a
// browser cannot set headers on a WebSocket, an upgrade may carry the token as the
// `access_token` query parameter (RFC 6750 §2.3), and only an upgrade may: `GET /events` with a
// complete handshake (`Upgrade: websocket`, a 16-byte `Sec-WebSocket-Key`,
// `Sec-WebSocket-Version: 13`); anywhere else the query parameter is ignored.
//
// The decision needs only the headers: the outer Worker calls `authorize` before it reads the
// body (a request without a valid token gets its 401 at once, however slowly its body comes),
// then again with the JSON-RPC method and tool for the scope check. The token of one request is
// verified once: the second call reuses the first one's verification.
//
// Errors follow RFC 6750 §3: 401 with `WWW-Authenticate: Bearer realm=..., error="invalid_token"`
// (no `error` when no token was sent), 403 `insufficient_scope` with the scopes needed.
//
// Configuration (Worker secrets / vars):
//   bearer  PHOTON_MCP_BEARER       the shared token
//   jwt     PHOTON_MCP_JWKS         inline JWKS JSON ({"keys": [...]}), or
//           PHOTON_MCP_JWKS_URL     an https URL of one, fetched and cached for 10 minutes (an
//                                   unknown kid refetches it, at most every 30 s)
//           PHOTON_MCP_ISSUER       expected `iss` (exact match)
//           PHOTON_MCP_AUDIENCE     expected `aud` (this server's resource URI; RFC 8707)
//   access  CF_ACCESS_TEAM_DOMAIN   the Access team (`myteam`), the expected `iss`
//           CF_ACCESS_AUD           the Access application's audience tag
//           CF_ACCESS_JWKS_URL      optional; default https://<team>.cloudflareaccess.com/cdn-cgi/access/certs

import type { Caller } from "./mcp";
import { constantTimeEqual } from "./secrets";
import type { Manifest } from "./types";

export type Refusal = { ok: false; response: Response };
export type AuthResult = { ok: true; caller: Caller } | Refusal;

const REALM = "photon-cf";
const MAX_TOKEN_LENGTH = 16 * 1024;

const ANONYMOUS: Caller = { id: "anonymous", anonymous: true };

/**
 * Decides whether `request` may proceed. `method` is the JSON-RPC method (or e.g. `events` for a
 * subscription); `toolName` is set for tools/call, whose scopes (manifest methods[tool].scopes of
 * the host photon) the token must all carry in jwt mode.
 */
export function authorize(
  request: Request,
  env: Record<string, unknown>,
  manifest: Manifest,
  method: string,
  toolName?: string,
): Promise<AuthResult> {
  return authorizeWith(null, request, env, manifest, method, toolName);
}

/**
 * `authorize` with a JWT verifier: jwt.ts passes its own. Without one, jwt mode refuses every
 * request (503) rather than guessing, since only a `--auth jwt` build bundles the verifier.
 */
export async function authorizeWith(
  verifyJwt: VerifyJwt | null,
  request: Request,
  env: Record<string, unknown>,
  manifest: Manifest,
  method: string,
  toolName?: string,
): Promise<AuthResult> {
  const mode = manifest.auth?.mode ?? "none";
  if (mode === "none") return { ok: true, caller: ANONYMOUS };

  let identity = verified.get(request);
  if (identity === undefined) {
    identity = identify(verifyJwt, request, env, mode);
    verified.set(request, identity);
  }
  const outcome = await identity;
  if (!outcome.ok) return outcome;
  if (outcome.claims === null) return { ok: true, caller: outcome.caller };
  const granted = scopesOf(outcome.claims);
  if (method === "tools/call" && toolName !== undefined) {
    const host = manifest.photons[manifest.host];
    const info = host && Object.hasOwn(host.methods, toolName) ? host.methods[toolName] : undefined;
    const required = info?.scopes ?? [];
    const missing = required.filter((scope) => !granted.includes(scope));
    if (missing.length > 0)
      return forbidden(required, `the token lacks the scope${missing.length > 1 ? "s" : ""} ${missing.join(" ")}`);
  }
  return { ok: true, caller: outcome.caller };
}

/** Who sent a request (claims: the JWT's, null in bearer mode), or why it is refused; per request. */
type Identity = { ok: true; caller: Caller; claims: Record<string, unknown> | null } | Refusal;
const verified = new WeakMap<Request, Promise<Identity>>();

/** The token check, from the headers (and an upgrade's query) alone. */
async function identify(
  verifyJwt: VerifyJwt | null,
  request: Request,
  env: Record<string, unknown>,
  mode: string,
): Promise<Identity> {
  const token = tokenOf(request);
  if (token === "malformed")
    return unauthorized("invalid_request", 'malformed Authorization header: expected "Bearer <token>"', 400);

  if (mode === "bearer") {
    const secret = env.PHOTON_MCP_BEARER;
    if (typeof secret !== "string" || secret === "") {
      return misconfigured(
        "auth mode is bearer but the PHOTON_MCP_BEARER secret is not set (wrangler secret put PHOTON_MCP_BEARER)",
      );
    }
    if (token === null) return unauthorized(null, "a bearer token is required");
    if (!(await constantTimeEqual(token, secret)))
      return unauthorized("invalid_token", "the bearer token is not valid");
    return { ok: true, caller: { id: "bearer", anonymous: false, claims: {} }, claims: null };
  }

  if (mode === "jwt") {
    const issuer = env.PHOTON_MCP_ISSUER;
    const audience = env.PHOTON_MCP_AUDIENCE;
    if (typeof issuer !== "string" || issuer === "" || typeof audience !== "string" || audience === "") {
      return misconfigured("auth mode is jwt but PHOTON_MCP_ISSUER and PHOTON_MCP_AUDIENCE are not both set");
    }
    if (!hasJwksSource(env)) {
      return misconfigured("auth mode is jwt but neither PHOTON_MCP_JWKS nor PHOTON_MCP_JWKS_URL is set");
    }
    if (verifyJwt === null) {
      return misconfigured(
        "auth mode is jwt but the worker entry does not use cf-runtime/jwt.ts; rebuild with --auth jwt",
      );
    }
    if (token === null) return unauthorized(null, "a bearer token (JWT) is required");
    let claims: Record<string, unknown>;
    try {
      claims = await verifyJwt(token, env, issuer, audience);
    } catch (error) {
      if (error instanceof JwksUnavailable) return misconfigured(error.message);
      return unauthorized("invalid_token", error instanceof Error ? error.message : "invalid token");
    }
    const caller: Caller = {
      id: typeof claims.sub === "string" ? claims.sub : "unknown",
      anonymous: false,
      scope: scopesOf(claims).join(" "),
      claims,
    };
    if (typeof claims.name === "string") caller.name = claims.name;
    return { ok: true, caller, claims };
  }

  if (mode === "access") return identifyAccess(verifyJwt, request, env);

  return misconfigured(`unknown auth mode ${JSON.stringify(mode)}`);
}

/**
 * Cloudflare Access (`--auth access`, `@auth cf-access`): Access puts a JWT signed with the
 * team's keys in `Cf-Access-Jwt-Assertion`. It is verified here, never trusted as sent, since a
 * Worker reachable by another route than the Access-protected one would otherwise take any
 * header. Configuration: CF_ACCESS_TEAM_DOMAIN (`myteam`, `myteam.cloudflareaccess.com` or its
 * https URL; the issuer), CF_ACCESS_AUD (the application's audience tag) and optionally
 * CF_ACCESS_JWKS_URL (default `<team>/cdn-cgi/access/certs`). Missing either required one: 503.
 */
async function identifyAccess(
  verifyJwt: VerifyJwt | null,
  request: Request,
  env: Record<string, unknown>,
): Promise<Identity> {
  const team = env.CF_ACCESS_TEAM_DOMAIN;
  const audience = env.CF_ACCESS_AUD;
  if (typeof team !== "string" || team === "" || typeof audience !== "string" || audience === "") {
    return misconfigured("auth mode is access but CF_ACCESS_TEAM_DOMAIN and CF_ACCESS_AUD are not both set");
  }
  if (verifyJwt === null) {
    return misconfigured("auth mode is access but the worker entry does not use cf-runtime/jwt.ts; rebuild");
  }
  let issuer: string;
  try {
    issuer = new URL(
      team.includes("://") ? team : team.includes(".") ? `https://${team}` : `https://${team}.cloudflareaccess.com`,
    ).origin;
  } catch {
    return misconfigured("CF_ACCESS_TEAM_DOMAIN is not a team name or domain");
  }
  const jwksUrl =
    typeof env.CF_ACCESS_JWKS_URL === "string" && env.CF_ACCESS_JWKS_URL !== ""
      ? env.CF_ACCESS_JWKS_URL
      : `${issuer}/cdn-cgi/access/certs`;
  const token = request.headers.get("cf-access-jwt-assertion");
  if (token === null || token === "") return unauthorized(null, "a Cloudflare Access token is required");
  if (token.length > MAX_TOKEN_LENGTH) return unauthorized("invalid_token", "the Access token is too long");
  let claims: Record<string, unknown>;
  try {
    claims = await verifyJwt(token, env, issuer, audience, jwksUrl);
  } catch (error) {
    if (error instanceof JwksUnavailable) return misconfigured(error.message);
    return unauthorized("invalid_token", error instanceof Error ? error.message : "invalid token");
  }
  const email = typeof claims.email === "string" ? claims.email : undefined;
  const caller: Caller = {
    id: email ?? (typeof claims.sub === "string" ? claims.sub : "unknown"),
    anonymous: false,
    claims,
  };
  if (email !== undefined) caller.name = email;
  return { ok: true, caller, claims: null };
}

// ─── tokens ────────────────────────────────────────────────────────────────────────────────

/** The bearer token of the request, null when none was sent, 'malformed' for a bad header. */
function tokenOf(request: Request): string | null | "malformed" {
  const header = request.headers.get("authorization");
  if (header !== null) {
    const match = /^bearer[ ]+([A-Za-z0-9\-._~+/]+=*)[ ]*$/i.exec(header);
    if (!match || match[1].length > MAX_TOKEN_LENGTH) return "malformed";
    return match[1];
  }
  if (isEventsHandshake(request)) {
    const fromQuery = new URL(request.url).searchParams.get("access_token");
    if (fromQuery !== null)
      return fromQuery.length > 0 && fromQuery.length <= MAX_TOKEN_LENGTH ? fromQuery : "malformed";
  }
  return null;
}

/** A real WebSocket opening handshake (RFC 6455 §4.1) on `GET /events`: the only place a query token counts. */
function isEventsHandshake(request: Request): boolean {
  if (request.method !== "GET") return false;
  const path = new URL(request.url).pathname.replace(/\/+$/, "");
  if (path !== "/events") return false;
  const h = request.headers;
  const key = h.get("sec-websocket-key") ?? "";
  return (
    (h.get("upgrade") ?? "").toLowerCase() === "websocket" &&
    h.get("sec-websocket-version") === "13" &&
    /^[A-Za-z0-9+/]{22}==$/.test(key.trim())
  );
}

function scopesOf(claims: Record<string, unknown>): string[] {
  if (typeof claims.scope === "string") return claims.scope.split(/\s+/).filter(Boolean);
  if (Array.isArray(claims.scp)) return claims.scp.filter((s): s is string => typeof s === "string");
  if (typeof claims.scp === "string") return claims.scp.split(/\s+/).filter(Boolean);
  return [];
}

// ─── JWT ───────────────────────────────────────────────────────────────────────────────────

/**
 * Checks a JWT's signature and claims and returns its claims. It lives in jwt.ts (built on jose),
 * which only a `--auth jwt` project has, so bearer Workers bundle no JWT code. Throws
 * `JwksUnavailable` when the keys cannot be had (503), any other error for a bad token (401).
 */
export type VerifyJwt = (
  token: string,
  env: Record<string, unknown>,
  issuer: string,
  audience: string,
  /** Fetch the keys from here instead of PHOTON_MCP_JWKS / PHOTON_MCP_JWKS_URL (Access). */
  jwksUrl?: string,
) => Promise<Record<string, unknown>>;

/** The JWKS could not be loaded: a server-side problem, so 503, never a pass. */
export class JwksUnavailable extends Error {}

function hasJwksSource(env: Record<string, unknown>): boolean {
  return (
    (typeof env.PHOTON_MCP_JWKS === "string" && env.PHOTON_MCP_JWKS !== "") ||
    (typeof env.PHOTON_MCP_JWKS === "object" && env.PHOTON_MCP_JWKS !== null) ||
    (typeof env.PHOTON_MCP_JWKS_URL === "string" && env.PHOTON_MCP_JWKS_URL !== "")
  );
}

// ─── responses ─────────────────────────────────────────────────────────────────────────────

function quote(value: string): string {
  return `"${value.replace(/["\\]/g, "")}"`;
}

function unauthorized(error: "invalid_token" | "invalid_request" | null, description: string, status = 401): Refusal {
  const params = [`realm=${quote(REALM)}`];
  if (error !== null) params.push(`error=${quote(error)}`, `error_description=${quote(description)}`);
  return {
    ok: false,
    response: new Response(JSON.stringify({ error: error ?? "unauthorized", error_description: description }), {
      status,
      headers: { "content-type": "application/json", "www-authenticate": `Bearer ${params.join(", ")}` },
    }),
  };
}

function forbidden(required: string[], description: string): Refusal {
  const header = `Bearer realm=${quote(REALM)}, error="insufficient_scope", scope=${quote(required.join(" "))}, error_description=${quote(description)}`;
  return {
    ok: false,
    response: new Response(
      JSON.stringify({ error: "insufficient_scope", error_description: description, scope: required.join(" ") }),
      {
        status: 403,
        headers: { "content-type": "application/json", "www-authenticate": header },
      },
    ),
  };
}

function misconfigured(description: string): Refusal {
  return {
    ok: false,
    response: new Response(JSON.stringify({ error: "server_error", error_description: description }), {
      status: 503,
      headers: { "content-type": "application/json" },
    }),
  };
}
