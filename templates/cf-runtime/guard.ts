// The outer Worker's guards that come before routing: authentication decided from the headers alone (before any body is read) and the answer to a failure of the Worker itself (a reference id, never a message or a stack).

import { INTERNAL_ERROR } from "./mcp";
import { jsonResponse } from "./routing";
import { internalError } from "./safe-json";
import type { Authorize, Manifest } from "./types";

/**
 * The refusal of a request whose headers carry no valid token, or null to go on. Called before
 * the body is read, so a client without a token cannot hold the Worker by sending its body
 * slowly; the scope check, which needs the JSON-RPC method and tool, follows once the body is
 * in (auth.ts verifies the token of a request only once).
 */
export async function authorizeHeaders(
  manifest: Manifest,
  authorize: Authorize,
  request: Request,
  env: Record<string, unknown>,
): Promise<Response | null> {
  const verdict = await authorize(request, env, manifest, "", undefined);
  return verdict.ok ? null : verdict.response;
}

/**
 * What a client gets when the Worker itself fails: on `/mcp` a JSON-RPC -32603 (HTTP 200, as
 * every JSON-RPC answer), elsewhere a 500; both carry only a reference id, logged with the detail.
 */
export function internalErrorResponse(request: Request, error: unknown): Response {
  const pathname = new URL(request.url).pathname;
  const message = internalError(`${request.method} ${pathname}`, error);
  if (pathname.replace(/\/+$/, "") === "/mcp") {
    return jsonResponse({ jsonrpc: "2.0", id: null, error: { code: INTERNAL_ERROR, message } });
  }
  return jsonResponse({ error: message }, 500);
}
