// cf-config: constructor parameters come from the Worker's env vars (photon-format.md §1.3);
// a missing required one is an error on every tool call that names the variable, until it is
// set; static methods are called on the class.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { boot, callTool, startWrangler } from "./lib/harness.mjs";

let w;
let configured;
before(async () => {
  w = await boot("config", "config/cf-config.photon.ts");
});
after(async () => {
  await configured?.stop();
  await w?.stop();
});

test("a missing required env var fails every call with its name, and lists/initialize still work", async () => {
  for (let i = 0; i < 2; i++) {
    const r = await callTool(w.url, "settings", {});
    assert.equal(r.result.isError, true);
    assert.match(r.result.content[0].text, /CF_CONFIG_API_KEY/);
  }
  const list = await (await fetch(new URL("/mcp", w.url), { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }) })).json();
  assert.deepEqual(list.result.tools.map((t) => t.name).sort(), ["kind", "settings"]);
});

test("env vars are parsed by the parameter's type; unset optional ones keep the TS default", async () => {
  configured = await startWrangler(w.dir, { vars: { CF_CONFIG_API_KEY: "secret-123", CF_CONFIG_VERBOSE: "true" } });
  const r = await callTool(configured.url, "settings", {});
  assert.deepEqual(r.result.structuredContent, { keyLength: 10, limit: 5, verbose: true });
});

test("a bad number is a clear error", async () => {
  await configured.stop();
  configured = await startWrangler(w.dir, { vars: { CF_CONFIG_API_KEY: "k", CF_CONFIG_LIMIT: "many" } });
  const r = await callTool(configured.url, "settings", {});
  assert.equal(r.result.isError, true);
  assert.match(r.result.content[0].text, /CF_CONFIG_LIMIT must be a number/);
});

test("static methods run on the class", async () => {
  const r = await callTool(configured.url, "kind", {});
  assert.deepEqual(r.result.structuredContent, { kind: "static" });
});
