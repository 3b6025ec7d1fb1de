// OAuth discovery for `--auth jwt` (RFC 9728): the protected-resource metadata that tells an OAuth-only MCP client which authorization server issues tokens for this Worker, and the `resource_metadata` pointer in every 401/403 challenge.
// Only a `--auth jwt` build ships this file: a bearer Worker publishes no metadata, since a client
// that found some would switch to OAuth and ignore the configured header.
// Configuration (Worker vars), beside auth.ts's:
//   PHOTON_MCP_AUDIENCE               the resource: this Worker's /mcp URL, also the `aud` checked
//                                     (RFC 8707); the request's own origin + /mcp when unset
//   PHOTON_MCP_AUTHORIZATION_SERVERS  issuer URLs of the authorization servers (space or comma
//                                     separated); PHOTON_MCP_ISSUER when unset

import type { AuthResult } from "./auth";
import type { Manifest } from "./types";

/** Where the metadata is served: the RFC 9728 well-known path, and its form suffixed with /mcp. */
export const METADATA_PATH = "/.well-known/oauth-protected-resource";

function text(value: unknown): string | null {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : null;
}

/** The resource identifier: the configured audience, else this origin's /mcp. */
function resourceOf(request: Request, env: Record<string, unknown>): string {
  return text(env.PHOTON_MCP_AUDIENCE) ?? `${new URL(request.url).origin}/mcp`;
}

/** Every scope a tool of the host photon requires, sorted, each once. */
function scopesOf(manifest: Manifest): string[] {
  const host = manifest.photons[manifest.host];
  const all = new Set<string>();
  for (const method of Object.values(host?.methods ?? {})) for (const s of method.scopes ?? []) all.add(s);
  return [...all].sort();
}

/** The metadata document's URL, the one the challenges point at. */
export function metadataUrl(request: Request): string {
  return `${new URL(request.url).origin}${METADATA_PATH}/mcp`;
}

/** The RFC 9728 metadata for `GET /.well-known/oauth-protected-resource[/mcp]`. */
export function protectedResource(request: Request, env: Record<string, unknown>, manifest: Manifest): Response {
  const servers =
    text(env.PHOTON_MCP_AUTHORIZATION_SERVERS)
      ?.split(/[\s,]+/)
      .filter(Boolean) ?? [];
  const issuer = text(env.PHOTON_MCP_ISSUER);
  if (servers.length === 0 && issuer !== null) servers.push(issuer);
  const body: Record<string, unknown> = {
    resource: resourceOf(request, env),
    authorization_servers: servers,
    scopes_supported: scopesOf(manifest),
    bearer_methods_supported: ["header"],
    resource_name: manifest.photons[manifest.host]?.name ?? manifest.host,
  };
  return new Response(JSON.stringify(body), {
    headers: { "content-type": "application/json", "cache-control": "public, max-age=3600" },
  });
}

/**
 * A refusal with the metadata named in its challenge (RFC 9728 §5.1): `resource_metadata` on every
 * 401 and 403, and on a 401 without one the scopes the resource uses, so a client asks for them.
 */
export function withResourceMetadata(result: AuthResult, request: Request, manifest: Manifest): AuthResult {
  // Only a JWT resource server has metadata to point at (a bearer manifest never reaches here in a
  // built Worker, but jwt.ts's authorize must not claim OAuth for one either).
  if (result.ok || manifest.auth.mode !== "jwt") return result;
  const { response } = result;
  const challenge = response.headers.get("www-authenticate");
  if (challenge === null || (response.status !== 401 && response.status !== 403)) return result;
  let header = `${challenge}, resource_metadata="${metadataUrl(request)}"`;
  const scopes = scopesOf(manifest);
  if (response.status === 401 && !/\bscope=/.test(challenge) && scopes.length > 0) {
    header += `, scope="${scopes.join(" ")}"`;
  }
  const out = new Response(response.body, response);
  out.headers.set("www-authenticate", header);
  return { ok: false, response: out };
}
