// Hostile input gets a clear, bounded answer, proven against a running workerd: nesting caps on
// arguments (whatever their type) and memory values, replies that stay a small multiple of the
// data they carry, no 5xx and no stack trace for malformed input (an internal failure is -32603
// with a reference id found in the log), prototype-named keys as ordinary keys end to end,
// bounded validation errors, ids echoed as written, and the per-instance limits on pending
// questions, /events sockets and schedules.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { boot, callTool, callToolOk, parseSse, repoRoot, rpc } from "./lib/harness.mjs";

const TIMEOUT_MS = 4000;
const LIMITS = { PHOTON_MAX_PENDING_ASKS: "2", PHOTON_MAX_EVENT_SOCKETS: "3", PHOTON_MAX_CHANNEL_SOCKETS: "2", PHOTON_MAX_SCHEDULES: "3" };

let w;
before(async () => {
  w = await boot("security-bounds", "../hostile/bounds.photon.ts", { vars: { PHOTON_REQUEST_TIMEOUT_MS: String(TIMEOUT_MS), ...LIMITS } });
});
after(async () => {
  await w?.stop();
});

/** JSON text of `leaf` inside `depth` arrays (built as text: node's own JSON.stringify recurses). */
const nestedArrays = (depth, leaf = '"leaf"') => `${"[".repeat(depth)}${leaf}${"]".repeat(depth)}`;
/** JSON text of `leaf` inside `depth` objects `{"a": ...}`. */
const nestedObjects = (depth, leaf = "1") => `${'{"a":'.repeat(depth)}${leaf}${"}".repeat(depth)}`;

let nextId = 1000;
/** tools/call with raw JSON text for the arguments; returns rpc()'s answer plus the request size. */
async function callRaw(name, argsJson, options = {}) {
  const body = `{"jsonrpc":"2.0","id":${nextId++},"method":"tools/call","params":{"name":${JSON.stringify(name)},"arguments":${argsJson}}}`;
  const r = await rpc(w.url, body, options);
  return { ...r, sent: body.length };
}

/** The tool's result on this file's Worker, failing the test on a JSON-RPC error or isError. */
const ok = (name, args = {}, options = {}) => callToolOk(w.url, name, args, options);

/** No stack trace or runtime internals in a client-visible text. */
function assertNoStack(text) {
  assert.doesNotMatch(text, /\n\s+at |\bat [\w.<>]+ \(|Maximum call stack|\.ts:\d+/, text.slice(0, 500));
}

describe("nesting caps on arguments, memory values and results", () => {
  test("an argument of any type nested deeper than 64 levels is -32602 naming it; 64 is fine", async () => {
    const q = { query: "?instance=depth" };
    const fine = await callRaw("put", `{"key":"k","value":${nestedArrays(64)}}`, q);
    assert.equal(fine.body.result?.isError, undefined, fine.text.slice(0, 300));
    for (const value of [nestedArrays(65), nestedObjects(65), nestedArrays(5000), nestedObjects(20000)]) {
      const r = await callRaw("put", `{"key":"k","value":${value}}`, q);
      assert.equal(r.body?.error?.code, -32602, r.text.slice(0, 300));
      assert.match(r.body.error.message, /'value' nests deeper than 64 levels/);
      // The refusal is small whatever was sent.
      assert.ok(r.text.length < 1024, `a ${r.sent}-byte request got ${r.text.length} bytes`);
    }
    // A typed argument is capped the same way, before validation.
    const typed = await callRaw("get", `{"key":${nestedArrays(1000)}}`, q);
    assert.equal(typed.body?.error?.code, -32602);
    assert.match(typed.body.error.message, /'key'/);
    const back = await ok("get", { key: "k" }, q);
    assert.equal(JSON.stringify(back.value), nestedArrays(64));
  });

  test("memory.set from photon code refuses a value deeper than 64 levels with a clear error", async () => {
    const q = { query: "?instance=depth-code" };
    const r = await callTool(w.url, "nest", { depth: 5000 }, q);
    assert.equal(r.result?.isError, true, JSON.stringify(r).slice(0, 300));
    assert.match(r.result.content[0].text, /this\.memory: the value for 'nested' nests deeper than 64 levels/);
    assert.deepEqual(await ok("nest", { depth: 64 }, q), { depth: 64 });
    assert.equal((await callTool(w.url, "nest", { depth: 65 }, q)).result?.isError, true);
    // The stored 64-deep value reads back, alone and through getAll, list and keys.
    const back = await ok("get", { key: "nested" }, q);
    assert.equal(JSON.stringify(back.value), nestedArrays(64));
    const all = await ok("all", {}, q);
    assert.deepEqual(all.own, ["nested"]);
  });

  test("results keep the local formatting when shallow and turn compact when deep; too deep is -32603 with a reference", async () => {
    const shallow = await callTool(w.url, "deep", { depth: 2 });
    assert.equal(shallow.result.content[0].text, JSON.stringify({ value: [["leaf"]] }, null, 2));
    const deeper = await callTool(w.url, "deep", { depth: 20 });
    assert.equal(deeper.result.content[0].text, `{"value":${nestedArrays(20)}}`);
    assert.equal(JSON.stringify(deeper.result.structuredContent.value), nestedArrays(20));
    for (const [name, args] of [["deep", { depth: 5000 }], ["cyclic", {}]]) {
      const r = await callTool(w.url, name, args);
      assert.equal(r.error?.code, -32603, JSON.stringify(r).slice(0, 300));
      const m = /^Internal error \(reference ([0-9a-f]{8})\)$/.exec(r.error.message);
      assert.ok(m, r.error.message);
      // The detail is in the log under that reference, not in the answer.
      const deadline = Date.now() + 5000;
      while (!w.log().includes(m[1]) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      assert.ok(w.log().includes(`internal error ${m[1]}`), `reference ${m[1]} is not in the log`);
    }
  });

  test("no reply is more than a small multiple of the data it carries", async () => {
    const q = { query: "?instance=amplify" };
    // The worst case for indentation: a wide array as deep as pretty-printing goes.
    const wide = nestedArrays(6, Array(20000).fill("0").join(","));
    const cases = [wide, nestedArrays(63), nestedObjects(63, `[${Array(2000).fill("1").join(",")}]`)];
    for (const value of cases) {
      const stored = await callRaw("put", `{"key":"v","value":${value}}`, q);
      assert.equal(stored.status, 200);
      const r = await callRaw("get", `{"key":"v"}`, q);
      assert.equal(r.status, 200);
      assert.equal(JSON.stringify(r.body.result.structuredContent.value), value);
      const ratio = r.text.length / stored.sent;
      assert.ok(ratio < 24, `a ${stored.sent}-byte value came back as ${r.text.length} bytes (×${ratio.toFixed(1)})`);
    }
  });
});

describe("malformed and oversized input never gets a 5xx or a stack trace", () => {
  test("every malformed body is a 4xx or a JSON-RPC error, and the instance keeps working", async () => {
    const bodies = [
      "",
      "{",
      '{"jsonrpc":"2.0","id":1,"method":"ping"',
      "\u0000",
      "\ud800",
      "[[[[",
      nestedArrays(100000),
      nestedObjects(50000),
      `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":${nestedObjects(50000)},"clientInfo":{"name":"t","version":"1"}}}`,
      `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"put","arguments":{"key":"k","value":1},"_meta":${nestedObjects(50000)}}}`,
      `{"jsonrpc":"2.0","id":${nestedArrays(50000, "1")},"method":"ping"}`,
      `{"jsonrpc":"2.0","id":1,"method":${nestedArrays(50000, '"x"')}}`,
      `{"jsonrpc":"2.0","id":"x","result":${nestedObjects(50000)}}`,
      `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"${"n".repeat(500000)}"}}`,
      `{"jsonrpc":"2.0","id":1,"method":"${"m".repeat(500000)}"}`,
      `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"sum","arguments":{"items":[${Array(100000).fill("1e999").join(",")}]}}}`,
      `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"put","arguments":{"key":"${"k".repeat(300000)}","value":1}}}`,
      `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"put","arguments":{"key":"","value":1}}}`,
    ];
    for (const body of bodies) {
      const r = await rpc(w.url, body, { query: "?instance=malformed" });
      const label = `${body.slice(0, 60)}… (${body.length} bytes): ${r.status}`;
      assert.ok(r.status < 500, `${label} ${r.text.slice(0, 300)}`);
      assertNoStack(r.text);
      if (r.status !== 202 && r.status !== 413) {
        assert.equal(r.body?.jsonrpc, "2.0", `${label} ${r.text.slice(0, 300)}`);
        assert.ok(r.body.error || r.body.result, label);
        // Small, or (a tool that echoes its argument) a small multiple of the request.
        assert.ok(r.text.length < 4096 + 4 * body.length, `${label}: ${r.text.length}-byte answer`);
      }
    }
    assert.deepEqual(await ok("put", { key: "after", value: 1 }, { query: "?instance=malformed" }), { stored: "after" });
  });
});

describe("prototype-named keys are ordinary keys end to end", () => {
  test("__proto__, constructor and prototype are stored, read, listed and returned as own keys", async () => {
    const q = { query: "?instance=proto" };
    // Raw JSON: a JS object literal would turn `__proto__` into a prototype before sending.
    for (const key of ["__proto__", "constructor", "prototype"]) {
      const stored = await callRaw("put", `{"key":${JSON.stringify(key)},"value":{"isAdmin":true,"__proto__":{"polluted":1},"of":${JSON.stringify(key)}}}`, q);
      assert.equal(stored.body.result?.isError, undefined, stored.text);
    }
    await ok("put", { key: "plain", value: 1 }, q);
    for (const key of ["__proto__", "constructor", "prototype"]) {
      const r = await callRaw("get", `{"key":${JSON.stringify(key)}}`, q);
      const value = JSON.parse(r.text).result.structuredContent.value;
      assert.ok(Object.prototype.hasOwnProperty.call(value, "__proto__"), r.text);
      assert.equal(value.of, key);
      assert.equal(value.isAdmin, true);
    }
    const all = await ok("all", {}, q);
    const keys = ["__proto__", "constructor", "plain", "prototype"];
    assert.deepEqual(all.own, keys);
    assert.equal(all.plainPrototype, true);
    assert.equal(all.inheritedIsAdmin, false, "a stored __proto__ became getAll's prototype");
    assert.deepEqual(all.listKeys, keys);
    assert.deepEqual(all.keys, keys);
    assert.equal(all.values.find((e) => e.key === "__proto__").value.of, "__proto__");
    assert.equal({}.polluted, undefined);
  });
});

describe("validation errors are bounded", () => {
  test("100 000 wrong items: one small -32602 naming the first offending field", async () => {
    const items = `[${Array(100000).fill('"x"').join(",")}]`;
    const r = await callRaw("sum", `{"items":${items}}`);
    assert.equal(r.body?.error?.code, -32602, r.text.slice(0, 300));
    assert.match(r.body.error.message, /'items\.0'/);
    assert.ok(r.text.length < 2048, `${r.text.length}-byte answer`);
    const mixed = await callRaw("sum", `{"items":[1,2,"three",4,"five"]}`);
    assert.match(mixed.body.error.message, /'items\.2'/);
  });

  test("at most 5 problems are listed, each cut short", async () => {
    const missing = await callTool(w.url, "shape", {});
    assert.equal(missing.error?.code, -32602);
    assert.match(missing.error.message, /"a"/);
    const longKey = "k".repeat(10000);
    const wrong = await callTool(w.url, "shape", { a: "x", b: "y", c: "z", [longKey]: 1 });
    assert.equal(wrong.error?.code, -32602);
    assert.match(wrong.error.message, /'a'/);
    assert.ok(wrong.error.message.split("; ").length <= 5, wrong.error.message);
    assert.ok(JSON.stringify(wrong).length < 2048);
  });

  test("the runtime spreads no unbounded array into a call", () => {
    const dir = join(repoRoot, "templates", "cf-runtime");
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".ts"))) {
      const text = readFileSync(join(dir, file), "utf8");
      assert.doesNotMatch(text, /(Math\.(max|min)|\.push|\.unshift|String\.fromCharCode|\.concat)\(\s*\.\.\./, file);
    }
  });
});

describe("ids come back exactly as sent", () => {
  test("numbers JSON carries but JavaScript would round are echoed as written", async () => {
    for (const raw of ["12345678901234567890", "1e400", "-0", "1.50", "1E+2", "0.1000000000000000055511151231257827", '"12345678901234567890"']) {
      const ping = await rpc(w.url, `{"jsonrpc":"2.0","id":${raw},"method":"ping"}`);
      assert.equal(ping.text, `{"jsonrpc":"2.0","id":${raw},"result":{}}`);
      const unknown = await rpc(w.url, `{"jsonrpc":"2.0","method":"nope","id" : ${raw}}`);
      assert.ok(unknown.text.startsWith(`{"jsonrpc":"2.0","id":${raw},"error":`), unknown.text);
    }
    // The last id wins, as JSON.parse reads it; a string with escapes is the same string.
    const twice = await rpc(w.url, `{"jsonrpc":"2.0","id":1,"method":"ping","id":98765432109876543210}`);
    assert.equal(twice.text, `{"jsonrpc":"2.0","id":98765432109876543210,"result":{}}`);
    // Streamed calls too (one that sends a status first, so it is answered as SSE), and a call
    // that sends nothing, answered as JSON although the client accepts SSE.
    const sse = await rpc(w.url, `{"jsonrpc":"2.0","id":12345678901234567891,"method":"tools/call","params":{"name":"chatty","arguments":{}}}`, { accept: "application/json, text/event-stream" });
    assert.match(sse.headers.get("content-type"), /text\/event-stream/);
    assert.match(sse.text, /data: \{"jsonrpc":"2\.0","id":12345678901234567891,"result":/);
    const quiet = await rpc(w.url, `{"jsonrpc":"2.0","id":12345678901234567892,"method":"tools/call","params":{"name":"noop","arguments":{}}}`, { accept: "application/json, text/event-stream" });
    assert.ok(quiet.text.startsWith(`{"jsonrpc":"2.0","id":12345678901234567892,"result":`), quiet.text);
  });
});

describe("per-instance limits", () => {
  /** Starts a streaming `ask` call and resolves once the client was asked (or the call ended). */
  async function startAsk(tag, query) {
    const controller = new AbortController();
    const res = await fetch(new URL(`/mcp${query}`, w.url), {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: tag, method: "tools/call", params: { name: "ask", arguments: { tag } } }),
      signal: controller.signal,
    });
    // A call refused before it sends anything is answered as plain JSON.
    if (!(res.headers.get("content-type") ?? "").includes("text/event-stream")) {
      return { messages: [await res.json()], abort: () => controller.abort() };
    }
    const reader = res.body.getReader();
    let text = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
      // Only whole events: a read can end in the middle of one.
      const complete = parseSse(text.slice(0, text.lastIndexOf("\n\n") + 2));
      if (complete.some((m) => m.method === "elicitation/create" || m.id === tag)) break;
    }
    return { messages: parseSse(text.slice(0, text.lastIndexOf("\n\n") + 2)), abort: () => controller.abort() };
  }

  test("pending questions: one more than PHOTON_MAX_PENDING_ASKS fails at once, saying so", async () => {
    const q = "?instance=asks";
    const first = await startAsk("one", q);
    const second = await startAsk("two", q);
    assert.equal(first.messages[0].method, "elicitation/create");
    assert.equal(second.messages[0].method, "elicitation/create");
    const third = await startAsk("three", q);
    const last = third.messages.at(-1);
    assert.equal(last.id, "three");
    assert.equal(last.result?.isError, true, JSON.stringify(last));
    assert.match(last.result.content[0].text, /refused: this instance already has 2 questions waiting for a client's answer, the limit \(set PHOTON_MAX_PENDING_ASKS/);
    first.abort();
    second.abort();
    // Once the parked questions end (timeout at the latest), asking works again.
    const deadline = Date.now() + TIMEOUT_MS + 10000;
    let again;
    for (;;) {
      again = await startAsk(`again-${Date.now()}`, q);
      if (again.messages[0]?.method === "elicitation/create" || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.equal(again.messages[0]?.method, "elicitation/create", JSON.stringify(again.messages));
    again.abort();
  });

  test("/events sockets: per channel and per instance, one more is 429 naming the limit", async () => {
    const { WebSocket } = await import("ws");
    const open = (query) =>
      new Promise((resolve) => {
        const ws = new WebSocket(new URL(`/events${query}`, w.url.replace(/^http/, "ws")));
        ws.once("open", () => resolve({ ws, status: 101 }));
        ws.once("unexpected-response", (_req, res) => {
          let body = "";
          res.on("data", (c) => (body += c));
          res.on("end", () => resolve({ status: res.statusCode, body }));
        });
        ws.once("error", (e) => resolve({ status: 0, body: String(e) }));
      });
    const q = "instance=sockets";
    const a1 = await open(`?${q}&channel=a`);
    const a2 = await open(`?${q}&channel=a`);
    assert.equal(a1.status, 101);
    assert.equal(a2.status, 101);
    const a3 = await open(`?${q}&channel=a`);
    assert.equal(a3.status, 429, a3.body);
    assert.match(a3.body, /channel 'a' refused: this instance already has 2 \/events sockets on that channel, the limit \(set PHOTON_MAX_CHANNEL_SOCKETS/);
    const b1 = await open(`?${q}&channel=b`);
    assert.equal(b1.status, 101);
    const c1 = await open(`?${q}&channel=c`);
    assert.equal(c1.status, 429, c1.body);
    assert.match(c1.body, /already has 3 open \/events sockets, the limit \(set PHOTON_MAX_EVENT_SOCKETS/);
    // Another instance has its own sockets.
    const other = await open(`?instance=sockets-other&channel=a`);
    assert.equal(other.status, 101);
    for (const s of [a1, a2, b1, other]) s.ws.close();
    // Closed sockets free their places.
    const deadline = Date.now() + 10000;
    let again;
    for (;;) {
      again = await open(`?${q}&channel=a`);
      if (again.status === 101 || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.equal(again.status, 101, again.body);
    again.ws.close();
  });

  test("schedules: one more than PHOTON_MAX_SCHEDULES is refused; cancelling frees a place", async () => {
    const q = { query: "?instance=plans" };
    for (const name of ["a", "b", "c"]) assert.equal((await ok("plan", { name }, q)).name, name);
    const over = await callTool(w.url, "plan", { name: "d" }, q);
    assert.equal(over.result?.isError, true);
    assert.match(over.result.content[0].text, /Schedule 'd' refused: this instance already has 3 schedules, the limit \(set PHOTON_MAX_SCHEDULES/);
    const dup = await callTool(w.url, "plan", { name: "a" }, q);
    assert.match(dup.result.content[0].text, /already exists/);
    assert.deepEqual(await ok("unplan", { name: "b" }, q), { cancelled: true });
    assert.deepEqual(await ok("unplan", { name: "b" }, q), { cancelled: false });
    assert.equal((await ok("plan", { name: "d" }, q)).name, "d");
    assert.deepEqual(await ok("plans", {}, q), { count: 3, names: ["a", "c", "d"] });
    assert.deepEqual(await ok("unplanAll", {}, q), { cancelled: 3 });
    for (const name of ["__proto__", "constructor", "prototype"]) assert.equal((await ok("plan", { name }, q)).name, name);
    assert.equal((await callTool(w.url, "plan", { name: "x" }, q)).result?.isError, true);
    assert.deepEqual(await ok("plans", {}, q), { count: 3, names: ["__proto__", "constructor", "prototype"] });
  });
});
