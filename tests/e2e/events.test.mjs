// /events in workerd: hibernatable WebSocket subscribers per channel and '*', one copy per socket,
// instance isolation, the two-argument emit('name', data) and channel-less emits staying on the
// caller's stream, sockets that outlive the object's eviction, close codes, keep-alive pings, and
// the refusals (no upgrade, no channel). A sibling photon's channel emits reach the sockets of the
// instance it runs on, and a channel emit made during an SSE tools/call stays off that stream (the
// local runtime sends channel events to Beam/the daemon, never as MCP notifications).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import WebSocket from "ws";
import { boot, callTool, rpc, subscribe } from "./lib/harness.mjs";

let w;
before(async () => {
  w = await boot("events", "../runtime-ext/events/cf-events.photon.ts");
});
after(async () => {
  await w?.stop();
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const say = (instance, channel, text) => callTool(w.url, "say", { channel, text }, { query: `?instance=${instance}` });

/** A raw `ws` socket on /events, for what the JSON-only harness client cannot see. */
function rawSocket(query) {
  const ws = new WebSocket(new URL(`/events${query}`, w.url.replace(/^http/, "ws")));
  const frames = [];
  ws.on("message", (data) => frames.push(String(data)));
  const closed = new Promise((r) => ws.once("close", (code, reason) => r({ code, reason: String(reason) })));
  const opened = new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
    ws.once("unexpected-response", (_req, res) => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode })));
  });
  return { ws, frames, opened, closed };
}

test("a channel emit reaches that channel's and '*' sockets of the instance, once each, and nothing else", async () => {
  const news = await subscribe(w.url, "?instance=room&channel=news");
  const star = await subscribe(w.url, "?instance=room&channel=*");
  const both = await subscribe(w.url, "?instance=room&channel=news&channel=*");
  const multi = await subscribe(w.url, "?instance=room&channel=sports&channel=news");
  const sports = await subscribe(w.url, "?instance=room&channel=sports");
  const otherInstance = await subscribe(w.url, "?instance=hall&channel=news");
  try {
    await say("room", "news", "hello");
    const expected = { channel: "news", event: "said", text: "hello" };
    assert.deepEqual((await news.waitFor(1))[0], expected);
    assert.deepEqual((await star.waitFor(1))[0], expected);
    assert.deepEqual((await multi.waitFor(1))[0], expected);
    await both.waitFor(1);
    await say("room", "sports", "goal");
    assert.deepEqual((await sports.waitFor(1))[0], { channel: "sports", event: "said", text: "goal" });
    assert.deepEqual((await multi.waitFor(2)).map((m) => m.text), ["hello", "goal"]);
    await star.waitFor(2);
    // Both events were published before their calls returned, so they precede each socket's pong.
    assert.deepEqual((await both.sync()).map((m) => m.text), ["hello", "goal"], "a socket on 'news' and '*' gets one copy of each");
    assert.deepEqual((await news.sync()).map((m) => m.text), ["hello"]);
    assert.deepEqual((await star.sync()).map((m) => m.text), ["hello", "goal"]);
    assert.equal((await otherInstance.sync()).length, 0, "another instance never sees it");
  } finally {
    for (const s of [news, star, both, multi, sports, otherInstance]) s.close();
  }
});

test("a sibling photon's channel emits reach the /events sockets of the instance it runs on, in order", async () => {
  const here = await subscribe(w.url, "?instance=sib-a&channel=relay");
  const star = await subscribe(w.url, "?instance=sib-a&channel=*");
  const there = await subscribe(w.url, "?instance=sib-b&channel=relay");
  try {
    const r = await callTool(w.url, "relay", { channel: "relay", text: "hi" }, { query: "?instance=sib-a" });
    assert.deepEqual(r.result.structuredContent, { ok: true, from: "sib-a" });
    const expected = [1, 2].map((seq) => ({ channel: "relay", event: "relayed", text: "hi", seq, from: "sib-a" }));
    assert.deepEqual(await here.waitFor(2), expected);
    assert.deepEqual(await star.waitFor(2), expected);

    // this.call(..., {instance}) runs the sibling on another instance: its emits go there.
    const other = await callTool(w.url, "relay", { channel: "relay", text: "over", instance: "sib-b" }, { query: "?instance=sib-a" });
    assert.equal(other.result.structuredContent.from, "sib-b");
    assert.deepEqual((await there.waitFor(2)).map((m) => [m.text, m.seq, m.from]), [["over", 1, "sib-b"], ["over", 2, "sib-b"]]);
    assert.equal((await here.sync()).length, 2, "instance sib-a does not see sib-b's emits");
  } finally {
    for (const s of [here, star, there]) s.close();
  }
});

test("a channel emit during an SSE tools/call reaches /events, not the caller's stream", async () => {
  const sub = await subscribe(w.url, "?instance=sse-ch&channel=news");
  try {
    const r = await rpc(
      w.url,
      { jsonrpc: "2.0", id: 9, method: "tools/call", params: { name: "say", arguments: { channel: "news", text: "both?" }, _meta: { progressToken: "p9" } } },
      { accept: "application/json, text/event-stream", query: "?instance=sse-ch" },
    );
    assert.equal(r.status, 200);
    // Nothing goes to the caller, so the answer may come as plain JSON rather than a stream.
    const messages = Array.isArray(r.body) ? r.body : [r.body];
    assert.deepEqual(messages.filter((m) => m.method !== undefined), [], "no notification carries the channel event");
    assert.equal(messages.at(-1).id, 9);
    assert.deepEqual((await sub.waitFor(1))[0], { channel: "news", event: "said", text: "both?" });
  } finally {
    sub.close();
  }
});

test("emit('name', data) and channel-less emits go to the caller's stream, never to /events", async () => {
  const star = await subscribe(w.url, "?instance=quiet&channel=*");
  try {
    const r = await rpc(
      w.url,
      { jsonrpc: "2.0", id: 7, method: "tools/call", params: { name: "named", arguments: { event: "update", text: "hi" }, _meta: { progressToken: "p1" } } },
      { accept: "application/json, text/event-stream", query: "?instance=quiet" },
    );
    assert.equal(r.status, 200);
    const messages = r.body.filter((m) => m.method === "notifications/message").map((m) => m.params.data);
    assert.deepEqual(messages, [{ event: "update", data: { text: "hi" } }], "the two-argument form keeps its payload");
    const progress = r.body.filter((m) => m.method === "notifications/progress").map((m) => m.params.message);
    assert.deepEqual(progress, ["named update"]);
    assert.equal(r.body.at(-1).id, 7);
    assert.deepEqual(await star.sync(), [], "the named emit never reached /events");
  } finally {
    star.close();
  }
});

test("sockets stay subscribed across the object's eviction (hibernation)", async () => {
  const sub = await subscribe(w.url, "?instance=sleepy&channel=news");
  try {
    const first = (await callTool(w.url, "whoami", {}, { query: "?instance=sleepy" })).result.structuredContent.boot;
    // Idle with only a hibernatable socket attached: workerd evicts the object after ~10 s.
    await sleep(20_000);
    await say("sleepy", "news", "after the nap");
    assert.equal((await sub.waitFor(1))[0].text, "after the nap");
    const second = (await callTool(w.url, "whoami", {}, { query: "?instance=sleepy" })).result.structuredContent.boot;
    assert.notEqual(second, first, "a new object was constructed, and the old socket still got the event");
  } finally {
    sub.close();
  }
});

test("close codes: an application code is echoed, a close without code is answered without an error", async () => {
  const coded = rawSocket("?instance=closing&channel=news");
  await coded.opened;
  coded.ws.close(4001, "bye");
  assert.deepEqual(await coded.closed, { code: 4001, reason: "bye" });

  const bare = rawSocket("?instance=closing&channel=news");
  await bare.opened;
  bare.ws.close(); // status 1005 on the server side: must not be echoed
  const { code } = await bare.closed;
  assert.ok(code === 1005 || code === 1000, `closed with ${code}`);

  // The object still publishes to the remaining subscribers after those closes.
  const sub = await subscribe(w.url, "?instance=closing&channel=news");
  const logBefore = w.log().length;
  try {
    await say("closing", "news", "still here");
    assert.equal((await sub.waitFor(1))[0].text, "still here");
  } finally {
    sub.close();
  }
  // The object handled both closes before that call, so an error they raised is in the log
  // before wrangler's line for the call: wait for that line, then look.
  const deadline = Date.now() + 5000;
  while (!/POST \/mcp \d{3}/.test(w.log().slice(logBefore))) {
    assert.ok(Date.now() < deadline, `wrangler never logged the call:\n${w.log().slice(logBefore)}`);
    await sleep(20);
  }
  assert.doesNotMatch(w.log(), /Uncaught.*webSocketClose|webSocketClose.*Error/);
});

test("'ping' is answered 'pong' by the runtime", async () => {
  const s = rawSocket("?instance=pinger&channel=news");
  await s.opened;
  s.ws.send("ping");
  const deadline = Date.now() + 5000;
  while (!s.frames.includes("pong")) {
    assert.ok(Date.now() < deadline, `no pong: ${JSON.stringify(s.frames)}`);
    await sleep(50);
  }
  s.ws.close(1000);
  await s.closed;
});

test("refusals: no WebSocket upgrade is 426, a missing or empty channel is 400", async () => {
  const plain = await fetch(new URL("/events?channel=news", w.url));
  assert.equal(plain.status, 426);
  assert.match((await plain.json()).error, /WebSocket upgrade/);
  for (const query of ["", "?channel=", "?instance=x"]) {
    const s = rawSocket(query);
    await assert.rejects(s.opened, (e) => e.status === 400, `query ${JSON.stringify(query)}`);
  }
});
