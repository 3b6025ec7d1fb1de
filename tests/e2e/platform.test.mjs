// Issue 11, point 1: `this.cf` bindings. Upstream's two binding fixtures (KV, R2 and D1 through
// `(this as any).cf`, a `const cf` alias and `cfBindings`) run unchanged under `wrangler dev`
// with local resources; wrangler.toml declares each binding without a resource id.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { WRANGLER_ENV, boot, callTool, runAsync } from "./lib/harness.mjs";

let kv;
let gallery;
let unnamed;
before(async () => {
  [kv, gallery, unnamed] = await Promise.all([
    boot("cf-kv-min", "platform/cf-kv-min.photon.ts"),
    boot("cf-gallery", "platform/cf-gallery.photon.ts"),
    boot("cf-unnamed", "platform/cf-unnamed.photon.ts"),
  ]);
});
after(async () => {
  await Promise.all([kv?.stop(), gallery?.stop(), unnamed?.stop()]);
});

async function call(w, tool, args = {}) {
  const r = await callTool(w.url, tool, args);
  assert.ok(r.result && !r.result.isError, `${tool}: ${JSON.stringify(r)}`);
  return r.result.structuredContent;
}

test("wrangler.toml declares each binding as upstream names it, resource ids left to wrangler", () => {
  const toml = readFileSync(join(kv.dir, "wrangler.toml"), "utf8");
  assert.match(toml, /\[\[kv_namespaces\]\]\nbinding = "cf_kv_min_cache_kv"\n\n/);
  assert.match(toml, /\[\[r2_buckets\]\]\nbinding = "cf_kv_min_photos_r2"\nbucket_name = "photos"\n/);
  assert.match(toml, /\[\[d1_databases\]\]\nbinding = "cf_kv_min_app_d1"\ndatabase_name = "app"\n\n/);
  assert.doesNotMatch(toml, /database_id|\bid = /);
});

test("cf-kv-min: KV, R2 and D1 calls all succeed (the D1 table made as a user would)", async () => {
  // The user creates the table the read path expects, with wrangler, on the same local state.
  const made = await runAsync(
    join(kv.dir, "node_modules", ".bin", "wrangler"),
    ["d1", "execute", "cf_kv_min_app_d1", "--local", "--persist-to", kv.persistTo, "--command",
      "CREATE TABLE IF NOT EXISTS items (id INTEGER PRIMARY KEY, name TEXT);"],
    { cwd: kv.dir, env: { ...process.env, ...WRANGLER_ENV, CI: "true" } },
  );
  assert.equal(made.status, 0, made.output);
  assert.deepEqual(await call(kv, "list"), { rows: [] });
  assert.deepEqual(await call(kv, "put", { key: "k", value: "v" }), { ok: true });
  assert.deepEqual(await call(kv, "get", { key: "k" }), { value: "v" });
  assert.deepEqual(await call(kv, "get", { key: "nope" }), { value: null });
  assert.deepEqual(await call(kv, "upload", { name: "a.txt", body: "hello" }), { uploaded: "a.txt" });
  assert.deepEqual(await call(kv, "download", { name: "a.txt" }), { body: "hello" });
  assert.deepEqual(await call(kv, "download", { name: "b.txt" }), { body: null });
  assert.deepEqual(await call(kv, "insert", { name: "one" }), { inserted: "one" });
  assert.deepEqual(await call(kv, "insert", { name: "two" }), { inserted: "two" });
  assert.deepEqual(await call(kv, "list"), { rows: [{ name: "one" }, { name: "two" }] });
});

test("cf-gallery: R2 + D1 + KV together, every call succeeds", async () => {
  assert.deepEqual(await call(gallery, "list"), { items: [] });
  assert.deepEqual(await call(gallery, "lastUpload"), { last: null });
  assert.deepEqual(await call(gallery, "upload", { name: "1.jpg", bytes: "raw bytes" }), { uploaded: "1.jpg" });
  assert.deepEqual(await call(gallery, "fetch", { name: "1.jpg" }), { name: "1.jpg", body: "raw bytes" });
  assert.deepEqual(await call(gallery, "fetch", { name: "2.jpg" }), { name: "2.jpg", body: null });
  assert.deepEqual(await call(gallery, "lastUpload"), { last: "1.jpg" });
  const { items } = await call(gallery, "list");
  assert.deepEqual(items.map((i) => i.name), ["1.jpg"]);
  assert.equal(typeof items[0].uploaded_at, "number");
});

test("unqualified bindings with no names at all: only `binding` is written, and they work locally", async () => {
  const toml = readFileSync(join(unnamed.dir, "wrangler.toml"), "utf8");
  assert.match(toml, /\[\[r2_buckets\]\]\nbinding = "cf_unnamed_r2"\n\n/);
  assert.match(toml, /\[\[d1_databases\]\]\nbinding = "cf_unnamed_d1"\n\n/);
  assert.match(toml, /\[\[kv_namespaces\]\]\nbinding = "cf_unnamed_kv"\n\n/);
  assert.deepEqual(await call(unnamed, "roundTrip"), { kv: "kv-value", r2: "r2-value", d1: "d1-value" });
});
