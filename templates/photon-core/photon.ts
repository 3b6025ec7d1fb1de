// The `Photon` base class (also exported as `PhotonMCP`) and the types of the capabilities the runtime installs on a photon.
// The capabilities (`emit`, `memory`, `schedule`, `call`, `sample`, `confirm`, `elicit`,
// `instanceName`, `callerCwd`, `env`, `caller`) are installed on each instance by the runtime,
// exactly as on a plain class. The base class therefore only *declares* them for the type
// checker (interface merging, below): it defines no property or method of those names, so the
// runtime's `Object.defineProperty` on the instance never meets a conflicting member, and a
// photon that defines one of them itself still wins. The emit helpers (`status`, `progress`,
// `log`, `toast`, `thinking`, `render`) are real methods here and go through `this.emit`.

// biome-ignore-all lint/suspicious/noExplicitAny: these are the types photons compile against, kept as loose as upstream @portel/photon-core's (`memory.get<T = any>`, `env: any`), so a photon written for the local runtime type-checks here unchanged.

import { locksOf } from "../cf-runtime/locks";
import type { CreateScheduleOptions } from "../cf-runtime/types";
import type { AskYield } from "./io";
import { askYield, emitYield } from "./io";

type Scope = "photon" | "session" | "global" | { scope?: string; namespace?: string };

/** `this.memory` as photons call it (generic like the local MemoryProvider, for `get<T>(...)`). */
export interface PhotonMemory {
  get<T = any>(key: string, scope?: Scope): Promise<T | null>;
  set<T = any>(key: string, value: T, scope?: Scope): Promise<void>;
  delete(key: string, scope?: Scope): Promise<boolean>;
  has(key: string, scope?: Scope): Promise<boolean>;
  keys(scope?: Scope): Promise<string[]>;
  clear(scope?: Scope): Promise<void>;
  getAll<T = any>(scope?: Scope): Promise<Record<string, T>>;
  list<T = any>(prefix?: string, scope?: Scope): Promise<{ key: string; value: T }[]>;
  update<T = any>(key: string, fn: (current: T | null) => T | Promise<T>, scope?: Scope): Promise<T>;
  [other: string]: any;
}

/** `this.schedule` (the local ScheduleProvider's API). */
export interface PhotonSchedule {
  create(options: CreateScheduleOptions): Promise<any>;
  get(id: string): Promise<any | null>;
  getByName(name: string): Promise<any | null>;
  list(status?: "active" | "paused" | "completed" | "error"): Promise<any[]>;
  update(id: string, updates: Record<string, unknown>): Promise<any>;
  pause(id: string): Promise<any>;
  resume(id: string): Promise<any>;
  cancel(id: string): Promise<boolean>;
  cancelByName(name: string): Promise<boolean>;
  has(name: string): Promise<boolean>;
  cancelAll(): Promise<number>;
}

/**
 * What the runtime installs on every photon instance. Declared only (interface merging with the
 * class below), so the class defines no member of these names and the runtime's installed ones
 * are never shadowed.
 */
export interface Photon {
  emit(data: unknown, payload?: unknown): void;
  memory: PhotonMemory;
  schedule: PhotonSchedule;
  call(target: string, params?: Record<string, unknown>, options?: { instance?: string }): Promise<any>;
  sample(params: Record<string, unknown>): Promise<string>;
  confirm(question: string): Promise<boolean>;
  elicit<T = unknown>(ask: Record<string, unknown>): Promise<T>;
  instanceName: string;
  callerCwd: string | undefined;
  env: any;
  caller: { id: string; name?: string; anonymous: boolean; scope?: string; claims?: Record<string, unknown> };
  /** Sends notifications/resources/updated to clients subscribed to `uri`; false when none could be sent. */
  notifyResourceUpdated(uri: string): boolean;
  /** class-derived id the runtime sets; used by `getMCPName` like upstream */
  _photonName?: string;
}

/**
 * Base class of photons that `extends Photon` / `extends PhotonMCP`. Optional: a plain class
 * gets the same capabilities.
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: deliberate; the interface above declares what the runtime installs, which the class must not define.
export class Photon {
  /** PascalCase class name to kebab-case, a trailing `MCP` dropped (`TodoListMCP` → `todo-list`). */
  static getMCPName(): string {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the subclass it is called on, whose name is wanted.
    return this.name
      .replace(/MCP$/, "")
      .replace(/([A-Z])/g, "-$1")
      .toLowerCase()
      .replace(/^-/, "");
  }

  /** Public methods of the subclass chain, without lifecycle hooks or `_private` ones. */
  static getToolMethods(): string[] {
    const skip = new Set(["constructor", "onInitialize", "onShutdown", "configure", "getConfig"]);
    const names: string[] = [];
    // biome-ignore lint/complexity/noThisInStatic: `this` is the subclass it is called on, whose methods are wanted.
    for (let proto = this.prototype; proto && proto !== Photon.prototype; proto = Object.getPrototypeOf(proto)) {
      for (const name of Object.getOwnPropertyNames(proto)) {
        const member = Object.getOwnPropertyDescriptor(proto, name)?.value;
        if (!name.startsWith("_") && !skip.has(name) && typeof member === "function" && !names.includes(name)) {
          names.push(name);
        }
      }
    }
    return names;
  }

  /** The base class's own dispatcher: passes the arguments object as is (no spreading). */
  async executeTool(toolName: string, parameters: unknown): Promise<unknown> {
    const method = (this as any)[toolName];
    if (typeof method !== "function") throw new Error(`Tool not found: ${toolName}`);
    return method.call(this, parameters);
  }

  protected status(message: string, value?: number): void {
    this.emit(value === undefined ? { emit: "status", message } : { emit: "status", message, value });
  }

  protected progress(value: number, message?: string, meta?: Record<string, unknown>): void {
    this.emit(emitYield("progress", { value, message, meta }));
  }

  protected toast(message: string, options: { type?: string; duration?: number } = {}): void {
    this.emit({ emit: "toast", message, ...options });
  }

  protected log(message: string, options: { level?: string; data?: unknown } = {}): void {
    this.emit(emitYield("log", { message, level: options.level ?? "info", data: options.data }));
  }

  protected thinking(active = true): void {
    this.emit({ emit: "thinking", active });
  }

  /** No arguments clears; `status` / `progress` / `toast` go to their own events, like locally. */
  protected render(format?: string, value?: any): void {
    const shaped = (kind: string, key: string, scalar: string) =>
      typeof value === scalar ? { emit: kind, [key]: value } : { emit: kind, ...(value ?? {}) };
    if (format === undefined) this.emit({ emit: "render:clear" });
    else if (format === "status") this.emit(shaped("status", "message", "string"));
    else if (format === "progress") this.emit(shaped("progress", "value", "number"));
    else if (format === "toast") this.emit(shaped("toast", "message", "string"));
    else this.emit({ emit: "render", format, value });
  }

  /** Builds an ask yield: `const x = yield this.ask('select', 'Pick one', {options})`. */
  protected ask(type: string, message: string, options?: Record<string, unknown>): AskYield {
    return askYield(type, message, options);
  }

  /** `this.mcp(name)` needs an MCP client factory, which a Worker does not have. */
  mcp(name: string): never {
    throw new Error(`this.mcp('${name}') is not available on Cloudflare Workers: there is no MCP client factory.`);
  }

  hasMCPAccess(): boolean {
    return false;
  }

  async listMCPServers(): Promise<string[]> {
    return [];
  }

  /**
   * Runs `fn` holding a lock named `name` within this instance, queued behind earlier holders.
   * It is the same lock as a `@locked name` method's: the runtime shares one table per instance
   * between the two, so they exclude each other.
   */
  protected async withLock<T>(name: string, fn: () => Promise<T>, _timeout?: number): Promise<T> {
    return locksOf(this).run(name, fn);
  }
}

/** The historical name of the same base class. */
export { Photon as PhotonMCP };
