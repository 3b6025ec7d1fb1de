// MCP 2026-07-28 beside the 2025 era on one /mcp: the official v2 client (@modelcontextprotocol/client)
// pinned to 2026-07-28 discovers, lists and calls, and answers confirm / form elicitation /
// sampling / generator asks through its own handlers (multi round-trip requests); the same client
// in its default legacy mode still works; raw requests check the protocol errors and result shape.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { boot, MODERN, modernMeta, modernRpc, rpc } from "./lib/harness.mjs";

let w;
before(async () => {
  w = await boot("era", "era/cf-era.photon.ts");
});
after(async () => {
  await w?.stop();
});

/** The v2 client, pinned to 2026-07-28 unless `mode` says otherwise, with recording handlers. */
async function connectV2(base, { mode = { pin: MODERN }, instance, onElicit, onSample } = {}) {
  const url = new URL("/mcp", base);
  if (instance) url.searchParams.set("instance", instance);
  const client = new Client(
    { name: "photon-cf-e2e-v2", version: "2.0.0" },
    { capabilities: { sampling: {}, elicitation: { form: {} } }, versionNegotiation: { mode } },
  );
  const seen = { elicits: [], samples: [] };
  client.setRequestHandler("elicitation/create", async (request) => {
    seen.elicits.push(request.params);
    return onElicit ? onElicit(request.params) : { action: "decline" };
  });
  client.setRequestHandler("sampling/createMessage", async (request) => {
    seen.samples.push(request.params);
    if (onSample) return onSample(request.params);
    const text = request.params.messages[0]?.content?.text ?? "";
    return { role: "assistant", model: "e2e-model", content: { type: "text", text: `sampled: ${text}` } };
  });
  await client.connect(new StreamableHTTPClientTransport(url));
  return { client, seen, close: () => client.close() };
}

/** A raw 2026-07-28 request to this file's Worker. */
const modern = (method, params, options) => modernRpc(w.url, method, params, options);

const structured = (r) => r.structuredContent ?? JSON.parse(r.content[0].text);

describe("the v2 client pinned to 2026-07-28", () => {
  test("discovers, lists and calls without initialize", async () => {
    const c = await connectV2(w.url);
    try {
      const tools = await c.client.listTools();
      assert.deepEqual(
        tools.tools.map((t) => t.name),
        ["greet", "charge", "profile", "haiku", "wizard", "touch", "charged"],
      );
      assert.deepEqual(structured(await c.client.callTool({ name: "greet", arguments: { name: "Ada" } })), { hello: "Ada" });
    } finally {
      await c.close();
    }
  });

  test("confirm: the side effect before the ask happens once (the suspended call resumes)", async () => {
    const c = await connectV2(w.url, { instance: "resume", onElicit: () => ({ action: "accept", content: { confirmed: true } }) });
    try {
      const r = await c.client.callTool({ name: "charge", arguments: {} });
      assert.deepEqual(structured(r), { ok: true, charges: 1 });
      assert.equal(c.seen.elicits.length, 1);
      assert.equal(c.seen.elicits[0].message, "Charge the card?");
      assert.equal(c.seen.elicits[0].requestedSchema.properties.confirmed.type, "boolean");
    } finally {
      await c.close();
    }
  });

  test("form elicitation returns the whole form", async () => {
    const c = await connectV2(w.url, { onElicit: () => ({ action: "accept", content: { name: "Grace", age: 85 } }) });
    try {
      const r = await c.client.callTool({ name: "profile", arguments: {} });
      assert.deepEqual(structured(r), { name: "Grace", age: 85 });
      assert.deepEqual(c.seen.elicits[0].requestedSchema.required, ["name"]);
    } finally {
      await c.close();
    }
  });

  test("sampling goes through the client's handler", async () => {
    const c = await connectV2(w.url);
    try {
      const r = await c.client.callTool({ name: "haiku", arguments: { topic: "rain" } });
      assert.deepEqual(r.content, [{ type: "text", text: "sampled: Write a haiku about rain" }]);
      assert.equal(c.seen.samples[0].maxTokens, 50);
    } finally {
      await c.close();
    }
  });

  test("a generator's two asks are two rounds of the same call", async () => {
    const answers = [{ action: "accept", content: { value: "Merlin" } }, { action: "accept", content: { confirmed: true } }];
    const c = await connectV2(w.url, { onElicit: () => answers.shift() });
    try {
      const r = await c.client.callTool({ name: "wizard", arguments: {} });
      assert.deepEqual(structured(r), { name: "Merlin", sure: true });
      assert.deepEqual(
        c.seen.elicits.map((e) => e.message),
        ["Wizard name?", "Call you Merlin?"],
      );
    } finally {
      await c.close();
    }
  });
});

describe("the v2 client in its default mode", () => {
  test("legacy handshake: lists, calls and asks over the call's stream", async () => {
    const c = await connectV2(w.url, { mode: "legacy", instance: "legacy", onElicit: () => ({ action: "accept", content: { confirmed: true } }) });
    try {
      assert.equal((await c.client.listTools()).tools.length, 7);
      assert.deepEqual(structured(await c.client.callTool({ name: "charge", arguments: {} })), { ok: true, charges: 1 });
    } finally {
      await c.close();
    }
  });

  test("auto mode negotiates 2026-07-28 through server/discover", async () => {
    const c = await connectV2(w.url, { mode: "auto" });
    try {
      assert.deepEqual(structured(await c.client.callTool({ name: "greet", arguments: { name: "Bo" } })), { hello: "Bo" });
    } finally {
      await c.close();
    }
  });
});

describe("2026-07-28 on the wire", () => {
  test("server/discover lists every version, the capabilities and the server", async () => {
    const r = await modern("server/discover", {}, { id: "d-1" });
    assert.equal(r.status, 200);
    assert.equal(r.body.id, "d-1");
    const res = r.body.result;
    assert.equal(res.resultType, "complete");
    assert.deepEqual(res.supportedVersions, ["2026-07-28", "2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"]);
    assert.ok(res.capabilities.tools);
    assert.deepEqual(res._meta["io.modelcontextprotocol/serverInfo"], { name: "cf-era", version: "1.2.3" });
  });

  test("tools/list carries resultType, ttlMs, cacheScope and the build id, the same every time", async () => {
    const a = await modern("tools/list");
    const b = await modern("tools/list");
    const res = a.body.result;
    assert.equal(res.resultType, "complete");
    assert.equal(typeof res.ttlMs, "number");
    assert.equal(res.cacheScope, "public");
    assert.match(res._meta["dev.photon-cf/buildId"], /^[0-9a-f]{16}$/);
    assert.equal(a.text, b.text);
  });

  test("the 2025 era's results are unchanged", async () => {
    const r = await rpc(w.url, { jsonrpc: "2.0", id: 1, method: "tools/list", params: {} });
    assert.equal(r.body.result.resultType, undefined);
    assert.equal(r.body.result.ttlMs, undefined);
  });

  test("an unsupported version is -32022 naming the supported ones, with the request's id", async () => {
    const r = await modern("tools/list", {}, { id: 77, meta: { "io.modelcontextprotocol/protocolVersion": "1900-01-01" }, headers: { "Mcp-Protocol-Version": "1900-01-01" } });
    assert.equal(r.status, 400);
    assert.equal(r.body.id, 77);
    assert.equal(r.body.error.code, -32022);
    assert.ok(r.body.error.data.supported.includes("2026-07-28"));
    assert.equal(r.body.error.data.requested, "1900-01-01");
  });

  test("Mcp-Method and Mcp-Name mismatches are 400 with -32020", async () => {
    const m = await modern("tools/list", {}, { id: 5, headers: { "Mcp-Method": "tools/call" } });
    assert.equal(m.status, 400);
    assert.equal(m.body.error.code, -32020);
    assert.equal(m.body.id, 5);
    const n = await modern("tools/call", { name: "greet", arguments: { name: "x" } }, { headers: { "Mcp-Name": "charge" } });
    assert.equal(n.status, 400);
    assert.equal(n.body.error.code, -32020);
    const missing = await rpc(w.url, { jsonrpc: "2.0", id: 6, method: "tools/list", params: { _meta: modernMeta() } }, { headers: { "Mcp-Protocol-Version": MODERN } });
    assert.equal(missing.status, 400);
    assert.equal(missing.body.error.code, -32020);
  });

  test("input_required, then a retry with inputResponses and requestState resumes the call", async () => {
    const q = "?instance=raw-resume";
    const first = await modern("tools/call", { name: "charge", arguments: {} }, { id: 1, query: q });
    const res = first.body.result;
    assert.equal(res.resultType, "input_required");
    const [key] = Object.keys(res.inputRequests);
    assert.equal(res.inputRequests[key].method, "elicitation/create");
    const answer = { [key]: { action: "accept", content: { confirmed: true } } };
    const second = await modern(
      "tools/call",
      { name: "charge", arguments: {}, inputResponses: answer, requestState: res.requestState },
      { id: 2, query: q },
    );
    assert.equal(second.body.id, 2);
    assert.equal(second.body.result.resultType, "complete");
    assert.deepEqual(second.body.result.structuredContent, { ok: true, charges: 1 });
  });

  test("an ask the client declared no capability for is -32021 naming it", async () => {
    const r = await modern("tools/call", { name: "haiku", arguments: { topic: "x" } }, { id: 31, meta: { "io.modelcontextprotocol/clientCapabilities": { elicitation: {} } } });
    assert.equal(r.body.id, 31);
    assert.equal(r.body.error.code, -32021);
    assert.deepEqual(r.body.error.data, { requiredCapabilities: { sampling: {} } });
  });

  test("a forged or moved requestState is refused", async () => {
    const first = await modern("tools/call", { name: "charge", arguments: {} }, { query: "?instance=forge-a" });
    const { requestState, inputRequests } = first.body.result;
    const [key] = Object.keys(inputRequests);
    const answer = { [key]: { action: "accept", content: { confirmed: true } } };
    const [payload, sig] = requestState.split(".");
    const tampered = `${payload.slice(0, -2)}AA.${sig}`;
    const forged = await modern("tools/call", { name: "charge", arguments: {}, inputResponses: answer, requestState: tampered }, { query: "?instance=forge-a" });
    assert.equal(forged.body.error.code, -32602);
    const moved = await modern("tools/call", { name: "charge", arguments: {}, inputResponses: answer, requestState }, { query: "?instance=forge-b" });
    assert.equal(moved.body.error.code, -32602);
    const other = await modern("tools/call", { name: "wizard", arguments: {}, inputResponses: answer, requestState }, { query: "?instance=forge-a" });
    assert.equal(other.body.error.code, -32602);
  });

  test("log notifications follow the request's logLevel, on the request's own stream", async () => {
    const sse = "application/json, text/event-stream";
    // logLevel info: the warning is sent, then the result, on one SSE response.
    const info = await rpc(
      w.url,
      { jsonrpc: "2.0", id: 41, method: "tools/call", params: { name: "touch", arguments: { uri: "memo://log" }, _meta: modernMeta({ "io.modelcontextprotocol/logLevel": "info" }) } },
      { accept: sse, headers: { "Mcp-Protocol-Version": MODERN, "Mcp-Method": "tools/call", "Mcp-Name": "touch" } },
    );
    assert.match(info.headers.get("content-type"), /text\/event-stream/);
    assert.deepEqual(
      info.body.map((m) => m.method ?? `result ${m.id}`),
      ["notifications/message", "result 41"],
    );
    assert.equal(info.body[0].params.level, "warning");
    assert.equal(info.body[1].result.resultType, "complete");
    // logLevel error: the warning is below it, so nothing but the result.
    const error = await rpc(
      w.url,
      { jsonrpc: "2.0", id: 42, method: "tools/call", params: { name: "touch", arguments: { uri: "memo://log" }, _meta: modernMeta({ "io.modelcontextprotocol/logLevel": "error" }) } },
      { accept: sse, headers: { "Mcp-Protocol-Version": MODERN, "Mcp-Method": "tools/call", "Mcp-Name": "touch" } },
    );
    assert.deepEqual(error.body.map((m) => m.method ?? `result ${m.id}`), ["result 42"]);
    // No logLevel: no log notification at all (a progress token alone opens the stream).
    const none = await rpc(
      w.url,
      { jsonrpc: "2.0", id: 43, method: "tools/call", params: { name: "touch", arguments: { uri: "memo://log" }, _meta: modernMeta({ progressToken: "p" }) } },
      { accept: sse, headers: { "Mcp-Protocol-Version": MODERN, "Mcp-Method": "tools/call", "Mcp-Name": "touch" } },
    );
    assert.deepEqual(none.body.map((m) => m.method ?? `result ${m.id}`), ["result 43"]);
  });
});

/** Reads SSE messages from a streaming fetch body as they arrive. */
function sseReader(body) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  return async function next() {
    for (;;) {
      const end = buffer.indexOf("\n\n");
      if (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block.split("\n").filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trimStart()).join("\n");
        if (data) return JSON.parse(data);
        continue;
      }
      const { done, value } = await reader.read();
      if (done) return null;
      buffer += decoder.decode(value, { stream: true });
    }
  };
}

describe("subscriptions/listen", () => {
  test("change notifications reach the listener tagged with its id; the call's log stays on the call", async () => {
    const q = "?instance=listen";
    const controller = new AbortController();
    const res = await fetch(new URL(`/mcp${q}`, w.url), {
      method: "POST",
      signal: controller.signal,
      headers: { "Content-Type": "application/json", Accept: "application/json, text/event-stream", "Mcp-Protocol-Version": MODERN, "Mcp-Method": "subscriptions/listen" },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: "listen-1",
        method: "subscriptions/listen",
        params: { _meta: modernMeta(), notifications: { toolsListChanged: true, promptsListChanged: false, resourceSubscriptions: ["memo://a"] } },
      }),
    });
    assert.equal(res.status, 200);
    const next = sseReader(res.body);
    try {
      const ack = await next();
      assert.equal(ack.method, "notifications/subscriptions/acknowledged");
      assert.equal(ack.params._meta["io.modelcontextprotocol/subscriptionId"], "listen-1");
      assert.deepEqual(ack.params.notifications, { toolsListChanged: true, resourceSubscriptions: ["memo://a"] });
      // A URI nobody subscribed to first, then the subscribed one: only the latter arrives.
      await modern("tools/call", { name: "touch", arguments: { uri: "memo://other" } }, { query: q });
      const call = await modern("tools/call", { name: "touch", arguments: { uri: "memo://a" } }, { query: q, meta: { "io.modelcontextprotocol/logLevel": "info" } });
      assert.deepEqual(call.body.result.structuredContent, { touched: "memo://a" });
      const seen = [await next(), await next(), await next()];
      assert.deepEqual(
        seen.map((m) => [m.method, m.params.uri, m.params._meta["io.modelcontextprotocol/subscriptionId"]]),
        [
          ["notifications/tools/list_changed", undefined, "listen-1"],
          ["notifications/resources/updated", "memo://a", "listen-1"],
          ["notifications/tools/list_changed", undefined, "listen-1"],
        ],
      );
      assert.ok(seen.every((m) => m.method !== "notifications/message"), "a call's log reached the listener");
    } finally {
      controller.abort();
    }
  });

  test("the v2 client's listen() gets the acknowledgement and a resource update through its own handler", async () => {
    const c = await connectV2(w.url, { instance: "listen-v2" });
    try {
      let arrived;
      const update = new Promise((resolve) => {
        arrived = resolve;
      });
      c.client.setNotificationHandler("notifications/resources/updated", (notification) => arrived(notification.params));
      const sub = await c.client.listen({ resourceSubscriptions: ["memo://v2"] });
      assert.deepEqual(sub.honoredFilter, { resourceSubscriptions: ["memo://v2"] });
      await c.client.callTool({ name: "touch", arguments: { uri: "memo://v2" } });
      const params = await update;
      assert.equal(params.uri, "memo://v2");
      await sub.close();
    } finally {
      await c.close();
    }
  });

  test("the same emits reach a 2025 call's own stream as it always did, logs included", async () => {
    const r = await rpc(w.url, { jsonrpc: "2.0", id: 9, method: "tools/call", params: { name: "touch", arguments: { uri: "memo://a" } } }, { accept: "application/json, text/event-stream" });
    const methods = r.body.map((m) => m.method ?? "result");
    assert.ok(methods.includes("notifications/message"), JSON.stringify(methods));
    assert.ok(!methods.includes("notifications/tools/list_changed"));
  });
});

describe("a retry whose suspended call is gone re-runs it from the start", () => {
  let e;
  before(async () => {
    e = await boot("era-evict", "era/cf-era.photon.ts", { vars: { PHOTON_TEST_DROP_SUSPENDED: "1" } });
  });
  after(async () => {
    await e?.stop();
  });

  test("the answers given so far are fed in order; the side effect before the ask happens again", async () => {
    const answers = [{ action: "accept", content: { value: "Nimue" } }, { action: "accept", content: { confirmed: false } }];
    const seen = [];
    const url = new URL("/mcp", e.url);
    url.searchParams.set("instance", "evicted");
    const client = new Client({ name: "evict", version: "1" }, { capabilities: { elicitation: {} }, versionNegotiation: { mode: { pin: MODERN } } });
    client.setRequestHandler("elicitation/create", async (request) => {
      seen.push(request.params.message);
      return answers.shift();
    });
    await client.connect(new StreamableHTTPClientTransport(url));
    try {
      const r = await client.callTool({ name: "wizard", arguments: {} });
      assert.deepEqual(r.structuredContent, { name: "Nimue", sure: false });
      // Each question was asked once: the re-run answered the first from the requestState.
      assert.deepEqual(seen, ["Wizard name?", "Call you Nimue?"]);
      answers.push({ action: "accept", content: { confirmed: true } });
      const charged = await client.callTool({ name: "charge", arguments: {} });
      // Once for the first run, once for the re-run after the retry found no suspended call.
      assert.deepEqual(charged.structuredContent, { ok: true, charges: 2 });
    } finally {
      await client.close();
    }
  });
});

describe("a retry after a real restart (the object and its suspended call are gone)", () => {
  test("the signed requestState still verifies (the key is in storage) and the call re-runs with the answer", async () => {
    const q = "?instance=restarted";
    const first = await modern("tools/call", { name: "wizard", arguments: {} }, { id: 1, query: q });
    const { requestState, inputRequests } = first.body.result;
    const [key] = Object.keys(inputRequests);
    assert.equal(inputRequests[key].params.message, "Wizard name?");
    await w.restart();
    const second = await modern(
      "tools/call",
      { name: "wizard", arguments: {}, inputResponses: { [key]: { action: "accept", content: { value: "Vivien" } } }, requestState },
      { id: 2, query: q },
    );
    // The re-run answered the first ask from the requestState and asks the second one.
    const next = second.body.result;
    assert.equal(next.resultType, "input_required", JSON.stringify(second.body));
    const [key2] = Object.keys(next.inputRequests);
    assert.equal(next.inputRequests[key2].params.message, "Call you Vivien?");
    const third = await modern(
      "tools/call",
      { name: "wizard", arguments: {}, inputResponses: { [key2]: { action: "accept", content: { confirmed: true } } }, requestState: next.requestState },
      { id: 3, query: q },
    );
    assert.deepEqual(third.body.result.structuredContent, { name: "Vivien", sure: true });
  });
});
