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
import type { SurfaceHandler } from "./types";

export const surface: Record<string, SurfaceHandler> = {
  "prompts/list": promptsList,
  "prompts/get": promptsGet,
  "resources/list": resourcesList,
  "resources/templates/list": resourcesTemplatesList,
  "resources/read": resourcesRead,
  "resources/subscribe": resourcesSubscribe,
  "resources/unsubscribe": resourcesUnsubscribe,
  "completion/complete": completionComplete,
};
