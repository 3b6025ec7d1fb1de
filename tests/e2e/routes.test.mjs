// Issue 11, point 2: HTTP routes and `@expose` endpoints, served through the instance's Durable
// Object. Handlers get the Request and the `:params`; a Response passes through; other values
// are JSON unless `@format` or Accept say otherwise. Route handlers are no tools; `@expose`
// methods stay tools. Routes obey instance routing and `--auth`.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { boot, buildFixture, callTool, photonCf, repoRoot, rpc, startWrangler } from "./lib/harness.mjs";

let w;
let authed;
before(async () => {
  const dir = buildFixture("cf-routes-bearer", "platform/cf-routes.photon.ts", { auth: "bearer" });
  [w, authed] = await Promise.all([
    boot("cf-routes", "platform/cf-routes.photon.ts"),
    startWrangler(dir, { vars: { PHOTON_MCP_BEARER: "route-token" } }),
  ]);
});
after(async () => {
  await Promise.all([w?.stop(), authed?.stop()]);
});

const get = (path, init = {}) => fetch(new URL(path, w.url), init);

test("a :param route gets the Request and the params; an exact path wins over a :param one", async () => {
  const r = await get("/items/a%20b?q=1");
  assert.equal(r.status, 200);
  assert.match(r.headers.get("content-type"), /application\/json/);
  assert.deepEqual(await r.json(), { id: "a b", q: "1", who: "anonymous" });
  assert.deepEqual(await (await get("/items/special")).json(), { special: true });
  assert.deepEqual(await (await get("/items/x/")).json(), { id: "x", q: null, who: "anonymous" });
});

test("a returned Response passes through; @format text renders text", async () => {
  const r = await get("/echo", { method: "POST", body: "raw body" });
  assert.equal(r.status, 201);
  assert.equal(r.headers.get("content-type"), "text/x-echo");
  assert.equal(await r.text(), "raw body");
  const h = await get("/hello");
  assert.match(h.headers.get("content-type"), /^text\/plain/);
  assert.equal(await h.text(), "hello, world");
});

test("wrong method is 405 with Allow, unknown paths 404, routes follow the instance", async () => {
  const wrong = await get("/items/1", { method: "PUT" });
  assert.equal(wrong.status, 405);
  assert.deepEqual(wrong.headers.get("allow").split(", ").sort(), ["DELETE", "GET"]);
  assert.equal((await get("/nope")).status, 404);
  assert.equal((await get("/items")).status, 404);
  const del = await get("/items/7?instance=alice", { method: "DELETE" });
  assert.deepEqual(await del.json(), { removed: "7", instance: "alice" });
  const other = await get("/items/8", { method: "DELETE", headers: { "X-Photon-Instance": "bob" } });
  assert.deepEqual(await other.json(), { removed: "8", instance: "bob" });
});

test("route handlers are not tools; @expose methods are tools and POST /api/<kebab-name>", async () => {
  const list = await rpc(w.url, { jsonrpc: "2.0", id: 1, method: "tools/list" });
  assert.deepEqual(list.body.result.tools.map((t) => t.name).sort(), ["add", "addNote", "getStatus"]);
  const viaTool = await callTool(w.url, "getItem", {});
  assert.ok(viaTool.error || viaTool.result?.isError, JSON.stringify(viaTool));
  assert.deepEqual((await callTool(w.url, "addNote", { text: "t" })).result.structuredContent, { note: "t" });

  const post = (path, headers, body = '{"text":"hi"}') =>
    get(path, { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body });
  const same = await post("/api/add-note", { "Sec-Fetch-Site": "same-origin" });
  assert.deepEqual(await same.json(), { note: "hi" });
  assert.equal((await post("/api/add-note", { "Sec-Fetch-Site": "cross-site" })).status, 403);
  assert.equal((await post("/api/add-note", {})).status, 403, "no Sec-Fetch-Site: not a same-origin browser call");
  assert.equal((await post("/api/add-note", { "Sec-Fetch-Site": "same-origin" }, "{bad")).status, 400);
  const pub = await post("/api/get-status", { "Sec-Fetch-Site": "cross-site" }, '{"verbose":true}');
  assert.deepEqual(await pub.json(), { ok: true, verbose: true });
  assert.equal((await get("/api/get-status")).status, 405);
});

test("routes obey --auth: no token 401, the token reaches the handler as this.caller", async () => {
  const none = await fetch(new URL("/items/1", authed.url));
  assert.equal(none.status, 401);
  const ok = await fetch(new URL("/items/1", authed.url), { headers: { Authorization: "Bearer route-token" } });
  assert.deepEqual(await ok.json(), { id: "1", q: null, who: "bearer" });
});

test("route collisions and runtime paths are build errors", () => {
  const bad = join(repoRoot, "fixtures", "build", "route-collision", "cf-clash.photon.ts");
  const r = spawnSync(photonCf, ["check", bad], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /route-collision/);
  assert.match(r.stderr, /bad-route/);
});
