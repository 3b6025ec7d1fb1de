// The runtime's public face: what the generated src/worker.ts imports (`definePhotonDO`, `createWorker`, `PhotonGlobalStore`, the option and manifest types).
// The generated entry only imports the photons and calls these functions; the manifest
// (src/manifest.ts) carries everything known about the photons at build time. Features a build
// may leave out live in modules this one does not import: schedule.ts (croner), asks.ts (with
// mrtr.ts) and auth.ts / jwt.ts (jose), which the entry imports itself and passes in RuntimeOptions.

export type { CfCapabilities } from "./capabilities";
export { withCfCapabilities } from "./capabilities";
export { definePhotonDO } from "./durable-object";
export { PhotonGlobalStore } from "./memory";
export { createWorker, MAX_BODY_BYTES } from "./outer-worker";
export { DEFAULT_INSTANCE, INSTANCE_NAME } from "./routing";
export type { Manifest, McpTool, MethodInfo, PhotonManifest, RuntimeOptions } from "./types";
