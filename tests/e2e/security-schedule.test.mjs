// templates/cf-runtime/schedule.ts on its own (bundled with esbuild) over an in-memory storage
// stand-in that counts reads: creating a schedule costs the same few reads with 1 or 300
// schedules stored (count and name index, never a listing), the PHOTON_MAX_SCHEDULES limit holds,
// and schedules stored by an older build (no index yet) are indexed once and then counted.
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { importRuntimeModule } from "./lib/harness.mjs";
import { memoryStorage } from "./lib/memory-storage.mjs";

let createScheduler;

before(async () => {
  ({ createScheduler } = await importRuntimeModule("schedule"));
});

function scheduler(storage, env = {}) {
  return createScheduler({ storage, photonId: "bounds", dispatch: async () => {}, env });
}

/** The reads one create costs. */
async function readsOfCreate(storage, s, name) {
  const before = { ...storage.reads };
  await s.create({ name, schedule: "0 0 1 1 *", method: "noop" });
  return { gets: storage.reads.gets - before.gets, listed: storage.reads.listed - before.listed };
}

test("creating a schedule reads the same few entries whether 1 or 300 exist", async () => {
  const storage = memoryStorage();
  const s = scheduler(storage, { PHOTON_MAX_SCHEDULES: "1000" });
  await s.create({ name: "first", schedule: "0 0 1 1 *", method: "noop" });
  const early = await readsOfCreate(storage, s, "second");
  for (let i = 0; i < 300; i++) await s.create({ name: `n${i}`, schedule: "0 0 1 1 *", method: "noop" });
  const late = await readsOfCreate(storage, s, "last");
  assert.deepEqual(late, early);
  assert.equal(late.listed, 0, "a create listed the schedules");
  assert.ok(late.gets <= 4, `a create made ${late.gets} reads`);
  // A duplicate name is found through the index too.
  await assert.rejects(s.create({ name: "n7", schedule: "0 0 1 1 *", method: "noop" }), /already exists/);
});

test("the limit counts every schedule, declared ones included, and frees places on cancel", async () => {
  const storage = memoryStorage();
  const s = scheduler(storage, { PHOTON_MAX_SCHEDULES: "3" });
  await s.syncDeclared([{ method: "tick", cron: "@hourly" }]);
  await s.create({ name: "a", schedule: "0 0 1 1 *", method: "noop" });
  await s.create({ name: "b", schedule: "0 0 1 1 *", method: "noop" });
  await assert.rejects(s.create({ name: "c", schedule: "0 0 1 1 *", method: "noop" }), /Schedule 'c' refused: this instance already has 3 schedules, the limit \(set PHOTON_MAX_SCHEDULES to change it\)/);
  assert.equal(await s.cancelByName("a"), true);
  await s.create({ name: "c", schedule: "0 0 1 1 *", method: "noop" });
  assert.equal(await s.cancelAll(), 3);
  assert.equal(storage.data.size, 0, "no index or count left behind");
});

test("schedules stored without an index (an older build) are indexed once, then counted", async () => {
  const storage = memoryStorage();
  // What an older build left: tasks only.
  const old = scheduler(storage, { PHOTON_MAX_SCHEDULES: "1000" });
  for (const name of ["x", "y"]) await old.create({ name, schedule: "0 0 1 1 *", method: "noop" });
  for (const key of Array.from(storage.data.keys())) if (key.startsWith("__rt__:sched:")) storage.data.delete(key);
  const s = scheduler(storage, { PHOTON_MAX_SCHEDULES: "3" });
  await assert.rejects(s.create({ name: "x", schedule: "0 0 1 1 *", method: "noop" }), /already exists/);
  await s.create({ name: "z", schedule: "0 0 1 1 *", method: "noop" });
  await assert.rejects(s.create({ name: "w", schedule: "0 0 1 1 *", method: "noop" }), /refused/);
  assert.equal((await s.list()).length, 3);
});
