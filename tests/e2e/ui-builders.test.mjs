// cf-ui: photon-core's Table, Chart, Stats, Cards, Progress and Field serialise on Workers
// exactly as the npm @portel/photon-core 2.17.6 (pinned in this folder's package.json) does. The
// calls are read from the fixture's CASES block and run against both; nothing is fetched.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as upstream from "@portel/photon-core";
import { boot, callTool, repoRoot } from "./lib/harness.mjs";

const fixture = join(repoRoot, "fixtures", "runtime-ext", "ui", "cf-ui.photon.ts");

/** The fixture's `rows` and `CASES`, evaluated here against the npm package. */
function upstreamCases() {
  const source = readFileSync(fixture, "utf8");
  const rowsText = source.slice(source.indexOf("const rows = "), source.indexOf("// CASES-START"));
  const casesText = source.slice(source.indexOf("// CASES-START"), source.indexOf("// CASES-END"));
  const cases = new Function(`${rowsText}\n${casesText}\nreturn CASES;`)();
  return Object.fromEntries(Object.entries(cases).map(([name, make]) => [name, JSON.parse(JSON.stringify(make(upstream)))]));
}

let w;
before(async () => {
  w = await boot("ui", "../runtime-ext/ui/cf-ui.photon.ts");
});
after(async () => {
  await w?.stop();
});

test("the npm package under comparison is 2.17.6", () => {
  const pkg = JSON.parse(readFileSync(join(import.meta.dirname, "node_modules", "@portel", "photon-core", "package.json"), "utf8"));
  assert.equal(pkg.version, "2.17.6");
});

test("every builder call serialises exactly as @portel/photon-core 2.17.6", async () => {
  const expected = upstreamCases();
  assert.ok(Object.keys(expected).length >= 19, "the cases were read from the fixture");
  const r = await callTool(w.url, "all", {});
  assert.equal(r.result?.isError, undefined, JSON.stringify(r));
  const actual = r.result.structuredContent ?? JSON.parse(r.result.content[0].text);
  assert.deepEqual(Object.keys(actual), Object.keys(expected));
  for (const name of Object.keys(expected)) {
    // Key order too: clients render columns and options in the order they arrive.
    assert.equal(JSON.stringify(actual[name]), JSON.stringify(expected[name]), `case ${name}`);
  }
});

test("a builder returned by a tool arrives as its JSON, inferred columns sortable", async () => {
  const r = await callTool(w.url, "table", {});
  const value = r.result.structuredContent ?? JSON.parse(r.result.content[0].text);
  assert.equal(value._photonType, "table");
  assert.deepEqual(value.columns[0], { key: "name", label: "Name", type: "string", sortable: true });
  assert.equal(value.options.title, "Bills");
});
