// Nothing is lost under concurrent load: N tool calls fired at once across M instances leave
// exactly N counted, per instance and in total. Three counters are checked: cf-counter's
// `memory.update` (the runtime's own read-modify-write), the hostile photon's naive `bump`
// (a get, an await, then a set — correct only because Durable Object input gates hold other
// requests back while the storage read is in flight), and the same naive bump reached through
// a sibling call over Durable Object RPC, in the caller's instance.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { boot, callTool, rpc } from "./lib/harness.mjs";

const INSTANCES = 4;
const PER_INSTANCE = 60;
const N = INSTANCES * PER_INSTANCE;

let counter;
let hostile;
let relay;
before(async () => {
  counter = await boot("concurrency-counter", "counter/cf-counter.photon.ts");
  hostile = await boot("concurrency-hostile", "../hostile/hostile.photon.ts");
  relay = await boot("concurrency-relay", "../hostile/relay.photon.ts");
});
after(async () => {
  await counter?.stop();
  await hostile?.stop();
  await relay?.stop();
});

/** Routes call i to its instance by a different mechanism each time, as real clients would. */
function routed(i, instance) {
  switch (i % 3) {
    case 0:
      return { query: `?instance=${instance}` };
    case 1:
      return { headers: { "X-Photon-Instance": instance } };
    default:
      return { params: { _meta: { photonInstance: instance } } };
  }
}

/** Fires every call at once and returns the responses; any failed call fails the test. */
async function fireAll(server, tool, argsFor) {
  const base = server.url;
  const calls = [];
  for (let i = 0; i < N; i++) {
    const instance = `load-${i % INSTANCES}`;
    const options = routed(i, instance);
    const body = { jsonrpc: "2.0", id: i + 1, method: "tools/call", params: { name: tool, arguments: argsFor(i), ...(options.params ?? {}) } };
    calls.push(rpc(base, body, options));
  }
  const answers = await Promise.all(calls);
  // The whole HTTP answer on a failure, so a proxy error is told apart from a runtime one.
  answers.forEach((a, i) =>
    assert.ok(a.body?.result && !a.body.result.isError, `call ${i} failed: HTTP ${a.status} ${a.text.slice(0, 500)}\nwrangler's log ends:\n${server.log().slice(-3000)}`),
  );
  return answers.map((a) => a.body);
}

test(`${N} concurrent memory.update increments across ${INSTANCES} instances count exactly ${N}`, async () => {
  const responses = await fireAll(counter, "increment", (i) => (i % 2 === 0 ? {} : { n: 1 }));
  let total = 0;
  for (let m = 0; m < INSTANCES; m++) {
    const r = await callTool(counter.url, "get", {}, { query: `?instance=load-${m}` });
    assert.equal(r.result.structuredContent.count, PER_INSTANCE, `instance load-${m}`);
    total += r.result.structuredContent.count;
  }
  assert.equal(total, N);
  // Each instance handed out every value from 1 to PER_INSTANCE exactly once: no two calls saw
  // the same intermediate state.
  const seen = new Map();
  responses.forEach((r, i) => {
    const key = `load-${i % INSTANCES}`;
    if (!seen.has(key)) seen.set(key, []);
    seen.get(key).push(r.result.structuredContent.count);
  });
  for (const [key, counts] of seen) {
    assert.deepEqual(counts.sort((a, b) => a - b), Array.from({ length: PER_INSTANCE }, (_, k) => k + 1), key);
  }
  // The default instance was never touched.
  const untouched = await callTool(counter.url, "get", {});
  assert.equal(untouched.result.structuredContent.count, 0);
});

test(`${N} concurrent naive get-then-set bumps across ${INSTANCES} instances count exactly ${N}`, async () => {
  const responses = await fireAll(hostile, "bump", () => ({}));
  let total = 0;
  for (let m = 0; m < INSTANCES; m++) {
    const r = await callTool(hostile.url, "bumps", {}, { query: `?instance=load-${m}` });
    assert.equal(r.result.structuredContent.bumps, PER_INSTANCE, `instance load-${m}`);
    total += r.result.structuredContent.bumps;
  }
  assert.equal(total, N);
  const values = responses.map((r) => r.result.structuredContent.bumps);
  for (let m = 0; m < INSTANCES; m++) {
    const mine = values.filter((_, i) => i % INSTANCES === m).sort((a, b) => a - b);
    assert.deepEqual(mine, Array.from({ length: PER_INSTANCE }, (_, k) => k + 1), `load-${m}`);
  }
});

test("concurrent streaming (SSE) and plain calls on one instance lose nothing either", async () => {
  const instance = "load-sse";
  const calls = [];
  for (let i = 0; i < 40; i++) {
    const accept = i % 2 === 0 ? "application/json, text/event-stream" : "application/json";
    calls.push(rpc(counter.url, { jsonrpc: "2.0", id: i, method: "tools/call", params: { name: "increment", arguments: { n: 2 } } }, { accept, query: `?instance=${instance}` }));
  }
  const responses = await Promise.all(calls);
  for (const r of responses) assert.equal(r.status, 200, r.text);
  const r = await callTool(counter.url, "get", {}, { query: `?instance=${instance}` });
  assert.equal(r.result.structuredContent.count, 80);
});

test(`${N} concurrent bumps through a sibling call (Durable Object RPC) across ${INSTANCES} instances count exactly ${N}`, async () => {
  await fireAll(relay, "bump", () => ({}));
  let total = 0;
  for (let m = 0; m < INSTANCES; m++) {
    const r = await callTool(relay.url, "reach", { method: "bumps" }, { query: `?instance=load-${m}` });
    const bumps = r.result.structuredContent.result.bumps;
    assert.equal(bumps, PER_INSTANCE, `sibling instance load-${m}`);
    total += bumps;
  }
  assert.equal(total, N);
});
