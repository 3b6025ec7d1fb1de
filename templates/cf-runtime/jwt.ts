// JWT verification for `--auth jwt`, done by jose (panva/jose, made for Workers' WebCrypto)
// rather than by hand: signature (ES256 / RS256 only), key choice from the JWKS, iss, aud, exp
// and nbf. This module exports the `authorize` a `--auth jwt` worker entry uses; photon-cf
// ships it (and puts jose in package.json) only for such a build, so bearer Workers carry no
// JWT code. Decisions, status codes and RFC 6750 errors stay in auth.ts.

import type { JWTVerifyGetKey } from "jose";
import { createLocalJWKSet, createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify } from "jose";
import type { AuthResult } from "./auth";
import { authorizeWith, JwksUnavailable } from "./auth";
import { withResourceMetadata } from "./oauth";
import type { Manifest } from "./types";

const ALGORITHMS = ["ES256", "RS256"];
const SKEW_SECONDS = 60;
/** How long a fetched JWKS is used without asking again. */
const JWKS_TTL_MS = 10 * 60 * 1000;
/** An unknown `kid` refetches the JWKS (key rotation), but not more often than this. */
const JWKS_REFRESH_MIN_MS = 30 * 1000;

/** `authorize` of auth.ts with JWTs checked by `verifyJwt` below; refusals name the OAuth metadata (oauth.ts). */
export async function authorize(
  request: Request,
  env: Record<string, unknown>,
  manifest: Manifest,
  method: string,
  toolName?: string,
): Promise<AuthResult> {
  return withResourceMetadata(
    await authorizeWith(verifyJwt, request, env, manifest, method, toolName),
    request,
    manifest,
  );
}

async function verifyJwt(
  token: string,
  env: Record<string, unknown>,
  issuer: string,
  audience: string,
  jwksUrl?: string,
): Promise<Record<string, unknown>> {
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, keysOf(env, jwksUrl), {
      algorithms: ALGORITHMS,
      issuer,
      audience,
      clockTolerance: SKEW_SECONDS,
      requiredClaims: ["exp"],
    }));
  } catch (error) {
    throw error instanceof JwksUnavailable ? error : new Error(reason(error, token));
  }
  // jose checks `iat` only together with maxTokenAge, which would make `iat` required; a token
  // minted in the future is refused as it always was.
  if (typeof payload.iat === "number" && payload.iat > Math.floor(Date.now() / 1000) + SKEW_SECONDS) {
    throw new Error("token issued in the future");
  }
  return payload;
}

/** The error description of a refused token, in the words the 401 always used. */
function reason(error: unknown, token: string): string {
  if (error instanceof errors.JWTExpired) return "expired token";
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === "iss") return "wrong issuer";
    if (error.claim === "aud") return "wrong audience";
    if (error.claim === "exp") return "the token has no exp";
    if (error.claim === "nbf") return "token not yet valid";
    return `invalid ${error.claim} claim`;
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return "bad signature";
  if (error instanceof errors.JWKSNoMatchingKey) {
    const { kid } = headerOf(token);
    return typeof kid === "string"
      ? `unknown kid ${JSON.stringify(kid)}`
      : "no JWKS key matches the token (send a kid)";
  }
  if (error instanceof errors.JOSEAlgNotAllowed)
    return `unsupported alg ${JSON.stringify(headerOf(token).alg)}: ES256 or RS256`;
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid)
    return `malformed token: ${error.message}`;
  return error instanceof Error ? error.message : "invalid token";
}

/** The token's header, for the error description only (jose has already refused the token). */
function headerOf(token: string): { kid?: unknown; alg?: unknown } {
  try {
    return decodeProtectedHeader(token);
  } catch {
    return {};
  }
}

// ─── keys ──────────────────────────────────────────────────────────────────────────────────

// Per isolate: jose's remote set caches the JWKS and rate-limits refetches itself, so it must
// outlive the request; one per URL in case the configuration changes under a live isolate.
const remote = new Map<string, JWTVerifyGetKey>();
let local: { source: unknown; keys: JWTVerifyGetKey } | null = null;

/**
 * The key resolver for `jwtVerify`. A token that names no usable key is jose's error (401);
 * keys that cannot be had at all (unparsable inline JWKS, key server down, slow or answering
 * garbage) are `JwksUnavailable` (503), the server's fault rather than the token's.
 */
function keysOf(env: Record<string, unknown>, jwksUrl?: string): JWTVerifyGetKey {
  const inline = env.PHOTON_MCP_JWKS;
  const resolver =
    jwksUrl !== undefined
      ? remoteKeys(jwksUrl)
      : inline !== undefined && inline !== null && inline !== ""
        ? inlineKeys(inline)
        : remoteKeys(env.PHOTON_MCP_JWKS_URL as string);
  return async (header, token) => {
    try {
      return await resolver(header, token);
    } catch (error) {
      if (
        error instanceof errors.JWKSNoMatchingKey ||
        error instanceof errors.JWKSMultipleMatchingKeys ||
        error instanceof errors.JOSEAlgNotAllowed ||
        error instanceof errors.JOSENotSupported
      ) {
        throw error;
      }
      throw new JwksUnavailable(
        `the JWKS could not be used: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  };
}

function inlineKeys(inline: unknown): JWTVerifyGetKey {
  if (local !== null && local.source === inline) return local.keys;
  let jwks: unknown = inline;
  if (typeof inline === "string") {
    try {
      jwks = JSON.parse(inline);
    } catch {
      throw new JwksUnavailable("PHOTON_MCP_JWKS is not valid JSON");
    }
  }
  let keys: JWTVerifyGetKey;
  try {
    keys = createLocalJWKSet(jwks as Parameters<typeof createLocalJWKSet>[0]);
  } catch {
    throw new JwksUnavailable('PHOTON_MCP_JWKS is not a JWKS (an object with a "keys" array)');
  }
  local = { source: inline, keys };
  return keys;
}

function remoteKeys(url: string): JWTVerifyGetKey {
  let keys = remote.get(url);
  if (keys === undefined) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new JwksUnavailable("PHOTON_MCP_JWKS_URL is not a URL");
    }
    keys = createRemoteJWKSet(parsed, { cacheMaxAge: JWKS_TTL_MS, cooldownDuration: JWKS_REFRESH_MIN_MS });
    remote.set(url, keys);
  }
  return keys;
}
