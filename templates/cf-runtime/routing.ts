// How a request names its instance (the instance-name rule, the default instance, the headers the outer Worker sets on what it forwards to a Durable Object), and the plain JSON and 405 answers every HTTP surface of the Worker gives.

/** Instance names: 1-128 characters, letters, digits and `._:@+~-`, starting with a letter or digit. */
export const INSTANCE_NAME = /^[A-Za-z0-9][A-Za-z0-9._:@+~-]{0,127}$/;
export const DEFAULT_INSTANCE = "default";
/** Set by the outer Worker on every request it forwards; a client's own value is replaced. */
export const INSTANCE_HEADER = "X-Photon-Instance";
/** The verified caller (JSON), set only by the outer Worker; a client's own value is removed. */
export const CALLER_HEADER = "X-Photon-Caller";

/** A plain JSON object (not null, not an array). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A JSON body with its Content-Type (and any `headers` besides). */
export function jsonResponse(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } });
}

/** 405 naming the methods a path allows. */
export function methodNotAllowed(allow: string): Response {
  return new Response("Method Not Allowed", { status: 405, headers: { Allow: allow } });
}
