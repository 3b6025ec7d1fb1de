// A Worker built without asks (no photon calls this.sample / confirm / elicit or has a generator
// method, so asks.ts and mrtr.ts are not bundled): a 2026-07-28 tools/call runs as a plain call, a
// requestState is refused as one this server never issued, a JSON-RPC response is still 202, an
// ask the build could not see fails with an error that says to rebuild, and a generator's ask
// yields get the local provider's defaults.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { boot, callTool, modernRpc, rpc } from "./lib/harness.mjs";

let w;
before(async () => {
  w = await boot("asks-gate", "../runtime-ext/noasks/cf-noasks.photon.ts");
});
after(async () => {
  await w?.stop();
});

/** A raw 2026-07-28 tools/call to this file's Worker. */
function modernCall(name, args, { params = {}, meta = {}, accept } = {}) {
  return modernRpc(w.url, "tools/call", { name, arguments: args, ...params }, { id: 7, meta, accept });
}

test("the project has no asks modules and its entry passes none", () => {
  assert.ok(!existsSync(join(w.dir, "src/cf-runtime/asks.ts")));
  assert.ok(!existsSync(join(w.dir, "src/cf-runtime/mrtr.ts")));
  assert.doesNotMatch(readFileSync(join(w.dir, "src/worker.ts"), "utf8"), /cf-runtime\/asks|\basks\b/);
});

test("a 2026-07-28 tools/call runs as a plain call", async () => {
  const r = await modernCall("add", { a: 2, b: 3 });
  assert.equal(r.status, 200);
  assert.equal(r.body.id, 7);
  assert.deepEqual(r.body.result.structuredContent, { sum: 5 });
  assert.equal(r.body.result.resultType, "complete");
  // Asked to stream its logs, it still answers (as SSE or JSON, both accepted).
  const streamed = await modernCall("add", { a: 1, b: 1 }, {
    meta: { "io.modelcontextprotocol/logLevel": "debug" },
    accept: "application/json, text/event-stream",
  });
  assert.equal(streamed.status, 200);
  const last = Array.isArray(streamed.body) ? streamed.body.at(-1) : streamed.body;
  assert.deepEqual(last.result.structuredContent, { sum: 2 });
});

test("a requestState is -32602, as one this server did not issue", async () => {
  const r = await modernCall("add", { a: 2, b: 3 }, { params: { requestState: "abc.def", inputResponses: {} } });
  assert.equal(r.body.error?.code, -32602);
  assert.equal(r.body.error.message, "Invalid params: requestState is not one this server issued");
});

test("a JSON-RPC response POSTed to /mcp is 202", async () => {
  for (const id of ["cf:default:00000000-0000-0000-0000-000000000000", "x", 5]) {
    const r = await rpc(w.url, { jsonrpc: "2.0", id, result: { action: "accept", content: {} } });
    assert.equal(r.status, 202, JSON.stringify(id));
  }
});

test("this.sample / confirm / elicit the build could not see fail with an error that says to rebuild", async () => {
  for (const capability of ["sample", "confirm", "elicit"]) {
    const r = await callTool(w.url, "sneaky", { capability }, { accept: "application/json, text/event-stream" });
    assert.equal(r.result?.isError, true, JSON.stringify(r));
    assert.match(
      r.result.content[0].text,
      new RegExp(`^this\\.${capability} is not available in cf-noasks: photon-cf bundles asks only when a photon calls this\\.sample, this\\.confirm or this\\.elicit or has a generator method.*; rebuild the project$`),
    );
  }
});

test("a generator's ask yields get the local provider's defaults", async () => {
  for (const accept of ["application/json", "application/json, text/event-stream"]) {
    const r = await callTool(w.url, "drive", {}, { accept });
    assert.deepEqual(r.result?.structuredContent, { name: "anon", ok: false }, JSON.stringify(r));
  }
  const modern = await modernCall("drive", {});
  assert.deepEqual(modern.body.result?.structuredContent, { name: "anon", ok: false }, JSON.stringify(modern.body));
});
