// Issue 11, point 5: `photon-cf instances list | show | destroy` against a Worker's admin surface.
// A destroyed instance leaves nothing armed: its alarm is gone (so its `* * * * *` task cannot
// fire again), its /events socket is closed with a reason, its memory is empty, onShutdown ran,
// and another instance keeps all of it.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { WebSocket } from "ws";
import { boot, callTool, photonCf } from "./lib/harness.mjs";

const TOKEN = "admin-s3cret-for-the-test";
let w;
let off;
before(async () => {
  [w, off] = await Promise.all([
    boot("cf-instances", "platform/cf-instances.photon.ts", { vars: { PHOTON_ADMIN_TOKEN: TOKEN } }),
    boot("cf-instances-off", "platform/cf-instances.photon.ts"),
  ]);
});
after(async () => {
  await Promise.all([w?.stop(), off?.stop()]);
});

async function on(instance, tool, args = {}) {
  const r = await callTool(w.url, tool, args, { query: `?instance=${instance}` });
  assert.ok(r.result && !r.result.isError, `${tool}: ${JSON.stringify(r)}`);
  return r.result.structuredContent;
}

/** Runs `photon-cf instances ... --json`; resolves the document (status 0 expected). */
function cli(args, token = TOKEN) {
  const r = spawnSync(photonCf, ["instances", ...args, "--url", w.url, "--json"], {
    encoding: "utf8",
    env: { ...process.env, PHOTON_CF_ADMIN_TOKEN: token, NO_COLOR: "1" },
  });
  return { status: r.status, doc: r.stdout ? JSON.parse(r.stdout) : null, stderr: r.stderr };
}

test("the admin surface is off without PHOTON_ADMIN_TOKEN and refuses a wrong or missing token", async () => {
  const offRes = await fetch(new URL("/__admin/instances", off.url), { headers: { Authorization: `Bearer ${TOKEN}` } });
  assert.equal(offRes.status, 404);
  assert.equal((await fetch(new URL("/__admin/instances", w.url))).status, 401);
  const wrong = await fetch(new URL("/__admin/instances", w.url), { headers: { Authorization: "Bearer nope" } });
  assert.equal(wrong.status, 401);
  const r = cli(["list"], "nope");
  assert.equal(r.status, 1);
  assert.match(r.stderr, /refused the admin token/);
});

test("destroy stops and deletes one instance in every photon and leaves the other untouched", async () => {
  for (const i of ["doomed", "keeper"]) {
    await on(i, "remember", { key: "k", value: `v-${i}` });
    await on(i, "rememberInPeer", { key: "p", value: `peer-${i}` });
    await on(i, "arm");
  }
  const ws = new WebSocket(new URL("/events?instance=doomed&channel=ticks", w.url.replace(/^http/, "ws")));
  await new Promise((r, j) => {
    ws.once("open", r);
    ws.once("error", j);
  });
  const closed = new Promise((r) => ws.once("close", (code, reason) => r({ code, reason: String(reason) })));

  const listed = cli(["list"]);
  assert.equal(listed.status, 0, listed.stderr);
  const names = listed.doc.result.instances.map((i) => i.name);
  assert.ok(names.includes("doomed") && names.includes("keeper"), JSON.stringify(listed.doc));
  const doomedEntry = listed.doc.result.instances.find((i) => i.name === "doomed");
  assert.deepEqual(doomedEntry.photons, ["cf-instances", "cf-instances-peer"]);

  const shown = cli(["show", "doomed"]).doc.result.photons;
  assert.ok(shown["cf-instances-peer"].memoryKeys.some((k) => k.endsWith(":p")), JSON.stringify(shown));
  const before = shown["cf-instances"];
  assert.ok(before.memoryKeys.some((k) => k.endsWith(":k")), JSON.stringify(before));
  assert.deepEqual(before.schedules.map((s) => [s.name, s.cron]), [["tick", "* * * * *"]]);
  assert.equal(typeof before.alarm, "number", "the schedule armed the alarm");
  assert.equal(before.subscribers, 1);

  const destroyed = cli(["destroy", "doomed"]);
  assert.equal(destroyed.status, 0, destroyed.stderr);
  assert.deepEqual(destroyed.doc.result, { name: "doomed", destroyed: true, registered: true });

  assert.deepEqual(await closed, { code: 4410, reason: "instance destroyed" });
  const after = cli(["show", "doomed"]).doc.result;
  assert.equal(after.registered, false);
  // No alarm is set, so the every-minute task has nothing left to fire it.
  const empty = { memoryKeys: [], schedules: [], alarm: null, subscribers: 0 };
  assert.deepEqual(after.photons, { "cf-instances": empty, "cf-instances-peer": empty }, "every photon of the Worker");
  assert.ok(!cli(["list"]).doc.result.instances.some((i) => i.name === "doomed"));

  // The other instance keeps its memory, schedule and alarm; onShutdown ran for the destroyed one.
  const kept = cli(["show", "keeper"]).doc.result.photons["cf-instances"];
  assert.equal(kept.schedules.length, 1);
  assert.equal(typeof kept.alarm, "number");
  assert.deepEqual(await on("keeper", "recall", { key: "k" }), { value: "v-keeper" });
  assert.deepEqual(await on("keeper", "recallFromPeer", { key: "p" }), { value: "peer-keeper" });
  assert.deepEqual(await on("keeper", "shutdowns"), { instances: ["doomed"] });
  // The next request starts a fresh instance.
  assert.deepEqual(await on("doomed", "recall", { key: "k" }), { value: null });
  assert.deepEqual(await on("doomed", "recallFromPeer", { key: "p" }), { value: null });
});
