// this.schedule in workerd: the local ScheduleProvider's API through tools (create, duplicate
// names, list, get, update, pause/resume, cancel), one real firing on a '* * * * *' cron (the
// suite waits for the next minute boundary once, up to ~65 s), error isolation, fireOnce and
// maxExecutions, state across a restart, the alarm deleted once nothing is left, and declarative
// @scheduled methods arming on an instance's first request.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { boot, callTool, subscribe } from "./lib/harness.mjs";

let sched;
let declared;
before(async () => {
  [sched, declared] = await Promise.all([
    boot("schedule", "../runtime-ext/schedule/cf-sched.photon.ts"),
    boot("declared", "../runtime-ext/declared/cf-declared.photon.ts"),
  ]);
});
after(async () => {
  await Promise.all([sched?.stop(), declared?.stop()]);
});

/** Calls a tool; returns its structuredContent, or throws with the tool's error text. */
async function tool(server, instance, name, args = {}) {
  const response = await callTool(server.url, name, args, { query: `?instance=${instance}` });
  if (response.error) throw new Error(`${name}: JSON-RPC error ${response.error.message}`);
  if (response.result.isError) throw new Error(response.result.content[0].text);
  return response.result.structuredContent;
}

/** The error text of a tool call that must fail. */
async function toolError(server, instance, name, args = {}) {
  const response = await callTool(server.url, name, args, { query: `?instance=${instance}` });
  assert.ok(response.result?.isError, `${name} should have failed: ${JSON.stringify(response)}`);
  return response.result.content[0].text;
}

/**
 * Pending alarms of a worker's Durable Objects, read from wrangler's local state (the
 * `_cf_ALARM` table of metadata.sqlite under --persist-to). There is no other window onto an
 * object's alarm from outside, and "no alarm left" is exactly what must be checked.
 */
function pendingAlarms(server, doClass) {
  const dir = join(server.persistTo, "v3", "do");
  const classDir = readdirSync(dir).find((d) => d.endsWith(`-${doClass}`));
  assert.ok(classDir, `no state for ${doClass} in ${dir}`);
  const db = join(dir, classDir, "metadata.sqlite");
  const query = "select count(*) from _cf_ALARM where scheduled_time is not null;";
  const r = spawnSync("sqlite3", [db, query], { encoding: "utf8" });
  if (r.error) {
    const py = spawnSync("python3", ["-c", `import sqlite3,sys;print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])`, db, query], { encoding: "utf8" });
    if (py.status !== 0) throw new Error(`reading ${db} needs sqlite3 or python3: ${py.stderr ?? py.error}`);
    return Number(py.stdout.trim());
  }
  assert.equal(r.status, 0, r.stderr);
  return Number(r.stdout.trim());
}

test("create, duplicate names, list, get, update, pause/resume and cancel behave like the local ScheduleProvider", async () => {
  const i = "crud";
  const a = await tool(sched, i, "create", { name: "a", schedule: "*/5 * * * *", method: "tick", params: { tag: "a" } });
  assert.equal(a.status, "active");
  assert.equal(a.cron, "*/5 * * * *");
  assert.equal(a.executionCount, 0);
  assert.equal(a.photonId, "cf-sched");
  assert.deepEqual(a.params, { tag: "a" });
  assert.ok(Date.parse(a.nextRunAt) > Date.now() - 2000, "nextRunAt is the next firing");
  assert.equal(new Date(a.nextRunAt).getUTCMinutes() % 5, 0);

  assert.match(await toolError(sched, i, "create", { name: "a", schedule: "@daily", method: "tick" }), /Schedule 'a' already exists \(id: [0-9a-f-]+\)\. Use update\(\) to modify it\./);
  assert.match(await toolError(sched, i, "create", { name: "c", schedule: "* * *", method: "tick" }), /Invalid cron expression: '\* \* \*'\. Expected 5 fields/);
  assert.match(await toolError(sched, i, "create", { name: "c", schedule: "61 * * * *", method: "tick" }), /Invalid cron expression: '61 \* \* \* \*'/);
  assert.match(await toolError(sched, i, "create", { name: "c", schedule: "0 0 * * * *", method: "tick" }), /Expected 5 fields/, "6-field (seconds) cron is refused as locally");

  const b = await tool(sched, i, "create", { name: "b", schedule: "@hourly", method: "tick", params: { tag: "b" } });
  assert.equal(b.cron, "0 * * * *", "shorthands are expanded");

  let { tasks } = await tool(sched, i, "list");
  assert.deepEqual(tasks.map((t) => t.name), ["a", "b"], "sorted by creation");
  assert.equal((await tool(sched, i, "get", { id: a.id })).task.name, "a");
  assert.equal((await tool(sched, i, "get", { id: "nope" })).task, null);
  assert.deepEqual(await tool(sched, i, "byName", { name: "b" }).then((r) => [r.task.id, r.exists]), [b.id, true]);

  const paused = await tool(sched, i, "pause", { id: a.id });
  assert.equal(paused.status, "paused");
  assert.equal(paused.nextRunAt, undefined, "a paused task has no next run");
  assert.match(await toolError(sched, i, "pause", { id: a.id }), /Cannot pause task with status 'paused'\. Only active tasks can be paused\./);
  assert.deepEqual((await tool(sched, i, "list", { status: "paused" })).tasks.map((t) => t.name), ["a"]);
  assert.deepEqual((await tool(sched, i, "list", { status: "active" })).tasks.map((t) => t.name), ["b"]);
  assert.equal((await tool(sched, i, "resume", { id: a.id })).status, "active");
  assert.match(await toolError(sched, i, "resume", { id: a.id }), /Only paused tasks can be resumed/);

  const updated = await tool(sched, i, "update", { id: b.id, schedule: "@daily", maxExecutions: 3 });
  assert.equal(updated.cron, "0 0 * * *");
  assert.equal(updated.maxExecutions, 3);
  assert.equal(new Date(updated.nextRunAt).getUTCHours(), 0);
  assert.match(await toolError(sched, i, "update", { id: "missing" }), /Schedule not found: missing/);

  assert.deepEqual(await tool(sched, i, "cancelByName", { name: "b" }), { cancelled: true });
  assert.deepEqual(await tool(sched, i, "cancelByName", { name: "b" }), { cancelled: false });
  assert.equal((await tool(sched, i, "byName", { name: "b" })).exists, false);
  assert.deepEqual(await tool(sched, i, "cancel", { id: a.id }), { cancelled: true });
  assert.deepEqual(await tool(sched, i, "cancel", { id: a.id }), { cancelled: false });
  ({ tasks } = await tool(sched, i, "list"));
  assert.deepEqual(tasks, []);

  // Other instances never see these schedules.
  assert.deepEqual((await tool(sched, "crud-neighbour", "list")).tasks, []);
});

test("schedules fire on their cron; a throw ends in 'error' alone; fireOnce/maxExecutions complete; state survives a restart; cancelling the last one deletes the alarm", async () => {
  const i = "fire";
  const events = await subscribe(sched.url, `?instance=${i}&channel=ticks`);
  try {
    await tool(sched, i, "create", { name: "every", schedule: "* * * * *", method: "tick", params: { tag: "every" } });
    await tool(sched, i, "create", { name: "boom", schedule: "* * * * *", method: "boom" });
    await tool(sched, i, "create", { name: "once", schedule: "* * * * *", method: "tick", params: { tag: "once" }, fireOnce: true });
    await tool(sched, i, "create", { name: "max", schedule: "* * * * *", method: "tick", params: { tag: "max" }, maxExecutions: 1 });
    // The declared fixture is addressed now so its @scheduled heartbeat arms for the same minute.
    const declaredTasks = (await tool(declared, "default", "list")).tasks;

    // Wait for the next minute boundary: the alarm runs every due task.
    const deadline = Date.now() + 75_000;
    let byName = {};
    for (;;) {
      byName = Object.fromEntries((await tool(sched, i, "list")).tasks.map((t) => [t.name, t]));
      // Tasks run in creation order within one alarm; "max" is the last of them.
      if (byName.every.executionCount >= 1 && byName.max.status !== "active") break;
      assert.ok(Date.now() < deadline, `no firing within 75 s: ${JSON.stringify(byName)}`);
      await new Promise((r) => setTimeout(r, 2000));
    }
    assert.equal(byName.every.status, "active");
    assert.ok(Date.parse(byName.every.nextRunAt) > Date.parse(byName.every.lastExecutionAt), "re-armed for the next minute");
    assert.equal(byName.boom.status, "error");
    assert.match(byName.boom.errorMessage, /boom: scheduled failure/);
    assert.equal(byName.once.status, "completed");
    assert.equal(byName.once.executionCount, 1);
    assert.equal(byName.max.status, "completed");
    assert.equal(byName.max.executionCount, 1);
    assert.equal((await tool(sched, i, "runs", { tag: "once" })).runs, 1);
    assert.ok((await tool(sched, i, "runs", { tag: "every" })).runs >= 1);

    // The scheduled runs emitted on their channel: subscribers of the instance saw them.
    const seen = await events.waitFor(3);
    assert.deepEqual(new Set(seen.map((m) => m.tag)), new Set(["every", "once", "max"]));

    // Declarative schedule: armed on the first request, fired in the same minute.
    assert.deepEqual(
      declaredTasks.map((t) => [t.name, t.cron, t.method, t.status]),
      [["@scheduled:heartbeat", "* * * * *", "heartbeat", "active"]],
    );
    const beatsDeadline = Date.now() + 10_000;
    while ((await tool(declared, "default", "beats")).beats < 1) {
      assert.ok(Date.now() < beatsDeadline, "the @scheduled heartbeat never ran");
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.equal((await tool(declared, "default", "list")).tasks.length, 1, "syncDeclared does not duplicate on later requests");
  } finally {
    events.close();
  }

  // A restart (same persisted state): the entries and their alarm are still there.
  await sched.restart();
  const afterRestart = Object.fromEntries((await tool(sched, i, "list")).tasks.map((t) => [t.name, t.status]));
  assert.deepEqual(afterRestart, { every: "active", boom: "error", once: "completed", max: "completed" });
  assert.equal(pendingAlarms(sched, "CfSchedPhotonDO"), 1, "only the instance with an active schedule has an alarm");

  // Clearing the instance deletes its alarm: nothing keeps waking it.
  assert.deepEqual(await tool(sched, i, "cancelAll"), { cancelled: 4 });
  assert.deepEqual((await tool(sched, i, "list")).tasks, []);
  assert.equal(pendingAlarms(sched, "CfSchedPhotonDO"), 0);
});
