// `this.schedule` on a Durable Object: every task is one storage entry under `__sched__:<id>`,
// and the object's single alarm slot is always set to the earliest next firing across them
// (an alarm multiplexer: one alarm slot serves many tasks). Behaviour follows the local ScheduleProvider:
// duplicate names are rejected, fireOnce / maxExecutions end in 'completed', a throwing run
// ends in 'error' without touching the other entries, and when no active task is left the
// alarm is deleted, so nothing keeps waking an instance whose schedules were cleared.
//
// Declarative `@scheduled <cron>` methods are made to exist by `syncDeclared`, which the DO
// calls when it starts. A Durable Object only exists once something addressed it, so a
// declared schedule arms on the instance's first request (for `default`: the first request
// that reaches the default instance), never at deploy time.
//
// An instance holds at most PHOTON_MAX_SCHEDULES tasks (limits.ts). So that creating one costs
// a fixed number of storage reads however many exist, the count and a name -> id index are
// kept under `__rt__:sched:` next to the tasks (built once from the tasks when missing).

import { checkCron, nextCronFiring } from "./cron";
import { limitMessage, limitOf } from "./limits";
import { isObject } from "./routing";
import type { CreateScheduleOptions } from "./types";

export type { CreateScheduleOptions };

export type ScheduleStatus = "active" | "paused" | "completed" | "error";

export interface ScheduledTask {
  id: string;
  name: string;
  description?: string;
  /** the resolved 5-field cron expression (shorthands expanded) */
  cron: string;
  method: string;
  params: Record<string, unknown>;
  fireOnce: boolean;
  /** 0 = unlimited */
  maxExecutions: number;
  status: ScheduleStatus;
  createdAt: string;
  lastExecutionAt?: string;
  executionCount: number;
  errorMessage?: string;
  photonId: string;
  /** when the alarm will next run this task (active tasks only); not in the local API */
  nextRunAt?: string;
}

export interface UpdateScheduleOptions {
  schedule?: string;
  method?: string;
  params?: Record<string, unknown>;
  description?: string;
  fireOnce?: boolean;
  maxExecutions?: number;
}

export interface SchedulerHost {
  storage: DurableObjectStorage;
  /** manifest memoryId; recorded on every task like the local provider does */
  photonId: string;
  /** runs a photon method with the same spread rule as tools/call */
  dispatch(method: string, params: unknown): Promise<unknown>;
  /** the Worker env, for PHOTON_MAX_SCHEDULES */
  env?: Record<string, unknown>;
}

/** The photon-facing API (`this.schedule`), plus the two hooks the DO calls. */
export interface Scheduler {
  create(options: CreateScheduleOptions): Promise<ScheduledTask>;
  get(id: string): Promise<ScheduledTask | null>;
  getByName(name: string): Promise<ScheduledTask | null>;
  list(status?: ScheduleStatus): Promise<ScheduledTask[]>;
  update(id: string, updates: UpdateScheduleOptions): Promise<ScheduledTask>;
  pause(id: string): Promise<ScheduledTask>;
  resume(id: string): Promise<ScheduledTask>;
  cancel(id: string): Promise<boolean>;
  cancelByName(name: string): Promise<boolean>;
  has(name: string): Promise<boolean>;
  cancelAll(): Promise<number>;
  /** called from the DO's `alarm()`: runs every due task, then re-arms (or clears) the alarm */
  alarm(): Promise<void>;
  /** makes the `@scheduled` methods exist as tasks named `@scheduled:<method>` */
  syncDeclared(entries: { method: string; cron: string }[]): Promise<void>;
}

const KEY_PREFIX = "__sched__:";
/** How many tasks are stored, and each task's id by name (kept by every create and delete). */
const COUNT_KEY = "__rt__:sched:count";
const NAME_PREFIX = "__rt__:sched:name:";
/** Name prefix of the tasks that come from `@scheduled` tags rather than `create`. */
export const DECLARED_PREFIX = "@scheduled:";
/** An alarm may run a little early; a task due within this window runs now (as upstream). */
const JITTER_MS = 1000;

// The local provider's shorthands: the same strings, expanded to 5 fields so the cron library
// (which would read its own `@yearly` as a 6-field, seconds-first expression) sees plain cron.
const SHORTHANDS: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

/** Expands a shorthand and checks the expression; throws the local provider's message. */
export function resolveCron(schedule: string): string {
  if (typeof schedule !== "string") {
    throw new Error(`Invalid cron expression: ${JSON.stringify(schedule)}. Expected a string.`);
  }
  const trimmed = schedule.trim();
  const lower = trimmed.toLowerCase();
  const expanded = Object.hasOwn(SHORTHANDS, lower) ? (SHORTHANDS[lower] as string) : trimmed;
  // cron libraries also take 6 fields (seconds first); the local runtime does not, and a
  // photon must behave the same in both places, so anything but 5 fields is refused here.
  if (expanded.split(/\s+/).length !== 5) {
    throw new Error(
      `Invalid cron expression: '${schedule}'. Expected 5 fields (minute hour day month weekday) or a shorthand (@hourly, @daily, @weekly, @monthly, @yearly).`,
    );
  }
  try {
    checkCron(expanded);
  } catch (error) {
    throw new Error(`Invalid cron expression: '${schedule}'. ${messageOf(error)}`);
  }
  return expanded;
}

/** The first firing strictly after `after` (ms since epoch), in UTC. */
export function nextFiring(cron: string, after: number): number {
  return nextCronFiring(cron, after);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function checkName(name: unknown): string {
  if (typeof name !== "string" || name.trim() === "") {
    throw new Error("Schedule name must be a non-empty string.");
  }
  return name;
}

function checkMethod(method: unknown): string {
  if (typeof method !== "string" || method === "") {
    throw new Error("Schedule method must be the name of a method of this photon.");
  }
  return method;
}

function checkParams(params: unknown): Record<string, unknown> {
  if (params === undefined || params === null) return {};
  if (!isObject(params)) throw new Error("Schedule params must be an object.");
  // Stored as JSON: what a run receives is what survives a restart, so round-trip it now.
  return JSON.parse(JSON.stringify(params)) as Record<string, unknown>;
}

function checkMaxExecutions(value: unknown): number {
  if (value === undefined) return 0;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw new Error("maxExecutions must be a non-negative integer (0 = unlimited).");
  }
  return value;
}

export function createScheduler(host: SchedulerHost): Scheduler {
  const { storage } = host;
  const keyOf = (id: string) => KEY_PREFIX + id;

  async function all(): Promise<ScheduledTask[]> {
    const entries = await storage.list<ScheduledTask>({ prefix: KEY_PREFIX });
    const tasks = Array.from(entries.values());
    // Sorted by creation like the local provider; the name breaks ties within a millisecond.
    tasks.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.name.localeCompare(b.name));
    return tasks;
  }

  async function load(id: string): Promise<ScheduledTask | null> {
    if (typeof id !== "string" || id === "") return null;
    return (await storage.get<ScheduledTask>(keyOf(id))) ?? null;
  }

  async function mustLoad(id: string): Promise<ScheduledTask> {
    const task = await load(id);
    if (!task) throw new Error(`Schedule not found: ${id}`);
    return task;
  }

  function arm(task: ScheduledTask, from: number): void {
    delete task.nextRunAt;
    if (task.status !== "active") return;
    try {
      task.nextRunAt = new Date(nextFiring(task.cron, from)).toISOString();
    } catch (error) {
      // Only reachable with an entry stored by an older build that accepted this expression: it
      // must not make every alarm throw (workerd would retry it) and stall the other tasks.
      task.status = "error";
      task.errorMessage = `Invalid cron expression: '${task.cron}'. ${messageOf(error)}`;
    }
  }

  // Re-arming reads every entry and sets the alarm to the earliest active one. Calls are
  // chained so two mutations that overlap (a tool call during an alarm run) cannot leave an
  // alarm computed from the older view of storage.
  let rearming: Promise<void> = Promise.resolve();
  function rearm(): Promise<void> {
    const next = rearming.then(async () => {
      let earliest = Infinity;
      for (const task of await all()) {
        if (task.status !== "active" || !task.nextRunAt) continue;
        earliest = Math.min(earliest, Date.parse(task.nextRunAt));
      }
      if (earliest === Infinity) await storage.deleteAlarm();
      else if ((await storage.getAlarm()) !== earliest) await storage.setAlarm(earliest);
    });
    rearming = next.catch(() => undefined);
    return next;
  }

  async function save(task: ScheduledTask): Promise<void> {
    await storage.put(keyOf(task.id), task);
    await rearm();
  }

  // The count and the name index. Built from the tasks once when missing (schedules stored by
  // an older build); afterwards every create and delete keeps them, so nothing lists all tasks.
  let indexing: Promise<void> | null = null;
  function ensureIndex(): Promise<void> {
    indexing ??= (async () => {
      if ((await storage.get<number>(COUNT_KEY)) !== undefined) return;
      const tasks = await all();
      // Puts without an await between them are written together (the object's write coalescing).
      const writes = tasks.map((task) => storage.put(NAME_PREFIX + task.name, task.id));
      writes.push(storage.put(COUNT_KEY, tasks.length));
      await Promise.all(writes);
    })().catch((error) => {
      indexing = null;
      throw error;
    });
    return indexing;
  }

  async function countOf(): Promise<number> {
    await ensureIndex();
    return (await storage.get<number>(COUNT_KEY)) ?? 0;
  }

  /** Records a stored task in the index (`added`: it is new, so the count grows). */
  async function indexAdd(task: ScheduledTask): Promise<void> {
    const count = await countOf();
    await Promise.all([storage.put(NAME_PREFIX + task.name, task.id), storage.put(COUNT_KEY, count + 1)]);
  }

  /** Removes deleted tasks from the index. */
  async function indexRemove(tasks: ScheduledTask[]): Promise<void> {
    if (tasks.length === 0) return;
    const count = await countOf();
    for (let i = 0; i < tasks.length; i += 128)
      await storage.delete(tasks.slice(i, i + 128).map((task) => NAME_PREFIX + task.name));
    // At zero the count goes too: an instance without schedules keeps no runtime keys for them
    // (a missing count with no tasks rebuilds to zero at no cost).
    const left = count - tasks.length;
    if (left > 0) await storage.put(COUNT_KEY, left);
    else await storage.delete(COUNT_KEY);
  }

  async function findByName(name: string): Promise<ScheduledTask | null> {
    if (typeof name !== "string") return null;
    await ensureIndex();
    const id = await storage.get<string>(NAME_PREFIX + name);
    if (id === undefined) return null;
    const task = await load(id);
    return task !== null && task.name === name ? task : null;
  }

  /** Moves the alarm earlier when `task` is due before it: O(1), where rearm reads every task. */
  function armEarlier(task: ScheduledTask): Promise<void> {
    const next = rearming.then(async () => {
      if (task.status !== "active" || !task.nextRunAt) return;
      const due = Date.parse(task.nextRunAt);
      const current = await storage.getAlarm();
      if (current === null || current > due) await storage.setAlarm(due);
    });
    rearming = next.catch(() => undefined);
    return next;
  }

  async function create(options: CreateScheduleOptions): Promise<ScheduledTask> {
    if (typeof options !== "object" || options === null) {
      throw new Error("schedule.create expects an options object.");
    }
    const name = checkName(options.name);
    const cron = resolveCron(options.schedule);
    const method = checkMethod(options.method);
    const params = checkParams(options.params);
    const maxExecutions = checkMaxExecutions(options.maxExecutions);
    const existing = await findByName(name);
    if (existing) {
      throw new Error(`Schedule '${name}' already exists (id: ${existing.id}). Use update() to modify it.`);
    }
    const limit = limitOf(host.env, "schedules");
    if ((await countOf()) >= limit) throw new Error(limitMessage("schedules", `Schedule '${name}'`, limit));
    const now = Date.now();
    const task: ScheduledTask = {
      id: crypto.randomUUID(),
      name,
      cron,
      method,
      params,
      fireOnce: options.fireOnce === true,
      maxExecutions,
      status: "active",
      createdAt: new Date(now).toISOString(),
      executionCount: 0,
      photonId: host.photonId,
    };
    if (typeof options.description === "string") task.description = options.description;
    arm(task, now);
    await storage.put(keyOf(task.id), task);
    await indexAdd(task);
    await armEarlier(task);
    return task;
  }

  async function update(id: string, updates: UpdateScheduleOptions): Promise<ScheduledTask> {
    const task = await mustLoad(id);
    if (typeof updates !== "object" || updates === null) {
      throw new Error("schedule.update expects an options object.");
    }
    let cronChanged = false;
    if (updates.schedule !== undefined) {
      const cron = resolveCron(updates.schedule);
      cronChanged = cron !== task.cron;
      task.cron = cron;
    }
    if (updates.method !== undefined) task.method = checkMethod(updates.method);
    if (updates.params !== undefined) task.params = checkParams(updates.params);
    if (updates.description !== undefined) task.description = String(updates.description);
    if (updates.fireOnce !== undefined) task.fireOnce = updates.fireOnce === true;
    if (updates.maxExecutions !== undefined) task.maxExecutions = checkMaxExecutions(updates.maxExecutions);
    if (cronChanged || !task.nextRunAt) arm(task, Date.now());
    await save(task);
    return task;
  }

  async function pause(id: string): Promise<ScheduledTask> {
    const task = await mustLoad(id);
    if (task.status !== "active") {
      throw new Error(`Cannot pause task with status '${task.status}'. Only active tasks can be paused.`);
    }
    task.status = "paused";
    arm(task, Date.now());
    await save(task);
    return task;
  }

  async function resume(id: string): Promise<ScheduledTask> {
    const task = await mustLoad(id);
    if (task.status !== "paused") {
      throw new Error(`Cannot resume task with status '${task.status}'. Only paused tasks can be resumed.`);
    }
    task.status = "active";
    // Firings missed while paused are skipped: the next one is counted from now.
    arm(task, Date.now());
    await save(task);
    return task;
  }

  async function cancel(id: string): Promise<boolean> {
    // The index first: built after the delete, it would not count the task it then subtracts.
    await ensureIndex();
    const task = await load(id);
    if (!task) return false;
    const existed = await storage.delete(keyOf(task.id));
    if (existed) {
      await indexRemove([task]);
      await rearm();
    }
    return existed;
  }

  async function cancelAll(): Promise<number> {
    await ensureIndex();
    const tasks = await all();
    if (tasks.length === 0) return 0;
    // storage.delete takes at most 128 keys per call
    for (let i = 0; i < tasks.length; i += 128) {
      await storage.delete(tasks.slice(i, i + 128).map((task) => keyOf(task.id)));
    }
    await indexRemove(tasks);
    await rearm();
    return tasks.length;
  }

  async function runTask(task: ScheduledTask): Promise<void> {
    const startedAt = Date.now();
    let failure: string | null = null;
    try {
      await host.dispatch(task.method, task.params);
    } catch (error) {
      failure = messageOf(error);
    }
    // The run may have awaited, so another request (or the method itself) may have updated,
    // paused or cancelled this task meanwhile: apply the outcome to what is stored now, and
    // never bring back a task that was cancelled during its own run.
    const current = await load(task.id);
    if (!current) return;
    const finishedAt = Date.now();
    current.lastExecutionAt = new Date(startedAt).toISOString();
    current.executionCount += 1;
    if (failure !== null) {
      current.status = "error";
      current.errorMessage = failure;
    } else if (
      current.status === "active" &&
      (current.fireOnce || (current.maxExecutions > 0 && current.executionCount >= current.maxExecutions))
    ) {
      current.status = "completed";
    }
    if (current.status === "active") {
      // Count from the later of "now" and this run's due time (from before the run: an update
      // during the run has re-armed from its own "now" already), so missed firings collapse
      // into this one run instead of replaying one run per missed minute.
      const due = task.nextRunAt ? Date.parse(task.nextRunAt) : finishedAt;
      arm(current, Math.max(finishedAt, due));
    } else {
      delete current.nextRunAt;
    }
    await storage.put(keyOf(current.id), current);
  }

  async function alarm(): Promise<void> {
    const now = Date.now();
    const isDue = (task: ScheduledTask | null): task is ScheduledTask =>
      task !== null && task.status === "active" && !!task.nextRunAt && Date.parse(task.nextRunAt) <= now + JITTER_MS;
    const due = (await all()).filter(isDue);
    // One after another: runs share the photon instance, as they do locally. Each task is read
    // again first, since an earlier run may have cancelled, paused or retimed it.
    for (const { id } of due) {
      const task = await load(id);
      if (isDue(task)) await runTask(task);
    }
    await rearm();
  }

  async function syncDeclared(entries: { method: string; cron: string }[]): Promise<void> {
    await ensureIndex();
    const tasks = await all();
    const declared = new Map<string, string>();
    for (const entry of entries) declared.set(DECLARED_PREFIX + entry.method, entry.method);
    let changed = false;
    const now = Date.now();
    for (const entry of entries) {
      const name = DECLARED_PREFIX + entry.method;
      let cron: string;
      try {
        cron = resolveCron(entry.cron);
      } catch (error) {
        // photon-cf checks @scheduled at build time; should one slip through, that method does
        // not run, and the photon's tools keep working.
        console.error(`@scheduled ${entry.method}: ${messageOf(error)}`);
        declared.delete(name);
        continue;
      }
      const existing = tasks.find((task) => task.name === name);
      if (!existing) {
        const task: ScheduledTask = {
          id: crypto.randomUUID(),
          name,
          description: `@scheduled ${entry.cron}`,
          cron,
          method: entry.method,
          params: {},
          fireOnce: false,
          maxExecutions: 0,
          status: "active",
          createdAt: new Date(now).toISOString(),
          executionCount: 0,
          photonId: host.photonId,
        };
        arm(task, now);
        await storage.put(keyOf(task.id), task);
        await indexAdd(task);
        changed = true;
      } else if (existing.cron !== cron || existing.method !== entry.method) {
        // The tag changed in a redeploy: keep the history, take the new timing.
        existing.cron = cron;
        existing.method = entry.method;
        existing.description = `@scheduled ${entry.cron}`;
        arm(existing, now);
        await storage.put(keyOf(existing.id), existing);
        changed = true;
      }
    }
    // A method that lost its tag in a redeploy stops firing.
    for (const task of tasks) {
      if (task.name.startsWith(DECLARED_PREFIX) && !declared.has(task.name)) {
        await storage.delete(keyOf(task.id));
        await indexRemove([task]);
        changed = true;
      }
    }
    // Also re-arm when nothing changed but the alarm is missing (e.g. it was deleted while an
    // older deploy ran): the entries are the truth, the alarm is derived from them.
    if (changed || (tasks.some((task) => task.status === "active") && (await storage.getAlarm()) === null)) {
      await rearm();
    }
  }

  return {
    create,
    get: load,
    getByName: (name) => findByName(name),
    list: async (status) => (await all()).filter((task) => !status || task.status === status),
    update,
    pause,
    resume,
    cancel,
    cancelByName: async (name) => {
      const task = await findByName(name);
      return task ? cancel(task.id) : false;
    },
    has: async (name) => (await findByName(name)) !== null,
    cancelAll,
    alarm,
    syncDeclared,
  };
}
