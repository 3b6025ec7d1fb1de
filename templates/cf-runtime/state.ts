// Per-instance state and settings kept in the Durable Object's storage: `@stateful` constructor state and `@sharedState` properties (saved after each call and generator step, restored on activation), and `protected settings` with its `settings` tool.
// The local daemon writes the same values to state.json / settings.json next to each other; here
// they are two storage keys of the instance's DO, under `__rt__:`, which memory keys never reach.
// Values are stored as JSON, as locally, with Maps, Sets and Collections tagged so that they come
// back as what was saved (JSON alone would turn a Map into `{}`).

import { Collection } from "../photon-core/collection";
import type { InstanceStore, Manifest } from "./types";

const STATE_KEY = "__rt__:state";
const SETTINGS_KEY = "__rt__:settings";

type PhotonManifest = Manifest["photons"][string];
// biome-ignore lint/suspicious/noExplicitAny: a photon object is a user class; state is read by member name.
type PhotonObject = any;

const TAG_MAP = "$cf:map";
const TAG_SET = "$cf:set";
const TAG_COLLECTION = "$cf:collection";

function encode(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key: string, v: unknown) {
    // `this[key]` is the value before its toJSON ran: a Collection with a view hint is still a
    // Collection of items here, and is saved as one.
    const raw = this[key];
    if (raw instanceof Collection) return { [TAG_COLLECTION]: Array.from(raw) };
    if (raw instanceof Map) return { [TAG_MAP]: Array.from(raw.entries()) };
    if (raw instanceof Set) return { [TAG_SET]: Array.from(raw) };
    return v;
  });
}

function decode(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) => {
    if (typeof v !== "object" || v === null || Array.isArray(v)) return v;
    const keys = Object.keys(v);
    if (keys.length !== 1) return v;
    const inner = (v as Record<string, unknown>)[keys[0]];
    if (!Array.isArray(inner)) return v;
    if (keys[0] === TAG_COLLECTION) return Collection.from(inner);
    if (keys[0] === TAG_MAP) return new Map(inner as [unknown, unknown][]);
    if (keys[0] === TAG_SET) return new Set(inner);
    return v;
  });
}

/**
 * What the generated entry passes as RuntimeOptions.createState when a photon keeps state or has
 * settings; without, the Durable Object keeps nothing and this module is not bundled.
 */
export function createState(storage: DurableObjectStorage, photon: PhotonManifest): InstanceStore {
  return new InstanceState(storage, photon);
}

/** One instance's persisted state: what was restored, and what was last written. */
export class InstanceState implements InstanceStore {
  #saved: Record<string, unknown> = {};
  #lastWritten: string | null = null;
  readonly #params: string[];
  readonly #keys: string[];

  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly photon: PhotonManifest,
  ) {
    this.#params = photon.state?.params ?? [];
    this.#keys = [...this.#params, ...(photon.state?.properties ?? [])];
  }

  get enabled(): boolean {
    return this.#keys.length > 0;
  }

  /** Reads the saved snapshot; called once per activation, before the constructor runs. */
  async load(): Promise<void> {
    if (!this.enabled) return;
    const text = await this.storage.get<string>(STATE_KEY);
    this.#lastWritten = text ?? null;
    const value = text === undefined ? null : decode(text);
    this.#saved = value !== null && typeof value === "object" ? (value as Record<string, unknown>) : {};
  }

  /** The saved value of state parameter `name`, or undefined so the constructor default applies. */
  constructorValue(name: string): unknown {
    return this.#params.includes(name) && Object.hasOwn(this.#saved, name) ? this.#saved[name] : undefined;
  }

  /** Puts saved `@sharedState` properties back on the new object, over its initial values. */
  restoreProperties(object: PhotonObject): void {
    for (const key of this.#keys) {
      if (this.#params.includes(key) || !Object.hasOwn(this.#saved, key)) continue;
      object[key] = this.#saved[key];
    }
  }

  /**
   * Saves the state keys' current values when they changed since the last write. Undefined
   * values are left out, as locally; a value that cannot be stored fails the call, rather than
   * losing the state silently.
   */
  async persist(object: PhotonObject): Promise<void> {
    if (!this.enabled || object === null) return;
    const snapshot: Record<string, unknown> = {};
    for (const key of this.#keys) {
      const value = object[key];
      if (value !== undefined) snapshot[key] = value;
    }
    const text = encode(snapshot);
    if (text === this.#lastWritten) return;
    await this.storage.put(STATE_KEY, text);
    this.#lastWritten = text;
  }

  injectSettings(object: PhotonObject): Promise<void> {
    return injectSettings(this.storage, this.photon, object);
  }

  isSettingsCall(name: string, object: PhotonObject): boolean {
    return isSettingsCall(this.photon, name, object);
  }

  runSettings(object: PhotonObject, args: Record<string, unknown>): Promise<Record<string, unknown>> {
    return runSettings(this.photon, object, args);
  }
}

type SettingsProp = NonNullable<PhotonManifest["settings"]>["properties"][number];
const BACKING = Symbol("photon-cf settings");

/**
 * Replaces `object.settings` with the local runtime's read-through proxy over the defaults merged
 * with the saved values (saved wins); assigning a setting saves it and emits `settings:changed`.
 */
export async function injectSettings(
  storage: DurableObjectStorage,
  photon: PhotonManifest,
  object: PhotonObject,
): Promise<void> {
  if (!photon.settings || object.settings === null || typeof object.settings !== "object") return;
  const saved = ((await storage.get<Record<string, unknown>>(SETTINGS_KEY)) ?? {}) as Record<string, unknown>;
  const backing: Record<string, unknown> = { ...object.settings };
  for (const [key, value] of Object.entries(saved)) if (value !== undefined) backing[key] = value;
  const save = () => storage.put(SETTINGS_KEY, { ...backing });
  const proxy = new Proxy(backing, {
    get(target, prop) {
      return typeof prop === "string" ? target[prop] : undefined;
    },
    set(target, prop, value) {
      if (typeof prop === "string") {
        const oldValue = target[prop];
        target[prop] = value;
        save().catch((e) => console.error(`${photon.name}: settings not saved: ${String(e)}`));
        emitChange(object, prop, oldValue, value);
      }
      return true;
    },
    deleteProperty(_target, prop) {
      throw new Error(`Cannot delete settings.${String(prop)}. Use the 'settings' tool instead.`);
    },
  });
  Object.defineProperty(object, BACKING, { value: { backing, save }, enumerable: false });
  object.settings = proxy;
}

/** True when tool `name` is the generated `settings` tool of an object with settings. */
export function isSettingsCall(photon: PhotonManifest, name: string, object: PhotonObject): boolean {
  return name === "settings" && photon.settings !== undefined && object?.[BACKING] !== undefined;
}

/**
 * The `settings` tool: no arguments returns the current settings; arguments naming settings
 * update them, save and emit `settings:changed` per change; unknown names are ignored.
 */
export async function runSettings(
  photon: PhotonManifest,
  object: PhotonObject,
  args: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const { backing, save } = object[BACKING] as {
    backing: Record<string, unknown>;
    save: () => Promise<void>;
  };
  const props: SettingsProp[] = photon.settings?.properties ?? [];
  const changes: [string, unknown, unknown][] = [];
  for (const [key, value] of Object.entries(args)) {
    if (value === undefined || !props.some((p) => p.name === key)) continue;
    changes.push([key, backing[key], value]);
    backing[key] = value;
  }
  if (changes.length > 0) {
    await save();
    for (const [key, oldValue, newValue] of changes) emitChange(object, key, oldValue, newValue);
  }
  return { ...backing };
}

function emitChange(object: PhotonObject, property: string, oldValue: unknown, newValue: unknown): void {
  if (typeof object.emit !== "function") return;
  try {
    object.emit({ event: "settings:changed", data: { property, oldValue, newValue, timestamp: Date.now() } });
  } catch {
    // Best effort, as locally: a failed emit never fails the settings change.
  }
}
