// The MCP surface of one photon (cf-core, a PhotonMCP subclass with onInitialize): initialize,
// tools/list, tools/call (validation, spreading, results, errors), JSON-RPC edge cases, HTTP
// methods, CORS, limits, the outer routes, and the generated project type-checking.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { boot, callTool, connect, rpc, structured, typecheck } from "./lib/harness.mjs";

let w;
before(async () => {
  w = await boot("core", "core/cf-core.photon.ts");
});
after(async () => {
  await w?.stop();
});

describe("initialize", () => {
  for (const version of ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"]) {
    test(`echoes supported protocol version ${version}`, async () => {
      const r = await rpc(w.url, { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: version, capabilities: {}, clientInfo: { name: "t", version: "1" } } });
      assert.equal(r.status, 200);
      assert.equal(r.body.result.protocolVersion, version);
    });
  }

  test("an unknown version gets the newest supported one, with serverInfo and instructions", async () => {
    const r = await rpc(w.url, { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "1999-01-01", capabilities: {}, clientInfo: { name: "t", version: "1" } } });
    const result = r.body.result;
    assert.equal(result.protocolVersion, "2025-11-25");
    assert.deepEqual(result.serverInfo, { name: "cf-core", version: "0.4.2" });
    assert.match(result.instructions, /Core behaviours/);
    assert.ok(result.capabilities.tools);
    assert.equal(r.headers.get("mcp-session-id"), null, "no sessions are issued");
  });
});

describe("tools/list", () => {
  test("lists clean MCP tools: no internal, private or lifecycle methods, no internal fields", async () => {
    const r = await rpc(w.url, { jsonrpc: "2.0", id: 2, method: "tools/list" });
    const tools = r.body.result.tools;
    const names = tools.map((t) => t.name).sort();
    assert.deepEqual(names, ["add", "boom", "bump", "echo", "hello", "numbers", "stats"]);
    const allowed = new Set(["name", "title", "description", "inputSchema", "outputSchema", "annotations", "_meta", "icons"]);
    for (const tool of tools) {
      for (const key of Object.keys(tool)) assert.ok(allowed.has(key), `tool ${tool.name} leaks ${key}`);
      assert.equal(tool.inputSchema.type, "object");
    }
    const add = tools.find((t) => t.name === "add");
    assert.deepEqual(Object.keys(add.inputSchema.properties), ["a", "b"]);
  });
});

describe("tools/call", () => {
  test("positional parameters are spread in declaration order", async () => {
    const r = await callTool(w.url, "add", { b: 10, a: 1 });
    assert.deepEqual(r.result.structuredContent, { sum: 11 });
    assert.equal(JSON.parse(r.result.content[0].text).sum, 11);
  });

  test("a single object parameter receives the arguments object", async () => {
    const r = await callTool(w.url, "echo", { text: "ab", times: 3 });
    assert.deepEqual(r.result.structuredContent, { text: "ababab" });
  });

  test("invalid arguments are -32602 naming the field, before the call", async () => {
    const r = await callTool(w.url, "add", { a: "one", b: 2 });
    assert.equal(r.error.code, -32602);
    assert.match(r.error.message, /'a'/);
    const missing = await callTool(w.url, "add", { a: 1 });
    assert.equal(missing.error.code, -32602);
    assert.match(missing.error.message, /b/);
    const nested = await callTool(w.url, "echo", { text: 5 });
    assert.equal(nested.error.code, -32602);
    assert.match(nested.error.message, /'text'/);
  });

  test("inline constraints ({@min}) are enforced", async () => {
    const r = await callTool(w.url, "add", { a: -1, b: 2 });
    assert.equal(r.error?.code, -32602, JSON.stringify(r));
  });

  test("only listed tools can be called", async () => {
    for (const name of ["hidden", "secretMethod", "onInitialize", "constructor", "__proto__", "toString", "hasOwnProperty", "memory", "emit", "photonCall", "fetch", "alarm"]) {
      const r = await callTool(w.url, name, {});
      assert.equal(r.error?.code, -32602, `${name}: ${JSON.stringify(r)}`);
      assert.match(r.error.message, /Unknown tool/);
    }
  });

  test("a thrown error is isError with its message", async () => {
    const r = await callTool(w.url, "boom", { message: "kaput" });
    assert.equal(r.result.isError, true);
    assert.equal(r.result.content[0].text, "kaput");
  });

  test("arrays are text only; strings are plain text", async () => {
    const list = await callTool(w.url, "numbers", {});
    assert.equal(list.result.structuredContent, undefined);
    assert.deepEqual(JSON.parse(list.result.content[0].text), [1, 2, 3]);
    const hello = await callTool(w.url, "hello", {});
    assert.deepEqual(hello.result.content, [{ type: "text", text: "hello" }]);
  });

  test("arguments must be an object", async () => {
    const r = await rpc(w.url, { jsonrpc: "2.0", id: 9, method: "tools/call", params: { name: "add", arguments: [1, 2] } });
    assert.equal(r.body.error.code, -32602);
  });
});

describe("JSON-RPC", () => {
  test("ping", async () => {
    const r = await rpc(w.url, { jsonrpc: "2.0", id: "p", method: "ping" });
    assert.deepEqual(r.body, { jsonrpc: "2.0", id: "p", result: {} });
  });

  test("notifications and responses get 202 with no body", async () => {
    const n = await rpc(w.url, { jsonrpc: "2.0", method: "notifications/initialized" });
    assert.equal(n.status, 202);
    assert.equal(n.text, "");
    const resp = await rpc(w.url, { jsonrpc: "2.0", id: "nobody-asked", result: {} });
    assert.equal(resp.status, 202);
    assert.equal(resp.text, "");
  });

  test("unknown method is -32601", async () => {
    const r = await rpc(w.url, { jsonrpc: "2.0", id: 3, method: "resources/frobnicate" });
    assert.equal(r.body.error.code, -32601);
  });

  test("bad JSON is -32700", async () => {
    const r = await rpc(w.url, "{not json");
    assert.equal(r.body.error.code, -32700);
    assert.equal(r.body.id, null);
  });

  test("batches are refused with -32600", async () => {
    const r = await rpc(w.url, [{ jsonrpc: "2.0", id: 1, method: "ping" }]);
    assert.equal(r.body.error.code, -32600);
  });

  test("an unsupported Mcp-Protocol-Version header is 400", async () => {
    const r = await rpc(w.url, { jsonrpc: "2.0", id: 1, method: "ping" }, { headers: { "Mcp-Protocol-Version": "1999-01-01" } });
    assert.equal(r.status, 400);
  });
});

describe("HTTP surface", () => {
  test("GET /mcp is 405 with Allow; DELETE /mcp is 405 (no sessions)", async () => {
    const get = await fetch(new URL("/mcp", w.url), { headers: { Accept: "text/event-stream" } });
    assert.equal(get.status, 405);
    assert.match(get.headers.get("allow"), /POST/);
    const del = await fetch(new URL("/mcp", w.url), { method: "DELETE" });
    assert.equal(del.status, 405);
  });

  test("CORS preflight allows the MCP headers and exposes Mcp-Session-Id", async () => {
    // Served locally, only a localhost Origin is allowed (origin.ts); CORS echoes it.
    const origin = new URL(w.url).origin;
    const r = await fetch(new URL("/mcp", w.url), {
      method: "OPTIONS",
      headers: { Origin: origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "mcp-protocol-version, mcp-session-id" },
    });
    assert.ok(r.status === 204 || r.status === 200);
    const allow = r.headers.get("access-control-allow-headers").toLowerCase();
    assert.match(allow, /mcp-protocol-version/);
    assert.match(allow, /mcp-session-id/);
    const post = await rpc(w.url, { jsonrpc: "2.0", id: 1, method: "ping" }, { headers: { Origin: origin } });
    assert.match(post.headers.get("access-control-expose-headers"), /Mcp-Session-Id/);
    assert.equal(post.headers.get("access-control-allow-origin"), origin);
  });

  test("/__call and unknown paths are 404 from outside", async () => {
    for (const [method, path] of [["POST", "/__call"], ["GET", "/__call"], ["POST", "/__call?instance=default"], ["GET", "/nope"], ["POST", "/mcp/../__call"]]) {
      const r = await fetch(new URL(path, w.url), { method, body: method === "POST" ? JSON.stringify({ method: "add", args: { a: 1, b: 2 } }) : undefined });
      assert.equal(r.status, 404, `${method} ${path}`);
    }
  });

  test("GET / describes the photon", async () => {
    const r = await fetch(new URL("/?instance=zeta", w.url));
    const body = await r.json();
    assert.equal(body.name, "cf-core");
    assert.equal(body.instance, "zeta");
    assert.equal(body.tools, 7);
    assert.equal(body.endpoints.mcp, "/mcp");
  });

  test("invalid instance names are 400", async () => {
    for (const bad of ["", "a".repeat(129), "../x", "a b", "__rt__/x", "-lead"]) {
      const r = await rpc(w.url, { jsonrpc: "2.0", id: 1, method: "ping" }, { query: `?instance=${encodeURIComponent(bad)}` });
      assert.equal(r.status, 400, JSON.stringify(bad));
    }
    const viaMeta = await rpc(w.url, { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "stats", arguments: {}, _meta: { photonInstance: "no/slash" } } });
    assert.equal(viaMeta.status, 400);
  });

  test("bodies over 1 MiB are 413", async () => {
    const big = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "echo", arguments: { text: "x".repeat(1024 * 1024 + 10) } } });
    const r = await rpc(w.url, big);
    assert.equal(r.status, 413);
  });
});

describe("lifecycle", () => {
  test("onInitialize runs once per activation, before the first call, with one live object per instance", async () => {
    const instance = `life-${Date.now()}`;
    const results = await Promise.all(Array.from({ length: 8 }, () => callTool(w.url, "stats", {}, { query: `?instance=${instance}` })));
    for (const r of results) assert.deepEqual(r.result.structuredContent, { initCount: 1, activation: 1, instance });
    const again = await callTool(w.url, "stats", {}, { query: `?instance=${instance}` });
    assert.equal(again.result.structuredContent.initCount, 1);
  });

  test("@locked calls on one instance take turns", async () => {
    const q = "?instance=locked";
    const results = await Promise.all(Array.from({ length: 6 }, () => callTool(w.url, "bump", {}, { query: q })));
    const seen = results.map((r) => r.result.structuredContent.bumps).sort((a, b) => a - b);
    assert.deepEqual(seen, [1, 2, 3, 4, 5, 6]);
  });

  test("the MCP SDK client works end to end (SSE tool calls)", async () => {
    const c = await connect(w.url, { instance: "sdk" });
    try {
      const { tools } = await c.client.listTools();
      assert.equal(tools.length, 7);
      const r = await c.client.callTool({ name: "add", arguments: { a: 2, b: 3 } });
      assert.deepEqual(structured(r), { sum: 5 });
      await c.client.ping();
      const e = await c.client.callTool({ name: "boom", arguments: { message: "bad" } });
      assert.equal(e.isError, true);
      await assert.rejects(c.client.callTool({ name: "hidden", arguments: {} }), /Unknown tool/);
      assert.equal(c.client.getServerVersion().name, "cf-core");
    } finally {
      await c.close();
    }
  });
});

test("the generated project passes tsc --noEmit against the Workers types", async () => {
  const r = await typecheck(w.dir);
  assert.equal(r.status, 0, r.output);
});
