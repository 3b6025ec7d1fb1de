// cf-ticker: the DO wires this.schedule to the scheduler (create/list per instance, alarm armed),
// and the scheduler with croner is bundled only into Workers that use schedules.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { boot, buildFixture, callTool, dryRunBundle, typecheck } from "./lib/harness.mjs";

let w;
before(async () => {
  w = await boot("ticker", "ticker/cf-ticker.photon.ts");
});
after(async () => {
  await w?.stop();
});

test("this.schedule.create persists a task for this instance only", async () => {
  const started = await callTool(w.url, "start", {}, { query: "?instance=t1" });
  const tasks = started.result.structuredContent.tasks;
  assert.equal(tasks.length, 1);
  assert.equal(tasks[0].name, "tick");
  assert.equal(tasks[0].method, "tick");
  assert.equal(tasks[0].cron, "* * * * *");
  assert.equal(tasks[0].status, "active");
  assert.equal(tasks[0].photonId, "cf-ticker");
  // Idempotent start; another instance has no schedules.
  assert.equal((await callTool(w.url, "start", {}, { query: "?instance=t1" })).result.structuredContent.tasks.length, 1);
  assert.deepEqual((await callTool(w.url, "list", {}, { query: "?instance=t2" })).result.structuredContent, { tasks: [] });
});

test("schedules survive a restart", async () => {
  await callTool(w.url, "start", {}, { query: "?instance=t3" });
  await w.restart();
  const listed = await callTool(w.url, "list", {}, { query: "?instance=t3" });
  assert.equal(listed.result.structuredContent.tasks.length, 1);
});

test("the scheduler and croner are bundled only when a photon uses schedules", async () => {
  const withSchedule = await dryRunBundle(w.dir);
  assert.match(withSchedule, /CronPattern/);
  const counter = buildFixture("ticker-counter", "counter/cf-counter.photon.ts");
  const without = await dryRunBundle(counter);
  assert.doesNotMatch(without, /CronPattern/);
  // The module itself is absent (the admin surface's `show` reads task keys, so the `__sched__:`
  // prefix alone no longer tells): its own error message is not in the bundle.
  assert.doesNotMatch(without, /Invalid cron expression/);
  assert.match(withSchedule, /Invalid cron expression/);
});

test("the generated project with the scheduler passes tsc --noEmit", async () => {
  const r = await typecheck(w.dir);
  assert.equal(r.status, 0, r.output);
});
