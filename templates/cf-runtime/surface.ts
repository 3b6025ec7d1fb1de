//! The MCP server surface beyond tools: one table from JSON-RPC method to handler (prompts, resources, completion, logging level) and the capabilities `initialize` advertises for it.
// mcp.ts looks a method up here after its own cases, so a protocol era that adds methods can
// reuse these handlers by name. A capability is advertised only when the photon has something
// to serve under it, and a method of a capability not advertised is -32601, as if unknown.

import { completionComplete } from "./completion";
import { setLogLevel } from "./logging";
import type { McpHost, McpRequest } from "./mcp";
import { promptsGet, promptsList } from "./prompts";
import {
  resourcesList,
  resourcesRead,
  resourcesSubscribe,
  resourcesTemplatesList,
  resourcesUnsubscribe,
} from "./resources";
import type { PhotonManifest } from "./types";
import { hasUi } from "./ui";

/** One surface method: validated params in, a JSON-RPC result out (or a thrown RpcError). */
export type SurfaceHandler = (params: Record<string, unknown>, host: McpHost, request: McpRequest) => Promise<unknown>;

type Capability = "prompts" | "resources" | "completions" | "logging";

const HANDLERS: Record<string, { capability: Capability; handle: SurfaceHandler }> = {
  "prompts/list": { capability: "prompts", handle: promptsList },
  "prompts/get": { capability: "prompts", handle: promptsGet },
  "resources/list": { capability: "resources", handle: resourcesList },
  "resources/templates/list": { capability: "resources", handle: resourcesTemplatesList },
  "resources/read": { capability: "resources", handle: resourcesRead },
  "resources/subscribe": { capability: "resources", handle: resourcesSubscribe },
  "resources/unsubscribe": { capability: "resources", handle: resourcesUnsubscribe },
  "completion/complete": { capability: "completions", handle: completionComplete },
  "logging/setLevel": { capability: "logging", handle: setLogLevel },
};

function serves(photon: PhotonManifest, capability: Capability): boolean {
  switch (capability) {
    case "prompts":
      return photon.prompts.length > 0;
    case "resources":
      return photon.resources.length > 0 || photon.resourceTemplates.length > 0 || hasUi(photon);
    case "completions":
      // Completion answers for prompt arguments and template variables (empty when no source).
      return photon.prompts.length > 0 || photon.resourceTemplates.length > 0;
    case "logging":
      return true;
  }
}

/** The handler of `method`, or null when the photon does not serve it (-32601). */
export function surfaceHandler(photon: PhotonManifest, method: string): SurfaceHandler | null {
  if (!Object.hasOwn(HANDLERS, method)) return null;
  const entry = HANDLERS[method];
  return serves(photon, entry.capability) ? entry.handle : null;
}

/** `initialize`'s capabilities besides tools: exactly what surfaceHandler serves. */
export function surfaceCapabilities(photon: PhotonManifest): Record<string, unknown> {
  const caps: Record<string, unknown> = { logging: {} };
  if (serves(photon, "prompts")) caps.prompts = { listChanged: false };
  if (serves(photon, "resources")) caps.resources = { subscribe: true, listChanged: false };
  if (serves(photon, "completions")) caps.completions = {};
  return caps;
}
