//! The runtime core: `definePhotonDO` (one Durable Object class per photon, one live photon object per instance), `createWorker` (the outer fetch: routing, limits, CORS) and `withCfCapabilities`.
// The generated src/worker.ts only imports the photons and calls these two functions; the
// manifest (src/manifest.ts) carries everything known about the photons at build time.
//
// Surfaces and what guards them:
// - The outer fetch answers only `/`, `/mcp` and `/events`; anything else (including `/__call`)
//   is 404 before any Durable Object is touched.
// - Sibling calls (`this.call`) travel over DO RPC (`photonCall` on the stub), which has no URL:
//   nothing outside the Worker can reach it.
// - tools/call runs only tools the manifest lists; sibling calls and schedules run only methods
//   of the manifest's dispatch table. Runtime state lives under `__rt__:` / `__sched__:` keys that
//   memory keys (`m:...`) can never produce.
// - Instance names are checked against INSTANCE_NAME (400 otherwise); bodies over MAX_BODY_BYTES
//   get 413.
// - With auth on (manifest.auth.mode, auth.ts), the outer fetch authorizes every request before
//   any Durable Object runs, and passes the verified identity in X-Photon-Caller, a header it
//   always strips from what the client sent. auth.ts is not imported here: the generated entry
//   passes `authorize` in RuntimeOptions only when built with --auth, so a Worker without auth
//   does not bundle it; an auth mode without `authorize` refuses to start (fail closed).
//
// `this.instanceName` is the instance's name, `default` for the default instance (the local
// runtime uses '' there; photons write `this.instanceName || 'default'`, which gives the same).

import { DurableObject } from "cloudflare:workers";
import { acceptSubscriber, emitChannel, normalizeEmit, onSocketClose, publish, publishFrame } from "./events";
import { ANONYMOUS, askDefault, callContext, confirm, elicit, emitToCall, handleMcp, instanceFromServerRequestId, sample, validateArguments } from "./mcp";
import type { Caller, McpHost } from "./mcp";
import { createMemory, PhotonGlobalStore } from "./memory";
import type { Manifest, MethodInfo, PhotonManifest, RuntimeOptions, Scheduler } from "./types";

export { PhotonGlobalStore };
export type { Manifest, PhotonManifest, MethodInfo, McpTool, RuntimeOptions } from "./types";

/** Instance names: 1-128 characters, letters, digits and `._:@+~-`, starting with a letter or digit. */
export const INSTANCE_NAME = /^[A-Za-z0-9][A-Za-z0-9._:@+~-]{0,127}$/;
export const DEFAULT_INSTANCE = "default";
/** Largest accepted request body. */
export const MAX_BODY_BYTES = 1024 * 1024;
/** Set by the outer Worker on every request it forwards; a client's own value is replaced. */
const INSTANCE_HEADER = "X-Photon-Instance";
/** The verified caller (JSON), set only by the outer Worker; a client's own value is removed. */
const CALLER_HEADER = "X-Photon-Caller";
const RT_INSTANCE_KEY = "__rt__:instance";

const CORS_HEADERS: Record<string, string> = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Methods": "GET, POST, DELETE, OPTIONS",
  "Access-Control-Allow-Headers": "Content-Type, Accept, Authorization, Mcp-Protocol-Version, Mcp-Session-Id, Last-Event-ID, X-Photon-Instance",
  "Access-Control-Expose-Headers": "Mcp-Session-Id, Mcp-Protocol-Version",
  "Access-Control-Max-Age": "86400",
};

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function jsonResponse(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

// ─── capabilities ──────────────────────────────────────────────────────────────────────────

/** What `withCfCapabilities` installs; getters are installed as getters. */
export interface CfCapabilities {
  memory: unknown;
  emit: (...args: unknown[]) => void;
  readonly schedule: unknown;
  call: (target: string, params?: unknown, options?: { instance?: string }) => Promise<unknown>;
  sample: (params: Record<string, unknown>) => Promise<string>;
  confirm: (question: string) => Promise<boolean>;
  elicit: (ask: Record<string, unknown>) => Promise<unknown>;
  instanceName: string;
  callerCwd: undefined;
  env: Record<string, unknown>;
  readonly caller: Caller;
  _photonName: string;
  status: (message: string, value?: number) => void;
  progress: (value: number, message?: string, meta?: Record<string, unknown>) => void;
  toast: (message: string, options?: Record<string, unknown>) => void;
  log: (message: string, options?: { level?: string; data?: unknown }) => void;
  thinking: (active?: boolean) => void;
  render: (format?: string, value?: unknown) => void;
}

/** Members the runtime always sets, whatever the class declares (`declare instanceName: string`). */
const ALWAYS_SET = new Set(["instanceName", "callerCwd"]);

/** True when the photon itself (its class chain or its constructor) defines `key`. */
function userDefines(photon: object, key: string): boolean {
  const own = Object.getOwnPropertyDescriptor(photon, key);
  // A class field without initializer (`memory?: any`) is an own property holding undefined.
  if (own) return !("value" in own) || own.value !== undefined;
  for (let proto = Object.getPrototypeOf(photon); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    if (Object.prototype.hasOwnProperty.call(proto, key)) return true;
  }
  return false;
}

/**
 * Installs the Workers capabilities on a photon instance. Members the photon defines itself win,
 * as in the local runtime; the photon-core stand-in's base class defines none of the
 * capabilities, only the emit helpers, which go through `this.emit`.
 */
export function withCfCapabilities<T extends object>(photon: T, caps: CfCapabilities): T {
  for (const key of Object.keys(Object.getOwnPropertyDescriptors(caps))) {
    if (!ALWAYS_SET.has(key) && userDefines(photon, key)) continue;
    const desc = Object.getOwnPropertyDescriptor(caps, key)!;
    if (desc.get) {
      Object.defineProperty(photon, key, { get: desc.get, configurable: true, enumerable: false });
    } else {
      Object.defineProperty(photon, key, { value: desc.value, writable: true, configurable: true, enumerable: false });
    }
  }
  return photon;
}

function emitHelpers(emit: (data: unknown) => void) {
  return {
    status: (message: string, value?: number) => emit(value === undefined ? { emit: "status", message } : { emit: "status", message, value }),
    progress: (value: number, message?: string, meta?: Record<string, unknown>) => emit({ emit: "progress", value, message, ...(meta ? { meta } : {}) }),
    toast: (message: string, options: Record<string, unknown> = {}) => emit({ emit: "toast", message, ...options }),
    log: (message: string, options: { level?: string; data?: unknown } = {}) => emit({ emit: "log", message, level: options.level ?? "info", data: options.data }),
    thinking: (active = true) => emit({ emit: "thinking", active }),
    render: (format?: string, value?: unknown) => {
      if (format === undefined) return emit({ emit: "render:clear" });
      if (format === "status") return emit(typeof value === "string" ? { emit: "status", message: value } : { emit: "status", ...(value as object) });
      if (format === "progress") return emit(typeof value === "number" ? { emit: "progress", value } : { emit: "progress", ...(value as object) });
      if (format === "toast") return emit(typeof value === "string" ? { emit: "toast", message: value } : { emit: "toast", ...(value as object) });
      emit({ emit: "render", format, value });
    },
  };
}

/** Constructor arguments from the Worker env (photon-format.md §1.3). */
function constructorArgs(photon: PhotonManifest, env: Record<string, unknown>): unknown[] {
  return photon.constructorParams.map((p) => {
    if (p.env === null) return undefined;
    const raw = env[p.env];
    if (raw === undefined || raw === null || raw === "") {
      if (p.optional) return undefined;
      throw new Error(`${photon.name} is not configured: set ${p.env} (wrangler secret put ${p.env}, or [vars] in wrangler.toml)`);
    }
    if (p.type === "number") {
      const n = typeof raw === "number" ? raw : Number(raw);
      if (!Number.isFinite(n)) throw new Error(`${p.env} must be a number, got ${JSON.stringify(raw)}`);
      return n;
    }
    if (p.type === "boolean") return raw === true || raw === "true" || raw === "1";
    return raw;
  });
}

/** Spreads arguments by the simpleParams rule: positional in declaration order, else the object. */
function spread(method: MethodInfo, args: Record<string, unknown>): unknown[] {
  // Own properties only: a missing `constructor` or `toString` argument is undefined, not
  // Object.prototype's function.
  return method.params ? method.params.map((name) => (Object.prototype.hasOwnProperty.call(args, name) ? args[name] : undefined)) : [args];
}

function isGenerator(value: unknown): value is AsyncGenerator | Generator {
  if (!isObject(value)) return false;
  const v = value as any;
  const iterable = typeof v[Symbol.asyncIterator] === "function" || typeof v[Symbol.iterator] === "function";
  return iterable && typeof v.next === "function" && typeof v.throw === "function";
}

// ─── the Durable Object ────────────────────────────────────────────────────────────────────

type PhotonClass = (new (...args: any[]) => any) & Record<string, any>;
type CallOutcome = { ok: true; result: unknown } | { ok: false; error: string };

/**
 * Defines the Durable Object class of photon `name`. The generated entry does
 * `export class XPhotonDO extends definePhotonDO(X, manifest, "x", options) {}`.
 */
export function definePhotonDO(PhotonCtor: PhotonClass, manifest: Manifest, name: string, options: RuntimeOptions = {}) {
  const photon = manifest.photons[name];
  if (!photon) throw new Error(`photon-cf manifest has no photon named ${name}`);
  const isHost = name === manifest.host;
  const hostBinding = manifest.photons[manifest.host]?.binding;

  return class PhotonDO extends DurableObject<Record<string, unknown>> {
    #object: any = null;
    #activating: Promise<any> | null = null;
    #instanceName: string | null = null;
    #scheduler: Scheduler | null = null;
    #locks = new Map<string, Promise<void>>();
    #pending: McpHost["pending"] = new Map();
    /** A sibling's channel emits forwarded to the host DO, one after another, in emit order. */
    #forwarded: Promise<void> = Promise.resolve();
    #mcpHost: McpHost = this.#makeMcpHost();

    #makeMcpHost(): McpHost {
      const self = this;
      return {
        photon,
        get instanceName() {
          return self.#instanceName ?? DEFAULT_INSTANCE;
        },
        env: this.env,
        invoke: (tool, method, args) => this.#invoke(tool, method, args),
        pending: this.#pending,
        waitUntil: (p) => this.ctx.waitUntil(p),
        callerOf: (request) => {
          const raw = request.headers.get(CALLER_HEADER);
          if (raw === null) return ANONYMOUS;
          try {
            return JSON.parse(raw) as Caller;
          } catch {
            return ANONYMOUS;
          }
        },
      };
    }

    /** Learns the instance name from the outer Worker's header; kept for alarms after restarts. */
    async #learnInstance(hint: string | null): Promise<string> {
      if (this.#instanceName !== null) return this.#instanceName;
      // Only alarms come without the outer Worker's header: without a scheduler nothing is stored.
      if (hint !== null && !options.createScheduler) return (this.#instanceName = hint);
      let name = hint;
      const stored = await this.ctx.storage.get<string>(RT_INSTANCE_KEY);
      if (name === null) name = stored ?? DEFAULT_INSTANCE;
      if (stored !== name) await this.ctx.storage.put(RT_INSTANCE_KEY, name);
      this.#instanceName ??= name;
      return this.#instanceName;
    }

    /**
     * The one live photon object of this instance. Concurrent first requests share one
     * activation; a failed activation (missing config, onInitialize threw) is retried by the
     * next call, and its error is every call's error until then.
     */
    #ready(): Promise<any> {
      if (this.#object) return Promise.resolve(this.#object);
      this.#activating ??= this.#activate().catch((e) => {
        this.#activating = null;
        throw e;
      });
      return this.#activating;
    }

    async #activate(): Promise<any> {
      await this.#learnInstance(null);
      const object = new PhotonCtor(...constructorArgs(photon, this.env));
      withCfCapabilities(object, this.#capabilities());
      if (photon.scheduled.length > 0 && options.createScheduler) await this.#schedule().syncDeclared(photon.scheduled);
      if (typeof object.onInitialize === "function") await object.onInitialize({ reason: "activate" });
      this.#object = object;
      return object;
    }

    #schedule(): Scheduler {
      if (!options.createScheduler) {
        throw new Error(
          `this.schedule is not available in ${photon.name}: photon-cf bundles the scheduler only when a photon uses this.schedule or @scheduled; rebuild the project`,
        );
      }
      this.#scheduler ??= options.createScheduler({
        storage: this.ctx.storage,
        photonId: photon.memoryId,
        dispatch: (method, params) => this.#dispatch(method, params),
      });
      return this.#scheduler;
    }

    #capabilities(): CfCapabilities {
      const self = this;
      const host = this.#mcpHost;
      // A channel emit goes to /events only, not to the caller's stream: the local runtime sends
      // channel events to Beam and the daemon, never as MCP notifications (photon-format.md §4.2).
      const emit = (...args: unknown[]) => {
        const event = normalizeEmit(args);
        const channel = emitChannel(event);
        if (channel !== null) self.#publish(channel, event);
        else emitToCall(photon.name, event);
      };
      return {
        memory: createMemory(this.ctx.storage, this.env, photon.memoryId),
        emit,
        get schedule() {
          return self.#schedule();
        },
        call: (target, params, opts) => this.#callSibling(target, params, opts),
        sample: (params) => sample(host, params),
        confirm: (question) => confirm(host, question),
        elicit: (ask) => elicit(host, "elicit", ask),
        instanceName: this.#instanceName ?? DEFAULT_INSTANCE,
        callerCwd: undefined,
        env: this.env,
        get caller() {
          return callContext.getStore()?.caller ?? ANONYMOUS;
        },
        _photonName: photon.memoryId,
        ...emitHelpers(emit),
      };
    }

    /**
     * Publishes a channel emit to the instance's `/events` sockets. They are held by the host
     * photon's DO of the instance (the outer Worker routes `/events` there), so a sibling forwards
     * the emit to that DO over DO RPC. Serialising here keeps a bad payload an error of the
     * emitting photon, as it is for the host; forwards are chained so they arrive in emit order.
     */
    #publish(channel: string, event: unknown): void {
      if (isHost) {
        publish(this.ctx, channel, event);
        return;
      }
      const frame = JSON.stringify(event);
      const ns = hostBinding === undefined ? undefined : (this.env[hostBinding] as DurableObjectNamespace | undefined);
      if (!ns) throw new Error(`${photon.name}: the binding ${hostBinding} of the host photon is missing from wrangler.toml`);
      const instance = this.#instanceName ?? DEFAULT_INSTANCE;
      const stub = ns.get(ns.idFromName(instance)) as unknown as { photonPublish(c: string, f: string, i: string): Promise<number> };
      const sent = this.#forwarded.then(async () => {
        try {
          await stub.photonPublish(channel, frame, instance);
        } catch (e) {
          // An emit is fire-and-forget for the photon; a lost forward is logged, not thrown.
          console.error(`${photon.name}: channel emit on ${channel} not delivered: ${e instanceof Error ? e.message : String(e)}`);
        }
      });
      this.#forwarded = sent;
      this.ctx.waitUntil(sent);
    }

    /** Runs method `tool` of the photon with already validated arguments. */
    async #invoke(tool: string, method: MethodInfo, args: Record<string, unknown>): Promise<unknown> {
      // A static method belongs to the class: it needs no instance (nor its configuration).
      const target = method.static ? PhotonCtor : await this.#ready();
      const fn = target[tool];
      if (typeof fn !== "function") throw new Error(`${photon.name}.${tool} is not a method`);
      const run = async () => {
        const value = fn.apply(target, spread(method, args));
        return isGenerator(value) ? this.#drive(value) : await value;
      };
      return method.locked ? this.#withLock(method.locked, run) : run();
    }

    /** Drives a generator tool: ask yields elicit, emit yields emit, the return value is the result. */
    async #drive(gen: AsyncGenerator | Generator): Promise<unknown> {
      let input: unknown = undefined;
      for (;;) {
        const step = await gen.next(input);
        if (step.done) return step.value;
        const y = step.value;
        input = undefined;
        if (isObject(y) && typeof y.ask === "string") {
          const call = callContext.getStore();
          // Without a stream nobody can be asked; the local provider answers with defaults then.
          input = call?.stream ? await elicit(this.#mcpHost, "elicit", y) : askDefault(y);
        } else if (isObject(y) && typeof y.emit === "string") {
          emitToCall(photon.name, y);
        } else if (!(isObject(y) && y.checkpoint === true)) {
          emitToCall(photon.name, { emit: "stream", data: y });
        }
      }
    }

    /** `@locked` methods run one at a time per lock name within this instance. */
    async #withLock<T>(lock: string, fn: () => Promise<T>): Promise<T> {
      const previous = this.#locks.get(lock) ?? Promise.resolve();
      let release!: () => void;
      const mine = new Promise<void>((resolve) => (release = resolve));
      const tail = previous.then(() => mine);
      this.#locks.set(lock, tail);
      await previous;
      try {
        return await fn();
      } finally {
        release();
        if (this.#locks.get(lock) === tail) this.#locks.delete(lock);
      }
    }

    /** Schedules and sibling calls: any method of the dispatch table, arguments validated. */
    async #dispatch(methodName: string, params: unknown): Promise<unknown> {
      if (!Object.prototype.hasOwnProperty.call(photon.methods, methodName)) {
        throw new Error(`${photon.name} has no method ${methodName}`);
      }
      const method = photon.methods[methodName];
      const raw = params === undefined || params === null ? {} : params;
      if (!isObject(raw)) throw new Error(`${photon.name}.${methodName}: params must be an object`);
      const { _meta: _ignored, ...args } = raw;
      validateArguments(photon.name, methodName, method, args);
      return this.#invoke(methodName, method, args);
    }

    async #callSibling(target: string, params: unknown = {}, opts: { instance?: string } = {}): Promise<unknown> {
      if (typeof target !== "string" || target.indexOf(".") <= 0) {
        throw new Error(`this.call: target must be '<photon>.<method>', got ${JSON.stringify(target)}`);
      }
      const dot = target.indexOf(".");
      const sibling = target.slice(0, dot);
      const method = target.slice(dot + 1);
      if (!photon.siblings.includes(sibling) || !manifest.photons[sibling]) {
        throw new Error(`this.call('${target}'): ${photon.name} does not declare '${sibling}' in @photons`);
      }
      const instance = opts?.instance ?? this.#instanceName ?? DEFAULT_INSTANCE;
      if (typeof instance !== "string" || !INSTANCE_NAME.test(instance)) {
        throw new Error(`this.call('${target}'): invalid instance name ${JSON.stringify(instance)}`);
      }
      const ns = this.env[manifest.photons[sibling].binding] as DurableObjectNamespace | undefined;
      if (!ns) throw new Error(`this.call('${target}'): the binding ${manifest.photons[sibling].binding} is missing from wrangler.toml`);
      const stub = ns.get(ns.idFromName(instance)) as unknown as { photonCall(m: string, p: unknown, i: string, c: Caller): Promise<CallOutcome> };
      const outcome = await stub.photonCall(method, params, instance, callContext.getStore()?.caller ?? ANONYMOUS);
      if (!outcome.ok) throw new Error(outcome.error);
      return outcome.result;
    }

    // ── entry points ──

    /** DO RPC for `this.call` from a sibling photon in the same Worker; no URL leads here. */
    async photonCall(method: string, params: unknown, instance: string, caller: Caller = ANONYMOUS): Promise<CallOutcome> {
      try {
        await this.#learnInstance(instance);
        // The sibling runs on behalf of the original caller, with no stream of its own.
        const ctx = { tool: String(method), stream: null, progressToken: null, pendingIds: new Set<string>(), caller };
        const result = await callContext.run(ctx, () => this.#dispatch(String(method), params));
        // The call's channel emits are delivered before its result, as when the host emits.
        await this.#forwarded;
        // Only plain data crosses back, as JSON would carry it.
        return { ok: true, result: result === undefined ? undefined : JSON.parse(JSON.stringify(result)) };
      } catch (e) {
        return { ok: false, error: e instanceof Error ? e.message : String(e) };
      }
    }

    /** DO RPC from a sibling photon's DO of this instance: its channel emits, for this DO's sockets. */
    async photonPublish(channel: string, frame: string, instance: string): Promise<number> {
      await this.#learnInstance(instance);
      return publishFrame(this.ctx, String(channel), String(frame));
    }

    async fetch(request: Request): Promise<Response> {
      const url = new URL(request.url);
      await this.#learnInstance(request.headers.get(INSTANCE_HEADER));
      if (url.pathname === "/mcp") {
        const body = request.method === "POST" ? await request.text() : "";
        return handleMcp(request, body, this.#mcpHost);
      }
      if (url.pathname === "/events") return acceptSubscriber(this.ctx, request);
      return new Response("Not Found", { status: 404 });
    }

    async alarm(): Promise<void> {
      await this.#ready();
      if (options.createScheduler) await this.#schedule().alarm();
    }

    async webSocketMessage(): Promise<void> {
      // Subscribers only listen; messages from them are ignored ("ping" is auto-answered).
    }

    async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
      onSocketClose(ws, code, reason);
    }
  };
}

// ─── the outer Worker ──────────────────────────────────────────────────────────────────────

async function readBody(request: Request): Promise<string | Response> {
  const declared = request.headers.get("Content-Length");
  const tooLarge = () => jsonResponse({ error: `request body larger than ${MAX_BODY_BYTES} bytes` }, 413);
  if (declared !== null && Number(declared) > MAX_BODY_BYTES) return tooLarge();
  if (!request.body) return "";
  if (declared !== null && /^\d+$/.test(declared)) {
    // A declared length bounds what the runtime delivers, so the body is read in one go (the
    // chunk loop below costs more per request); the size is checked again all the same.
    const bytes = await request.arrayBuffer();
    return bytes.byteLength > MAX_BODY_BYTES ? tooLarge() : new TextDecoder().decode(bytes);
  }
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      return tooLarge();
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.byteLength;
  }
  return new TextDecoder().decode(all);
}

/** What the outer Worker reads from a JSON-RPC body: the instance it names and, for auth, the method and tool. */
interface Peeked {
  /** `params._meta.photonInstance`, or the instance a response to our server request belongs to. */
  instance: string | null;
  method: string;
  tool?: string;
}

function peek(body: string): Peeked {
  let msg: unknown;
  try {
    msg = JSON.parse(body);
  } catch {
    return { instance: null, method: "" };
  }
  if (!isObject(msg)) return { instance: null, method: "" };
  const params = msg.params;
  const method = typeof msg.method === "string" ? msg.method : "";
  const tool = method === "tools/call" && isObject(params) && typeof params.name === "string" ? params.name : undefined;
  let instance: string | null = null;
  if (isObject(params) && isObject(params._meta) && typeof params._meta.photonInstance === "string") instance = params._meta.photonInstance;
  else if (msg.method === undefined) instance = instanceFromServerRequestId(msg.id);
  return { instance, method, tool };
}

function withCors(response: Response): Response {
  if (response.status === 101) return response;
  const out = new Response(response.body, response);
  for (const [k, v] of Object.entries(CORS_HEADERS)) out.headers.set(k, v);
  return out;
}

/** The outer `{ fetch }` of the Worker: instance routing into the host photon's Durable Objects. */
export function createWorker(manifest: Manifest, options: RuntimeOptions = {}) {
  const host = manifest.photons[manifest.host];
  if (!host) throw new Error(`photon-cf manifest has no host photon ${manifest.host}`);
  const authorize = options.authorize;
  if (manifest.auth.mode !== "none" && !authorize) {
    // Serving unauthenticated would be the silent failure; refusing to load is the loud one.
    throw new Error(`photon-cf: auth mode ${manifest.auth.mode} but the worker entry passes no authorize; rebuild the project`);
  }

  async function route(request: Request, env: Record<string, unknown>): Promise<Response> {
    const url = new URL(request.url);
    if (request.method === "OPTIONS") return new Response(null, { status: 204 });
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, "") : url.pathname;
    if (path !== "/" && path !== "/mcp" && path !== "/events") return new Response("Not Found", { status: 404 });

    let body: string | null = null;
    let peeked: Peeked = { instance: null, method: path === "/events" ? "events" : request.method };
    if (path === "/mcp" && request.method === "POST") {
      const read = await readBody(request);
      if (read instanceof Response) return read;
      body = read;
      // The body is parsed here only when the instance or the auth check needs it.
      if (manifest.auth.mode !== "none" || (!url.searchParams.has("instance") && !request.headers.has(INSTANCE_HEADER))) peeked = peek(body);
    }
    const instance = url.searchParams.get("instance") ?? request.headers.get(INSTANCE_HEADER) ?? peeked.instance ?? DEFAULT_INSTANCE;
    if (!INSTANCE_NAME.test(instance)) {
      return jsonResponse({ error: "invalid instance name: use 1-128 letters, digits or ._:@+~- (starting with a letter or digit)" }, 400);
    }

    // Auth (chosen at build time) guards every surface but the CORS preflight, before any
    // Durable Object is reached; the verified identity travels to the DO as this.caller.
    let caller: Caller | null = null;
    if (manifest.auth.mode !== "none" && authorize) {
      const verdict = await authorize(request, env, manifest, peeked.method, peeked.tool);
      if (!verdict.ok) return verdict.response;
      caller = verdict.caller;
    }

    if (path === "/") {
      if (request.method !== "GET" && request.method !== "HEAD") return new Response("Method Not Allowed", { status: 405, headers: { Allow: "GET" } });
      return jsonResponse({
        name: host.name,
        version: host.version,
        description: host.description,
        instance,
        endpoints: { mcp: "/mcp", events: "/events?channel=<name>" },
        tools: host.tools.length,
      });
    }

    const ns = env[host.binding] as DurableObjectNamespace | undefined;
    if (!ns) return jsonResponse({ error: `the Durable Object binding ${host.binding} is missing from wrangler.toml` }, 500);
    const stub = ns.get(ns.idFromName(instance));
    url.pathname = path;
    const headers = new Headers(request.headers);
    headers.set(INSTANCE_HEADER, instance);
    headers.delete(CALLER_HEADER);
    if (caller !== null && !caller.anonymous) headers.set(CALLER_HEADER, JSON.stringify(caller));
    if (path === "/events") return stub.fetch(new Request(url.toString(), { method: request.method, headers }));
    return stub.fetch(new Request(url.toString(), { method: request.method, headers, body }));
  }

  return {
    async fetch(request: Request, env: Record<string, unknown>): Promise<Response> {
      try {
        return withCors(await route(request, env));
      } catch (e) {
        return withCors(jsonResponse({ error: e instanceof Error ? e.message : String(e) }, 500));
      }
    },
  };
}
