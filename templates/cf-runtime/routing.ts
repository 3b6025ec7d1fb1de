// How a request names its instance: the instance-name rule, the default instance, and the headers the outer Worker sets on what it forwards to a Durable Object.

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
