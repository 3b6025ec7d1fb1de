// Instances an operator can see and destroy: the registry of instance names (kept in the PhotonGlobalStore), what one instance holds (memory keys, schedules, alarm, subscribers), tearing one down, and the admin HTTP surface under `/__admin/`.
// Surfaces and what guards them:
// - `/__admin/*` exists only when the Worker has the secret PHOTON_ADMIN_TOKEN; without it the
//   paths are 404 like any unknown path (off by default, fail closed). With it, every request
//   must carry `Authorization: Bearer <that token>`, compared in constant time. It is separate
//   from the MCP token: `--auth` never opens it and PHOTON_MCP_BEARER never unlocks it.
// - Destroying stops everything the instance armed, in every photon of the Worker: the photon
//   object (onShutdown first), pending asks, /events sockets (closed with a reason), the alarm,
//   then all storage. The next request starts a fresh instance.

import { INSTANCE_NAME, jsonResponse, methodNotAllowed } from "./routing";
import { constantTimeEqual } from "./secrets";
import type { Manifest } from "./types";

/** The Worker secret that turns the admin surface on. */
export const ADMIN_TOKEN_VAR = "PHOTON_ADMIN_TOKEN";
/** The close code and reason /events subscribers get when their instance is destroyed. */
export const DESTROYED_CLOSE_CODE = 4410;
export const DESTROYED_REASON = "instance destroyed";

const REGISTRY_PREFIX = "__registry__:";

interface RegistryEntry {
  photons: string[];
  since: string;
}

/** What one photon's Durable Object of an instance holds. */
export interface InstanceReport {
  memoryKeys: string[];
  schedules: { id: string; name: string; cron: string; method: string; status: string; nextRunAt: string | null }[];
  alarm: number | null;
  subscribers: number;
}

// ── the registry, stored in the PhotonGlobalStore ──

export async function registryAdd(storage: DurableObjectStorage, instance: string, photon: string): Promise<void> {
  const key = REGISTRY_PREFIX + instance;
  const entry = (await storage.get<RegistryEntry>(key)) ?? { photons: [], since: new Date().toISOString() };
  if (entry.photons.includes(photon)) return;
  entry.photons.push(photon);
  entry.photons.sort();
  await storage.put(key, entry);
}

export async function registryList(storage: DurableObjectStorage): Promise<({ name: string } & RegistryEntry)[]> {
  const entries = await storage.list<RegistryEntry>({ prefix: REGISTRY_PREFIX });
  return Array.from(entries, ([key, entry]) => ({ name: key.slice(REGISTRY_PREFIX.length), ...entry }));
}

export async function registryRemove(storage: DurableObjectStorage, instance: string): Promise<boolean> {
  return storage.delete(REGISTRY_PREFIX + instance);
}

interface RegistryStub {
  instancesAdd(instance: string, photon: string): Promise<void>;
  instancesList(): Promise<({ name: string } & RegistryEntry)[]>;
  instancesRemove(instance: string): Promise<boolean>;
}

function registry(env: Record<string, unknown>): RegistryStub | null {
  const ns = env.PHOTON_GLOBAL as DurableObjectNamespace | undefined;
  if (!ns || typeof ns.idFromName !== "function") return null;
  return ns.get(ns.idFromName("global")) as unknown as RegistryStub;
}

/** Records that `photon` has state for `instance`; called once per object, when it first learns its name. */
export async function registerInstance(env: Record<string, unknown>, instance: string, photon: string): Promise<void> {
  try {
    await registry(env)?.instancesAdd(instance, photon);
  } catch (e) {
    // The registry serves the operator; a failure to record must not fail the photon's call.
    console.error(`instance registry: ${instance} not recorded: ${e instanceof Error ? e.message : String(e)}`);
  }
}

// ── one Durable Object's part of an instance ──

/** Memory keys (`<scope>:<namespace>:<key>`), schedules, alarm and subscribers of one object. */
export async function inspectState(ctx: DurableObjectState): Promise<InstanceReport> {
  const memory = await ctx.storage.list({ prefix: "m:" });
  const tasks = await ctx.storage.list<Record<string, unknown>>({ prefix: "__sched__:" });
  const text = (v: unknown) => (typeof v === "string" ? v : "");
  return {
    memoryKeys: Array.from(memory.keys(), (k) => k.slice(2)),
    schedules: Array.from(tasks.values(), (t) => ({
      id: text(t.id),
      name: text(t.name),
      cron: text(t.cron),
      method: text(t.method),
      status: text(t.status),
      nextRunAt: typeof t.nextRunAt === "string" ? t.nextRunAt : null,
    })),
    alarm: await ctx.storage.getAlarm(),
    subscribers: ctx.getWebSockets().length,
  };
}

/** Closes the sockets, deletes the alarm and every stored key of one object. */
export async function wipeState(ctx: DurableObjectState): Promise<void> {
  for (const ws of ctx.getWebSockets()) {
    try {
      ws.close(DESTROYED_CLOSE_CODE, DESTROYED_REASON);
    } catch {
      // Already closing.
    }
  }
  await ctx.storage.deleteAlarm();
  await ctx.storage.deleteAll();
}

// ── the admin surface ──

interface AdminStub {
  photonAdminShow(): Promise<InstanceReport>;
  photonAdminDestroy(): Promise<void>;
}

/**
 * `GET /__admin/instances` (list), `GET /__admin/instances/<name>` (show),
 * `DELETE /__admin/instances/<name>` (destroy in every photon of the Worker).
 */
export async function adminRoute(
  manifest: Manifest,
  request: Request,
  env: Record<string, unknown>,
  path: string,
): Promise<Response> {
  const secret = env[ADMIN_TOKEN_VAR];
  if (typeof secret !== "string" || secret === "") return new Response("Not Found", { status: 404 });
  const header = request.headers.get("Authorization") ?? "";
  const m = /^Bearer[ \t]+(.+)$/i.exec(header.trim());
  if (!m || !(await constantTimeEqual(m[1].trim(), secret))) {
    return jsonResponse({ error: "admin token required" }, 401);
  }
  const rest = path.slice("/__admin/instances".length);
  if (!path.startsWith("/__admin/instances") || (rest !== "" && !rest.startsWith("/"))) {
    return new Response("Not Found", { status: 404 });
  }
  const reg = registry(env);
  if (rest === "") {
    if (request.method !== "GET") return methodNotAllowed("GET");
    return jsonResponse({ instances: reg ? await reg.instancesList() : [] });
  }
  let name: string;
  try {
    name = decodeURIComponent(rest.slice(1));
  } catch {
    return jsonResponse({ error: "invalid instance name" }, 400);
  }
  if (!INSTANCE_NAME.test(name)) return jsonResponse({ error: "invalid instance name" }, 400);
  const stubs = Object.values(manifest.photons).map((p) => {
    const ns = env[p.binding] as DurableObjectNamespace | undefined;
    if (!ns) throw new Error(`the Durable Object binding ${p.binding} is missing from wrangler.toml`);
    return { photon: p.name, stub: ns.get(ns.idFromName(name)) as unknown as AdminStub };
  });
  const known = reg ? (await reg.instancesList()).some((i) => i.name === name) : true;
  if (request.method === "GET") {
    // Shown even when unregistered: after a destroy, this is how an operator sees nothing is left.
    const photons: Record<string, InstanceReport> = {};
    for (const { photon, stub } of stubs) photons[photon] = await stub.photonAdminShow();
    return jsonResponse({ name, registered: known, photons });
  }
  if (request.method === "DELETE") {
    // Every photon, even when the registry does not list it: a destroy must leave nothing armed.
    for (const { stub } of stubs) await stub.photonAdminDestroy();
    await reg?.instancesRemove(name);
    return jsonResponse({ name, destroyed: true, registered: known });
  }
  return methodNotAllowed("GET, DELETE");
}
