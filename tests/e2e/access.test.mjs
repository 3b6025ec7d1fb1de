// Issue 11, point 4: Cloudflare Access (`@auth cf-access`, or `--auth access`). The Worker
// verifies `Cf-Access-Jwt-Assertion` against the team's JWKS (here served on 127.0.0.1 through
// CF_ACCESS_JWKS_URL) and the audience tag, fails closed without its configuration, maps the
// identity to `this.caller`, and with PHOTON_INSTANCE_PER_USER gives each user their own instance.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { boot, rpc } from "./lib/harness.mjs";
import { json64, keyPair, signJwt } from "./lib/jwt.mjs";

const TEAM = "photon-test";
const ISSUER = `https://${TEAM}.cloudflareaccess.com`;
const AUD = "4714c1358e65fe4b408ad6d432a5f878f08194bdb4752441fd56faefa9b2b6f2";

let key;
let stranger;

async function rsaKey(kid) {
  const { privateKey, jwk } = await keyPair("RS256");
  return { kid, privateKey, jwk: { ...jwk, kid, alg: "RS256", use: "sig" } };
}

/** An Access-shaped JWT (RS256, aud an array, email); `claims` override. */
async function mint(k, claims = {}) {
  const now = Math.floor(Date.now() / 1000);
  const body = { iss: ISSUER, aud: [AUD], sub: "u-1", email: "ada@example.com", iat: now, exp: now + 300, type: "app", ...claims };
  return signJwt({ alg: "RS256", kid: k.kid, typ: "JWT" }, body, k.privateKey, "RS256");
}

let certs;
const workers = [];
async function bootWith(name, vars, auth) {
  const w = await boot(name, "platform/cf-access.photon.ts", { auth, devVars: vars });
  workers.push(w);
  return w;
}

let w;
let perUser;
let unconfigured;
before(async () => {
  key = await rsaKey("access-1");
  stranger = await rsaKey("access-1");
  const jwks = JSON.stringify({ keys: [key.jwk] });
  certs = createServer((req, res) => res.writeHead(200, { "content-type": "application/json" }).end(jwks));
  await new Promise((r) => certs.listen(0, "127.0.0.1", r));
  const vars = { CF_ACCESS_TEAM_DOMAIN: TEAM, CF_ACCESS_AUD: AUD, CF_ACCESS_JWKS_URL: `http://127.0.0.1:${certs.address().port}/cdn-cgi/access/certs` };
  [w, perUser, unconfigured] = await Promise.all([
    bootWith("access", vars),
    bootWith("access-per-user", { ...vars, PHOTON_INSTANCE_PER_USER: "true" }, "access"),
    bootWith("access-unconfigured", { CF_ACCESS_AUD: AUD }),
  ]);
});
after(async () => {
  await Promise.all(workers.map((x) => x.stop()));
  certs?.close();
});

const whoami = { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "whoami", arguments: {} } };
const as = (token, query = "") => ({ headers: token === null ? {} : { "Cf-Access-Jwt-Assertion": token }, query });

test("@auth cf-access without --auth builds in access mode", () => {
  const manifest = readFileSync(join(w.dir, "src", "manifest.ts"), "utf8");
  assert.match(manifest, /"mode": "access"/);
});

test("a verified Access token reaches the photon as this.caller", async () => {
  const r = await rpc(w.url, whoami, as(await mint(key)));
  assert.equal(r.status, 200, r.text);
  // `this.instanceName` of the default instance is "", as in the local runtime.
  assert.deepEqual(r.body.result.structuredContent, { id: "ada@example.com", name: "ada@example.com", instance: "" });
});

test("missing, forged, wrong-audience, wrong-team and expired tokens are refused", async () => {
  assert.equal((await rpc(w.url, whoami, as(null))).status, 401);
  assert.equal((await rpc(w.url, whoami, { headers: { Authorization: `Bearer ${await mint(key)}` } })).status, 401, "only the Access header counts");
  assert.equal((await rpc(w.url, whoami, as(await mint(stranger)))).status, 401, "signed by another key with the same kid");
  assert.equal((await rpc(w.url, whoami, as(await mint(key, { aud: ["another-app"] })))).status, 401);
  assert.equal((await rpc(w.url, whoami, as(await mint(key, { iss: "https://evil.cloudflareaccess.com" })))).status, 401);
  assert.equal((await rpc(w.url, whoami, as(await mint(key, { exp: Math.floor(Date.now() / 1000) - 600 })))).status, 401);
  const unsigned = `${json64({ alg: "none", typ: "JWT" })}.${json64({ iss: ISSUER, aud: [AUD], email: "x@y" })}.`;
  assert.equal((await rpc(w.url, whoami, as(unsigned))).status, 401);
});

test("fails closed without the team configuration", async () => {
  const r = await rpc(unconfigured.url, whoami, as(await mint(key)));
  assert.equal(r.status, 503, r.text);
});

test("PHOTON_INSTANCE_PER_USER routes each user to their own instance, whatever they ask for", async () => {
  const ada = await rpc(perUser.url, whoami, as(await mint(key), "?instance=someone-else"));
  assert.equal(ada.body.result.structuredContent.instance, "ada@example.com");
  const bob = await rpc(perUser.url, whoami, as(await mint(key, { email: "bob@example.com" })));
  assert.equal(bob.body.result.structuredContent.instance, "bob@example.com");
});
