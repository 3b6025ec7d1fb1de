// The prompts, resources and completion handlers by JSON-RPC method: bundled only when a photon has prompts, resources, resource templates or `@ui` views (the generated entry passes this table as RuntimeOptions.surface; surface.ts decides which are served).

import { completionComplete } from "./completion";
import { promptsGet, promptsList } from "./prompts";
import {
  resourcesList,
  resourcesRead,
  resourcesSubscribe,
  resourcesTemplatesList,
  resourcesUnsubscribe,
} from "./resources";
import type { SurfaceMethod } from "./types";

export const surface: Record<string, SurfaceMethod> = {
  "prompts/list": { capability: "prompts", handle: promptsList },
  "prompts/get": { capability: "prompts", handle: promptsGet },
  "resources/list": { capability: "resources", handle: resourcesList },
  "resources/templates/list": { capability: "resources", handle: resourcesTemplatesList },
  "resources/read": { capability: "resources", handle: resourcesRead },
  "resources/subscribe": { capability: "resources", handle: resourcesSubscribe },
  "resources/unsubscribe": { capability: "resources", handle: resourcesUnsubscribe },
  "completion/complete": { capability: "completions", handle: completionComplete },
};
