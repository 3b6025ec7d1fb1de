// `definePhotonDO`: the Durable Object class of one photon, holding one live photon object per instance, and the DO RPC its siblings call.
// Surfaces and what guards them:
// - Sibling calls (`this.call`) travel over DO RPC (`photonCall` on the stub), which has no URL:
//   nothing outside the Worker can reach it.
// - tools/call runs only tools the manifest lists; sibling calls and schedules run only methods
//   of the manifest's dispatch table. Runtime state lives under `__rt__:` / `__sched__:` keys that
//   memory keys (`m:...`) can never produce.
// - The caller identity (`this.caller`) comes only from the outer Worker, after auth: the `caller`
//   of its `photonMcp` DO RPC call, or the X-Photon-Caller header it sets on a forwarded route
//   request (and strips from what a client sent).
// schedule.ts is not imported here: the generated entry passes `createScheduler` in
// RuntimeOptions only when a photon uses schedules, so croner is bundled only then; asks.ts
// (sample/confirm/elicit, mrtr.ts) likewise comes as `asks` only when a photon asks.
//
// `this.instanceName` is the instance's name, '' for the default instance, as in the local
// runtime (photons write `this.instanceName || 'default'`).

import { DurableObject } from "cloudflare:workers";
import type { McpAnswer } from "./answer";
import { companionAssets } from "./assets";
import type { CfCapabilities } from "./capabilities";
import { emitHelpers, withCfCapabilities } from "./capabilities";
import { acceptSubscriber, emitChannel, normalizeEmit, onSocketClose, publish, publishFrame } from "./events";
import type { InstanceReport } from "./instances";
import { DESTROYED_REASON, inspectState, registerInstance, wipeState } from "./instances";
import { LockTable, shareLocks } from "./locks";
import { DEFAULT_LOG_LEVEL } from "./logging";
import type { Caller, McpCall, McpHost } from "./mcp";
import { ANONYMOUS, askDefault, callContext, emitToCall, handleMcp, validateArguments, withoutMeta } from "./mcp";
import { createMemory } from "./memory";
import { CALLER_HEADER, DEFAULT_INSTANCE, INSTANCE_HEADER, INSTANCE_NAME, isObject } from "./routing";
import { publishEmit } from "./subscriptions";
import { notifyResourceUpdated } from "./surface";
import type { Asks, InstanceStore, Manifest, MethodInfo, PhotonManifest, RuntimeOptions, Scheduler } from "./types";

/** Where the instance name is kept, so an alarm after a restart knows which instance it is. */
const RT_INSTANCE_KEY = "__rt__:instance";
/** The instance's logging/setLevel level and resource subscriptions (no sessions: per instance). */
const RT_LOG_LEVEL_KEY = "__rt__:logLevel";
const RT_SUBSCRIPTIONS_KEY = "__rt__:subscriptions";
/** Set once the instance registry (instances.ts) has this object's instance. */
const RT_REGISTERED_KEY = "__rt__:registered";
/** Without state or settings in the photon set, state.ts is not bundled and nothing is kept. */
const STATELESS: InstanceStore = {
  load: async () => {},
  constructorValue: () => undefined,
  restoreProperties: () => {},
  persist: async () => {},
  injectSettings: async () => {},
  isSettingsCall: () => false,
  runSettings: async () => ({}),
};

/**
 * Constructor arguments from the Worker env: each parameter reads the variable the manifest names
 * for it (a secret or a [vars] entry), converted to the declared number or boolean type; a missing
 * required one stops activation with a message that says how to set it.
 */
function constructorArgs(photon: PhotonManifest, env: Record<string, unknown>, state: InstanceStore): unknown[] {
  return photon.constructorParams.map((p) => {
    if (p.env === null) return state.constructorValue(p.name);
    const raw = env[p.env];
    if (raw === undefined || raw === null || raw === "") {
      if (p.optional) return undefined;
      throw new Error(
        `${photon.name} is not configured: set ${p.env} (wrangler secret put ${p.env}, or [vars] in wrangler.toml)`,
      );
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

/** The caller the outer Worker put on a forwarded request (routes.ts), else anonymous. */
function callerOf(request: Request): Caller {
  const raw = request.headers.get(CALLER_HEADER);
  if (raw === null) return ANONYMOUS;
  try {
    return JSON.parse(raw) as Caller;
  } catch {
    return ANONYMOUS;
  }
}

/** Spreads arguments by the simpleParams rule: positional in declaration order, else the object. */
function spread(method: MethodInfo, args: Record<string, unknown>): unknown[] {
  // Own properties only: a missing `constructor` or `toString` argument is undefined, not
  // Object.prototype's function.
  return method.params ? method.params.map((name) => (Object.hasOwn(args, name) ? args[name] : undefined)) : [args];
}

function isGenerator(value: unknown): value is AsyncGenerator | Generator {
  if (!isObject(value)) return false;
  const v = value as Record<string | symbol, unknown>;
  const iterable = typeof v[Symbol.asyncIterator] === "function" || typeof v[Symbol.iterator] === "function";
  return iterable && typeof v.next === "function" && typeof v.throw === "function";
}

// Photons are arbitrary user classes: which members are tools comes from the manifest, not from a
// type, so the class and its objects are typed loosely and their members looked up by name.
// biome-ignore lint/suspicious/noExplicitAny: see above; any constructor parameters, any members.
type PhotonClass = (new (...args: any[]) => PhotonObject) & Record<string, any>;
// biome-ignore lint/suspicious/noExplicitAny: see above.
type PhotonObject = any;
type CallOutcome = { ok: true; result: unknown } | { ok: false; error: string };

/**
 * Defines the Durable Object class of photon `name`. The generated entry does
 * `export class XPhotonDO extends definePhotonDO(X, manifest, "x", options) {}`.
 */
export function definePhotonDO(
  PhotonCtor: PhotonClass,
  manifest: Manifest,
  name: string,
  options: RuntimeOptions = {},
) {
  const photon = manifest.photons[name];
  if (!photon) throw new Error(`photon-cf manifest has no photon named ${name}`);
  const isHost = name === manifest.host;
  const hostBinding = manifest.photons[manifest.host]?.binding;

  return class PhotonDO extends DurableObject<Record<string, unknown>> {
    #object: PhotonObject = null;
    #activating: Promise<PhotonObject> | null = null;
    #instanceName: string | null = null;
    #scheduler: Scheduler | null = null;
    /** `@locked` methods and the photon's `this.withLock` share this one table (locks.ts). */
    #locks = new LockTable();
    #pending: McpHost["pending"] = new Map();
    /** A sibling's channel emits forwarded to the host DO, one after another, in emit order. */
    #forwarded: Promise<void> = Promise.resolve();
    #logLevel: string = DEFAULT_LOG_LEVEL;
    #subscriptions = new Set<string>();
    #mcpStateLoaded = false;
    #mcpHost: McpHost = this.#makeMcpHost();
    #state = options.createState?.(this.ctx.storage, photon) ?? STATELESS;

    /** Loads the stored log level and subscriptions once per object lifetime. */
    async #loadMcpState(): Promise<void> {
      if (this.#mcpStateLoaded) return;
      const stored = await this.ctx.storage.get<unknown>([RT_LOG_LEVEL_KEY, RT_SUBSCRIPTIONS_KEY]);
      const level = stored.get(RT_LOG_LEVEL_KEY);
      const subs = stored.get(RT_SUBSCRIPTIONS_KEY);
      if (typeof level === "string") this.#logLevel = level;
      if (Array.isArray(subs)) for (const uri of subs) if (typeof uri === "string") this.#subscriptions.add(uri);
      this.#mcpStateLoaded = true;
    }

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
        storage: this.ctx.storage,
        asks: options.asks,
        surface: options.surface ?? {},
        setLogLevel: async (level) => {
          this.#logLevel = level;
          await this.ctx.storage.put(RT_LOG_LEVEL_KEY, level);
        },
        updateSubscriptions: async (change) => {
          change(this.#subscriptions);
          await this.ctx.storage.put(RT_SUBSCRIPTIONS_KEY, [...this.#subscriptions]);
        },
      };
    }

    /** Learns the instance name from the outer Worker's header; kept for alarms after restarts. */
    async #learnInstance(hint: string | null): Promise<string> {
      if (this.#instanceName !== null) return this.#instanceName;
      // Only alarms come without the outer Worker's header: without a scheduler nothing is stored.
      if (hint !== null && !options.createScheduler) {
        this.#instanceName = hint;
        return hint;
      }
      let name = hint;
      const stored = await this.ctx.storage.get<string>(RT_INSTANCE_KEY);
      if (name === null) name = stored ?? DEFAULT_INSTANCE;
      if (stored !== name) await this.ctx.storage.put(RT_INSTANCE_KEY, name);
      // Once per object (again after a destroy, which deletes the mark; also for objects made
      // before the registry existed): the operator's registry learns of this instance.
      if ((await this.ctx.storage.get(RT_REGISTERED_KEY)) === undefined) {
        await registerInstance(this.env, name, photon.name);
        await this.ctx.storage.put(RT_REGISTERED_KEY, true);
      }
      this.#instanceName ??= name;
      return this.#instanceName;
    }

    /**
     * The one live photon object of this instance. Concurrent first requests share one
     * activation; a failed activation (missing config, onInitialize threw) is retried by the
     * next call, and its error is every call's error until then.
     */
    #ready(): Promise<PhotonObject> {
      if (this.#object) return Promise.resolve(this.#object);
      this.#activating ??= this.#activate().catch((e) => {
        this.#activating = null;
        throw e;
      });
      return this.#activating;
    }

    async #activate(): Promise<PhotonObject> {
      await this.#learnInstance(null);
      await this.#state.load();
      const object = new PhotonCtor(...constructorArgs(photon, this.env, this.#state));
      this.#state.restoreProperties(object);
      await this.#state.injectSettings(object);
      shareLocks(object, this.#locks);
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
        env: this.env,
        photonId: photon.memoryId,
        dispatch: (method, params) => this.#dispatch(method, params),
      });
      return this.#scheduler;
    }

    #asks(capability: string): Asks {
      if (!options.asks) {
        throw new Error(
          `this.${capability} is not available in ${photon.name}: photon-cf bundles asks only when a photon calls this.sample, this.confirm or this.elicit or has a generator method, and this build has none; rebuild the project`,
        );
      }
      return options.asks;
    }

    #capabilities(): CfCapabilities {
      const self = this;
      const host = this.#mcpHost;
      // A channel emit goes to /events only, not to the caller's stream: the local runtime sends
      // channel events to Beam and the daemon, never as MCP notifications, and a Worker has no
      // Beam, so its /events sockets are the only place they can go.
      const emit = (...args: unknown[]) => {
        const event = normalizeEmit(args);
        const channel = emitChannel(event);
        if (channel !== null) self.#publish(channel, event);
        else if (!publishEmit(host, event)) emitToCall(photon.name, event, self.#logLevel);
      };
      return {
        memory: createMemory(this.ctx.storage, this.env, photon.memoryId),
        emit,
        get schedule() {
          return self.#schedule();
        },
        call: (target, params, opts) => this.#callSibling(target, params, opts),
        sample: async (params) => this.#asks("sample").sample(host, params),
        confirm: async (question) => this.#asks("confirm").confirm(host, question),
        elicit: async (ask) => this.#asks("elicit").elicit(host, "elicit", ask),
        instanceName:
          (this.#instanceName ?? DEFAULT_INSTANCE) === DEFAULT_INSTANCE ? "" : (this.#instanceName as string),
        callerCwd: undefined,
        env: this.env,
        get caller() {
          return callContext.getStore()?.caller ?? ANONYMOUS;
        },
        _photonName: photon.memoryId,
        assets: companionAssets(photon),
        notifyResourceUpdated: (uri) => notifyResourceUpdated(self.#subscriptions, uri),
        ...(options.createPlatform ? { cf: options.createPlatform(photon, this.env) } : {}),
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
      if (!ns)
        throw new Error(`${photon.name}: the binding ${hostBinding} of the host photon is missing from wrangler.toml`);
      const instance = this.#instanceName ?? DEFAULT_INSTANCE;
      const stub = ns.get(ns.idFromName(instance)) as unknown as {
        photonPublish(c: string, f: string, i: string): Promise<number>;
      };
      const sent = this.#forwarded.then(async () => {
        try {
          await stub.photonPublish(channel, frame, instance);
        } catch (e) {
          // An emit is fire-and-forget for the photon; a lost forward is logged, not thrown.
          console.error(
            `${photon.name}: channel emit on ${channel} not delivered: ${e instanceof Error ? e.message : String(e)}`,
          );
        }
      });
      this.#forwarded = sent;
      this.ctx.waitUntil(sent);
    }

    /** Runs method `tool` of the photon with already validated arguments. */
    async #invoke(tool: string, method: MethodInfo, args: Record<string, unknown>): Promise<unknown> {
      // A static method belongs to the class: it needs no instance (nor its configuration).
      const target = method.static ? PhotonCtor : (this.#object ?? (await this.#ready()));
      if (!method.static && this.#state.isSettingsCall(tool, target)) return this.#state.runSettings(target, args);
      // A tool is a method of the class: looked up on the prototype, so a field of the same name
      // (`private counter = 0` next to `counter()`) does not hide it, as locally.
      const proto = method.static ? undefined : PhotonCtor.prototype[tool];
      const fn = typeof proto === "function" ? proto : target[tool];
      if (typeof fn !== "function") throw new Error(`${photon.name}.${tool} is not a method`);
      if (method.locked) return this.#locks.run(method.locked, () => this.#run(fn, target, method, args));
      return this.#run(fn, target, method, args);
    }

    /** One run of a method (`fn` on `target`): a generator is driven; the state is saved after. */
    async #run(
      fn: (...args: unknown[]) => unknown,
      target: PhotonObject,
      method: MethodInfo,
      args: Record<string, unknown>,
    ): Promise<unknown> {
      try {
        const value = fn.apply(target, spread(method, args));
        return isGenerator(value) ? await this.#drive(value) : await value;
      } finally {
        // Saved whether the call succeeded or threw: what the live object holds is what a
        // restart must find.
        if (!method.static && this.#state !== STATELESS) await this.#state.persist(target);
      }
    }

    /** Drives a generator tool: ask yields elicit, emit yields emit, the return value is the result. */
    async #drive(gen: AsyncGenerator | Generator): Promise<unknown> {
      let input: unknown;
      for (;;) {
        const step = await gen.next(input);
        await this.#state.persist(this.#object);
        if (step.done) return step.value;
        const y = step.value;
        input = undefined;
        if (isObject(y) && typeof y.ask === "string") {
          const call = callContext.getStore();
          const asks = options.asks;
          // Without a stream (or without asks.ts) nobody can be asked; the local provider answers with defaults then.
          input =
            asks && (call?.stream || asks.inRoundTrip())
              ? await asks.elicit(this.#mcpHost, "elicit", y)
              : askDefault(y);
        } else if (isObject(y) && typeof y.emit === "string") {
          emitToCall(photon.name, y, this.#logLevel);
        } else if (!(isObject(y) && y.checkpoint === true)) {
          emitToCall(photon.name, { emit: "stream", data: y }, this.#logLevel);
        }
      }
    }

    /** Schedules and sibling calls: any method of the dispatch table, arguments validated. */
    async #dispatch(methodName: string, params: unknown): Promise<unknown> {
      if (!Object.hasOwn(photon.methods, methodName)) {
        throw new Error(`${photon.name} has no method ${methodName}`);
      }
      const method = photon.methods[methodName];
      const raw = params === undefined || params === null ? {} : params;
      if (!isObject(raw)) throw new Error(`${photon.name}.${methodName}: params must be an object`);
      const args = withoutMeta(raw);
      validateArguments(methodName, method, args);
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
      if (!ns)
        throw new Error(
          `this.call('${target}'): the binding ${manifest.photons[sibling].binding} is missing from wrangler.toml`,
        );
      const stub = ns.get(ns.idFromName(instance)) as unknown as {
        photonCall(m: string, p: unknown, i: string, c: Caller): Promise<CallOutcome>;
      };
      const outcome = await stub.photonCall(method, params, instance, callContext.getStore()?.caller ?? ANONYMOUS);
      if (!outcome.ok) throw new Error(outcome.error);
      return outcome.result;
    }

    // ── entry points ──

    /** DO RPC for `this.call` from a sibling photon in the same Worker; no URL leads here. */
    async photonCall(
      method: string,
      params: unknown,
      instance: string,
      caller: Caller = ANONYMOUS,
    ): Promise<CallOutcome> {
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

    /** DO RPC from the admin surface (instances.ts): what this instance holds in this photon. */
    async photonAdminShow(): Promise<InstanceReport> {
      return inspectState(this.ctx);
    }

    /** DO RPC from the admin surface: stops and deletes everything this instance has here. */
    async photonAdminDestroy(): Promise<void> {
      const object = this.#object;
      this.#object = null;
      this.#activating = null;
      if (object && typeof object.onShutdown === "function") {
        try {
          await object.onShutdown({ reason: "destroy" });
        } catch (e) {
          console.error(`${photon.name}.onShutdown failed: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
      for (const [id, entry] of this.#pending) {
        this.#pending.delete(id);
        clearTimeout(entry.timer);
        entry.reject(new Error(DESTROYED_REASON));
      }
      await wipeState(this.ctx);
      this.#instanceName = null;
      this.#scheduler = null;
      this.#locks = new LockTable();
    }

    /** DO RPC from the outer Worker: one request to /mcp of this instance. */
    async photonMcp(call: McpCall): Promise<McpAnswer> {
      // Both are known after the first call: no await (and no turn of the event loop) then.
      if (this.#instanceName === null) await this.#learnInstance(call.instance);
      if (!this.#mcpStateLoaded) await this.#loadMcpState();
      return handleMcp(call, call.body, this.#mcpHost);
    }

    /** The outer Worker's forwarded `/events` subscriptions and HTTP routes. */
    async fetch(request: Request): Promise<Response> {
      const url = new URL(request.url);
      await this.#learnInstance(request.headers.get(INSTANCE_HEADER));
      if (url.pathname === "/events") return acceptSubscriber(this.ctx, request, this.env);
      const routed = options.routes
        ? await options.routes.serve(photon, request, (name, args) => this.#callRoute(request, name, args))
        : null;
      return routed ?? new Response("Not Found", { status: 404 });
    }

    /** Runs an HTTP route handler on the live photon object, as the request's caller. */
    async #callRoute(request: Request, name: string, args: unknown[]): Promise<unknown> {
      const caller = callerOf(request);
      const ctx = { tool: name, stream: null, progressToken: null, pendingIds: new Set<string>(), caller };
      return callContext.run(ctx, async () => {
        const object = await this.#ready();
        const fn = object[name];
        if (typeof fn !== "function") throw new Error(`${photon.name}.${name} is not a method`);
        return await fn.apply(object, args);
      });
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
