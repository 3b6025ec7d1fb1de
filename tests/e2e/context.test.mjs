// The per-call context is kept exactly where a photon's code can reach it. A photon that cannot
// (memory only) is built context-free and its calls run without AsyncLocalStorage: concurrent
// calls from a client that accepts SSE are still answered, in order of their storage, with no
// update lost. A photon that reaches `emit` only through `this` passed to a helper keeps the
// context, and the helper's status reaches the caller's stream. A call of a context-free photon
// that stays silent still opens its stream after a keepalive interval.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { boot, parseSse, rpc } from "./lib/harness.mjs";

const SSE = "application/json, text/event-stream";
let tally;
let relay;
before(async () => {
  [tally, relay] = await Promise.all([
    boot("context-tally", "../runtime-ext/context/cf-tally.photon.ts"),
    boot("context-relay", "../runtime-ext/context/cf-relay.photon.ts"),
  ]);
});
after(async () => {
  await Promise.all([tally?.stop(), relay?.stop()]);
});

const manifestOf = (w) => readFileSync(join(w.dir, "src", "manifest.ts"), "utf8");
const call = (w, id, name, args, query = "") =>
  rpc(w.url, { jsonrpc: "2.0", id, method: "tools/call", params: { name, arguments: args, _meta: { progressToken: `p${id}` } } }, { accept: SSE, query });

test("a photon that cannot reach the call context is built context-free; one that passes `this` on is not", () => {
  assert.match(manifestOf(tally), /"contextFree": true/);
  assert.doesNotMatch(manifestOf(relay), /contextFree/);
});

test("concurrent calls of a context-free photon are each answered, none lost", async () => {
  const q = "?instance=ctx-many";
  const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => call(tally, i + 1, "bump", {}, q)));
  for (const [i, r] of answers.entries()) {
    assert.equal(r.status, 200);
    // Nothing was sent before the result, so it comes as plain JSON with its own id.
    assert.match(r.headers.get("content-type"), /application\/json/);
    assert.equal(r.body.id, i + 1);
  }
  const counts = answers.map((r) => r.body.result.structuredContent?.result ?? Number(r.body.result.content[0].text));
  assert.deepEqual([...counts].sort((a, b) => a - b), Array.from({ length: 40 }, (_, i) => i + 1));
  // A call that awaits a timer, interleaved with others, still gets its own answer.
  const [slow, fast] = await Promise.all([call(tally, 100, "linger", { ms: 300 }, q), call(tally, 101, "bump", {}, q)]);
  assert.equal(slow.body.id, 100);
  assert.equal(fast.body.id, 101);
  assert.equal(Number(fast.body.result.content[0].text), 41);
});

test("an emit reached through `this` passed to a helper still reaches the caller's stream", async () => {
  const answers = await Promise.all([call(relay, 1, "relay", { message: "one" }), call(relay, 2, "relay", { message: "two" })]);
  for (const [i, r] of answers.entries()) {
    const word = ["one", "two"][i];
    assert.equal(r.status, 200);
    assert.match(r.headers.get("content-type"), /text\/event-stream/);
    const progress = r.body.filter((m) => m.method === "notifications/progress").map((m) => [m.params.progressToken, m.params.message]);
    // Each call's status on its own stream, with its own token: the two calls did not mix.
    assert.deepEqual(progress, [[`p${i + 1}`, word]]);
    assert.equal(r.body.at(-1).result.content[0].text, `relayed ${word}`);
  }
});

test("a call that stays silent for a keepalive interval opens its stream before it ends, and its result comes on it", async () => {
  // The stream opens after 15 s of silence (the keepalive interval); the call ends at 17 s.
  const started = Date.now();
  const res = await fetch(new URL("/mcp?instance=ctx-slow", tally.url), {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: SSE },
    body: JSON.stringify({ jsonrpc: "2.0", id: 7, method: "tools/call", params: { name: "linger", arguments: { ms: 17000 } } }),
  });
  const headersAt = Date.now() - started;
  const text = await res.text();
  const endedAt = Date.now() - started;
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type"), /text\/event-stream/);
  // The response began (headers sent) well before the call ended: a proxy saw bytes meanwhile.
  assert.ok(endedAt - headersAt >= 1000, `headers at ${headersAt} ms, end at ${endedAt} ms`);
  const messages = parseSse(text);
  assert.equal(messages.at(-1).id, 7);
  assert.equal(messages.at(-1).result.content[0].text, "0");
});
