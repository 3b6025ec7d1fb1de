// Workers-safe stand-in for `@portel/photon-core`: the module a photon's `import { PhotonMCP, io, Table } from '@portel/photon-core'` resolves to in the generated project (wrangler.toml `[alias]`, tsconfig `paths`).
// The npm package's entry re-exports modules that need `fs`, `path`, `child_process` and
// `typescript`, so it can never be bundled for a Worker; this stand-in keeps only what photons
// use at run time: the base class, the `io` yield factories, the UI data builders and
// `Collection`.

export { Collection } from "./collection";
export type { AskYield, EmitYield } from "./io";
export { ask, emit, io } from "./io";
export type { PhotonMemory, PhotonSchedule } from "./photon";
export { Photon, PhotonMCP } from "./photon";
export type { FieldDefinition } from "./ui";
export { Cards, Chart, Field, Progress, Stats, Table } from "./ui";

import { Photon } from "./photon";
export default Photon;
