// `this.memory` on Durable Object storage: the local runtime's API and its options-object form, plus the shared `global` store.
// Local semantics: get -> null when missing, delete -> whether the key existed,
// list(prefix?, scope?) -> {key, value}[], getAll skips nulls, values go through JSON.
// The options-object form passes `{namespace}` / `{scope}` objects instead of a scope string;
// both are accepted in the same position.
//
// Keys are stored as `m:<scope>:<namespace>:<key>` with the namespace URI-encoded, so a user key
// can never produce a runtime key (`__sched__:`, `__rt__:`) nor reach another namespace.
//
// Scopes on Workers:
// - `photon` (default): this Durable Object's storage, i.e. one photon *instance*. Locally named
//   instances share it; on Workers an instance is the unit of isolation, so its memory is its own.
// - `session`: there are no MCP sessions on the Worker (we issue no Mcp-Session-Id), so a session is
//   the instance too, kept apart from `photon` by its own prefix.
// - `global`: one store for every instance and every photon of the Worker, as locally: the
//   `PhotonGlobalStore` Durable Object bound as PHOTON_GLOBAL.
//
// Hostile keys and values: a value nested deeper than MAX_DEPTH is refused by `set`/`update`
// (serialising it later would overflow the stack), and `getAll` defines each key as an own data
// property, so a stored `__proto__` is a key like any other, never the result's prototype.

// biome-ignore-all lint/suspicious/noExplicitAny: values are whatever JSON the photon stored, typed as loosely as the local runtime's memory API (`get<T = any>`), so `await this.memory.get('n') + 1` compiles as it does locally.

import { DurableObject } from "cloudflare:workers";
import { registryAdd, registryList, registryRemove } from "./instances";
import { MAX_DEPTH, shortPath, tooDeep } from "./safe-json";

export type MemoryScope = "photon" | "session" | "global";
export interface MemoryOptions {
  scope?: MemoryScope;
  namespace?: string;
  prefix?: string;
}
type ScopeArg = MemoryScope | MemoryOptions | undefined | null;

const SCOPES: readonly string[] = ["photon", "session", "global"];
/** update() retries a lost compare-and-set race on the global store this many times. */
const GLOBAL_UPDATE_ATTEMPTS = 32;

/** Where one scope's values live: this DO's storage or the global DO. */
interface Backend {
  get(ns: string, key: string): Promise<string | null>;
  set(ns: string, key: string, json: string): Promise<void>;
  delete(ns: string, key: string): Promise<boolean>;
  list(ns: string, prefix: string): Promise<[string, string][]>;
  clear(ns: string): Promise<void>;
  /** Sets `next` (null deletes) only when the stored value is still `expected`. */
  cas(ns: string, key: string, expected: string | null, next: string | null): Promise<boolean>;
}

function storageKey(scope: string, ns: string, key: string): string {
  return `m:${scope}:${encodeURIComponent(ns)}:${key}`;
}

/** The memory table over one DurableObjectStorage (used by photon DOs and by the global DO). */
export class StorageBackend implements Backend {
  /** The key prefix of the namespace used last: a photon mostly uses one, so it is encoded once. */
  #lastNs: string | null = null;
  #lastPrefix = "";
  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly scope: string,
  ) {}
  #key(ns: string, key: string): string {
    if (ns !== this.#lastNs) {
      this.#lastPrefix = storageKey(this.scope, ns, "");
      this.#lastNs = ns;
    }
    return this.#lastPrefix + key;
  }
  async get(ns: string, key: string): Promise<string | null> {
    const v = await this.storage.get<string>(this.#key(ns, key));
    return v === undefined ? null : v;
  }
  async set(ns: string, key: string, json: string): Promise<void> {
    await this.storage.put(this.#key(ns, key), json);
  }
  async delete(ns: string, key: string): Promise<boolean> {
    return this.storage.delete(this.#key(ns, key));
  }
  async list(ns: string, prefix: string): Promise<[string, string][]> {
    const base = storageKey(this.scope, ns, "");
    const found = await this.storage.list<string>({ prefix: base + prefix });
    return Array.from(found, ([k, v]): [string, string] => [k.slice(base.length), v]);
  }
  async clear(ns: string): Promise<void> {
    const keys = Array.from((await this.storage.list({ prefix: storageKey(this.scope, ns, "") })).keys());
    // storage.delete takes at most 128 keys per call.
    for (let i = 0; i < keys.length; i += 128) await this.storage.delete(keys.slice(i, i + 128));
  }
  async cas(ns: string, key: string, expected: string | null, next: string | null): Promise<boolean> {
    // A DO runs one event at a time and storage calls without an await in between are atomic
    // under the input/output gates, so read-compare-write here cannot interleave.
    const current = await this.get(ns, key);
    if (current !== expected) return false;
    if (next === null) await this.delete(ns, key);
    else await this.set(ns, key, next);
    return true;
  }
}

/**
 * The `global` scope: one Durable Object (binding PHOTON_GLOBAL, name "global") shared by every
 * photon and instance of the Worker. Reached only over DO RPC, never over HTTP.
 */
export class PhotonGlobalStore extends DurableObject {
  #backend = new StorageBackend(this.ctx.storage, "global");
  async memGet(ns: string, key: string): Promise<string | null> {
    return this.#backend.get(ns, key);
  }
  async memSet(ns: string, key: string, json: string): Promise<void> {
    return this.#backend.set(ns, key, json);
  }
  async memDelete(ns: string, key: string): Promise<boolean> {
    return this.#backend.delete(ns, key);
  }
  async memList(ns: string, prefix: string): Promise<[string, string][]> {
    return this.#backend.list(ns, prefix);
  }
  async memClear(ns: string): Promise<void> {
    return this.#backend.clear(ns);
  }
  async memCas(ns: string, key: string, expected: string | null, next: string | null): Promise<boolean> {
    return this.#backend.cas(ns, key, expected, next);
  }
  // The instance registry of the admin surface (instances.ts) lives here, one store per Worker.
  async instancesAdd(instance: string, photon: string): Promise<void> {
    return registryAdd(this.ctx.storage, instance, photon);
  }
  async instancesList() {
    return registryList(this.ctx.storage);
  }
  async instancesRemove(instance: string): Promise<boolean> {
    return registryRemove(this.ctx.storage, instance);
  }
  async fetch(): Promise<Response> {
    return new Response("Not Found", { status: 404 });
  }
}

/** A Backend that forwards to the PhotonGlobalStore stub. */
class GlobalBackend implements Backend {
  constructor(private readonly env: Record<string, unknown>) {}
  private stub(): any {
    const ns = this.env.PHOTON_GLOBAL as DurableObjectNamespace | undefined;
    if (!ns || typeof ns.idFromName !== "function") {
      throw new Error(
        "this.memory global scope needs the PHOTON_GLOBAL Durable Object binding (class PhotonGlobalStore) in wrangler.toml; rebuild with photon-cf",
      );
    }
    return ns.get(ns.idFromName("global"));
  }
  get(ns: string, key: string) {
    return this.stub().memGet(ns, key) as Promise<string | null>;
  }
  set(ns: string, key: string, json: string) {
    return this.stub().memSet(ns, key, json) as Promise<void>;
  }
  delete(ns: string, key: string) {
    return this.stub().memDelete(ns, key) as Promise<boolean>;
  }
  list(ns: string, prefix: string) {
    return this.stub().memList(ns, prefix) as Promise<[string, string][]>;
  }
  clear(ns: string) {
    return this.stub().memClear(ns) as Promise<void>;
  }
  cas(ns: string, key: string, expected: string | null, next: string | null) {
    return this.stub().memCas(ns, key, expected, next) as Promise<boolean>;
  }
}

function toJson(value: unknown, key: string): string {
  const at = tooDeep(value, MAX_DEPTH);
  if (at !== null) {
    throw new RangeError(
      `this.memory: the value for '${shortPath(key)}' nests deeper than ${MAX_DEPTH} levels (at '${at}'); store something flatter`,
    );
  }
  // Local memory writes JSON files: Date -> string, Map/Set -> {}, undefined -> null.
  const json = JSON.stringify(value);
  return json === undefined ? "null" : json;
}

function fromJson(json: string | null): any {
  return json === null ? null : JSON.parse(json);
}

function checkKey(key: unknown): string {
  if (typeof key !== "string" || key.length === 0) {
    throw new TypeError("this.memory: key must be a non-empty string");
  }
  return key;
}

/**
 * Creates the object installed as `this.memory`.
 * @param storage this Durable Object's storage (photon and session scopes)
 * @param env the Worker env (PHOTON_GLOBAL for the global scope)
 * @param defaultNamespace the photon's memory id, the namespace when none is given
 */
export function createMemory(storage: DurableObjectStorage, env: Record<string, unknown>, defaultNamespace: string) {
  const backends: Record<MemoryScope, Backend> = {
    photon: new StorageBackend(storage, "photon"),
    session: new StorageBackend(storage, "session"),
    global: new GlobalBackend(env),
  };
  // The global store is shared by all photons: its default namespace is one shared name, as the
  // local `_global` directory is one folder for everybody.
  // Most calls name no scope: their resolution is made once.
  const photonScope = { backend: backends.photon, ns: defaultNamespace, prefix: "" };
  const resolve = (arg: ScopeArg): { backend: Backend; ns: string; prefix: string } => {
    if (arg === undefined || arg === null) return photonScope;
    let scope: MemoryScope = "photon";
    let ns: string | undefined;
    let prefix = "";
    if (typeof arg === "string") {
      if (!SCOPES.includes(arg)) throw new TypeError(`this.memory: unknown scope '${arg}' (photon, session or global)`);
      scope = arg as MemoryScope;
    } else if (arg && typeof arg === "object") {
      if (arg.scope !== undefined) {
        if (!SCOPES.includes(arg.scope)) throw new TypeError(`this.memory: unknown scope '${String(arg.scope)}'`);
        scope = arg.scope;
      }
      if (arg.namespace !== undefined) ns = String(arg.namespace);
      if (arg.prefix !== undefined) prefix = String(arg.prefix);
    }
    return { backend: backends[scope], ns: ns ?? (scope === "global" ? "_global" : defaultNamespace), prefix };
  };

  const memory = {
    async get<T = any>(key: string, scope?: ScopeArg): Promise<T | null> {
      const { backend, ns } = resolve(scope);
      return fromJson(await backend.get(ns, checkKey(key)));
    },
    async set(key: string, value: unknown, scope?: ScopeArg): Promise<void> {
      const { backend, ns } = resolve(scope);
      await backend.set(ns, checkKey(key), toJson(value, key));
    },
    async delete(key: string, scope?: ScopeArg): Promise<boolean> {
      const { backend, ns } = resolve(scope);
      return backend.delete(ns, checkKey(key));
    },
    async has(key: string, scope?: ScopeArg): Promise<boolean> {
      const { backend, ns } = resolve(scope);
      return (await backend.get(ns, checkKey(key))) !== null;
    },
    async keys(scope?: ScopeArg): Promise<string[]> {
      const { backend, ns, prefix } = resolve(scope);
      return (await backend.list(ns, prefix)).map(([k]) => k);
    },
    /** list(prefix?, scope?) locally; list({namespace, prefix, scope}) in the options-object form. */
    async list<T = any>(
      prefixOrOptions?: string | MemoryOptions | null,
      scope?: ScopeArg,
    ): Promise<{ key: string; value: T }[]> {
      let opts: ScopeArg = scope;
      let prefix = "";
      if (typeof prefixOrOptions === "string") prefix = prefixOrOptions;
      else if (prefixOrOptions && typeof prefixOrOptions === "object")
        opts = {
          ...prefixOrOptions,
          ...(typeof scope === "object" && scope ? scope : {}),
          ...(typeof scope === "string" ? { scope } : {}),
        };
      const r = resolve(opts);
      return (await r.backend.list(r.ns, prefix || r.prefix)).map(([key, json]) => ({ key, value: JSON.parse(json) }));
    },
    async getAll<T = any>(scope?: ScopeArg): Promise<Record<string, T>> {
      const { backend, ns, prefix } = resolve(scope);
      const out: Record<string, T> = {};
      for (const [k, json] of await backend.list(ns, prefix)) {
        const v = JSON.parse(json);
        // defineProperty, not `out[k] = v`: a key `__proto__` must stay a key, not become the prototype.
        if (v !== null)
          Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
      }
      return out;
    },
    async clear(scope?: ScopeArg): Promise<void> {
      const { backend, ns } = resolve(scope);
      await backend.clear(ns);
    },
    /** update(key, fn, scope?): fn(current | null) may be async; its result is stored and returned. */
    async update<T = any>(key: string, fn: (current: T | null) => T | Promise<T>, scope?: ScopeArg): Promise<T> {
      if (typeof fn !== "function") throw new TypeError("this.memory.update: the second argument must be a function");
      const { backend, ns } = resolve(scope);
      checkKey(key);
      // Compare-and-set so two concurrent updates never lose one another's write, even when the
      // updater awaits (which opens the DO's input gate) or the store is the shared global DO.
      for (let attempt = 0; attempt < GLOBAL_UPDATE_ATTEMPTS; attempt++) {
        const before = await backend.get(ns, key);
        const next = await fn(fromJson(before));
        const json = toJson(next, key);
        if (await backend.cas(ns, key, before, json)) return JSON.parse(json);
      }
      throw new Error(
        `this.memory.update('${key}'): gave up after ${GLOBAL_UPDATE_ATTEMPTS} conflicting concurrent updates`,
      );
    },
  };
  return memory;
}

export type PhotonMemory = ReturnType<typeof createMemory>;
