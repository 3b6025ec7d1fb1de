//! Request authentication chosen at build time (`photon-cf build --auth none|bearer|jwt`, carried
//! as manifest.auth.mode): a shared bearer secret, or JWTs (ES256 / RS256) checked against a JWKS
//! with WebCrypto. Both fail closed: when the mode needs a secret or keys the Worker was not
//! given, every protected request is refused (503), never let through.
//!
//! Which requests: the MCP authorization spec (2025-06-18 and later, "Access Token Usage")
//! says the token MUST be sent on every HTTP request from client to server, so with auth on
//! every `/mcp` request needs it, initialize, ping, tools/list and notifications included; only
//! tools/call additionally checks the tool's scopes. `/events` is protected the same way; since a
//! browser cannot set headers on a WebSocket, an upgrade may carry the token as the
//! `access_token` query parameter (RFC 6750 §2.3), and only an upgrade may.
//!
//! Errors follow RFC 6750 §3: 401 with `WWW-Authenticate: Bearer realm=..., error="invalid_token"`
//! (no `error` when no token was sent), 403 `insufficient_scope` with the scopes needed.
//!
//! Configuration (Worker secrets / vars):
//!   bearer  PHOTON_MCP_BEARER       the shared token
//!   jwt     PHOTON_MCP_JWKS         inline JWKS JSON ({"keys": [...]}), or
//!           PHOTON_MCP_JWKS_URL     an https URL of one, fetched and cached for 10 minutes
//!           PHOTON_MCP_ISSUER       expected `iss` (exact match)
//!           PHOTON_MCP_AUDIENCE     expected `aud` (this server's resource URI; RFC 8707)

import type { Caller } from './mcp';
import type { Manifest } from './types';

export type AuthResult = { ok: true; caller: Caller } | { ok: false; response: Response };

const REALM = 'photon-cf';
const SKEW_SECONDS = 60;
const JWKS_TTL_MS = 10 * 60 * 1000;
/** An unknown `kid` refetches the JWKS (key rotation), but not more often than this. */
const JWKS_REFRESH_MIN_MS = 30 * 1000;
const MAX_TOKEN_LENGTH = 16 * 1024;

const ANONYMOUS: Caller = { id: 'anonymous', anonymous: true };

/**
 * Decides whether `request` may proceed. `method` is the JSON-RPC method (or e.g. `events` for a
 * subscription); `toolName` is set for tools/call, whose scopes (manifest methods[tool].scopes of
 * the host photon) the token must all carry in jwt mode.
 */
export async function authorize(
  request: Request,
  env: Record<string, unknown>,
  manifest: Manifest,
  method: string,
  toolName?: string,
): Promise<AuthResult> {
  const mode = manifest.auth?.mode ?? 'none';
  if (mode === 'none') return { ok: true, caller: ANONYMOUS };

  const token = tokenOf(request);
  if (token === 'malformed') return unauthorized('invalid_request', 'malformed Authorization header: expected "Bearer <token>"', 400);

  if (mode === 'bearer') {
    const secret = env.PHOTON_MCP_BEARER;
    if (typeof secret !== 'string' || secret === '') {
      return misconfigured('auth mode is bearer but the PHOTON_MCP_BEARER secret is not set (wrangler secret put PHOTON_MCP_BEARER)');
    }
    if (token === null) return unauthorized(null, 'a bearer token is required');
    if (!(await constantTimeEqual(token, secret))) return unauthorized('invalid_token', 'the bearer token is not valid');
    return { ok: true, caller: { id: 'bearer', anonymous: false, claims: {} } };
  }

  if (mode === 'jwt') {
    const issuer = env.PHOTON_MCP_ISSUER;
    const audience = env.PHOTON_MCP_AUDIENCE;
    if (typeof issuer !== 'string' || issuer === '' || typeof audience !== 'string' || audience === '') {
      return misconfigured('auth mode is jwt but PHOTON_MCP_ISSUER and PHOTON_MCP_AUDIENCE are not both set');
    }
    if (!hasJwksSource(env)) {
      return misconfigured('auth mode is jwt but neither PHOTON_MCP_JWKS nor PHOTON_MCP_JWKS_URL is set');
    }
    if (token === null) return unauthorized(null, 'a bearer token (JWT) is required');
    let claims: Record<string, unknown>;
    try {
      claims = await verifyJwt(token, env, issuer, audience);
    } catch (error) {
      if (error instanceof JwksUnavailable) return misconfigured(error.message);
      return unauthorized('invalid_token', error instanceof Error ? error.message : 'invalid token');
    }
    const granted = scopesOf(claims);
    if (method === 'tools/call' && toolName !== undefined) {
      const required = manifest.photons[manifest.host]?.methods[toolName]?.scopes ?? [];
      const missing = required.filter((scope) => !granted.includes(scope));
      if (missing.length > 0) return forbidden(required, `the token lacks the scope${missing.length > 1 ? 's' : ''} ${missing.join(' ')}`);
    }
    const caller: Caller = { id: typeof claims.sub === 'string' ? claims.sub : 'unknown', anonymous: false, scope: granted.join(' '), claims };
    if (typeof claims.name === 'string') caller.name = claims.name;
    return { ok: true, caller };
  }

  return misconfigured(`unknown auth mode ${JSON.stringify(mode)}`);
}

// ─── tokens ────────────────────────────────────────────────────────────────────────────────

/** The bearer token of the request, null when none was sent, 'malformed' for a bad header. */
function tokenOf(request: Request): string | null | 'malformed' {
  const header = request.headers.get('authorization');
  if (header !== null) {
    const match = /^bearer[ ]+([A-Za-z0-9\-._~+/]+=*)[ ]*$/i.exec(header);
    if (!match || match[1]!.length > MAX_TOKEN_LENGTH) return 'malformed';
    return match[1]!;
  }
  if ((request.headers.get('upgrade') ?? '').toLowerCase() === 'websocket') {
    const fromQuery = new URL(request.url).searchParams.get('access_token');
    if (fromQuery !== null) return fromQuery.length > 0 && fromQuery.length <= MAX_TOKEN_LENGTH ? fromQuery : 'malformed';
  }
  return null;
}

/**
 * Compares digests rather than the strings, so the time taken depends on neither the secret's
 * length nor the position of the first difference.
 */
async function constantTimeEqual(given: string, expected: string): Promise<boolean> {
  const encoder = new TextEncoder();
  const [a, b] = await Promise.all([
    crypto.subtle.digest('SHA-256', encoder.encode(given)),
    crypto.subtle.digest('SHA-256', encoder.encode(expected)),
  ]);
  const x = new Uint8Array(a);
  const y = new Uint8Array(b);
  let diff = 0;
  for (let i = 0; i < x.length; i += 1) diff |= x[i]! ^ y[i]!;
  return diff === 0;
}

function scopesOf(claims: Record<string, unknown>): string[] {
  if (typeof claims.scope === 'string') return claims.scope.split(/\s+/).filter(Boolean);
  if (Array.isArray(claims.scp)) return claims.scp.filter((s): s is string => typeof s === 'string');
  if (typeof claims.scp === 'string') return claims.scp.split(/\s+/).filter(Boolean);
  return [];
}

// ─── JWT ───────────────────────────────────────────────────────────────────────────────────

interface Jwk {
  kty?: string;
  kid?: string;
  alg?: string;
  use?: string;
  crv?: string;
  [key: string]: unknown;
}

class JwksUnavailable extends Error {}

const ALGORITHMS = {
  ES256: {
    kty: 'EC',
    importParams: { name: 'ECDSA', namedCurve: 'P-256' },
    verifyParams: { name: 'ECDSA', hash: 'SHA-256' },
  },
  RS256: {
    kty: 'RSA',
    importParams: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
    verifyParams: { name: 'RSASSA-PKCS1-v1_5' },
  },
} as const;
type Alg = keyof typeof ALGORITHMS;

function base64UrlDecode(segment: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(segment)) throw new Error('malformed token: not base64url');
  const padded = segment.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((segment.length + 3) % 4);
  const binary = atob(padded);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function decodeJson(segment: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(base64UrlDecode(segment)));
  } catch {
    throw new Error(`malformed token: the ${what} is not base64url JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`malformed token: the ${what} is not an object`);
  return value as Record<string, unknown>;
}

async function verifyJwt(token: string, env: Record<string, unknown>, issuer: string, audience: string): Promise<Record<string, unknown>> {
  const parts = token.split('.');
  if (parts.length !== 3) throw new Error('malformed token: a JWT has three parts');
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  const header = decodeJson(headerPart, 'header');
  const alg = header.alg;
  if (typeof alg !== 'string' || !(alg in ALGORITHMS)) throw new Error(`unsupported alg ${JSON.stringify(alg)}: ES256 or RS256`);
  const algorithm = ALGORITHMS[alg as Alg];
  const kid = typeof header.kid === 'string' ? header.kid : null;

  const jwk = await findKey(env, kid, alg as Alg);
  let key: CryptoKey;
  try {
    key = await crypto.subtle.importKey('jwk', jwk as JsonWebKey, algorithm.importParams, false, ['verify']);
  } catch {
    throw new Error(`the JWKS key ${kid ?? '(no kid)'} cannot be imported for ${alg}`);
  }
  const signed = new TextEncoder().encode(`${headerPart}.${payloadPart}`);
  const valid = await crypto.subtle.verify(algorithm.verifyParams, key, base64UrlDecode(signaturePart), signed);
  if (!valid) throw new Error('bad signature');

  const claims = decodeJson(payloadPart, 'payload');
  const now = Math.floor(Date.now() / 1000);
  if (claims.iss !== issuer) throw new Error('wrong issuer');
  const aud = claims.aud;
  if (!(aud === audience || (Array.isArray(aud) && aud.includes(audience)))) throw new Error('wrong audience');
  if (typeof claims.exp !== 'number') throw new Error('the token has no exp');
  if (now > claims.exp + SKEW_SECONDS) throw new Error('expired token');
  if (typeof claims.nbf === 'number' && now < claims.nbf - SKEW_SECONDS) throw new Error('token not yet valid');
  if (typeof claims.iat === 'number' && claims.iat > now + SKEW_SECONDS) throw new Error('token issued in the future');
  return claims;
}

function hasJwksSource(env: Record<string, unknown>): boolean {
  return (typeof env.PHOTON_MCP_JWKS === 'string' && env.PHOTON_MCP_JWKS !== '') ||
    (typeof env.PHOTON_MCP_JWKS === 'object' && env.PHOTON_MCP_JWKS !== null) ||
    (typeof env.PHOTON_MCP_JWKS_URL === 'string' && env.PHOTON_MCP_JWKS_URL !== '');
}

function keysOf(jwks: unknown): Jwk[] {
  const keys = (jwks as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) throw new JwksUnavailable('the JWKS has no "keys" array');
  return keys.filter((k): k is Jwk => typeof k === 'object' && k !== null);
}

// Cached per isolate: a JWKS URL is fetched once per TTL, not once per request.
let cached: { url: string; keys: Jwk[]; fetchedAt: number } | null = null;

async function loadJwks(env: Record<string, unknown>, refresh: boolean): Promise<Jwk[]> {
  const inline = env.PHOTON_MCP_JWKS;
  if (typeof inline === 'object' && inline !== null) return keysOf(inline);
  if (typeof inline === 'string' && inline !== '') {
    try {
      return keysOf(JSON.parse(inline));
    } catch (error) {
      if (error instanceof JwksUnavailable) throw error;
      throw new JwksUnavailable('PHOTON_MCP_JWKS is not valid JSON');
    }
  }
  const url = env.PHOTON_MCP_JWKS_URL as string;
  const now = Date.now();
  const fresh = cached && cached.url === url && now - cached.fetchedAt < JWKS_TTL_MS;
  const mayRefresh = !cached || cached.url !== url || now - cached.fetchedAt >= JWKS_REFRESH_MIN_MS;
  if (fresh && !(refresh && mayRefresh)) return cached!.keys;
  let response: Response;
  try {
    response = await fetch(url, { headers: { accept: 'application/json' } });
  } catch {
    throw new JwksUnavailable(`the JWKS at ${url} could not be fetched`);
  }
  if (!response.ok) throw new JwksUnavailable(`the JWKS at ${url} answered ${response.status}`);
  const keys = keysOf(await response.json().catch(() => null));
  cached = { url, keys, fetchedAt: now };
  return keys;
}

async function findKey(env: Record<string, unknown>, kid: string | null, alg: Alg): Promise<Jwk> {
  const pick = (keys: Jwk[]) => {
    const usable = keys.filter(
      (k) => k.kty === ALGORITHMS[alg].kty && (k.alg === undefined || k.alg === alg) && (k.use === undefined || k.use === 'sig'),
    );
    if (kid !== null) return usable.find((k) => k.kid === kid);
    return usable.length === 1 ? usable[0] : undefined;
  };
  let key = pick(await loadJwks(env, false));
  if (!key && typeof env.PHOTON_MCP_JWKS_URL === 'string' && env.PHOTON_MCP_JWKS === undefined) {
    key = pick(await loadJwks(env, true));
  }
  if (!key) throw new Error(kid !== null ? `unknown kid ${JSON.stringify(kid)}` : 'no single JWKS key matches the token (send a kid)');
  return key;
}

// ─── responses ─────────────────────────────────────────────────────────────────────────────

function quote(value: string): string {
  return `"${value.replace(/["\\]/g, '')}"`;
}

function unauthorized(error: 'invalid_token' | 'invalid_request' | null, description: string, status = 401): AuthResult {
  const params = [`realm=${quote(REALM)}`];
  if (error !== null) params.push(`error=${quote(error)}`, `error_description=${quote(description)}`);
  return {
    ok: false,
    response: new Response(JSON.stringify({ error: error ?? 'unauthorized', error_description: description }), {
      status,
      headers: { 'content-type': 'application/json', 'www-authenticate': `Bearer ${params.join(', ')}` },
    }),
  };
}

function forbidden(required: string[], description: string): AuthResult {
  const header = `Bearer realm=${quote(REALM)}, error="insufficient_scope", scope=${quote(required.join(' '))}, error_description=${quote(description)}`;
  return {
    ok: false,
    response: new Response(JSON.stringify({ error: 'insufficient_scope', error_description: description, scope: required.join(' ') }), {
      status: 403,
      headers: { 'content-type': 'application/json', 'www-authenticate': header },
    }),
  };
}

function misconfigured(description: string): AuthResult {
  return {
    ok: false,
    response: new Response(JSON.stringify({ error: 'server_error', error_description: description }), {
      status: 503,
      headers: { 'content-type': 'application/json' },
    }),
  };
}
