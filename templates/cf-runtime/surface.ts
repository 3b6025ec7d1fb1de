// The MCP server surface beyond tools: whether a JSON-RPC method's capability (prompts, resources, completion, logging level) is served, the capabilities `initialize` advertises, and `this.notifyResourceUpdated`.
// mcp.ts looks a method up here after its own cases, so a protocol era that adds methods can
// reuse these handlers by name. A capability is advertised only when the photon has something
// to serve under it, and a method of a capability not advertised is -32601, as if unknown. The
// prompts, resources and completion handlers (surface-table.ts) are bundled only when a photon
// has prompts, resources or views: the generated entry passes them in RuntimeOptions.surface.

import { setLogLevel } from "./logging";
import type { McpHost } from "./mcp";
import { callContext } from "./mcp";
import type { PhotonManifest, SurfaceCapability, SurfaceHandler, SurfaceMethod } from "./types";

/** `logging/setLevel`, served by every Worker; the other methods come with surface-table.ts. */
const LOGGING: SurfaceMethod = { capability: "logging", handle: setLogLevel };

function serves(photon: PhotonManifest, capability: SurfaceCapability): boolean {
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
  const entry =
    method === "logging/setLevel" ? LOGGING : Object.hasOwn(host.surface, method) ? host.surface[method] : null;
  return entry !== null && serves(host.photon, entry.capability) ? entry.handle : null;
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
