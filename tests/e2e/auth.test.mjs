// templates/cf-runtime/auth.ts and jwt.ts (its JWT verifier, built on jose), bundled with esbuild
// and run on Node's WebCrypto, Request and Response (the same web APIs workerd gives it): bearer
// and JWT (ES256, RS256) decisions, fail closed on missing configuration, RFC 6750 errors,
// per-tool scopes, JWKS by URL with caching, and the WebSocket `access_token` query parameter.
// `authorize` is jwt.ts's (what a --auth jwt entry imports); `authorizeWithoutJwt` is auth.ts's
// own (what a --auth bearer entry imports).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { importRuntimeModule } from "./lib/harness.mjs";
import { b64url, json64, keyPair, signJwt } from "./lib/jwt.mjs";

const { subtle } = globalThis.crypto;
let authorize;
let authorizeWithoutJwt;
let jwksServer;
let jwksUrl;
let jwksHits = 0;
const keys = {};

const manifest = (mode) => ({
  version: 1,
  host: "vault",
  auth: { mode },
  photons: { vault: { methods: { read: { scopes: ["vault:read"] }, write: { scopes: ["vault:read", "vault:write"] } } } },
});


async function sign(alg, claims, { kid = alg === "ES256" ? "ec-1" : "rsa-1", key, header = {} } = {}) {
  return signJwt({ alg, typ: "JWT", ...(kid ? { kid } : {}), ...header }, claims, key ?? keys[alg].privateKey, alg);
}

const now = () => Math.floor(Date.now() / 1000);
const good = (extra = {}) => ({ iss: "https://issuer.example", aud: "https://mcp.example", sub: "agent:e2e", exp: now() + 300, scope: "vault:read", ...extra });

function req(token, { url = "https://mcp.example/mcp", headers = {} } = {}) {
  const h = { ...headers };
  if (token !== undefined) h.authorization = `Bearer ${token}`;
  return new Request(url, { method: "POST", headers: h });
}

const jwtEnv = (extra = {}) => ({ PHOTON_MCP_ISSUER: "https://issuer.example", PHOTON_MCP_AUDIENCE: "https://mcp.example", PHOTON_MCP_JWKS: JSON.stringify({ keys: [keys.ES256.jwk, keys.RS256.jwk] }), ...extra });

before(async () => {
  // jose's web build (platform neutral), as a Worker bundles it, not its Node one.
  const neutral = { platform: "neutral", mainFields: ["module", "main"] };
  ({ authorize } = await importRuntimeModule("jwt", neutral));
  ({ authorize: authorizeWithoutJwt } = await importRuntimeModule("auth", neutral));

  for (const [alg, kid] of [
    ["ES256", "ec-1"],
    ["RS256", "rsa-1"],
  ]) {
    const pair = await keyPair(alg);
    keys[alg] = { privateKey: pair.privateKey, jwk: { ...pair.jwk, kid, alg, use: "sig" } };
  }
  jwksServer = createServer((_req, res) => {
    jwksHits += 1;
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ keys: [keys.ES256.jwk] }));
  });
  await new Promise((r) => jwksServer.listen(0, "127.0.0.1", r));
  jwksUrl = `http://127.0.0.1:${jwksServer.address().port}/jwks.json`;
});
after(() => {
  jwksServer?.close();
});

async function expectRefusal(result, status, error) {
  assert.equal(result.ok, false, "should be refused");
  assert.equal(result.response.status, status);
  const body = await result.response.json();
  if (error) assert.equal(body.error, error);
  return { body, challenge: result.response.headers.get("www-authenticate") };
}

test("none: everyone passes as anonymous", async () => {
  const r = await authorize(req(undefined), {}, manifest("none"), "tools/call", "write");
  assert.deepEqual(r, { ok: true, caller: { id: "anonymous", anonymous: true } });
});

test("bearer: fails closed without the secret; RFC 6750 challenges; the right token passes", async () => {
  const m = manifest("bearer");
  await expectRefusal(await authorize(req("anything"), {}, m, "initialize"), 503, "server_error");
  await expectRefusal(await authorize(req("anything"), { PHOTON_MCP_BEARER: "" }, m, "initialize"), 503, "server_error");
  const env = { PHOTON_MCP_BEARER: "s3cret-token" };
  const none = await expectRefusal(await authorize(req(undefined), env, m, "tools/list"), 401);
  assert.equal(none.challenge, 'Bearer realm="photon-cf"', "no error code when no token was sent (RFC 6750 §3.1)");
  const wrong = await expectRefusal(await authorize(req("s3cret-tokeN"), env, m, "ping"), 401, "invalid_token");
  assert.match(wrong.challenge, /^Bearer realm="photon-cf", error="invalid_token"/);
  await expectRefusal(await authorize(req("s3cret"), env, m, "ping"), 401, "invalid_token");
  await expectRefusal(await authorize(new Request("https://x/mcp", { headers: { authorization: "Basic abc" } }), env, m, "ping"), 400, "invalid_request");
  const ok = await authorize(new Request("https://x/mcp", { headers: { authorization: "bearer s3cret-token" } }), env, m, "tools/call", "write");
  assert.deepEqual(ok, { ok: true, caller: { id: "bearer", anonymous: false, claims: {} } });
});

test("jwt: valid ES256 and RS256 tokens pass with the caller from the claims", async () => {
  const m = manifest("jwt");
  for (const alg of ["ES256", "RS256"]) {
    const r = await authorize(req(await sign(alg, good({ name: "E2E" }))), jwtEnv(), m, "tools/call", "read");
    assert.equal(r.ok, true, alg);
    assert.equal(r.caller.id, "agent:e2e");
    assert.equal(r.caller.name, "E2E");
    assert.equal(r.caller.anonymous, false);
    assert.equal(r.caller.scope, "vault:read");
  }
  // aud may be an array; skew of 60 s on exp and nbf
  const r = await authorize(req(await sign("ES256", good({ aud: ["other", "https://mcp.example"], exp: now() - 30, nbf: now() + 30 }))), jwtEnv(), m, "initialize");
  assert.equal(r.ok, true);
});

test("jwt: every defect is a 401 invalid_token", async () => {
  const m = manifest("jwt");
  const other = await subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"]);
  const cases = {
    "wrong issuer": await sign("ES256", good({ iss: "https://evil.example" })),
    "wrong audience": await sign("ES256", good({ aud: "https://elsewhere.example" })),
    "expired token": await sign("ES256", good({ exp: now() - 120 })),
    "not yet valid": await sign("ES256", good({ nbf: now() + 120 })),
    "has no exp": await sign("ES256", { ...good(), exp: undefined }),
    "issued in the future": await sign("ES256", good({ iat: now() + 300 })),
    "bad signature": await sign("ES256", good(), { key: other.privateKey }),
    "unknown kid": await sign("ES256", good(), { kid: "ec-9" }),
    "unsupported alg": `${json64({ alg: "none", kid: "ec-1" })}.${json64(good())}.`,
    "HS256": `${json64({ alg: "HS256", kid: "ec-1" })}.${json64(good())}.${b64url(Buffer.from("x"))}`,
    "three parts": "abc.def",
    "RS256 header on an EC kid": await sign("RS256", good(), { kid: "ec-1" }),
  };
  // The descriptions the 401 has always given, whatever library finds the defect.
  const reasons = {
    "wrong issuer": /^wrong issuer$/,
    "wrong audience": /^wrong audience$/,
    "expired token": /^expired token$/,
    "not yet valid": /^token not yet valid$/,
    "has no exp": /^the token has no exp$/,
    "issued in the future": /^token issued in the future$/,
    "bad signature": /^bad signature$/,
    "unknown kid": /^unknown kid "ec-9"$/,
    "unsupported alg": /^unsupported alg "none": ES256 or RS256$/,
    "HS256": /^unsupported alg "HS256": ES256 or RS256$/,
    "three parts": /^malformed token/,
    "RS256 header on an EC kid": /^unknown kid "ec-1"$/,
  };
  for (const [name, token] of Object.entries(cases)) {
    const { body, challenge } = await expectRefusal(await authorize(req(token), jwtEnv(), m, "tools/list"), 401, "invalid_token");
    assert.match(challenge, /error="invalid_token"/, name);
    assert.ok(body.error_description, name);
    assert.match(body.error_description, reasons[name], name);
  }
});

test("jwt: tools/call needs every scope of the tool; other methods need only a valid token", async () => {
  const m = manifest("jwt");
  const token = await sign("ES256", good({ scope: "vault:read" }));
  const refused = await expectRefusal(await authorize(req(token), jwtEnv(), m, "tools/call", "write"), 403, "insufficient_scope");
  assert.match(refused.challenge, /error="insufficient_scope", scope="vault:read vault:write"/);
  assert.equal((await authorize(req(token), jwtEnv(), m, "tools/call", "read")).ok, true);
  assert.equal((await authorize(req(token), jwtEnv(), m, "tools/list")).ok, true);
  const both = await sign("RS256", good({ scope: undefined, scp: ["vault:read", "vault:write"] }));
  assert.equal((await authorize(req(both), jwtEnv(), m, "tools/call", "write")).ok, true);
});

test("jwt: missing configuration fails closed with 503", async () => {
  const m = manifest("jwt");
  const token = await sign("ES256", good());
  // An entry that imports auth.ts's authorize has no JWT verifier: jwt mode refuses, never passes.
  await expectRefusal(await authorizeWithoutJwt(req(token), jwtEnv(), m, "ping"), 503, "server_error");
  await expectRefusal(await authorize(req(token), jwtEnv({ PHOTON_MCP_JWKS: undefined }), m, "ping"), 503, "server_error");
  await expectRefusal(await authorize(req(token), jwtEnv({ PHOTON_MCP_AUDIENCE: undefined }), m, "ping"), 503, "server_error");
  await expectRefusal(await authorize(req(token), jwtEnv({ PHOTON_MCP_JWKS: "{not json" }), m, "ping"), 503, "server_error");
});

test("jwt: a JWKS URL is fetched once and cached; unreachable means 503", async () => {
  const m = manifest("jwt");
  const env = jwtEnv({ PHOTON_MCP_JWKS: undefined, PHOTON_MCP_JWKS_URL: jwksUrl });
  const before = jwksHits;
  for (let i = 0; i < 3; i += 1) assert.equal((await authorize(req(await sign("ES256", good())), env, m, "ping")).ok, true);
  assert.equal(jwksHits - before, 1);
  await expectRefusal(await authorize(req(await sign("ES256", good())), { ...env, PHOTON_MCP_JWKS_URL: "http://127.0.0.1:1/jwks.json" }, m, "ping"), 503, "server_error");
});

test("a WebSocket upgrade may carry the token as access_token; a plain request may not", async () => {
  const m = manifest("bearer");
  const env = { PHOTON_MCP_BEARER: "s3cret-token" };
  const handshake = { upgrade: "websocket", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==", "sec-websocket-version": "13" };
  const upgrade = new Request("https://x/events?channel=a&access_token=s3cret-token", { headers: handshake });
  assert.equal((await authorize(upgrade, env, m, "events")).ok, true);
  // Only a complete handshake on GET /events counts.
  const bare = new Request("https://x/events?channel=a&access_token=s3cret-token", { headers: { upgrade: "websocket" } });
  await expectRefusal(await authorize(bare, env, m, "events"), 401);
  const elsewhere = new Request("https://x/mcp?access_token=s3cret-token", { headers: handshake });
  await expectRefusal(await authorize(elsewhere, env, m, "ping"), 401);
  const plain = new Request("https://x/mcp?access_token=s3cret-token", { method: "POST" });
  await expectRefusal(await authorize(plain, env, m, "ping"), 401);
});
