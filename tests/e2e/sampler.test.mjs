// cf-sampler: this.sample / this.confirm / this.elicit as MCP server-initiated requests on the
// tool call's SSE stream, answered by the SDK client's handlers; progress/status/log emits as
// notifications; the plain-JSON failure; the timeout and its cleanup.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { LoggingMessageNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { boot, callTool, connect, rpc, structured } from "./lib/harness.mjs";

const TIMEOUT_MS = 1500;
let w;
before(async () => {
  w = await boot("sampler", "sampler/cf-sampler.photon.ts", { vars: { PHOTON_REQUEST_TIMEOUT_MS: String(TIMEOUT_MS) } });
});
after(async () => {
  await w?.stop();
});

test("this.sample sends sampling/createMessage and returns the text", async () => {
  const c = await connect(w.url);
  try {
    const r = await c.client.callTool({ name: "haiku", arguments: { topic: "rain" } });
    assert.deepEqual(r.content, [{ type: "text", text: "sampled: Write a haiku about rain" }]);
    assert.equal(c.seen.samples.length, 1);
    assert.equal(c.seen.samples[0].maxTokens, 50);
  } finally {
    await c.close();
  }
});

test("this.confirm sends elicitation/create with a boolean schema", async () => {
  const yes = await connect(w.url, { onElicit: () => ({ action: "accept", content: { confirmed: true } }) });
  try {
    assert.deepEqual(structured(await yes.client.callTool({ name: "proceed", arguments: {} })), { ok: true });
    const asked = yes.seen.elicits[0];
    assert.equal(asked.message, "Proceed?");
    assert.deepEqual(asked.requestedSchema.properties.confirmed.type, "boolean");
  } finally {
    await yes.close();
  }
  const no = await connect(w.url, { onElicit: () => ({ action: "decline" }) });
  try {
    assert.deepEqual(structured(await no.client.callTool({ name: "proceed", arguments: {} })), { ok: false });
  } finally {
    await no.close();
  }
});

test("this.elicit maps ask kinds to requestedSchema and reads the answer back", async () => {
  const answers = {
    "Your name?": { value: "Grace" },
    "Pick a colour": { selection: "green" },
    "Pick colours": { selection: ["red", "blue"] },
    "How many?": { value: 7 },
  };
  const c = await connect(w.url, { onElicit: (p) => ({ action: "accept", content: answers[p.message] }) });
  try {
    assert.deepEqual(structured(await c.client.callTool({ name: "askName", arguments: {} })), { name: "Grace" });
    assert.deepEqual(structured(await c.client.callTool({ name: "pick", arguments: {} })), { colour: "green" });
    assert.deepEqual(structured(await c.client.callTool({ name: "pickMany", arguments: {} })), { colours: ["red", "blue"] });
    assert.deepEqual(structured(await c.client.callTool({ name: "howMany", arguments: {} })), { count: 7 });
    const [text, select, multi, number] = c.seen.elicits.map((e) => e.requestedSchema);
    assert.deepEqual(text.properties.value.type, "string");
    assert.deepEqual(text.required, ["value"]);
    assert.deepEqual(select.properties.selection, { type: "string", enum: ["red", "green", "blue"], description: "Pick a colour" });
    assert.deepEqual(multi.properties.selection.type, "array");
    assert.deepEqual(multi.properties.selection.items.enum, ["red", "green", "blue"]);
    assert.equal(number.properties.value.type, "number");
    assert.equal(number.properties.value.minimum, 1);
    assert.equal(number.properties.value.maximum, 10);
  } finally {
    await c.close();
  }
});

test("a declined elicit yields the ask's default", async () => {
  const c = await connect(w.url, { onElicit: () => ({ action: "cancel" }) });
  try {
    assert.deepEqual(structured(await c.client.callTool({ name: "askName", arguments: {} })), { name: "anonymous" });
    assert.deepEqual(structured(await c.client.callTool({ name: "howMany", arguments: {} })), { count: 0 });
  } finally {
    await c.close();
  }
});

test("generator ask yields go through elicitation too", async () => {
  const c = await connect(w.url, { onElicit: () => ({ action: "accept", content: { value: "Merlin" } }) });
  try {
    assert.deepEqual(structured(await c.client.callTool({ name: "wizard", arguments: {} })), { name: "Merlin" });
  } finally {
    await c.close();
  }
});

test("from a plain-JSON tools/call they fail at once, saying the client must accept text/event-stream", async () => {
  const started = Date.now();
  for (const tool of ["haiku", "proceed", "askName"]) {
    const r = await callTool(w.url, tool, tool === "haiku" ? { topic: "x" } : {});
    assert.equal(r.result.isError, true, tool);
    assert.match(r.result.content[0].text, /text\/event-stream/);
  }
  assert.ok(Date.now() - started < TIMEOUT_MS, "no waiting for a timeout");
});

/** An SDK client that records the progress and log notifications of the calls it makes. */
async function connectRecording() {
  const c = await connect(w.url);
  const progress = [];
  const logs = [];
  c.client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
    logs.push(n.params);
  });
  const call = (name, args = {}) =>
    c.client.callTool({ name, arguments: args }, undefined, { onprogress: (p) => progress.push(p) });
  return { c, progress, logs, call };
}

test("progress, status and log emits reach the caller as notifications, then the result", async () => {
  const { c, progress, logs, call } = await connectRecording();
  try {
    const r = await call("work", { steps: 4 });
    assert.deepEqual(structured(r), { done: 4 });
    assert.deepEqual(progress.map((p) => p.progress), [0, 25, 50, 75, 100]);
    assert.equal(progress[0].message, "starting");
    assert.equal(progress[4].message, "step 4");
    assert.equal(logs.length, 1);
    assert.equal(logs[0].level, "warning");
    assert.equal(logs[0].data, "almost done");
  } finally {
    await c.close();
  }
});

test("a plain class gets the emit helpers (status, progress, log)", async () => {
  const { c, progress, logs, call } = await connectRecording();
  try {
    const r = await call("helpers");
    assert.deepEqual(structured(r), { ok: true });
    assert.deepEqual(progress.map((p) => [p.progress, p.message]), [[0, "warming up"], [50, "half way"]]);
    assert.deepEqual(logs.map((l) => [l.level, l.data]), [["error", "helper log"]]);
  } finally {
    await c.close();
  }
});

test("the raw SSE stream carries the request, and the response POST (routed by its id) is answered 202", async () => {
  // Instance chosen by _meta only: the client's response carries no _meta, the id routes it.
  // This first call is never answered; it must end with the timeout.
  const call = rpc(w.url, { jsonrpc: "2.0", id: 77, method: "tools/call", params: { name: "proceed", arguments: {}, _meta: { photonInstance: "raw" } } }, { accept: "application/json, text/event-stream" });
  // A second call read as a stream: answer its server request by hand, as a client would.
  const res = await fetch(new URL("/mcp", w.url), {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json, text/event-stream" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 78, method: "tools/call", params: { name: "proceed", arguments: {}, _meta: { photonInstance: "raw2" } } }),
  });
  assert.equal(res.headers.get("content-type"), "text/event-stream");
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buf = "";
  let request;
  while (!request) {
    const { value, done } = await reader.read();
    assert.ok(!done, "stream ended before the server request");
    buf += decoder.decode(value, { stream: true });
    const m = /data: (.*)\n\n/.exec(buf);
    if (m) request = JSON.parse(m[1]);
  }
  assert.equal(request.method, "elicitation/create");
  assert.match(String(request.id), /raw2/);
  const ack = await rpc(w.url, { jsonrpc: "2.0", id: request.id, result: { action: "accept", content: { confirmed: true } } });
  assert.equal(ack.status, 202);
  let rest = buf.slice(buf.indexOf("\n\n") + 2);
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    rest += decoder.decode(value, { stream: true });
  }
  const final = JSON.parse(/data: (.*)\n\n/.exec(rest)[1]);
  assert.equal(final.id, 78);
  assert.deepEqual(final.result.structuredContent, { ok: true });
  // The first call (never answered) times out and reports it.
  const timedOut = await call;
  const result = timedOut.body.at(-1).result;
  assert.equal(result.isError, true);
  assert.match(result.content[0].text, /did not answer within 1500 ms/);
});

test("after a timeout the pending request is gone: a late answer is ignored and the instance keeps working", async () => {
  // The elicitation is answered only once the call has reported its timeout, and the test goes on
  // once that late answer's POST has been answered, not after a guessed delay.
  let timedOut;
  const timeoutReported = new Promise((r) => (timedOut = r));
  let answerSent;
  const lateAnswerPosted = new Promise((r) => (answerSent = r));
  const c = await connect(w.url, {
    instance: "late",
    onElicit: async () => {
      await timeoutReported;
      return { action: "accept", content: { confirmed: true } };
    },
  });
  const send = c.transport.send.bind(c.transport);
  c.transport.send = (message, options) => {
    const sent = send(message, options);
    if ("result" in message) answerSent(sent);
    return sent;
  };
  try {
    const r = await c.client.callTool({ name: "proceed", arguments: {} });
    assert.equal(r.isError, true);
    assert.match(r.content[0].text, /did not answer/);
    timedOut();
    await lateAnswerPosted;
    const ok = await c.client.callTool({ name: "haiku", arguments: { topic: "after" } });
    assert.match(ok.content[0].text, /after/);
  } finally {
    await c.close();
  }
});
