// cf-greeter + cf-formatter: this.call reaches the sibling's Durable Object for the caller's
// instance (or the one given), returns its result or throws its error, and the path it
// travels cannot be reached from outside the Worker.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { boot, callTool, connect, structured, typecheck } from "./lib/harness.mjs";

let w;
before(async () => {
  w = await boot("greeter", "greeter/cf-greeter.photon.ts");
});
after(async () => {
  await w?.stop();
});

test("this.call('cf-formatter.decorate', {text}) returns the sibling's result (SDK client)", async () => {
  const c = await connect(w.url);
  try {
    const r = await c.client.callTool({ name: "greet", arguments: { name: "Ada" } });
    assert.deepEqual(r.content, [{ type: "text", text: "*** Hello, Ada ***" }]);
  } finally {
    await c.close();
  }
});

test("the sibling runs in the caller's instance unless {instance} is given", async () => {
  const mine = await callTool(w.url, "who", {}, { query: "?instance=room-1" });
  assert.equal(mine.result.structuredContent.instance, "room-1");
  assert.equal(mine.result.structuredContent.asked, 1);
  const again = await callTool(w.url, "who", {}, { query: "?instance=room-1" });
  assert.equal(again.result.structuredContent.asked, 2, "same sibling object, same storage");
  const other = await callTool(w.url, "whoOn", { instance: "room-2" }, { query: "?instance=room-1" });
  assert.deepEqual(other.result.structuredContent, { instance: "room-2", asked: 1 });
  const dflt = await callTool(w.url, "who", {});
  assert.deepEqual(dflt.result.structuredContent, { instance: "", asked: 1 }, "the default instance is named '', as locally");
});

test("a sibling's error is thrown in the caller", async () => {
  const r = await callTool(w.url, "broken", {});
  assert.equal(r.result.isError, true);
  assert.match(r.result.content[0].text, /formatter exploded/);
});

test("calling a photon not in @photons fails; sibling arguments are validated", async () => {
  const r = await callTool(w.url, "undeclared", {});
  assert.equal(r.result.isError, true);
  assert.match(r.result.content[0].text, /@photons/);
  const bad = await callTool(w.url, "badArgs", {});
  assert.equal(bad.result.isError, true);
  assert.match(bad.result.content[0].text, /'text'/);
});

test("an invalid target instance is refused", async () => {
  const r = await callTool(w.url, "whoOn", { instance: "../etc" });
  assert.equal(r.result.isError, true);
  assert.match(r.result.content[0].text, /invalid instance/);
});

test("the sibling path is unreachable from outside: /__call is 404 and runs nothing", async () => {
  const before = (await callTool(w.url, "who", {}, { query: "?instance=probe" })).result.structuredContent.asked;
  for (const path of ["/__call", "/__call?instance=probe", "/photonCall", "/cf-formatter/__call"]) {
    const r = await fetch(new URL(path, w.url), { method: "POST", headers: { "Content-Type": "application/json", "X-Photon-Instance": "probe" }, body: JSON.stringify({ method: "who", args: {} }) });
    assert.equal(r.status, 404, path);
  }
  const after = (await callTool(w.url, "who", {}, { query: "?instance=probe" })).result.structuredContent.asked;
  assert.equal(after, before + 1, "only our own call ran");
});

test("the sibling's tools are not the host's tools", async () => {
  const r = await callTool(w.url, "decorate", { text: "x" });
  assert.equal(r.error?.code, -32602);
});

test("the generated two-photon project passes tsc --noEmit", async () => {
  const r = await typecheck(w.dir);
  assert.equal(r.status, 0, r.output);
});
