// cf-memory (+ cf-memory-peer): every this.memory method with local semantics, positional
// scopes and option objects, the global scope shared across instances and photons, atomic
// async update, runtime keys out of reach, instanceName and callerCwd.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { boot, callTool } from "./lib/harness.mjs";

let w;
before(async () => {
  w = await boot("memory", "memory/cf-memory.photon.ts");
});
after(async () => {
  await w?.stop();
});

/** Calls a tool on an instance and returns its structuredContent (fails on errors). */
async function on(instance, tool, args = {}) {
  const r = await callTool(w.url, tool, args, { query: `?instance=${instance}` });
  assert.ok(r.result && !r.result.isError, `${tool}: ${JSON.stringify(r)}`);
  return r.result.structuredContent;
}

test("get/set/has/delete/keys/list/getAll/clear follow the local runtime", async () => {
  const i = "basic";
  assert.deepEqual(await on(i, "get", { key: "missing" }), { value: null });
  assert.deepEqual(await on(i, "has", { key: "missing" }), { has: false });
  await on(i, "set", { key: "user:1", value: { name: "Ada", born: 1815 } });
  await on(i, "set", { key: "user:2", value: "Grace" });
  await on(i, "set", { key: "other", value: [1, 2] });
  await on(i, "set", { key: "nothing", value: null });
  assert.deepEqual(await on(i, "get", { key: "user:1" }), { value: { name: "Ada", born: 1815 } });
  assert.deepEqual(await on(i, "has", { key: "user:2" }), { has: true });
  assert.deepEqual((await on(i, "keys")).keys.sort(), ["nothing", "other", "user:1", "user:2"]);
  assert.deepEqual(await on(i, "list", { prefix: "user:" }), {
    items: [
      { key: "user:1", value: { name: "Ada", born: 1815 } },
      { key: "user:2", value: "Grace" },
    ],
  });
  assert.equal((await on(i, "list")).items.length, 4, "no prefix lists everything");
  assert.deepEqual(await on(i, "getAll"), { all: { other: [1, 2], "user:1": { name: "Ada", born: 1815 }, "user:2": "Grace" } }, "getAll skips nulls");
  assert.deepEqual(await on(i, "del", { key: "user:2" }), { existed: true });
  assert.deepEqual(await on(i, "del", { key: "user:2" }), { existed: false });
  await on(i, "clear");
  assert.deepEqual(await on(i, "keys"), { keys: [] });
});

test("update awaits an async updater and never loses concurrent updates", async () => {
  assert.deepEqual(await on("upd", "add", { key: "n", by: 2 }), { value: 2 });
  assert.deepEqual(await on("upd", "add", { key: "n", by: 3 }), { value: 5 });
  assert.deepEqual(await on("upd", "race", { key: "r", n: 20 }), { value: 20 });
  // Concurrent tool calls on one instance, each updating the same key.
  await Promise.all(Array.from({ length: 10 }, () => on("upd", "add", { key: "c", by: 1 })));
  assert.deepEqual(await on("upd", "get", { key: "c" }), { value: 10 });
});

test("scopes: photon and session are per instance and apart; global is one store for every instance and photon", async () => {
  await on("s1", "set", { key: "k", value: "photon-value" });
  await on("s1", "set", { key: "k", value: "session-value", scope: "session" });
  await on("s1", "set", { key: "k", value: "global-value", scope: "global" });
  assert.deepEqual(await on("s1", "get", { key: "k" }), { value: "photon-value" });
  assert.deepEqual(await on("s1", "get", { key: "k", scope: "photon" }), { value: "photon-value" });
  assert.deepEqual(await on("s1", "get", { key: "k", scope: "session" }), { value: "session-value" });
  assert.deepEqual(await on("s1", "get", { key: "k", scope: "global" }), { value: "global-value" });
  // Another instance: its own photon scope, the same global store.
  assert.deepEqual(await on("s2", "get", { key: "k" }), { value: null });
  assert.deepEqual(await on("s2", "get", { key: "k", scope: "session" }), { value: null });
  assert.deepEqual(await on("s2", "get", { key: "k", scope: "global" }), { value: "global-value" });
  // Another photon (the sibling) reads the same global key.
  assert.deepEqual(await on("s3", "peerGlobal", { key: "k" }), { value: "global-value" });
  await on("s2", "add", { key: "g", by: 1, scope: "global" });
  await on("s1", "add", { key: "g", by: 1, scope: "global" });
  assert.deepEqual(await on("s3", "peerGlobal", { key: "g" }), { value: 2 });
  assert.ok((await on("s9", "keys", { scope: "global" })).keys.includes("k"));
  await on("s2", "del", { key: "k", scope: "global" });
  assert.deepEqual(await on("s1", "get", { key: "k", scope: "global" }), { value: null });
});

test("an unknown scope is an error", async () => {
  const r = await callTool(w.url, "get", { key: "k", scope: "galaxy" });
  assert.equal(r.result.isError, true);
  assert.match(r.result.content[0].text, /unknown scope/);
});

test("the design doc's {namespace} option objects keep namespaces apart", async () => {
  await on("ns", "nsSet", { namespace: "a", key: "x", value: 1 });
  await on("ns", "nsSet", { namespace: "b", key: "x", value: 2 });
  await on("ns", "nsSet", { namespace: "a:b", key: "x", value: 3 });
  assert.deepEqual(await on("ns", "nsGet", { namespace: "a", key: "x" }), { value: 1, items: [{ key: "x", value: 1 }] });
  assert.deepEqual(await on("ns", "nsGet", { namespace: "b", key: "x" }), { value: 2, items: [{ key: "x", value: 2 }] });
  assert.deepEqual(await on("ns", "nsGet", { namespace: "a:b", key: "x" }), { value: 3, items: [{ key: "x", value: 3 }] });
  assert.deepEqual(await on("ns", "get", { key: "x" }), { value: null }, "the default namespace is separate");
});

test("user keys cannot reach the runtime's keys", async () => {
  const i = "keys-probe";
  for (const key of ["__rt__:instance", "__sched__:x", "m:photon:cf-memory:a", "../x"]) {
    await on(i, "set", { key, value: "hijack" });
  }
  assert.equal((await on(i, "who")).instanceName, i);
  assert.deepEqual(await on(i, "get", { key: "__rt__:instance" }), { value: "hijack" });
  assert.equal((await on(i, "keys")).keys.length, 4, "exactly the four user keys, nothing of the runtime's");
});

test("instanceName is the instance ('' for the default one, as locally); callerCwd is undefined; caller is anonymous", async () => {
  const anonymous = { id: "anonymous", anonymous: true };
  const r = await callTool(w.url, "who", {});
  assert.deepEqual(r.result.structuredContent, { instanceName: "", callerCwdIsUndefined: true, hasCallerCwd: true, caller: anonymous });
  assert.deepEqual(await on("named", "who"), { instanceName: "named", callerCwdIsUndefined: true, hasCallerCwd: true, caller: anonymous });
  // The caller identity header is the outer Worker's alone: a client cannot claim one.
  const spoof = await callTool(w.url, "who", {}, { headers: { "X-Photon-Caller": JSON.stringify({ id: "admin", anonymous: false }) } });
  assert.deepEqual(spoof.result.structuredContent.caller, anonymous);
});

test("memory and global memory survive a restart", async () => {
  await on("persist", "set", { key: "p", value: { v: 1 } });
  await on("persist", "set", { key: "gp", value: "shared", scope: "global" });
  await w.restart();
  assert.deepEqual(await on("persist", "get", { key: "p" }), { value: { v: 1 } });
  assert.deepEqual(await on("other", "get", { key: "gp", scope: "global" }), { value: "shared" });
});
