// The conformance photon (fixtures/conformance/everything.photon.ts) through the official MCP SDK
// client and raw HTTP: prompts, resources and templates, completion, rich tool results, the
// logging level, resource subscriptions with their update notification, and the Origin / Host
// checks of a locally served Worker.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import { LoggingMessageNotificationSchema, ResourceUpdatedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { boot, connect, rpc } from "./lib/harness.mjs";

let w;
before(async () => {
  w = await boot("everything", "../conformance/everything.photon.ts");
});
after(async () => {
  await w?.stop();
});

test("initialize advertises tools, prompts, resources with subscribe, completions and logging", async () => {
  const c = await connect(w.url);
  try {
    const caps = c.client.getServerCapabilities();
    assert.deepEqual(Object.keys(caps).sort(), ["completions", "logging", "prompts", "resources", "tools"]);
    assert.equal(caps.resources.subscribe, true);
  } finally {
    await c.close();
  }
});

test("prompts are listed in declaration order, not as tools, and prompts/get runs them", async () => {
  const c = await connect(w.url);
  try {
    const { prompts } = await c.client.listPrompts();
    assert.deepEqual(
      prompts.map((p) => p.name),
      ["test_simple_prompt", "test_prompt_with_arguments", "test_prompt_with_embedded_resource", "test_prompt_with_image", "guide"],
    );
    const withArgs = prompts[1];
    assert.deepEqual(withArgs.arguments, [
      { name: "arg1", description: "First argument", required: true },
      { name: "arg2", description: "Second argument", required: true },
    ]);
    const { tools } = await c.client.listTools();
    assert.ok(!tools.some((t) => t.name.startsWith("test_simple_prompt")));

    const simple = await c.client.getPrompt({ name: "test_simple_prompt" });
    assert.deepEqual(simple.messages, [{ role: "user", content: { type: "text", text: "This is a simple prompt for testing." } }]);
    const got = await c.client.getPrompt({ name: "test_prompt_with_arguments", arguments: { arg1: "a", arg2: "b" } });
    assert.equal(got.messages[0].content.text, "Prompt with arguments: arg1='a', arg2='b'");
    const image = await c.client.getPrompt({ name: "test_prompt_with_image" });
    assert.equal(image.messages[0].content.type, "image");
    const file = await c.client.getPrompt({ name: "guide" });
    assert.match(file.messages[0].content.text, /^# Guide/);
    await assert.rejects(c.client.getPrompt({ name: "test_prompt_with_arguments", arguments: { arg1: "a" } }), /arg2/);
    await assert.rejects(c.client.getPrompt({ name: "nope" }), /Unknown prompt/);
    // A prompt is not a tool.
    const asTool = await c.client.callTool({ name: "test_simple_prompt", arguments: {} }).catch((e) => e);
    assert.match(String(asTool.message ?? asTool.content?.[0]?.text), /Unknown tool/);
  } finally {
    await c.close();
  }
});

test("resources: list, templates, read text / blob / template / embedded file, not found", async () => {
  const c = await connect(w.url);
  try {
    const { resources } = await c.client.listResources();
    assert.deepEqual(
      resources.map((r) => r.uri),
      ["test://static-text", "test://static-binary", "test://watched-resource", "photon://everything/prompts/guide", "photon://everything/resources/readme"],
    );
    const { resourceTemplates } = await c.client.listResourceTemplates();
    assert.deepEqual(resourceTemplates, [
      { uriTemplate: "test://template/{id}/data", name: "templateData", description: "Data of one item, by id", mimeType: "application/json" },
    ]);
    const text = await c.client.readResource({ uri: "test://static-text" });
    assert.deepEqual(text.contents, [{ uri: "test://static-text", mimeType: "text/plain", text: "This is the content of the static text resource." }]);
    const blob = await c.client.readResource({ uri: "test://static-binary" });
    assert.equal(blob.contents[0].mimeType, "image/png");
    assert.ok(Buffer.from(blob.contents[0].blob, "base64").subarray(1, 4).equals(Buffer.from("PNG")));
    const templ = await c.client.readResource({ uri: "test://template/42/data" });
    assert.deepEqual(JSON.parse(templ.contents[0].text), { id: "42", templateTest: true, data: "Data for ID: 42" });
    const readme = await c.client.readResource({ uri: "photon://everything/resources/readme" });
    assert.equal(readme.contents[0].text, "This file is embedded in the Worker at build time.\n");
  } finally {
    await c.close();
  }
  const missing = await rpc(w.url, { jsonrpc: "2.0", id: 7, method: "resources/read", params: { uri: "test://nope" } });
  assert.equal(missing.body.error.code, -32002);
  assert.deepEqual(missing.body.error.data, { uri: "test://nope" });
});

test("completion/complete filters the {@choice-from} candidates by the typed prefix", async () => {
  const c = await connect(w.url);
  try {
    const arg = await c.client.complete({ ref: { type: "ref/prompt", name: "test_prompt_with_arguments" }, argument: { name: "arg1", value: "par" } });
    assert.deepEqual(arg.completion, { values: ["paris", "park", "party"], total: 3, hasMore: false });
    const none = await c.client.complete({ ref: { type: "ref/prompt", name: "test_prompt_with_arguments" }, argument: { name: "arg2", value: "" } });
    assert.deepEqual(none.completion.values, []);
    const id = await c.client.complete({ ref: { type: "ref/resource", uri: "test://template/{id}/data" }, argument: { name: "id", value: "4" } });
    assert.deepEqual(id.completion.values, ["456"]);
  } finally {
    await c.close();
  }
});

test("a returned CallToolResult is sent as is: image, audio, embedded resource, mixed", async () => {
  const c = await connect(w.url);
  try {
    const image = await c.client.callTool({ name: "test_image_content", arguments: {} });
    assert.equal(image.content[0].type, "image");
    assert.equal(image.content[0].mimeType, "image/png");
    assert.equal(image.structuredContent, undefined);
    const audio = await c.client.callTool({ name: "test_audio_content", arguments: {} });
    assert.equal(audio.content[0].mimeType, "audio/wav");
    const mixed = await c.client.callTool({ name: "test_multiple_content_types", arguments: {} });
    assert.deepEqual(mixed.content.map((b) => b.type), ["text", "image", "resource"]);
    const error = await c.client.callTool({ name: "test_error_handling", arguments: {} });
    assert.equal(error.isError, true);
  } finally {
    await c.close();
  }
});

test("logging/setLevel filters notifications/message for the instance", async () => {
  const instance = "levels";
  const c = await connect(w.url, { instance });
  const messages = [];
  c.client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => messages.push(n.params));
  try {
    await c.client.setLoggingLevel("info");
    await c.client.callTool({ name: "test_tool_with_logging", arguments: {} });
    assert.equal(messages.length, 3);
    await c.client.setLoggingLevel("error");
    await c.client.callTool({ name: "test_tool_with_logging", arguments: {} });
    // The sentinel: the call returned after its three info messages, none of which passed.
    assert.equal(messages.length, 3);
    await assert.rejects(c.client.setLoggingLevel("loud"), /level/);
  } finally {
    await c.client.setLoggingLevel("debug").catch(() => {});
    await c.close();
  }
});

test("subscribed resources get notifications/resources/updated from this.notifyResourceUpdated", async () => {
  const c = await connect(w.url, { instance: "subs" });
  const updates = [];
  c.client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => updates.push(n.params.uri));
  try {
    assert.deepEqual(await c.client.callTool({ name: "touch_watched", arguments: {} }).then((r) => r.structuredContent), { sent: false });
    await c.client.subscribeResource({ uri: "test://watched-resource" });
    assert.deepEqual(await c.client.callTool({ name: "touch_watched", arguments: {} }).then((r) => r.structuredContent), { sent: true });
    assert.deepEqual(updates, ["test://watched-resource"]);
    await c.client.unsubscribeResource({ uri: "test://watched-resource" });
    assert.deepEqual(await c.client.callTool({ name: "touch_watched", arguments: {} }).then((r) => r.structuredContent), { sent: false });
    await assert.rejects(c.client.subscribeResource({ uri: "test://nope" }), /not found/);
  } finally {
    await c.close();
  }
});

/** A raw POST with chosen Host and Origin headers (fetch cannot set Host). */
function post(host, origin) {
  const url = new URL("/mcp", w.url);
  const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" });
  const headers = { "Content-Type": "application/json", Accept: "application/json", Host: host, "Content-Length": Buffer.byteLength(body) };
  if (origin) headers.Origin = origin;
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: "POST", headers }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode, acao: res.headers["access-control-allow-origin"] }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

test("served locally, a non-localhost Host or Origin is 403 before any Durable Object; localhost ones are echoed", async () => {
  const own = new URL(w.url);
  assert.equal((await post("evil.example.com", "http://evil.example.com")).status, 403);
  assert.equal((await post("evil.example.com", null)).status, 403);
  assert.equal((await post(own.host, "https://evil.example.com")).status, 403);
  const ok = await post(own.host, own.origin);
  assert.equal(ok.status, 200);
  assert.equal(ok.acao, own.origin);
  const noOrigin = await post(`localhost:${own.port}`, null);
  assert.equal(noOrigin.status, 200);
  assert.equal(noOrigin.acao, undefined);
  const preflight = await fetch(new URL("/mcp", w.url), { method: "OPTIONS", headers: { Origin: "https://evil.example.com" } });
  assert.equal(preflight.status, 403);
});
