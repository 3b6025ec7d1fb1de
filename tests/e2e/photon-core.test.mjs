// A photon that extends PhotonMCP from '@portel/photon-core' runs unchanged: the import resolves
// to the Workers-safe stand-in (wrangler [alias]), the project type-checks against it, the
// injected capabilities win over nothing in the base class, the base class's emit helpers and
// io yields reach the caller's stream, the data builders serialise, and withLock serialises.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { boot, callTool, connect, rpc, structured, subscribe, typecheck } from "./lib/harness.mjs";

let w;
before(async () => {
  w = await boot("photon-core", "../runtime-ext/photon-core/cf-photon-core.photon.ts");
});
after(async () => {
  await w?.stop();
});

test("the import resolves to the bundled stand-in and the project type-checks against it", async () => {
  const toml = readFileSync(join(w.dir, "wrangler.toml"), "utf8");
  assert.match(toml, /"@portel\/photon-core" = "\.\/src\/photon-core\/index\.ts"/);
  const { status, output } = await typecheck(w.dir);
  assert.equal(status, 0, output);
});

test("capabilities are installed on a PhotonMCP instance; static helpers work", async () => {
  const c = await connect(w.url, { instance: "core-a" });
  try {
    assert.deepEqual(structured(await c.client.callTool({ name: "remember", arguments: { key: "k", value: "v" } })), { stored: "v" });
    assert.deepEqual(structured(await c.client.callTool({ name: "identity", arguments: {} })), {
      mcpName: "cf-photon-core",
      isPhoton: true,
      instance: "core-a",
      hasMcp: false,
    });
  } finally {
    await c.close();
  }
  // memory is per instance, as for a plain class
  const other = await callTool(w.url, "remember", { key: "k2", value: "w" }, { query: "?instance=core-b" });
  assert.deepEqual(other.result.structuredContent, { stored: "w" });
});

test("base class helpers reach the caller's SSE stream; a channel emit reaches /events", async () => {
  const sub = await subscribe(w.url, "?instance=core-r&channel=core");
  try {
    const r = await rpc(
      w.url,
      { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "report", arguments: {}, _meta: { progressToken: "tok" } } },
      { accept: "application/json, text/event-stream", query: "?instance=core-r" },
    );
    assert.equal(r.status, 200);
    const progress = r.body.filter((m) => m.method === "notifications/progress").map((m) => [m.params.progressToken, m.params.progress, m.params.message ?? null]);
    assert.deepEqual(progress, [
      ["tok", 0, "starting"],
      ["tok", 50, "half way"],
      ["tok", 75, null],
    ]);
    const logs = r.body.filter((m) => m.method === "notifications/message").map((m) => m.params);
    assert.ok(logs.some((p) => p.level === "warning" && p.data === "a warning"), JSON.stringify(logs));
    assert.deepEqual(r.body.at(-1).result.structuredContent, { done: true });
    assert.deepEqual((await sub.waitFor(1))[0], { channel: "core", kind: "report" });
  } finally {
    sub.close();
  }
});

test("io.emit yields of a generator tool become notifications; the return value is the result", async () => {
  const r = await rpc(
    w.url,
    { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "steps", arguments: {}, _meta: { progressToken: 9 } } },
    { accept: "application/json, text/event-stream" },
  );
  const progress = r.body.filter((m) => m.method === "notifications/progress").map((m) => [m.params.progress, m.params.message]);
  assert.deepEqual(progress, [
    [0, "step one"],
    [100, "all done"],
  ]);
  assert.deepEqual(r.body.at(-1).result.structuredContent, { steps: 2 });
});

test("Table, Chart, Stats, Cards, Progress and Collection serialise to their data", async () => {
  const r = await callTool(w.url, "dashboard", {});
  const d = r.result.structuredContent;
  assert.equal(d.table._photonType, "table");
  assert.deepEqual(d.table.rows, [{ name: "a", n: 1 }]);
  assert.deepEqual(d.table.columns.map((c) => c.key), ["name", "n"]);
  assert.deepEqual(d.table.options, { title: "T", paginated: true, pageSize: 5 });
  assert.deepEqual(d.fielded.fields, [
    { type: "text", source: "name", options: {} },
    { type: "badge", source: "status", options: { variant: "subtle", colors: { ok: "green" } } },
    { type: "currency", source: "amount", options: { currency: "EUR", showSymbol: true } },
  ], "the field-based Table API, with photon-core's field defaults (ui-builders.test.mjs compares every builder with the npm package) of newer photon-core (used by the catalogue's expenses and deploy)");
  assert.deepEqual([d.chart._photonType, d.chart.chartType, d.chart.labels, d.chart.series], ["chart", "bar", ["x", "y"], [{ name: "s", data: [1, 2] }]]);
  assert.deepEqual(d.chart.options, { legend: true, showGrid: true, animate: true, title: "C" });
  assert.deepEqual(d.stats.stats, [
    { label: "Users", value: 3 },
    { label: "Rate", value: 50, format: "percent", suffix: "%" },
  ]);
  assert.deepEqual([d.cards._photonType, d.cards.items, d.cards.fields], ["cards", [{ name: "card" }], { heading: "name" }]);
  assert.deepEqual([d.progress.value, d.progress.steps, d.progress.options.style], [40, [{ label: "one", status: "completed" }], "steps"]);
  assert.deepEqual(d.collection, [{ n: 3 }, { n: 2 }], "a Collection query serialises as a plain array");
  assert.deepEqual(d.grouped, { a: [{ k: "a", v: 1 }, { k: "a", v: 3 }], b: [{ k: "b", v: 2 }] });
  assert.equal(d.sum, 3);
  assert.deepEqual(d.hinted, { _photonType: "collection:chips", items: [1, 2], count: 2 });
});

test("withLock serialises concurrent calls that await inside the lock", async () => {
  const calls = await Promise.all([1, 2, 3].map(() => callTool(w.url, "bump", { waitMs: 150 }, { query: "?instance=locks" })));
  assert.deepEqual(calls.map((c) => c.result.structuredContent.bumps).sort(), [1, 2, 3], "no update was lost");
});
