// The surface modules of templates/cf-runtime on their own, bundled with esbuild: the Origin and
// Host rules of a deployed Worker (the e2e Workers are all served locally, so only this test
// reaches that branch), URI template matching, and which tool results pass as CallToolResults.
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { importRuntimeModule } from "./lib/harness.mjs";

let origin;
let resources;
let results;

before(async () => {
  // resources.ts reaches mcp.ts, which imports the pinned JSON Schema validator
  origin = await importRuntimeModule("origin");
  results = await importRuntimeModule("results");
  resources = await importRuntimeModule("resources");
});

const req = (url, headers = {}) => new Request(url, { headers });

test("deployed: no Origin and the Worker's own origin pass, others only when PHOTON_ALLOWED_ORIGINS lists them", () => {
  const url = "https://mcp.example.workers.dev/mcp";
  const remote = { "CF-Connecting-IP": "203.0.113.9" };
  assert.equal(origin.allowedOrigin(req(url, remote), {}), null);
  assert.equal(origin.allowedOrigin(req(url, { ...remote, Origin: "https://mcp.example.workers.dev" }), {}), "https://mcp.example.workers.dev");
  assert.equal(origin.allowedOrigin(req(url, { ...remote, Origin: "https://evil.example.com" }), {}), false);
  const env = { PHOTON_ALLOWED_ORIGINS: "https://app.example.com/, https://claude.ai" };
  assert.equal(origin.allowedOrigin(req(url, { ...remote, Origin: "https://claude.ai" }), env), "https://claude.ai");
  assert.equal(origin.allowedOrigin(req(url, { ...remote, Origin: "https://app.example.com" }), env), "https://app.example.com");
  assert.equal(origin.allowedOrigin(req(url, { ...remote, Origin: "https://claude.ai.evil.com" }), env), false);
  assert.equal(origin.allowedOrigin(req(url, { ...remote, Origin: "https://x.test" }), { PHOTON_ALLOWED_ORIGINS: "*" }), "https://x.test");
});

test("local: loopback client or PHOTON_LOCAL; Host and Origin must name the local machine", () => {
  const local = { "CF-Connecting-IP": "127.0.0.1" };
  assert.equal(origin.allowedOrigin(req("http://127.0.0.1:8787/mcp", local), {}), null);
  assert.equal(origin.allowedOrigin(req("http://localhost:8787/mcp", { ...local, Origin: "http://localhost:3000" }), {}), "http://localhost:3000");
  assert.equal(origin.allowedOrigin(req("http://evil.example.com/mcp", local), {}), false);
  assert.equal(origin.allowedOrigin(req("http://[::1]:8787/mcp", { "CF-Connecting-IP": "::1", Origin: "http://[::1]:8787" }), {}), "http://[::1]:8787");
  assert.equal(origin.allowedOrigin(req("http://evil.example.com/mcp", {}), { PHOTON_LOCAL: "1" }), false);
  assert.deepEqual(origin.corsHeaders(null), {});
  assert.equal(origin.corsHeaders("http://localhost:3000")["Access-Control-Allow-Origin"], "http://localhost:3000");
});

test("URI templates match one segment per variable, literally elsewhere", () => {
  assert.deepEqual(resources.matchTemplate("test://template/{id}/data", "test://template/123/data"), { id: "123" });
  assert.deepEqual(resources.matchTemplate("a://{x}.{y}", "a://1.2"), { x: "1", y: "2" });
  assert.equal(resources.matchTemplate("a://{x}.json", "a://1xjson"), null);
  assert.equal(resources.matchTemplate("test://template/{id}/data", "test://template/1/2/data"), null);
  assert.deepEqual(resources.matchTemplate("p://{name}", "p://a%20b"), { name: "a b" });
  assert.equal(resources.resourceNotFoundCode("2025-11-25"), -32002);
  assert.equal(resources.resourceNotFoundCode(null), -32002);
  assert.equal(resources.resourceNotFoundCode("2026-07-28"), -32602);
});

test("only well-formed CallToolResults pass as they are", () => {
  const ok = { content: [{ type: "text", text: "hi" }, { type: "resource_link", uri: "a://b", name: "b" }], isError: false };
  assert.equal(results.asCallToolResult(ok), ok);
  assert.equal(results.asCallToolResult({ content: [{ type: "image", data: "x" }] }), null);
  assert.equal(results.asCallToolResult({ content: [{ type: "video", data: "x", mimeType: "v" }] }), null);
  assert.equal(results.asCallToolResult({ content: [], extra: 1 }), null);
  assert.equal(results.asCallToolResult({ content: [], structuredContent: [1] }), null);
  assert.equal(results.asCallToolResult({ content: "text" }), null);
});
