// What a photon object gets from the runtime: `this.memory`, `emit` and its helpers, `schedule`, `call`, `sample`, `confirm`, `elicit`, `instanceName`, `env`, `caller`, `notifyResourceUpdated`, installed by `withCfCapabilities`.
// The Durable Object (durable-object.ts) builds the values; this module only defines their shape
// and how they are installed, so a photon that defines a member itself keeps it, as locally.

import type { Caller } from "./mcp";

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
  /** Sends notifications/resources/updated for a subscribed URI (resources.ts). */
  notifyResourceUpdated: (uri: string) => boolean;
  status: (message: string, value?: number) => void;
  progress: (value: number, message?: string, meta?: Record<string, unknown>) => void;
  toast: (message: string, options?: Record<string, unknown>) => void;
  log: (message: string, options?: { level?: string; data?: unknown }) => void;
  thinking: (active?: boolean) => void;
  render: (format?: string, value?: unknown) => void;
  assets: (sub: string, options?: boolean | { load?: boolean; encoding?: string | null }) => string | Uint8Array;
  /** `this.cf`, when a photon of the Worker uses it (platform.ts). */
  cf?: unknown;
}

/** Members the runtime always sets, whatever the class declares (`declare instanceName: string`). */
const ALWAYS_SET = new Set(["instanceName", "callerCwd"]);

/** True when the photon itself (its class chain or its constructor) defines `key`. */
function userDefines(photon: object, key: string): boolean {
  const own = Object.getOwnPropertyDescriptor(photon, key);
  // A class field without initializer (`memory?: any`) is an own property holding undefined.
  if (own) return !("value" in own) || own.value !== undefined;
  for (
    let proto = Object.getPrototypeOf(photon);
    proto && proto !== Object.prototype;
    proto = Object.getPrototypeOf(proto)
  ) {
    if (Object.hasOwn(proto, key)) return true;
  }
  return false;
}

/**
 * Installs the Workers capabilities on a photon instance. Members the photon defines itself win,
 * as in the local runtime; the photon-core stand-in's base class defines none of the
 * capabilities, only the emit helpers, which go through `this.emit`.
 */
export function withCfCapabilities<T extends object>(photon: T, caps: CfCapabilities): T {
  for (const [key, desc] of Object.entries(Object.getOwnPropertyDescriptors(caps))) {
    if (!ALWAYS_SET.has(key) && userDefines(photon, key)) continue;
    if (desc.get) {
      Object.defineProperty(photon, key, { get: desc.get, configurable: true, enumerable: false });
    } else {
      Object.defineProperty(photon, key, { value: desc.value, writable: true, configurable: true, enumerable: false });
    }
  }
  return photon;
}

/** The emit helpers of a plain class, each one an `emit` of the event the local runtime sends. */
export function emitHelpers(emit: (data: unknown) => void) {
  return {
    status: (message: string, value?: number) =>
      emit(value === undefined ? { emit: "status", message } : { emit: "status", message, value }),
    progress: (value: number, message?: string, meta?: Record<string, unknown>) =>
      emit({ emit: "progress", value, message, ...(meta ? { meta } : {}) }),
    toast: (message: string, options: Record<string, unknown> = {}) => emit({ emit: "toast", message, ...options }),
    log: (message: string, options: { level?: string; data?: unknown } = {}) =>
      emit({ emit: "log", message, level: options.level ?? "info", data: options.data }),
    thinking: (active = true) => emit({ emit: "thinking", active }),
    render: (format?: string, value?: unknown) => {
      if (format === undefined) return emit({ emit: "render:clear" });
      if (format === "status")
        return emit(
          typeof value === "string" ? { emit: "status", message: value } : { emit: "status", ...(value as object) },
        );
      if (format === "progress")
        return emit(
          typeof value === "number" ? { emit: "progress", value } : { emit: "progress", ...(value as object) },
        );
      if (format === "toast")
        return emit(
          typeof value === "string" ? { emit: "toast", message: value } : { emit: "toast", ...(value as object) },
        );
      emit({ emit: "render", format, value });
    },
  };
}
