// cf-ticker: the DO wires this.schedule to the scheduler (create/list per instance, alarm armed),
// and the scheduler with cron-parser is bundled only into Workers that use schedules.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { boot, buildFixture, callTool, typecheck, WRANGLER_ENV } from "./lib/harness.mjs";

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

function dryRunBundle(dir) {
  const r = spawnSync(join(dir, "node_modules", ".bin", "wrangler"), ["deploy", "--dry-run", "--outdir", join(dir, ".bundle")], {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, ...WRANGLER_ENV, CI: "true" },
  });
  assert.equal(r.status, 0, r.stderr + r.stdout);
  return readFileSync(join(dir, ".bundle", "worker.js"), "utf8");
}

test("the scheduler and cron-parser are bundled only when a photon uses schedules", () => {
  const withSchedule = dryRunBundle(w.dir);
  assert.match(withSchedule, /CronExpressionParser/);
  const counter = buildFixture("ticker-counter", "counter/cf-counter.photon.ts");
  const without = dryRunBundle(counter);
  assert.doesNotMatch(without, /CronExpressionParser/);
  assert.doesNotMatch(without, /__sched__/);
});

test("the generated project with the scheduler passes tsc --noEmit", () => {
  const r = typecheck(w.dir);
  assert.equal(r.status, 0, r.output);
});
