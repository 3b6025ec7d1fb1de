// One lock table per instance: a `@locked ledger` method and `this.withLock('ledger', ...)` from
// the photon-core base class exclude each other, because both queue on the same lock. Each call
// pushes `<tag>:enter`, awaits, then pushes `<tag>:exit`; an overlap shows as an enter between
// another call's enter and exit. A control on a different lock name shows that overlaps are
// visible to the test at all.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { boot, callTool } from "./lib/harness.mjs";

let w;
before(async () => {
  w = await boot("locks", "../runtime-ext/locks/cf-locks.photon.ts");
});
after(async () => {
  await w?.stop();
});

/** Calls every [tool, tag] at once on `instance`; returns the markers they left, in order. */
async function race(instance, calls) {
  const q = { query: `?instance=${instance}` };
  const results = await Promise.all(calls.map(([tool, tag]) => callTool(w.url, tool, { tag, waitMs: 150 }, q)));
  results.forEach((r, i) => assert.ok(r?.result && !r.result.isError, `call ${i} failed: ${JSON.stringify(r)}`));
  const trace = await callTool(w.url, "trace", {}, q);
  return trace.result.structuredContent.markers;
}

/** The tags whose calls overlapped: each enter seen while another call was inside. */
function overlaps(markers) {
  const inside = new Set();
  const seen = [];
  for (const m of markers) {
    const [tag, edge] = m.split(":");
    if (edge === "enter") {
      if (inside.size > 0) seen.push(`${tag} entered while ${[...inside].join(",")} held`);
      inside.add(tag);
    } else inside.delete(tag);
  }
  return seen;
}

test("@locked and this.withLock on the same name exclude each other", async () => {
  const calls = [
    ["tagged", "t1"],
    ["wrapped", "w1"],
    ["tagged", "t2"],
    ["wrapped", "w2"],
  ];
  const markers = await race("shared", calls);
  assert.equal(markers.length, 2 * calls.length, JSON.stringify(markers));
  assert.deepEqual(overlaps(markers), [], `interleaved: ${JSON.stringify(markers)}`);
});

test("control: different lock names do overlap, so the check above can see an overlap", async () => {
  const markers = await race("control", [
    ["tagged", "t"],
    ["elsewhere", "e"],
  ]);
  assert.equal(markers.length, 4, JSON.stringify(markers));
  assert.notDeepEqual(overlaps(markers), [], `expected an overlap: ${JSON.stringify(markers)}`);
});
