// A bounded-time, seeded fuzzer against a booted Worker (loopback only): JSON-RPC messages with
// nested, wide and prototype-named arguments, odd ids, odd methods and broken envelopes. Every
// answer must be a well-formed JSON-RPC response (or 202 for notifications and responses, or a
// 4xx with a JSON body for what is not JSON-RPC at all), never a 5xx, never a stack trace, and
// never much larger than the request.
// E2E_FUZZ_SECONDS (default 10) bounds the run; E2E_FUZZ_SEED (default: the time) picks the
// inputs and is printed, so a failing run can be replayed.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { boot, rpc } from "./lib/harness.mjs";

const SECONDS = Number(process.env.E2E_FUZZ_SECONDS ?? 10);
const SEED = Number(process.env.E2E_FUZZ_SEED ?? Date.now() % 1_000_000);

let w;
before(async () => {
  w = await boot("security-fuzz", "../hostile/bounds.photon.ts", { vars: { PHOTON_REQUEST_TIMEOUT_MS: "2000" } });
});
after(async () => {
  await w?.stop();
});

/** mulberry32: a small seeded generator, so a seed replays the same inputs. */
function generator(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n) => Math.floor(next() * n);
  const pick = (list) => list[int(list.length)];
  return { next, int, pick };
}

const PROTO_NAMES = ["__proto__", "constructor", "prototype", "toString", "valueOf", "hasOwnProperty", "__defineGetter__", "isPrototypeOf", "then", "toJSON", "$ref", "_meta"];
const STRINGS = ["", "x", "é", "\u2028", "\u0000", "\\", '"', "</script>", "${x}", "a".repeat(300), "\ud83d\ude00"];
const NUMBERS = ["0", "-0", "1", "-1", "1.5", "1e308", "1e400", "-1e400", "12345678901234567890", "9007199254740993", "0.1", "5e-324"];
const TOOLS = ["put", "get", "all", "sum", "shape", "noop", "plans", "wipe", "missing", "", ...PROTO_NAMES];
const METHODS = ["tools/call", "tools/call", "tools/call", "tools/list", "ping", "initialize", "logging/setLevel", "notifications/initialized", "resources/list", "nope", ...PROTO_NAMES];

/** JSON text of a random value: scalars, nested (up to 200 deep), wide (up to 3 000 members), prototype-named keys. */
function value(r, budget) {
  const kind = r.int(10);
  if (kind < 3 || budget.left <= 0) return scalar(r);
  if (kind === 3) {
    const depth = r.pick([1, 8, 9, 63, 64, 65, 66, 200]);
    const open = r.next() < 0.5;
    const leaf = scalar(r);
    budget.left -= depth;
    return open ? `${'{"a":'.repeat(depth)}${leaf}${"}".repeat(depth)}` : `${"[".repeat(depth)}${leaf}${"]".repeat(depth)}`;
  }
  const wide = kind === 4;
  const n = wide ? r.int(3000) : r.int(6);
  budget.left -= n;
  const items = [];
  if (r.next() < 0.5) {
    for (let i = 0; i < n; i++) items.push(value(r, budget));
    return `[${items.join(",")}]`;
  }
  for (let i = 0; i < n; i++) items.push(`${JSON.stringify(r.next() < 0.6 ? r.pick(PROTO_NAMES) : `k${r.int(50)}`)}:${value(r, budget)}`);
  return `{${items.join(",")}}`;
}

function scalar(r) {
  switch (r.int(5)) {
    case 0:
      return JSON.stringify(r.pick(STRINGS));
    case 1:
      return r.pick(NUMBERS);
    case 2:
      return r.pick(["true", "false", "null"]);
    case 3:
      return JSON.stringify(r.pick(PROTO_NAMES));
    default:
      return String(r.int(100));
  }
}

/** One random request body, and whether (and as what text) it carries a usable id. */
function message(r) {
  const id = r.pick([...NUMBERS, '"s"', '"cf:default:x"', "null", "true", "{}", "[1]", String(r.int(1e6)), null]);
  const method = r.pick(METHODS);
  const budget = { left: 4000 };
  let params;
  if (method === "tools/call") {
    const args = r.next() < 0.8 ? value(r, budget) : scalar(r);
    const named = r.next() < 0.7 ? `{"key":${r.next() < 0.7 ? JSON.stringify(r.pick([...PROTO_NAMES, "k"])) : value(r, budget)},"value":${value(r, budget)}}` : args;
    params = `{"name":${JSON.stringify(r.pick(TOOLS))},"arguments":${r.next() < 0.9 ? named : scalar(r)}${r.next() < 0.2 ? `,"_meta":${value(r, budget)}` : ""}}`;
  } else {
    params = r.next() < 0.7 ? value(r, budget) : "{}";
  }
  const members = [`"jsonrpc":${r.next() < 0.95 ? '"2.0"' : scalar(r)}`, `"method":${r.next() < 0.95 ? JSON.stringify(method) : scalar(r)}`];
  if (id !== null) members.push(`"id":${id}`);
  if (r.next() < 0.9) members.push(`"params":${params}`);
  if (r.next() < 0.1) members.push(`"__proto__":${value(r, budget)}`);
  // Shuffle the members: the id must be found wherever it is.
  for (let i = members.length - 1; i > 0; i--) {
    const j = r.int(i + 1);
    [members[i], members[j]] = [members[j], members[i]];
  }
  let body = `{${members.join(",")}}`;
  if (r.next() < 0.05) body = body.slice(0, r.int(body.length));
  const usableId = id !== null && (/^-?\d/.test(id) || id.startsWith('"')) ? id : null;
  return { body, id: usableId, method };
}

test(`fuzz for ${SECONDS}s (seed ${SEED}): every answer is well-formed JSON-RPC, never a 5xx`, async () => {
  process.stdout.write(`# fuzz seed ${SEED} (E2E_FUZZ_SEED=${SEED} replays it)\n`);
  const r = generator(SEED);
  const deadline = Date.now() + SECONDS * 1000;
  let sent = 0;
  const statuses = new Map();
  while (Date.now() < deadline) {
    const { body, id, method } = message(r);
    const instance = `fuzz-${r.int(3)}`;
    const res = await rpc(w.url, body, { query: `?instance=${instance}` });
    sent++;
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    const where = `seed ${SEED}, request ${sent}: ${body.slice(0, 200)}${body.length > 200 ? "…" : ""} -> ${res.status} ${res.text.slice(0, 300)}`;
    assert.ok(res.status < 500, where);
    assert.doesNotMatch(res.text, /\n\s+at |Maximum call stack|\.ts:\d+/, where);
    if (res.status === 202) {
      assert.equal(res.text, "", where);
      continue;
    }
    const answer = res.body;
    assert.ok(answer && typeof answer === "object", where);
    if (res.status === 413) continue;
    assert.equal(answer.jsonrpc, "2.0", where);
    assert.ok(("result" in answer) !== ("error" in answer), where);
    if ("error" in answer) {
      assert.ok(Number.isInteger(answer.error.code), where);
      assert.equal(typeof answer.error.message, "string", where);
      assert.ok(answer.error.message.length <= 2048, where);
    }
    // A usable id comes back exactly as written; an unusable one is null.
    if (id !== null && res.status === 200) assert.ok(res.text.startsWith(`{"jsonrpc":"2.0","id":${id},`), where);
    // Replies carrying only this request's data stay a small multiple of it.
    if (!(method === "tools/call" && /"name":"(get|all|plans)"/.test(body))) {
      assert.ok(res.text.length <= 24 * body.length + 16384, `${res.text.length}-byte answer to a ${body.length}-byte request: ${where}`);
    }
  }
  process.stdout.write(`# fuzz sent ${sent} requests: ${JSON.stringify(Object.fromEntries(statuses))}\n`);
  assert.ok(sent > 0);
});
