// cf-state: what the public stateful photons rely on. @stateful constructor state (an array, a
// Collection, a Map) and @sharedState properties survive a restart of the Worker, saved after each
// call and each generator step; `protected settings` gives the local runtime's `settings` tool and
// a persisted `this.settings`; a method shadowed by a field runs; `{@format time}` takes "10:30";
// `this.instanceName` is '' for the default instance.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { boot, callTool, parseSse, rpc } from "./lib/harness.mjs";

let w;
before(async () => {
  w = await boot("state", "../runtime-ext/state/cf-state.photon.ts");
});
after(async () => {
  await w?.stop();
});

/** The tool's result value, or throws with its error text. */
async function call(name, args = {}, options = {}) {
  const r = await callTool(w.url, name, args, options);
  if (r.error) throw new Error(`${name}: ${r.error.message}`);
  const text = r.result.content?.[0]?.text;
  if (r.result.isError) throw new Error(`${name} failed: ${text}`);
  if (r.result.structuredContent !== undefined) return r.result.structuredContent;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Starts a streaming tools/call and resolves once an SSE message matching `until` has arrived;
 * the response stays open (the tool is still running) until `abort()`.
 */
async function streamUntil(name, args, until) {
  const controller = new AbortController();
  const res = await fetch(new URL("/mcp", w.url), {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json, text/event-stream" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 9001, method: "tools/call", params: { name, arguments: args } }),
    signal: controller.signal,
  });
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`stream ended before the expected message: ${text}`);
    text += decoder.decode(value, { stream: true });
    if (parseSse(text.slice(0, text.lastIndexOf("\n\n") + 2)).some(until)) break;
  }
  return { abort: () => controller.abort() };
}

test("@stateful constructor state (array, Collection, Map) and @sharedState survive a restart", async () => {
  assert.deepEqual(await call("add", { item: "apples" }), ["apples"]);
  assert.deepEqual(await call("addTask", { title: "write" }), { same: 1 });
  assert.deepEqual(await call("count", { word: "hi" }), { hi: 1 });
  assert.deepEqual(await call("count", { word: "hi" }), { hi: 2 });
  assert.deepEqual(await call("note", { text: "remember" }), { notes: ["remember"] });
  await call("add", { item: "pears" }, { query: "?instance=other" });
  await w.restart();
  assert.deepEqual(await call("get"), {
    items: ["apples"],
    tasks: [{ id: 1, title: "write" }],
    tasksIsCollection: true,
    tally: { hi: 2 },
    notes: ["remember"],
  });
  assert.deepEqual(await call("addTask", { title: "write" }), { same: 2 }, "the restored tasks are still a Collection");
  assert.deepEqual((await call("get", {}, { query: "?instance=other" })).items, ["pears"], "each instance keeps its own");
});

test("state is saved after each generator step and after a call that threw", async () => {
  await assert.rejects(call("addThenFail", { item: "partial" }), /failed after adding partial/);
  // The generator adds `mid`, yields a status, then never finishes: the restart cuts it off.
  const running = await streamUntil("slow", { first: "mid", finish: false }, (m) => m.method === "notifications/message" || JSON.stringify(m).includes("added mid"));
  await w.restart();
  running.abort();
  const items = (await call("get")).items;
  assert.ok(items.includes("partial"), JSON.stringify(items));
  assert.ok(items.includes("mid"), `the first step's change was saved: ${JSON.stringify(items)}`);
  assert.ok(!items.includes("mid-done"));
  const done = await call("slow", { first: "end", finish: true });
  assert.deepEqual(done.items.slice(-2), ["end", "end-done"]);
});

test("protected settings: the local runtime's settings tool, this.settings, persisted per instance", async () => {
  const listed = await rpc(w.url, { jsonrpc: "2.0", id: 1, method: "tools/list" });
  const tool = listed.body.result.tools.find((t) => t.name === "settings");
  assert.deepEqual(tool, {
    name: "settings",
    description:
      "View or update photon settings. Call with no arguments to view current settings. Pass parameters to update specific settings.",
    inputSchema: {
      type: "object",
      properties: {
        theme: { type: "string", description: "The colour theme", default: "light" },
        pageSize: { type: "number", description: "How many items a page shows", default: 10 },
        apiKey: { type: "string" },
        tags: { type: "string" },
      },
    },
  });
  assert.deepEqual(await call("settings"), { theme: "light", pageSize: 10, tags: [] });
  assert.deepEqual(await call("settings", { pageSize: 25, unknown: 1 }), { theme: "light", pageSize: 25, tags: [] });
  assert.deepEqual(await call("setTheme", { theme: "dark" }), { theme: "dark" });
  assert.deepEqual(await call("settings", {}, { query: "?instance=s2" }), { theme: "light", pageSize: 10, tags: [] });
  await w.restart();
  assert.deepEqual(await call("current"), { theme: "dark", pageSize: 25, apiKey: null });
  assert.deepEqual(await call("settings", { apiKey: "k" }), { theme: "dark", pageSize: 25, tags: [], apiKey: "k" });
  assert.deepEqual(await call("current", {}, { query: "?instance=s2" }), { theme: "light", pageSize: 10, apiKey: null });
});

test("a method shadowed by a field of the same name runs (the demo's counter)", async () => {
  assert.deepEqual(await call("counter", { action: "increment" }), { count: 1, action: "increment" });
  assert.deepEqual(await call("counter", { action: "increment" }), { count: 2, action: "increment" });
  assert.deepEqual(await call("counter", { action: "get" }), { count: 2, action: "get" });
});

test("format validation is no stricter than the local runtime: {@format time} takes 10:30", async () => {
  assert.deepEqual(await call("at", { at: "10:30", day: "tomorrow" }), { at: "10:30", day: "tomorrow" });
  const wrongType = await callTool(w.url, "at", { at: 1030 });
  assert.equal(wrongType.error?.code, -32602, "types are still checked");
});

test("this.instanceName is '' for the default instance, the name otherwise", async () => {
  assert.deepEqual(await call("who"), { instanceName: "", title: "untitled" });
  assert.deepEqual(await call("who", {}, { query: "?instance=docs-1" }), { instanceName: "docs-1", title: "docs-1" });
});
