// Companion files: `this.assets(path, load?)` reads the files of the photon's `<name>/` folder,
// embedded at build time (text as text, binary as bytes, the path without `load`).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { boot, callTool, repoRoot } from "./lib/harness.mjs";

let w;
before(async () => {
  w = await boot("guide", "guide/guide.photon.ts");
});
after(async () => {
  await w?.stop();
});

const text = (r) => {
  assert.equal(r.result?.isError, undefined, JSON.stringify(r));
  return r.result.structuredContent ?? r.result.content[0].text;
};

test("a text companion file loads as its UTF-8 text", async () => {
  const expected = readFileSync(join(repoRoot, "fixtures/runtime/guide/guide/slides.md"), "utf8");
  assert.equal(text(await callTool(w.url, "slides", {})), expected);
});

test("a binary companion file loads as its bytes with encoding: null", async () => {
  const bytes = readFileSync(join(repoRoot, "fixtures/runtime/guide/guide/img/dot.png"));
  assert.deepEqual(text(await callTool(w.url, "picture", {})), { bytes: bytes.length, first: 0x89 });
});

test("without load, the path inside the companion folder", async () => {
  assert.equal(text(await callTool(w.url, "where", {})), "guide/slides.md");
});
