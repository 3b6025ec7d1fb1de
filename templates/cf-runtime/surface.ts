// The MCP server surface beyond tools: which JSON-RPC method belongs to which capability (prompts, resources, completion, logging level), the capabilities `initialize` advertises, and `this.notifyResourceUpdated`.
// mcp.ts looks a method up here after its own cases, so a protocol era that adds methods can
// reuse these handlers by name. A capability is advertised only when the photon has something
// to serve under it, and a method of a capability not advertised is -32601, as if unknown. The
// prompts, resources and completion handlers (surface-table.ts) are bundled only when a photon
// has prompts, resources or views: the generated entry passes them in RuntimeOptions.surface.

import { setLogLevel } from "./logging";
import type { McpHost } from "./mcp";
import { callContext } from "./mcp";
import type { PhotonManifest, SurfaceHandler } from "./types";

export type { SurfaceHandler } from "./types";

type Capability = "prompts" | "resources" | "completions" | "logging";

const CAPABILITY_OF: Record<string, Capability> = {
  "prompts/list": "prompts",
  "prompts/get": "prompts",
  "resources/list": "resources",
  "resources/templates/list": "resources",
  "resources/read": "resources",
  "resources/subscribe": "resources",
  "resources/unsubscribe": "resources",
  "completion/complete": "completions",
  "logging/setLevel": "logging",
};

function serves(photon: PhotonManifest, capability: Capability): boolean {
  switch (capability) {
    case "prompts":
      return photon.prompts.length > 0;
    case "resources":
      return (
        photon.resources.length > 0 || photon.resourceTemplates.length > 0 || Object.keys(photon.ui ?? {}).length > 0
      );
    case "completions":
      // Completion answers for prompt arguments and template variables (empty when no source).
      return photon.prompts.length > 0 || photon.resourceTemplates.length > 0;
    case "logging":
      return true;
  }
}

/** The handler of `method`, or null when the photon does not serve it (-32601). */
export function surfaceHandler(host: McpHost, method: string): SurfaceHandler | null {
  if (!Object.hasOwn(CAPABILITY_OF, method) || !serves(host.photon, CAPABILITY_OF[method])) return null;
  if (method === "logging/setLevel") return setLogLevel;
  return Object.hasOwn(host.surface, method) ? host.surface[method] : null;
}

/** `initialize`'s capabilities besides tools: exactly what surfaceHandler serves. */
export function surfaceCapabilities(photon: PhotonManifest): Record<string, unknown> {
  const caps: Record<string, unknown> = { logging: {} };
  if (serves(photon, "prompts")) caps.prompts = { listChanged: false };
  if (serves(photon, "resources")) caps.resources = { subscribe: true, listChanged: false };
  if (serves(photon, "completions")) caps.completions = {};
  return caps;
}

/**
 * `this.notifyResourceUpdated(uri)`: true when a notification went out on the current call's
 * stream. Subscriptions come from resources/subscribe, so without resources there are none.
 */
export function notifyResourceUpdated(subscriptions: ReadonlySet<string>, uri: unknown): boolean {
  if (typeof uri !== "string" || !subscriptions.has(uri)) return false;
  const stream = callContext.getStore()?.stream;
  if (!stream || stream.closed) return false;
  stream.send({ jsonrpc: "2.0", method: "notifications/resources/updated", params: { uri } });
  return true;
}
