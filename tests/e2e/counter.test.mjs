// cf-counter: memory survives invocations and a restart, instance routing (query, header,
// _meta) with isolated instances, channel emits reaching /events subscribers of that instance only.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { boot, callTool, connect, structured, subscribe } from "./lib/harness.mjs";

let w;
before(async () => {
  w = await boot("counter", "counter/cf-counter.photon.ts");
});
after(async () => {
  await w?.stop();
});

test("memory survives invocations (SDK client, default instance)", async () => {
  const c = await connect(w.url);
  try {
    assert.deepEqual(structured(await c.client.callTool({ name: "reset", arguments: {} })), { count: 0 });
    assert.deepEqual(structured(await c.client.callTool({ name: "increment", arguments: {} })), { count: 1 });
    assert.deepEqual(structured(await c.client.callTool({ name: "increment", arguments: { n: 5 } })), { count: 6 });
    assert.deepEqual(structured(await c.client.callTool({ name: "get", arguments: {} })), { count: 6 });
  } finally {
    await c.close();
  }
});

test("instances are chosen by ?instance=, X-Photon-Instance, params._meta.photonInstance, else default; they never share memory", async () => {
  await callTool(w.url, "reset", {});
  await callTool(w.url, "increment", { n: 2 }, { query: "?instance=alpha" });
  await callTool(w.url, "increment", { n: 3 }, { headers: { "X-Photon-Instance": "beta" } });
  await callTool(w.url, "increment", { n: 4 }, { params: { _meta: { photonInstance: "gamma" } } });
  const get = async (opts) => (await callTool(w.url, "get", {}, opts)).result.structuredContent.count;
  assert.equal(await get({ query: "?instance=alpha" }), 2);
  assert.equal(await get({ headers: { "X-Photon-Instance": "alpha" } }), 2);
  assert.equal(await get({ params: { _meta: { photonInstance: "alpha" } } }), 2);
  assert.equal(await get({ query: "?instance=beta" }), 3);
  assert.equal(await get({ query: "?instance=gamma" }), 4);
  assert.equal(await get({}), 0, "the default instance saw none of it");
  // Priority: the query wins over the header, which wins over _meta.
  assert.equal(await get({ query: "?instance=alpha", headers: { "X-Photon-Instance": "beta" }, params: { _meta: { photonInstance: "gamma" } } }), 2);
  assert.equal(await get({ headers: { "X-Photon-Instance": "beta" }, params: { _meta: { photonInstance: "gamma" } } }), 3);
  // The outer Worker skips parsing a body that cannot name an instance; one that spells the key
  // with a JSON escape still names it.
  const escaped = '{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"get","arguments":{},"_meta":{"photon\\u0049nstance":"alpha"}}}';
  const answer = await fetch(new URL("/mcp", w.url), {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: escaped,
  });
  assert.equal((await answer.json()).result.structuredContent.count, 2);
});

test("channel emits reach /events subscribers of the same instance (and *), never other instances", async () => {
  const mine = await subscribe(w.url, "?instance=ws1&channel=counter");
  const star = await subscribe(w.url, "?instance=ws1&channel=*");
  const other = await subscribe(w.url, "?instance=ws2&channel=counter");
  const unrelated = await subscribe(w.url, "?instance=ws1&channel=else");
  try {
    await callTool(w.url, "increment", { n: 7 }, { query: "?instance=ws1" });
    const got = await mine.waitFor(1);
    assert.equal(got[0].channel, "counter");
    assert.equal(got[0].count, 7);
    assert.equal((await star.waitFor(1))[0].count, 7);
    // The event was published before the call returned, so it precedes each socket's pong.
    assert.equal((await other.sync()).length, 0);
    assert.equal((await unrelated.sync()).length, 0);
    assert.equal((await mine.sync()).length, 1, "one copy per socket");
  } finally {
    for (const s of [mine, star, other, unrelated]) s.close();
  }
});

test("memory survives a restart of the runtime", async () => {
  await callTool(w.url, "reset", {}, { query: "?instance=durable" });
  await callTool(w.url, "increment", { n: 41 }, { query: "?instance=durable" });
  await w.restart();
  const after = await callTool(w.url, "increment", {}, { query: "?instance=durable" });
  assert.deepEqual(after.result.structuredContent, { count: 42 });
});
