// templates/cf-runtime/validate.ts on its own (bundled with esbuild), against the library the
// runtime used before it, @cfworker/json-schema 4.1.6 (draft 7, short-circuit, as mcp.ts called it):
// for every schema shape photon-cf's extractor writes and thousands of generated arguments, the
// same verdict and the same errors (location, keyword, message), so -32602 messages did not change.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Validator } from "@cfworker/json-schema";
import { importRuntimeModule } from "./lib/harness.mjs";

let validate;
let outDir;

before(async () => {
  outDir = mkdtempSync(join(tmpdir(), "photon-cf-validate-"));
  ({ validate } = await importRuntimeModule("validate", outDir));
});
after(() => {
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

const SCHEMAS = [
  { type: "object", properties: { a: { type: "number", minimum: 0 }, b: { type: "number" } }, required: ["a", "b"] },
  {
    type: "object",
    properties: {
      text: { type: "string", minLength: 1, maxLength: 3, pattern: "^[a-z😀]+$" },
      times: { type: "integer", minimum: 1, maximum: 10, multipleOf: 2 },
      ratio: { type: "number", exclusiveMinimum: 0, exclusiveMaximum: 1, multipleOf: 0.1 },
    },
    required: ["text"],
  },
  {
    type: "object",
    properties: {
      items: { type: "array", items: { type: "number" }, minItems: 1, maxItems: 3, uniqueItems: true },
      pair: { type: "array", items: [{ type: "string" }, { type: "number" }] },
      any: { type: "array", items: {}, uniqueItems: true },
    },
  },
  {
    type: "object",
    properties: {
      v: { anyOf: [{ type: "string", enum: ["x", "y"] }, { type: "null" }, { type: "array", items: { type: "string" } }] },
      c: { const: { k: [1, 2] } },
      e: { enum: [[1], { a: 1 }, "s", 2] },
      t: { type: ["string", "null", "integer"] },
    },
  },
  { allOf: [{ type: "object", properties: { a: { type: "string" } } }, { type: "object", properties: { b: { type: "number" } }, required: ["b"] }] },
  { type: "object", properties: { o: { oneOf: [{ type: "number" }, { type: "integer" }] }, n: { not: { type: "string" } } } },
  {
    type: "object",
    properties: {
      "a/b~c#d é": { type: "object", properties: { deep: { type: "array", items: { type: "object", properties: { x: { type: "boolean" } }, required: ["x"] } } } },
    },
    minProperties: 1,
    maxProperties: 2,
  },
  { type: "object", properties: { tag: { type: "string", enum: ["a", "b"], default: "a", description: "d", readOnly: true } } },
];

// A small deterministic generator (mulberry32), so a failure names a reproducible case.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function keysOf(schema, out = new Set()) {
  if (schema && typeof schema === "object") {
    for (const key of Object.keys(schema.properties ?? {})) out.add(key);
    for (const value of Object.values(schema)) keysOf(value, out);
  }
  return out;
}

function value(random, keys, depth) {
  const pick = (list) => list[Math.floor(random() * list.length)];
  const kind = pick(depth > 3 ? ["n", "i", "s", "b", "z"] : ["n", "i", "s", "b", "z", "a", "a", "o", "o", "o"]);
  switch (kind) {
    case "n":
      return pick([0.1, 0.3, 0.25, -1.5, 1e-7, 0.7000000000000001, 2.5]);
    case "i":
      return pick([0, 1, 2, 3, 4, 10, 11, -1, 1e21]);
    case "s":
      return pick(["", "x", "y", "s", "abc", "abcd", "A", "😀😀😀", "😀😀😀😀", "a😀"]);
    case "b":
      return random() < 0.5;
    case "z":
      return null;
    case "a":
      return Array.from({ length: Math.floor(random() * 4) }, () => value(random, keys, depth + 1));
    default: {
      const out = {};
      const n = Math.floor(random() * 4);
      for (let i = 0; i < n; i++) out[pick(keys)] = value(random, keys, depth + 1);
      if (random() < 0.2) out.k = [1, 2];
      if (random() < 0.2) out.a = 1;
      return out;
    }
  }
}

const strip = (errors) => errors.map(({ instanceLocation, keyword, error }) => ({ instanceLocation, keyword, error }));

test("the same verdict and errors as @cfworker/json-schema (draft 7, short-circuit) on generated arguments", () => {
  let invalid = 0;
  SCHEMAS.forEach((schema, s) => {
    const reference = new Validator(structuredClone(schema), "7", true);
    const keys = [...keysOf(schema)];
    const random = rng(s + 1);
    for (let i = 0; i < 1500; i++) {
      const args = value(random, keys, 0);
      const ours = validate(args, schema);
      const theirs = reference.validate(args);
      const where = `schema ${s}, case ${i}: ${JSON.stringify(args)}`;
      assert.equal(ours.valid, theirs.valid, where);
      assert.deepEqual(strip(ours.errors), strip(theirs.errors), where);
      if (!ours.valid) invalid++;
    }
  });
  assert.ok(invalid > 2000, `only ${invalid} invalid cases: the generator does not exercise the errors`);
});

test("an object or array stops at its first failing property or item: 100 000 wrong items, one error", () => {
  const schema = { type: "object", properties: { items: { type: "array", items: { type: "number" } } } };
  const result = validate({ items: Array(100000).fill("x") }, schema);
  assert.deepEqual(strip(result.errors), [
    { instanceLocation: "#", keyword: "properties", error: 'Property "items" does not match schema.' },
    { instanceLocation: "#/items", keyword: "items", error: "Items did not match schema." },
    { instanceLocation: "#/items/0", keyword: "type", error: 'Instance type "string" is invalid. Expected "number".' },
  ]);
  const extra = validate({ a: "x", b: "y", c: "z" }, { type: "object", additionalProperties: { type: "number" } });
  assert.equal(extra.errors.filter((e) => e.keyword === "additionalProperties").length, 1);
});

test("format is a hint only: not checked, as in the local runtime", () => {
  const schema = { type: "object", properties: { at: { type: "string", format: "time" }, mail: { type: "string", format: "email" } } };
  assert.equal(validate({ at: "10:30", mail: "not an address" }, schema).valid, true);
  assert.equal(validate({ at: 5 }, schema).valid, false);
});
