// Security and robustness of the generated Worker, proven against a running workerd: hostile
// photon text cannot break the generated code (it builds, type-checks, boots and comes back
// byte for byte), nothing internal is reachable from outside (sibling path, unlisted methods,
// runtime storage keys), inputs are bounded (body size, instance names, JSON-RPC shape,
// arguments validated before photon code runs), and a client that disappears leaves no call
// parked forever.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { join } from "node:path";
import { boot, callTool, callToolOk, parseSse, rpc, typecheck } from "./lib/harness.mjs";

const TIMEOUT_MS = 3000;

/** The hostile photon's JSDoc and enum text, as the source spells it. */
const HOSTILE_VERSION = '1.0.0"]\\n[evil]`${x}`</script>';
const HOSTILE_MODES = ["plain", 'quo"te', "it's", "${x}", "*/", "</script>", "back`tick", '"]\n[x]', "{{ x }}"];
const LISTED = ["echo", "remember", "recall", "keys", "status", "bump", "bumps", "globals", "whoami", "ask", "touch"];

let w;
before(async () => {
  w = await boot("security-hostile", "../hostile/hostile.photon.ts", { vars: { PHOTON_REQUEST_TIMEOUT_MS: String(TIMEOUT_MS) } });
});
after(async () => {
  await w?.stop();
});

/** The tool's result on this file's Worker, failing the test on a JSON-RPC error or isError. */
const ok = (name, args = {}, options = {}) => callToolOk(w.url, name, args, options);

/** Nothing marked the instance as compromised. */
async function assertNotPwned(query = "") {
  const status = await ok("status", {}, { query });
  assert.equal(status.pwned, null, `an unreachable method ran: ${status.pwned}`);
}

/** A raw HTTP request whose path is sent exactly as given (fetch would normalise `..`). */
function rawRequest(base, method, path, { headers = {}, body } = {}) {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, method, path, headers }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, text }));
    });
    req.on("error", reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

describe("hostile photon text is encoded, never executed", () => {
  test("the generated project type-checks and keeps the text out of code and TOML", async () => {
    const check = await typecheck(w.dir);
    assert.equal(check.status, 0, check.output);
    const toml = readFileSync(join(w.dir, "wrangler.toml"), "utf8");
    // `"] \n[evil]` in the docblock must never open a table of its own.
    assert.doesNotMatch(toml, /^\s*\[evil\]/m);
    assert.doesNotMatch(toml, /PWNED/);
    const worker = readFileSync(join(w.dir, "src/worker.ts"), "utf8");
    assert.doesNotMatch(worker, /pwned|<\/script>|\{\{|evil/);
    // The photon runs unchanged: its source is copied byte for byte.
    const original = readFileSync(new URL("../../fixtures/hostile/hostile.photon.ts", import.meta.url));
    assert.deepEqual(readFileSync(join(w.dir, "src/photons/hostile.photon.ts")), original);
  });

  test("initialize and GET / return the @version and description byte for byte", async () => {
    const init = await rpc(w.url, { jsonrpc: "2.0", id: "init", method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } } });
    assert.equal(init.body.result.serverInfo.version, HOSTILE_VERSION);
    const instructions = init.body.result.instructions;
    for (const piece of ["`backticks`", "${globalThis.pwned = true}", "</script><script>alert(1)</script>", "{{ photons }}", "{%- raw -%}", '"] \\n[evil]', "\u2028", "\u2029", "\\u0041", "a lone backslash \\ then \\\\"]) {
      assert.ok(instructions.includes(piece), `instructions lost ${JSON.stringify(piece)}: ${JSON.stringify(instructions)}`);
    }
    const info = await (await fetch(new URL("/", w.url))).json();
    assert.equal(info.version, HOSTILE_VERSION);
    assert.equal(info.description, instructions);
  });

  test("tools/list carries descriptions, parameter docs and enum literals unchanged", async () => {
    const r = await rpc(w.url, { jsonrpc: "2.0", id: 1, method: "tools/list" });
    const tools = r.body.result.tools;
    assert.deepEqual(tools.map((t) => t.name).sort(), [...LISTED].sort());
    const echo = tools.find((t) => t.name === "echo");
    assert.ok(echo.description.includes("${not.interpolated}") && echo.description.includes("*\\/ </script>") && echo.description.includes("{% if true %}jinja{% endif %}"), echo.description);
    assert.equal(echo.inputSchema.properties.text.description, 'The text "to" echo `back` ${x} </script> "]\\n[y]');
    assert.deepEqual(echo.inputSchema.properties.mode.enum, HOSTILE_MODES);
  });

  test("every hostile enum literal round-trips through a call", async () => {
    for (const mode of HOSTILE_MODES) {
      const out = await ok("echo", { text: `t ${mode}`, mode });
      assert.deepEqual(out, { text: `t ${mode}`, mode });
    }
    const bad = await callTool(w.url, "echo", { text: "x", mode: "plain " });
    assert.equal(bad.error?.code, -32602, JSON.stringify(bad));
  });

  test("no docblock text ran as code at module load", async () => {
    const g = await ok("globals");
    assert.equal(g.pwned, null);
  });
});

describe("nothing internal is reachable from outside", () => {
  const UNLISTED = [
    "wipe", // @internal: schedules and siblings only
    "secret", // private
    "guarded", // protected
    "_hidden",
    "#sharp",
    "sharp",
    "arrow", // a property holding a function
    "sneaky", // a getter
    "constructor",
    "onInitialize",
    "toString",
    "valueOf",
    "hasOwnProperty",
    "__proto__",
    "__defineGetter__",
    "prototype",
    "then",
    // The runtime's own members, on the photon and on the Durable Object.
    "memory",
    "emit",
    "call",
    "sample",
    "elicit",
    "schedule",
    "instanceName",
    "env",
    "fetch",
    "alarm",
    "photonCall",
    "photonPublish",
    "webSocketMessage",
    "webSocketClose",
    // Near misses of listed tools.
    "ECHO",
    "echo ",
    " echo",
    "echo\u0000",
    "status.constructor",
    "",
  ];

  test("tools/call refuses every unlisted name with a JSON-RPC error and runs nothing", async () => {
    for (const name of UNLISTED) {
      const r = await callTool(w.url, name, {});
      assert.ok(r.error, `${JSON.stringify(name)} was not refused: ${JSON.stringify(r)}`);
      assert.equal(r.error.code, -32602, JSON.stringify(name));
    }
    // A name that is not a string at all.
    for (const name of [null, 1, ["echo"], { toString: "echo" }]) {
      const r = await rpc(w.url, { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name, arguments: {} } });
      assert.equal(r.body.error?.code, -32602, JSON.stringify(name));
    }
    await assertNotPwned();
  });

  test("JSON-RPC methods other than the MCP ones are -32601, whatever they are called", async () => {
    for (const method of ["photonCall", "photonPublish", "__call", "wipe", "tools/call/../wipe", "constructor", "__proto__", "toString", "hasOwnProperty"]) {
      const r = await rpc(w.url, { jsonrpc: "2.0", id: 7, method, params: {} });
      assert.equal(r.body.error?.code, -32601, `${method}: ${r.text}`);
    }
    await assertNotPwned();
  });

  test("the sibling-call path and every other path answer 404 from outside and run nothing", async () => {
    const body = JSON.stringify({ method: "wipe", args: {}, params: {} });
    const paths = ["/__call", "/__call/", "//__call", "/__call?instance=default", "/%5F%5Fcall", "/%5f_call", "/mcp/__call", "/mcp/../__call", "/events/../__call", "/./__call", "/MCP", "/Mcp", "/mcp%2F..%2F__call", "/mcp/", "/events/x", "/photonCall", "/wipe", "/__rt__"];
    for (const path of paths) {
      for (const method of ["POST", "GET", "PUT"]) {
        const r = await rawRequest(w.url, method, path, { headers: { "Content-Type": "application/json" }, body: method === "GET" ? undefined : body });
        // `/mcp/` is `/mcp` (a trailing slash is ignored); everything else is not a route.
        if (path === "/mcp/") {
          assert.notEqual(r.status, 404, `${method} ${path}`);
          continue;
        }
        assert.equal(r.status, 404, `${method} ${path}: ${r.status} ${r.text.slice(0, 200)}`);
      }
    }
    await assertNotPwned();
  });

  test("a client cannot claim an identity or an instance through internal headers", async () => {
    const spoof = { "X-Photon-Caller": JSON.stringify({ id: "admin", anonymous: false, scope: "everything" }) };
    const r = await rpc(w.url, { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "whoami", arguments: {} } }, { headers: spoof });
    assert.deepEqual(r.body.result.structuredContent.caller, { id: "anonymous", anonymous: true });
    // The instance header a client sends is validated like every other source.
    const h = await rpc(w.url, { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "globals", arguments: {} } }, { headers: { "X-Photon-Instance": "spoofed-instance" } });
    assert.equal(h.body.result.structuredContent.instanceName, "spoofed-instance");
  });

  test("memory keys that look like the runtime's own stay in the photon's namespace", async () => {
    const q = "?instance=keys-probe";
    for (const key of ["__rt__:instance", "__sched__:1", "__proto__", "constructor", "m:global:shared", "m:photon:hostile-photon:x", "../../etc"]) {
      await ok("remember", { key, value: `evil ${key}` }, { query: q });
      const back = await ok("recall", { key }, { query: q });
      assert.equal(back.value, `evil ${key}`, key);
    }
    // The runtime's record of the instance name is untouched by a user key of the same name.
    const g = await ok("globals", {}, { query: q });
    assert.equal(g.instanceName, "keys-probe");
    const info = await (await fetch(new URL(`/${q}`, w.url))).json();
    assert.equal(info.instance, "keys-probe");
    // And nothing leaked into another instance.
    const other = await ok("recall", { key: "__rt__:instance" }, { query: "?instance=keys-other" });
    assert.equal(other.value, null);
  });
});

describe("sibling calls reach only the dispatch table", () => {
  let r;
  before(async () => {
    r = await boot("security-relay", "../hostile/relay.photon.ts");
  });
  after(async () => {
    await r?.stop();
  });

  /** relay.reach(method) on instance `sib`: what `this.call('hostile.<method>')` gets. */
  async function reach(method) {
    const res = await callTool(r.url, "reach", { method }, { query: "?instance=sib" });
    assert.ok(res.result?.structuredContent, JSON.stringify(res));
    return res.result.structuredContent;
  }

  test("private, protected, _ and # methods, getters, arrow properties and runtime members are not methods to a sibling", async () => {
    for (const method of ["secret", "guarded", "_hidden", "#sharp", "sharp", "arrow", "sneaky", "constructor", "toString", "__proto__", "hasOwnProperty", "memory", "emit", "call", "fetch", "alarm", "photonCall", "photonPublish", "", "bump.constructor"]) {
      const out = await reach(method);
      assert.equal(out.ok, false, `${JSON.stringify(method)} was reachable: ${JSON.stringify(out)}`);
    }
    const status = await reach("status");
    assert.deepEqual(status, { ok: true, result: { pwned: null } });
  });

  test("an @internal method is callable by a sibling (by design), and only then", async () => {
    assert.deepEqual(await reach("wipe"), { ok: true, result: "wiped" });
    assert.deepEqual(await reach("status"), { ok: true, result: { pwned: "internal wipe ran" } });
    // The relay's own tools/list shows only its tools; the sibling's are not the host's.
    const list = await rpc(r.url, { jsonrpc: "2.0", id: 1, method: "tools/list" });
    assert.deepEqual(list.body.result.tools.map((t) => t.name).sort(), ["bump", "reach"]);
    const direct = await callTool(r.url, "wipe", {});
    assert.equal(direct.error?.code, -32602);
  });
});

describe("inputs are bounded", () => {
  test("bodies over the limit get 413 before anything runs", async () => {
    const big = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "remember", arguments: { key: "big", value: "x".repeat(2 * 1024 * 1024) } } });
    const declared = await rpc(w.url, big);
    assert.equal(declared.status, 413);
    const stored = await ok("recall", { key: "big" });
    assert.equal(stored.value, null, "an oversized call ran");
  });

  test("instance names are validated wherever they come from", async () => {
    const bad = ["", "a".repeat(129), "../default", "a/b", "a b", "a\tb", "é", "日本", "-x", ".x", "_x", "x\u0000", "x%00", "x\u2028", "<script>"];
    for (const name of bad) {
      const q = await rpc(w.url, { jsonrpc: "2.0", id: 1, method: "ping" }, { query: `?instance=${encodeURIComponent(name)}` });
      assert.equal(q.status, 400, `?instance=${JSON.stringify(name)}`);
      const meta = await rpc(w.url, { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "bump", arguments: {}, _meta: { photonInstance: name } } });
      assert.equal(meta.status, 400, `_meta.photonInstance=${JSON.stringify(name)}`);
    }
    // Header values: only those an HTTP client can send at all.
    for (const name of ["a".repeat(129), "../default", "a/b", "a b", "-x"]) {
      const h = await rpc(w.url, { jsonrpc: "2.0", id: 1, method: "ping" }, { headers: { "X-Photon-Instance": name } });
      assert.equal(h.status, 400, `X-Photon-Instance: ${JSON.stringify(name)}`);
    }
    const longest = "a".repeat(128);
    const fine = await rpc(w.url, { jsonrpc: "2.0", id: 1, method: "ping" }, { query: `?instance=${longest}` });
    assert.equal(fine.status, 200);
  });

  test("JSON-RPC shape: batches refused, ids echoed exactly, bad ids and envelopes are -32600", async () => {
    const batch = await rpc(w.url, [{ jsonrpc: "2.0", id: 1, method: "ping" }, { jsonrpc: "2.0", id: 2, method: "ping" }]);
    assert.equal(batch.body.error?.code, -32600);
    const emptyBatch = await rpc(w.url, "[]");
    assert.equal(emptyBatch.body.error?.code, -32600);
    for (const id of [0, -1, 1.5, 9007199254740991, "", "x", "cf:default:forged", "\u2028"]) {
      const r = await rpc(w.url, { jsonrpc: "2.0", id, method: "ping" });
      assert.equal(r.status, 200, JSON.stringify(id));
      assert.deepEqual(r.body, { jsonrpc: "2.0", id, result: {} });
    }
    for (const id of [null, true, {}, [1]]) {
      const r = await rpc(w.url, { jsonrpc: "2.0", id, method: "ping" });
      assert.equal(r.body.error?.code, -32600, `id ${JSON.stringify(id)}: ${r.text}`);
    }
    for (const envelope of [{ id: 1, method: "ping" }, { jsonrpc: "1.0", id: 1, method: "ping" }, { jsonrpc: "2.0", id: 1, method: 5 }, "null", "1", '"ping"']) {
      const r = await rpc(w.url, envelope);
      assert.equal(r.body?.error?.code, -32600, `${JSON.stringify(envelope)}: ${r.text}`);
    }
    const arrayParams = await rpc(w.url, { jsonrpc: "2.0", id: 3, method: "tools/call", params: ["bump"] });
    assert.equal(arrayParams.body.error?.code, -32602);
  });

  test("deeply nested JSON is refused or rejected cleanly, and the instance keeps working", async () => {
    const depth = 100000;
    const deep = `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"remember","arguments":{"key":"deep","value":${"[".repeat(depth)}${"]".repeat(depth)}}}}`;
    const r = await rpc(w.url, deep);
    assert.ok([200, 400].includes(r.status), `status ${r.status}: ${r.text.slice(0, 200)}`);
    assert.ok(r.body?.error, `expected a JSON-RPC error, got ${r.text.slice(0, 200)}`);
    assert.equal((await ok("recall", { key: "deep" })).value, null);
    await ok("bumps");
  });

  test("arguments are validated before any photon code runs", async () => {
    const q = "?instance=validation";
    const cases = [
      { key: 1, value: "x" },
      { key: "k" },
      { key: "k", value: null },
      { key: "k", value: ["x"] },
      { key: { toString: "k" }, value: "x" },
    ];
    for (const args of cases) {
      const r = await callTool(w.url, "remember", args, { query: q });
      assert.equal(r.error?.code, -32602, `${JSON.stringify(args)}: ${JSON.stringify(r)}`);
    }
    const keys = await ok("keys", {}, { query: q });
    assert.deepEqual(keys.keys, [], "a call with invalid arguments reached the photon");
  });
});

describe("argument objects are data", () => {
  let p;
  before(async () => {
    p = await boot("security-protokeys", "../hostile/protokeys.photon.ts");
  });
  after(async () => {
    await p?.stop();
  });

  test("a missing optional parameter named like an Object.prototype member arrives as undefined", async () => {
    const r = await callTool(p.url, "probe", {});
    assert.deepEqual(r.result?.structuredContent, { constructor: "undefined", toString: "undefined", valueOf: "undefined" }, JSON.stringify(r));
    const given = await callTool(p.url, "probe", { constructor: "c", toString: "t", valueOf: "v" });
    assert.deepEqual(given.result?.structuredContent, { constructor: "string", toString: "string", valueOf: "string" });
  });

  test("JSON Schema keywords as parameter names are plain properties", async () => {
    const r = await callTool(p.url, "refs", { $ref: "#/definitions/x", $schema: "s" });
    assert.deepEqual(r.result?.structuredContent, { ref: "#/definitions/x", schema: "s" }, JSON.stringify(r));
    const missing = await callTool(p.url, "refs", {});
    assert.equal(missing.error?.code, -32602, JSON.stringify(missing));
  });

  test("a method named with quotes, a backtick, ${...}, */ and </script> is listed and callable by that name", async () => {
    const name = 'odd"name`${x}*/</script>';
    const list = await rpc(p.url, { jsonrpc: "2.0", id: 1, method: "tools/list" });
    assert.ok(list.body.result.tools.some((t) => t.name === name), JSON.stringify(list.body.result.tools.map((t) => t.name)));
    const r = await callTool(p.url, name, {});
    assert.equal(r.result?.content?.[0]?.text, "odd", JSON.stringify(r));
    const check = await typecheck(p.dir);
    assert.equal(check.status, 0, check.output);
  });

  test("__proto__ in arguments stays an own key and pollutes nothing", async () => {
    // Raw JSON: a JS object literal would turn `__proto__` into a prototype before sending.
    const body = '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"keep","arguments":{"__proto__":{"polluted":"yes"},"a":1}}}';
    const r = await rpc(p.url, body);
    const out = r.body?.result?.structuredContent;
    assert.ok(out, r.text);
    assert.equal(out.polluted, null, "Object.prototype was polluted");
    assert.equal(out.plainPrototype, true, "the argument object's prototype was replaced");
    const again = await callTool(p.url, "keep", { b: 2 });
    assert.equal(again.result?.structuredContent?.polluted, null);
  });
});

describe("server-initiated requests never park a call forever", () => {
  test("a client that never answers: the call fails after the timeout and the instance keeps working", async () => {
    const q = "?instance=ghost";
    const started = Date.now();
    const r = await rpc(w.url, { jsonrpc: "2.0", id: 9, method: "tools/call", params: { name: "ask", arguments: { tag: "silent" } } }, { accept: "application/json, text/event-stream", query: q });
    const elapsed = Date.now() - started;
    const messages = r.body;
    assert.equal(messages[0].method, "sampling/createMessage");
    const last = messages.at(-1);
    assert.equal(last.id, 9);
    assert.equal(last.result.isError, true);
    assert.match(last.result.content[0].text, /did not answer within/);
    assert.ok(elapsed >= TIMEOUT_MS - 100 && elapsed < TIMEOUT_MS + 10000, `took ${elapsed} ms`);
    const recorded = await ok("recall", { key: "asked:silent" }, { query: q });
    assert.match(recorded.value, /^failed: /);
  });

  test("a client that disconnects mid-call leaves no work parked", async () => {
    const q = "?instance=vanish";
    const controller = new AbortController();
    const res = await fetch(new URL(`/mcp${q}`, w.url), {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 10, method: "tools/call", params: { name: "ask", arguments: { tag: "gone" } } }),
      signal: controller.signal,
    });
    // Wait for the server's request to arrive, then hang up without answering.
    const reader = res.body.getReader();
    let text = "";
    while (!text.includes("sampling/createMessage")) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    assert.equal(parseSse(text)[0].method, "sampling/createMessage");
    controller.abort();
    // The parked call must end by itself: through the closed stream, or the timeout at the latest.
    const deadline = Date.now() + TIMEOUT_MS + 10000;
    let value = null;
    while (Date.now() < deadline) {
      value = (await ok("recall", { key: "asked:gone" }, { query: q })).value;
      if (value !== null) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.match(String(value), /^failed: /, "the call was still parked after the timeout");
    // A late answer to the abandoned request is ignored, and the instance still answers.
    const serverRequestId = parseSse(text)[0].id;
    const late = await rpc(w.url, { jsonrpc: "2.0", id: serverRequestId, result: { role: "assistant", model: "m", content: { type: "text", text: "late" } } }, { query: q });
    assert.equal(late.status, 202);
    assert.match((await ok("recall", { key: "asked:gone" }, { query: q })).value, /^failed: /);
    await ok("bumps", {}, { query: q });
  });

  test("a forged answer for another instance's request id resolves nothing here", async () => {
    const forged = await rpc(w.url, { jsonrpc: "2.0", id: "cf:default:00000000-0000-0000-0000-000000000000", result: {} });
    assert.equal(forged.status, 202);
    const badInstance = await rpc(w.url, { jsonrpc: "2.0", id: "cf:..%2Fx:1", result: {} });
    assert.equal(badInstance.status, 400);
  });
});

describe("a chunked body with no Content-Length is cut off at the limit", () => {
  let c;
  before(async () => {
    c = await boot("security-chunked", "../hostile/hostile.photon.ts");
  });
  after(async () => {
    await c?.stop();
  });

  test("413, and the call never ran", async () => {
    const big = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "remember", arguments: { key: "chunked", value: "x".repeat(2 * 1024 * 1024) } } });
    const chunked = await rawRequest(c.url, "POST", "/mcp", { headers: { "Content-Type": "application/json", Accept: "application/json", "Transfer-Encoding": "chunked" }, body: big });
    assert.equal(chunked.status, 413, chunked.text.slice(0, 200));
    // wrangler dev's local proxy loses its connection to workerd when a response is sent
    // before the request body was read to the end ("Network connection lost"), and may fail
    // the requests after it. That is local tooling, not the Worker: restart it on the same
    // persisted state and check that nothing was stored.
    await c.restart();
    const r = await callTool(c.url, "recall", { key: "chunked" });
    assert.equal(r.result?.structuredContent?.value, null, JSON.stringify(r));
  });
});
