// templates/cf-runtime/schedule.ts on its own, bundled with esbuild and driven over an in-memory
// stand-in for DurableObjectStorage with a controlled clock: the alarm arithmetic that a real
// cron would need minutes or hours to show (maxExecutions over several runs, missed firings
// collapsing into one, a task cancelled or updated during its own run, @scheduled entries across
// redeploys). schedule.test.mjs proves the same module end to end in workerd with one real firing.
import { after, before, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { importRuntimeModule } from "./lib/harness.mjs";
import { memoryStorage } from "./lib/memory-storage.mjs";

let createScheduler;
const realNow = Date.now;
let clock;

before(async () => {
  // the template imports croner; the e2e install has the pinned one
  ({ createScheduler } = await importRuntimeModule("schedule"));
});
after(() => {
  Date.now = realNow;
});
beforeEach(() => {
  clock = Date.parse("2026-03-01T10:00:30.000Z");
  Date.now = () => clock;
});

function setup(onDispatch = async () => {}) {
  const storage = memoryStorage();
  const calls = [];
  const scheduler = createScheduler({
    storage,
    photonId: "logic",
    dispatch: async (method, params) => {
      calls.push([method, params, new Date(Date.now()).toISOString()]);
      return onDispatch(method, params, scheduler);
    },
  });
  return { storage, scheduler, calls };
}

/** Moves the clock to the pending alarm and runs it, as workerd would. */
async function fire(storage, scheduler) {
  const at = await storage.getAlarm();
  assert.notEqual(at, null, "an alarm is pending");
  clock = at;
  await scheduler.alarm();
}

const iso = (s) => new Date(s).toISOString();

test("the alarm is the earliest next firing across tasks and follows every change", async () => {
  const { storage, scheduler } = setup();
  const hourly = await scheduler.create({ name: "hourly", schedule: "@hourly", method: "m" });
  assert.equal(await storage.getAlarm(), Date.parse("2026-03-01T11:00:00Z"));
  const five = await scheduler.create({ name: "five", schedule: "*/5 * * * *", method: "m" });
  assert.equal(await storage.getAlarm(), Date.parse("2026-03-01T10:05:00Z"));
  await scheduler.pause(five.id);
  assert.equal(await storage.getAlarm(), Date.parse("2026-03-01T11:00:00Z"), "a paused task no longer counts");
  await scheduler.update(hourly.id, { schedule: "30 10 * * *" });
  assert.equal(await storage.getAlarm(), Date.parse("2026-03-01T10:30:00Z"));
  await scheduler.resume(five.id);
  assert.equal(await storage.getAlarm(), Date.parse("2026-03-01T10:05:00Z"));
  await scheduler.cancel(five.id);
  assert.equal(await storage.getAlarm(), Date.parse("2026-03-01T10:30:00Z"));
  await scheduler.cancelByName("hourly");
  assert.equal(await storage.getAlarm(), null, "no task left: no alarm");
  assert.equal(storage.data.size, 0);
});

test("maxExecutions completes after exactly that many runs; the alarm goes once nothing is active", async () => {
  const { storage, scheduler, calls } = setup();
  await scheduler.create({ name: "thrice", schedule: "* * * * *", method: "tick", params: { n: 1 }, maxExecutions: 3 });
  for (let i = 0; i < 3; i += 1) await fire(storage, scheduler);
  assert.deepEqual(
    calls.map((c) => c[2]),
    ["2026-03-01T10:01:00.000Z", "2026-03-01T10:02:00.000Z", "2026-03-01T10:03:00.000Z"],
  );
  assert.deepEqual(calls[0].slice(0, 2), ["tick", { n: 1 }]);
  const [task] = await scheduler.list();
  assert.equal(task.status, "completed");
  assert.equal(task.executionCount, 3);
  assert.equal(task.lastExecutionAt, "2026-03-01T10:03:00.000Z");
  assert.equal(task.nextRunAt, undefined);
  assert.equal(await storage.getAlarm(), null);
});

test("missed firings collapse into one run; the next is counted from now", async () => {
  const { storage, scheduler, calls } = setup();
  await scheduler.create({ name: "m", schedule: "* * * * *", method: "tick" });
  clock = Date.parse("2026-03-01T10:07:20Z"); // the object slept through six firings
  await scheduler.alarm();
  assert.equal(calls.length, 1);
  assert.equal((await scheduler.getByName("m")).nextRunAt, iso("2026-03-01T10:08:00Z"));
  assert.equal(await storage.getAlarm(), Date.parse("2026-03-01T10:08:00Z"));
});

test("an early alarm runs what is due within 1 s and leaves the rest", async () => {
  const { storage, scheduler, calls } = setup();
  await scheduler.create({ name: "soon", schedule: "* * * * *", method: "a" });
  await scheduler.create({ name: "later", schedule: "*/10 * * * *", method: "b" });
  clock = Date.parse("2026-03-01T10:00:59.500Z");
  await scheduler.alarm();
  assert.deepEqual(calls.map((c) => c[0]), ["a"]);
  assert.equal(await storage.getAlarm(), Date.parse("2026-03-01T10:02:00Z"));
});

test("a throwing task ends in 'error' and the others still run, now and later", async () => {
  const { storage, scheduler, calls } = setup(async (method) => {
    if (method === "bad") throw new Error("nope");
  });
  await scheduler.create({ name: "bad", schedule: "* * * * *", method: "bad" });
  await scheduler.create({ name: "good", schedule: "* * * * *", method: "good" });
  await fire(storage, scheduler);
  await fire(storage, scheduler);
  assert.deepEqual(calls.map((c) => c[0]), ["bad", "good", "good"]);
  const bad = await scheduler.getByName("bad");
  assert.equal(bad.status, "error");
  assert.equal(bad.errorMessage, "nope");
  assert.equal((await scheduler.getByName("good")).executionCount, 2);
  assert.deepEqual((await scheduler.list("error")).map((t) => t.name), ["bad"]);
});

test("a task cancelled during its own run stays cancelled; one updated during its run keeps the update", async () => {
  const { storage, scheduler } = setup(async (method, _params, s) => {
    if (method === "selfCancel") await s.cancelByName("self");
    if (method === "retime") {
      const t = await s.getByName("retimed");
      await s.update(t.id, { schedule: "0 12 * * *" });
    }
  });
  await scheduler.create({ name: "self", schedule: "* * * * *", method: "selfCancel" });
  await scheduler.create({ name: "retimed", schedule: "* * * * *", method: "retime" });
  await fire(storage, scheduler);
  assert.equal(await scheduler.has("self"), false);
  const retimed = await scheduler.getByName("retimed");
  assert.equal(retimed.cron, "0 12 * * *");
  assert.equal(retimed.executionCount, 1);
  assert.equal(retimed.nextRunAt, iso("2026-03-01T12:00:00Z"));
  assert.equal(await storage.getAlarm(), Date.parse("2026-03-01T12:00:00Z"));
});

test("a task cancelled or paused by an earlier run of the same alarm does not run", async () => {
  const { storage, scheduler, calls } = setup(async (method, _params, s) => {
    if (method === "first") {
      await s.cancelByName("second");
      await s.pause((await s.getByName("third")).id);
    }
  });
  await scheduler.create({ name: "first", schedule: "* * * * *", method: "first" });
  clock += 1;
  await scheduler.create({ name: "second", schedule: "* * * * *", method: "second" });
  clock += 1;
  await scheduler.create({ name: "third", schedule: "* * * * *", method: "third" });
  await fire(storage, scheduler);
  assert.deepEqual(calls.map((c) => c[0]), ["first"]);
  assert.equal((await scheduler.getByName("third")).status, "paused");
});

test("syncDeclared creates, keeps (with history), retimes and removes @scheduled tasks", async () => {
  const { storage, scheduler } = setup();
  await scheduler.create({ name: "mine", schedule: "@daily", method: "own" });
  clock += 1000; // list() is in creation order (createdAt; ties within a millisecond by name)
  await scheduler.syncDeclared([{ method: "beat", cron: "* * * * *" }, { method: "report", cron: "@hourly" }]);
  let names = (await scheduler.list()).map((t) => [t.name, t.cron]);
  assert.deepEqual(names, [["mine", "0 0 * * *"], ["@scheduled:beat", "* * * * *"], ["@scheduled:report", "0 * * * *"]]);
  await fire(storage, scheduler);
  await scheduler.syncDeclared([{ method: "beat", cron: "* * * * *" }, { method: "report", cron: "@hourly" }]);
  assert.equal((await scheduler.getByName("@scheduled:beat")).executionCount, 1, "an unchanged tag keeps its task and history");
  assert.equal((await scheduler.list()).length, 3);

  // A redeploy: beat retimed, report's tag removed, a bad tag skipped.
  await scheduler.syncDeclared([{ method: "beat", cron: "*/15 * * * *" }, { method: "broken", cron: "not a cron" }]);
  names = (await scheduler.list()).map((t) => [t.name, t.cron, t.executionCount]);
  assert.deepEqual(names, [["mine", "0 0 * * *", 0], ["@scheduled:beat", "*/15 * * * *", 1]]);
  assert.equal(await storage.getAlarm(), Date.parse("2026-03-01T10:15:00Z"));

  // The alarm is re-derived from the entries when it went missing.
  await storage.deleteAlarm();
  await scheduler.syncDeclared([{ method: "beat", cron: "*/15 * * * *" }]);
  assert.equal(await storage.getAlarm(), Date.parse("2026-03-01T10:15:00Z"));
});

test("validation mirrors the local provider", async () => {
  const { scheduler } = setup();
  await assert.rejects(scheduler.create({ name: "", schedule: "@daily", method: "m" }), /name must be a non-empty string/);
  await assert.rejects(scheduler.create({ name: "x", schedule: "@often", method: "m" }), /Invalid cron expression: '@often'/);
  await assert.rejects(scheduler.create({ name: "x", schedule: "* * * * *", method: "m", params: [1] }), /params must be an object/);
  await assert.rejects(scheduler.create({ name: "x", schedule: "* * * * *", method: "m", maxExecutions: -1 }), /maxExecutions/);
  const t = await scheduler.create({ name: "x", schedule: "@MONTHLY", method: "m", params: { when: new Date(0) } });
  assert.equal(t.cron, "0 0 1 * *");
  assert.deepEqual(t.params, { when: "1970-01-01T00:00:00.000Z" }, "params are stored as JSON");
  assert.equal(t.nextRunAt, iso("2026-04-01T00:00:00Z"));
  assert.equal(await scheduler.cancelAll(), 1);
  assert.equal(await scheduler.cancelAll(), 0);
});

test("cron.ts reads expressions at UTC offset 0: the same firings as croner's timezone 'UTC', whatever the local time zone", async () => {
  const { nextCronFiring } = await importRuntimeModule("cron");
  const { Cron } = await import("croner");
  const reference = { timezone: "UTC", mode: "5-part", domAndDow: false, sloppyRanges: true };
  const expressions = [
    "* * * * *", "*/7 * * * *", "0 * * * *", "30 2 * * *", "0 0 1 * *", "0 0 * * 0", "0 0 * * 7", "15 10 * * MON-FRI",
    "0 12 1,15 * *", "0 0 29 2 *", "59 23 31 12 *", "0 9 * JAN,JUL SUN", "5/15 3-6 * * *", "0 0 13 * FRI", "0 0 L * *",
  ];
  const starts = ["2026-03-01T10:00:30Z", "2026-03-29T00:59:59Z", "2026-10-25T01:30:00Z", "2028-02-28T23:59:00Z", "2026-12-31T23:59:59.999Z"];
  for (const expr of expressions) {
    for (const start of starts) {
      const after = Date.parse(start);
      let ours;
      try {
        ours = nextCronFiring(expr, after);
      } catch {
        ours = null;
      }
      const theirs = new Cron(expr, reference).nextRun(new Date(after))?.getTime() ?? null;
      assert.equal(ours, theirs, `${expr} after ${start}`);
    }
  }
});
