// Checking tool, prompt and resource arguments against the JSON Schema photon-cf built for them: the draft-07 keywords its schemas use, with the errors (location, keyword, message) @cfworker/json-schema 4 gives for them.
// Why not that library: it weighed 23 KiB of every Worker's bundle (a quarter of a photon's
// Worker), a third of it string formats the runtime never checks, and it walks each schema once
// more on a new isolate's first call. The schemas here come only from photon-cf's extractor, so
// the vocabulary is closed: type, const, enum, not, anyOf, allOf, oneOf, required, properties,
// additionalProperties, min/maxProperties, items (a schema or a tuple), additionalItems,
// min/maxItems, uniqueItems, minimum, maximum, exclusiveMinimum/Maximum (draft-07 numbers),
// multipleOf, min/maxLength (in code points) and pattern. `format` stays in a listed schema as a
// hint and is not checked, as in the local runtime (`{@format time}` takes "10:30"). Short
// circuit, as the runtime used the library: an object stops at its first failing property and an
// array at its first failing item, so a hostile argument costs one error, not one per item.

/** One problem: where in the instance (a `#/a/0` pointer), which keyword, and what is wrong. */
export interface SchemaError {
  instanceLocation: string;
  keyword: string;
  error: string;
}

export interface SchemaResult {
  valid: boolean;
  errors: SchemaError[];
}

// biome-ignore lint/suspicious/noExplicitAny: a JSON Schema node is untyped JSON, read by keyword.
type Schema = any;

/** Appends one by one, not by spreading into push: an argument list has a length limit, a loop has none. */
function append(to: SchemaError[], from: SchemaError[]): void {
  for (const e of from) to.push(e);
}

function typeOf(instance: unknown): string {
  if (instance === null) return "null";
  if (Array.isArray(instance)) return "array";
  const type = typeof instance;
  if (type === "boolean" || type === "number" || type === "string" || type === "object") return type;
  throw new Error(`Instances of "${type}" type are not supported.`);
}

function pointer(key: string): string {
  return encodeURI(key.replace(/~/g, "~0").replace(/\//g, "~1")).replace(/#/g, "%23");
}

function same(a: unknown, b: unknown): boolean {
  if (typeof a !== typeof b || Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((item, i) => same(item, other[i]));
  }
  if (typeof a === "object" && a !== null && b !== null) {
    const x = a as Record<string, unknown>;
    const y = b as Record<string, unknown>;
    const keys = Object.keys(x);
    return keys.length === Object.keys(y).length && keys.every((k) => Object.hasOwn(y, k) && same(x[k], y[k]));
  }
  return a === b;
}

/** Code points, not UTF-16 units, as JSON Schema counts a string's length. */
function codePoints(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** Exact for decimals (0.3 is a multiple of 0.1): both numbers as integer × 10^exponent. */
function decimal(value: number): [bigint, number] {
  const [coefficient, exponent = "0"] = Math.abs(value).toString().split("e");
  const point = coefficient.indexOf(".");
  return [BigInt(coefficient.replace(".", "")), Number(exponent) - (point === -1 ? 0 : coefficient.length - point - 1)];
}

function isMultipleOf(value: number, divisor: number): boolean {
  if (!Number.isFinite(value) || !Number.isFinite(divisor) || divisor <= 0) return false;
  const [a, x] = decimal(value);
  const [b, y] = decimal(divisor);
  return x >= y ? (a * 10n ** BigInt(x - y)) % b === 0n : a % (b * 10n ** BigInt(y - x)) === 0n;
}

/** Validates `instance` against `schema`; `at` is the instance's location. */
export function validate(instance: unknown, schema: Schema, at = "#"): SchemaResult {
  if (schema === true) return { valid: true, errors: [] };
  if (schema === false)
    return { valid: false, errors: [{ instanceLocation: at, keyword: "false", error: "False boolean schema." }] };
  const type = typeOf(instance);
  const errors: SchemaError[] = [];
  const fail = (keyword: string, error: string) => errors.push({ instanceLocation: at, keyword, error });
  const expected = schema.type;
  if (expected !== undefined) {
    const wanted: string[] = Array.isArray(expected) ? expected : [expected];
    const integer = type === "number" && (instance as number) % 1 === 0;
    if (!wanted.some((t) => t === type || (t === "integer" && integer))) {
      fail("type", `Instance type "${type}" is invalid. Expected "${wanted.join('", "')}".`);
    }
  }
  const compound = type === "object" || type === "array";
  if (schema.const !== undefined && !(compound ? same(instance, schema.const) : instance === schema.const)) {
    fail("const", `Instance does not match ${JSON.stringify(schema.const)}.`);
  }
  if (schema.enum !== undefined && !schema.enum.some((v: unknown) => (compound ? same(instance, v) : instance === v))) {
    fail("enum", `Instance does not match any of ${JSON.stringify(schema.enum)}.`);
  }
  if (schema.not !== undefined && validate(instance, schema.not, at).valid) {
    fail("not", 'Instance matched "not" schema.');
  }
  // anyOf / allOf / oneOf: the combinator's own error first, then its branches' errors.
  const combine = (
    keyword: string,
    ok: (matches: number, total: number) => boolean,
    message: (n: number) => string,
  ) => {
    const branches: Schema[] | undefined = schema[keyword];
    if (branches === undefined) return;
    const inner: SchemaError[] = [];
    let matches = 0;
    for (const branch of branches) {
      const result = validate(instance, branch, at);
      append(inner, result.errors);
      if (result.valid) matches++;
    }
    if (!ok(matches, branches.length)) {
      fail(keyword, message(matches));
      append(errors, inner);
    }
  };
  combine(
    "anyOf",
    (n) => n > 0,
    () => "Instance does not match any subschemas.",
  );
  combine(
    "allOf",
    (n, total) => n === total,
    () => "Instance does not match every subschema.",
  );
  combine(
    "oneOf",
    (n) => n === 1,
    (n) => `Instance does not match exactly one subschema (${n} matches).`,
  );
  if (type === "object") checkObject(instance as Record<string, unknown>, schema, at, errors, fail);
  else if (type === "array") checkArray(instance as unknown[], schema, at, errors, fail);
  else if (type === "number") {
    const n = instance as number;
    if (schema.minimum !== undefined && n < schema.minimum) fail("minimum", `${n} is less than ${schema.minimum}.`);
    if (schema.maximum !== undefined && n > schema.maximum) fail("maximum", `${n} is greater than ${schema.maximum}.`);
    if (schema.exclusiveMinimum !== undefined && n <= schema.exclusiveMinimum) {
      fail("exclusiveMinimum", `${n} is less than ${schema.exclusiveMinimum}.`);
    }
    if (schema.exclusiveMaximum !== undefined && n >= schema.exclusiveMaximum) {
      fail("exclusiveMaximum", `${n} is greater than or equal to ${schema.exclusiveMaximum}.`);
    }
    if (schema.multipleOf !== undefined && !isMultipleOf(n, schema.multipleOf)) {
      fail("multipleOf", `${n} is not a multiple of ${schema.multipleOf}.`);
    }
  } else if (type === "string") {
    const text = instance as string;
    const length = schema.minLength === undefined && schema.maxLength === undefined ? 0 : codePoints(text);
    if (schema.minLength !== undefined && length < schema.minLength) {
      fail("minLength", `String is too short (${length} < ${schema.minLength}).`);
    }
    if (schema.maxLength !== undefined && length > schema.maxLength) {
      fail("maxLength", `String is too long (${length} > ${schema.maxLength}).`);
    }
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, "u").test(text)) {
      fail("pattern", "String does not match pattern.");
    }
  }
  return { valid: errors.length === 0, errors };
}

function checkObject(
  instance: Record<string, unknown>,
  schema: Schema,
  at: string,
  errors: SchemaError[],
  fail: (keyword: string, error: string) => void,
): void {
  for (const key of schema.required ?? []) {
    if (!Object.hasOwn(instance, key)) fail("required", `Instance does not have required property "${key}".`);
  }
  const count = Object.keys(instance).length;
  if (schema.minProperties !== undefined && count < schema.minProperties) {
    fail("minProperties", `Instance does not have at least ${schema.minProperties} properties.`);
  }
  if (schema.maxProperties !== undefined && count > schema.maxProperties) {
    // The library's wording, kept so the message is the same.
    fail("maxProperties", `Instance does not have at least ${schema.maxProperties} properties.`);
  }
  const seen = new Set<string>();
  if (schema.properties !== undefined) {
    for (const [key, sub] of Object.entries(schema.properties)) {
      if (!Object.hasOwn(instance, key)) continue;
      seen.add(key);
      const result = validate(instance[key], sub, `${at}/${pointer(key)}`);
      if (!result.valid) {
        fail("properties", `Property "${key}" does not match schema.`);
        append(errors, result.errors);
        return;
      }
    }
  }
  if (schema.additionalProperties !== undefined) {
    for (const key in instance) {
      if (seen.has(key)) continue;
      const result = validate(instance[key], schema.additionalProperties, `${at}/${pointer(key)}`);
      if (!result.valid) {
        fail("additionalProperties", `Property "${key}" does not match additional properties schema.`);
        append(errors, result.errors);
        return;
      }
    }
  }
}

function checkArray(
  instance: unknown[],
  schema: Schema,
  at: string,
  errors: SchemaError[],
  fail: (keyword: string, error: string) => void,
): void {
  const length = instance.length;
  if (schema.maxItems !== undefined && length > schema.maxItems) {
    fail("maxItems", `Array has too many items (${length} > ${schema.maxItems}).`);
  }
  if (schema.minItems !== undefined && length < schema.minItems) {
    fail("minItems", `Array has too few items (${length} < ${schema.minItems}).`);
  }
  const items = schema.items;
  if (items !== undefined) {
    const tuple = Array.isArray(items);
    const checked = tuple ? Math.min(items.length, length) : length;
    let stopped = false;
    let i = 0;
    for (; i < checked; i++) {
      const result = validate(instance[i], tuple ? items[i] : items, `${at}/${i}`);
      if (!result.valid) {
        fail("items", "Items did not match schema.");
        append(errors, result.errors);
        stopped = true;
        break;
      }
    }
    if (!stopped && schema.additionalItems !== undefined) {
      for (; i < length; i++) {
        const result = validate(instance[i], schema.additionalItems, `${at}/${i}`);
        if (!result.valid) {
          fail("additionalItems", "Items did not match additional items schema.");
          append(errors, result.errors);
          break;
        }
      }
    }
  }
  if (schema.uniqueItems) {
    for (let j = 0; j < length; j++) {
      for (let k = 0; k < length; k++) {
        const a = instance[j];
        const b = instance[k];
        if (j !== k && (a === b || (typeof a === "object" && typeof b === "object" && a && b && same(a, b)))) {
          fail("uniqueItems", `Duplicate items at indexes ${j} and ${k}.`);
          return;
        }
      }
    }
  }
}
