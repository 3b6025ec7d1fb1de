// The manifest photon-cf generates at build time and the runtime's shared types.
// The Rust side serialises exactly these shapes into src/manifest.ts; nothing parses TypeScript at
// run time, so everything the runtime needs to know about a photon is here.

import type { McpAnswer } from "./answer";
import type { RoundStream } from "./era";
import type { Caller, McpHost, McpRequest } from "./mcp";

export interface Manifest {
  version: 1;
  /** The host photon's name. */
  host: string;
  auth: { mode: "none" | "bearer" | "jwt" | "access" };
  /** Keyed by photon name. */
  photons: Record<string, PhotonManifest>;
}

export interface PhotonManifest {
  /** File-derived photon name, e.g. "cf-counter". */
  name: string;
  /** The JS class name. */
  className: string | null;
  /** Class-derived kebab name (TodoList -> "todo-list"), the local runtime's memory/schedule id. */
  memoryId: string;
  /** "PHOTON" for the host, "PHOTON_<UPPER_SNAKE>" for siblings. */
  binding: string;
  /** Exported Durable Object class, e.g. "CfCounterPhotonDO". */
  doClass: string;
  /** `@version`. */
  version: string | null;
  /** Class description: serverInfo / instructions. */
  description: string | null;
  stateful: boolean;
  /** The class extends Photon / PhotonMCP. */
  extendsPhoton: boolean;
  /** Exactly what tools/list returns. */
  tools: McpTool[];
  /** The dispatch table: every listed tool plus `@internal` ones. */
  methods: Record<string, MethodInfo>;
  constructorParams: ConstructorParam[];
  /** Photon names this photon may `this.call` (its `@photons`). */
  siblings: string[];
  /** `@scheduled` / `@cron` methods. */
  scheduled: { method: string; cron: string }[];
  hooks: { onInitialize: boolean; onShutdown: boolean };
  /** Persisted per instance (state.ts): `@stateful` constructor state and `@sharedState` properties. */
  state?: { params: string[]; properties: string[] };
  /** `protected settings`: the properties of the generated `settings` tool (state.ts). */
  settings?: { properties: SettingsProperty[] };
  /** Companion files `this.assets` names, keyed by their path in the `<name>/` folder. */
  assets?: Record<string, { text: string } | { base64: string }>;
  /** `@ui` views by id, served as `ui://` resources (see ui.ts). */
  ui?: Record<string, { uri: string; html: string }>;
  /** `@template` / `@prompt` methods and class-level `@prompt` files, in declaration order. */
  prompts: PromptEntry[];
  /** `@Static` / `@resource` methods with a fixed URI and class-level files, in declaration order. */
  resources: ResourceEntry[];
  /** `@Static` / `@resource` methods whose URI has `{variables}` (their parameters). */
  resourceTemplates: ResourceTemplateEntry[];
  /** Where `completion/complete` finds candidates for prompt arguments and template variables. */
  completions: CompletionSource[];
  /** The build's id (the same for identical inputs): 2026-07-28 cacheable results carry it. */
  buildId: string;
  /** Present when the photon has HTTP routes or `@expose` methods (routes.ts). */
  routes?: HttpRoute[];
  /** Present when the photon uses `this.cf`: the Worker binding behind each use. */
  cf?: PlatformBindings;
  /**
   * Present when photon-cf found that the photon's code cannot read the per-call context: no
   * emit, ask, `this.caller` or `this.call`, `this` never passed on, no base class, no generator.
   */
  contextFree?: true;
}

export interface SettingsProperty {
  name: string;
  type: "string" | "number" | "boolean" | "array";
  description?: string;
  default?: unknown;
  required: boolean;
}

/** A prompts/list entry plus what prompts/get runs: a method, or an embedded file's text. */
export interface PromptEntry {
  name: string;
  title?: string;
  description?: string;
  arguments: { name: string; description?: string; required: boolean }[];
  method: MethodInfo | null;
  text: string | null;
}

/** A resources/list entry plus how resources/read answers: a method, or embedded text / base64. */
export interface ResourceEntry {
  uri: string;
  name: string;
  title?: string;
  description?: string;
  mimeType: string;
  method: { name: string; info: MethodInfo } | null;
  text?: string;
  blob?: string;
}

export interface ResourceTemplateEntry {
  uriTemplate: string;
  name: string;
  title?: string;
  description?: string;
  mimeType: string;
  method: { name: string; info: MethodInfo };
}

/** Candidates for one argument: fixed values (enum, `{@choice}`) and/or a method (`{@choice-from m[.field]}`). */
export interface CompletionSource {
  ref: "ref/prompt" | "ref/resource";
  /** The prompt name, or the resource template's URI template. */
  name: string;
  argument: string;
  values: string[] | null;
  from: string | null;
}

/** `@get /items/:id` on a method, or an `@expose` method's `POST /api/<kebab-name>`. */
export interface HttpRoute {
  method: string;
  path: string;
  handler: string;
  format: string | null;
  /** null for a route; who may call an `@expose` endpoint from a browser. */
  expose: null | "same-origin" | "public";
}

/** Builds `this.cf` (platform.ts, shipped only when a photon uses it). */
export type PlatformFactory = (photon: PhotonManifest, env: Record<string, unknown>) => unknown;

/** `kv`…`vectorize`: qualifier ("" for none) → binding name; `ai`…`browser`: binding or null. */
export interface PlatformBindings {
  kv: Record<string, string>;
  r2: Record<string, string>;
  d1: Record<string, string>;
  queue: Record<string, string>;
  vectorize: Record<string, string>;
  ai: string | null;
  images: string | null;
  browser: string | null;
}

export interface ConstructorParam {
  name: string;
  /** The environment variable read for it; null when it is not env-injected. */
  env: string | null;
  type: "string" | "number" | "boolean" | null;
  optional: boolean;
}

export interface MethodInfo {
  /** Spread order when simpleParams; null = pass the arguments object. */
  params: string[] | null;
  /** Validated before the call. */
  inputSchema: JsonSchema;
  static: boolean;
  generator: boolean;
  internal: boolean;
  /** `@scope`, class scopes, else `<tool>:read|write`. */
  scopes: string[];
  /** `@locked` lock name. */
  locked: string | null;
}

/** A clean MCP Tool object. */
export interface McpTool {
  name: string;
  title?: string;
  description?: string;
  inputSchema: JsonSchema;
  outputSchema?: JsonSchema;
  annotations?: Record<string, unknown>;
  /** `ui.resourceUri` (and the local runtime's aliases) when an `@ui` view is linked. */
  _meta?: Record<string, unknown>;
}

export type JsonSchema = { [key: string]: unknown };

/** The Worker's environment as the runtime sees it: DO namespaces, vars and secrets by name. */
export type PhotonEnv = Record<string, unknown>;

/** The photon-facing scheduler (schedule.ts) plus the hooks the DO drives. */
export interface Scheduler {
  alarm(): Promise<void>;
  syncDeclared(entries: { method: string; cron: string }[]): Promise<void>;
}

export interface SchedulerHost {
  storage: DurableObjectStorage;
  photonId: string;
  dispatch(method: string, params: unknown): Promise<unknown>;
  /** The Worker env, for the schedule limit (limits.ts). */
  env?: Record<string, unknown>;
}

export type SchedulerFactory = (host: SchedulerHost) => Scheduler;

/** auth.ts's `authorize`: the outer Worker's decision on one request, before any DO runs. */
export type Authorize = (
  request: Request,
  env: Record<string, unknown>,
  manifest: Manifest,
  method: string,
  toolName?: string,
) => Promise<{ ok: true; caller: Caller } | { ok: false; response: Response }>;

/**
 * What the generated worker entry hands to `definePhotonDO` and `createWorker`: the optional
 * modules it bundled. Each is passed only when the build needs it, so a Worker without schedules
 * or without auth carries none of that code.
 */
export interface RuntimeOptions {
  /** Present only when the photon set uses schedules, so croner is bundled only then. */
  createScheduler?: SchedulerFactory;
  /** Present only when built with `--auth bearer|jwt` (manifest.auth.mode is not `none`). */
  authorize?: Authorize;
  /** Present only when built with `--auth jwt`: the RFC 9728 metadata (oauth.ts). */
  protectedResource?: (request: Request, env: Record<string, unknown>, manifest: Manifest) => Response;
  /** Present only when a photon uses `this.cf` (platform.ts). */
  createPlatform?: PlatformFactory;
  /** Present only when a photon keeps state or has settings (state.ts). */
  createState?: (storage: DurableObjectStorage, photon: PhotonManifest) => InstanceStore;
  /** Present only when a photon has HTTP routes or `@expose` endpoints (routes.ts). */
  routes?: HttpRoutes;
  /** Present only when a photon has prompts, resources or `@ui` views (surface-table.ts). */
  surface?: Record<string, SurfaceMethod>;
  /** Present only when a photon calls this.sample, this.confirm or this.elicit or has a generator method (asks.ts). */
  asks?: Asks;
}

/**
 * A photon's asks of its client (asks.ts, with the 2026-07-28 round trip of mrtr.ts). Without
 * them a 2026 tools/call runs as a plain call and `this.sample` / `confirm` / `elicit` throw.
 */
export interface Asks {
  sample(host: McpHost, params: Record<string, unknown>): Promise<string>;
  confirm(host: McpHost, question: string): Promise<boolean>;
  elicit(host: McpHost, capability: string, ask: Record<string, unknown>): Promise<unknown>;
  /** True inside a 2026-07-28 tools/call, whose asks answer input_required. */
  inRoundTrip(): boolean;
  /** Runs a 2026-07-28 tools/call as a suspendable call; a requestState it cannot continue is an RpcError (-32602). */
  roundTrip(
    host: McpHost,
    idJson: string,
    params: Record<string, unknown>,
    dispatch: () => Promise<McpAnswer>,
    inputRequired: (result: Record<string, unknown>) => McpAnswer,
    openStream: (() => RoundStream) | null,
  ): Promise<McpAnswer>;
}

/** One instance's persisted state and settings (state.ts), as the Durable Object uses them. */
export interface InstanceStore {
  /** Reads the saved snapshot; called once per activation, before the constructor runs. */
  load(): Promise<void>;
  /** The saved value of state parameter `name`, or undefined so the constructor default applies. */
  constructorValue(name: string): unknown;
  restoreProperties(object: unknown): void;
  /** Saves the state keys' values when they changed since the last write. */
  persist(object: unknown): Promise<void>;
  /** Puts the settings proxy on a new object. */
  injectSettings(object: unknown): Promise<void>;
  /** True when tool `name` is the generated `settings` tool of an object with settings. */
  isSettingsCall(name: string, object: unknown): boolean;
  runSettings(object: unknown, args: Record<string, unknown>): Promise<Record<string, unknown>>;
}

/** The host photon's HTTP routes (routes.ts): the outer Worker's gate and the object's handler. */
export interface HttpRoutes {
  gate(photon: PhotonManifest, method: string, path: string): "serve" | "none" | Response;
  serve(
    photon: PhotonManifest,
    request: Request,
    call: (name: string, args: unknown[]) => Promise<unknown>,
  ): Promise<Response | null>;
}

/** One surface method (surface.ts): validated params in, a JSON-RPC result out (or a thrown RpcError). */
export type SurfaceHandler = (params: Record<string, unknown>, host: McpHost, request: McpRequest) => Promise<unknown>;

/** The capabilities `initialize` may advertise besides tools. */
export type SurfaceCapability = "prompts" | "resources" | "completions" | "logging";

/** A surface method's handler and the capability it is served under (-32601 when not advertised). */
export interface SurfaceMethod {
  capability: SurfaceCapability;
  handle: SurfaceHandler;
}

/** A JSON-RPC 2.0 message as received. */
export interface JsonRpcMessage {
  jsonrpc?: unknown;
  id?: unknown;
  method?: unknown;
  params?: unknown;
  result?: unknown;
  error?: unknown;
}

export type JsonRpcId = string | number | null;

/** `this.schedule.create` options (the local ScheduleProvider's), shared by schedule.ts and photon-core. */
export interface CreateScheduleOptions {
  name: string;
  schedule: string;
  method: string;
  params?: Record<string, unknown>;
  description?: string;
  fireOnce?: boolean;
  maxExecutions?: number;
}
