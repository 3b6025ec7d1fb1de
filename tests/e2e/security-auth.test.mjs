// Authentication chosen at build time (`photon-cf build --auth bearer|jwt`), proven against a
// running workerd: bearer fails closed without its secret and refuses wrong tokens with RFC 6750
// errors; jwt accepts ES256 and RS256 tokens from an inline JWKS, checks iss, aud, exp and nbf
// (60 s skew), enforces per-tool scopes (default <tool>:read for read-only tools, <tool>:write
// otherwise) with 403 insufficient_scope, and hands the verified identity to `this.caller`.
// Tokens are minted here with WebCrypto; nothing leaves 127.0.0.1.
import { after, before, describe, test } from "node:test";
import { createServer } from "node:http";
import { connect as netConnect } from "node:net";
import assert from "node:assert/strict";
import { join } from "node:path";
import { boot, buildFixture, dryRunBundle, rpc } from "./lib/harness.mjs";
import { b64url, json64, keyPair, signJwt } from "./lib/jwt.mjs";

const ISSUER = "https://issuer.test";
const AUDIENCE = "https://photon.test/mcp";

/** Boots the hostile photon built with `--auth <mode>` and `vars` in `.dev.vars`. */
function bootWithAuth(name, mode, vars) {
  return boot(name, "../hostile/hostile.photon.ts", { auth: mode, devVars: vars });
}


/** A signed JWT; `claims` override sensible valid defaults. */
async function mint(key, claims = {}, header = {}) {
  const now = Math.floor(Date.now() / 1000);
  const h = { alg: key.alg, typ: "JWT", kid: key.kid, ...header };
  const body = { iss: ISSUER, aud: AUDIENCE, sub: "user-1", iat: now, exp: now + 300, scope: "", ...claims };
  return signJwt(h, body, key.privateKey, key.alg);
}

const ping = { jsonrpc: "2.0", id: 1, method: "ping" };
const list = { jsonrpc: "2.0", id: 2, method: "tools/list" };
const call = (name, args = {}) => ({ jsonrpc: "2.0", id: 3, method: "tools/call", params: { name, arguments: args } });
const bearer = (token) => ({ headers: { Authorization: `Bearer ${token}` } });

/** RFC 6750 §3: the challenge, and the error code when a token was sent. */
function assertChallenge(r, status, error) {
  assert.equal(r.status, status, r.text);
  const challenge = r.headers.get("www-authenticate") ?? "";
  assert.match(challenge, /^Bearer /, `WWW-Authenticate: ${challenge}`);
  if (error) assert.match(challenge, new RegExp(`error="${error}"`), challenge);
  else assert.doesNotMatch(challenge, /error=/, challenge);
}

describe("bearer", () => {
  const SECRET = "s3cret-token-value";
  let w;
  before(async () => {
    w = await bootWithAuth("auth-bearer", "bearer", { PHOTON_MCP_BEARER: SECRET });
  });
  after(async () => {
    await w?.stop();
  });

  test("every /mcp request needs the token; no token is 401 with a bare challenge", async () => {
    for (const body of [ping, list, call("status"), { jsonrpc: "2.0", id: 4, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } } }]) {
      assertChallenge(await rpc(w.url, body), 401, null);
    }
  });

  test("a wrong token is 401 invalid_token and runs nothing", async () => {
    for (const token of ["wrong", `${SECRET}x`, SECRET.slice(0, -1), SECRET.toUpperCase()]) {
      assertChallenge(await rpc(w.url, call("bump"), bearer(token)), 401, "invalid_token");
    }
    const r = await rpc(w.url, call("bumps"), bearer(SECRET));
    assert.equal(r.body.result.structuredContent.bumps, 0, "a refused call ran");
  });

  test("a malformed Authorization header is refused", async () => {
    for (const header of ["Basic dXNlcjpwYXNz", "Bearer", `Bearer ${SECRET} extra`, `Token ${SECRET}`]) {
      const r = await rpc(w.url, ping, { headers: { Authorization: header } });
      assert.ok([400, 401].includes(r.status), `${header}: ${r.status}`);
      assert.match(r.headers.get("www-authenticate") ?? "", /^Bearer /);
    }
  });

  test("no OAuth metadata is published in bearer mode", async () => {
    for (const path of ["/.well-known/oauth-protected-resource", "/.well-known/oauth-protected-resource/mcp"]) {
      assert.equal((await fetch(new URL(path, w.url))).status, 404, path);
    }
    assert.doesNotMatch((await rpc(w.url, list)).headers.get("www-authenticate"), /resource_metadata/);
  });

  test("the right token works, and this.caller says so", async () => {
    const r = await rpc(w.url, call("whoami"), bearer(SECRET));
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.result.structuredContent.caller.anonymous, false);
    const p = await rpc(w.url, ping, bearer(SECRET));
    assert.deepEqual(p.body, { jsonrpc: "2.0", id: 1, result: {} });
  });

  test("GET / is protected too; only the CORS preflight is open; a query token is not accepted on POST", async () => {
    const root = await fetch(new URL("/", w.url));
    assert.equal(root.status, 401);
    assert.match(root.headers.get("www-authenticate") ?? "", /^Bearer /);
    const withToken = await fetch(new URL("/", w.url), { headers: { Authorization: `Bearer ${SECRET}` } });
    assert.equal(withToken.status, 200);
    const preflight = await fetch(new URL("/mcp", w.url), { method: "OPTIONS", headers: { Origin: new URL(w.url).origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization, content-type" } });
    assert.ok(preflight.status === 204 || preflight.status === 200, `preflight ${preflight.status}`);
    assert.match(preflight.headers.get("access-control-allow-headers") ?? "", /Authorization/i);
    assertChallenge(await rpc(w.url, ping, { query: `?access_token=${SECRET}` }), 401, null);
  });

  test("/events needs the token too; an upgrade may carry it as access_token", async () => {
    const { WebSocket } = await import("ws");
    const open = (query) =>
      new Promise((resolve) => {
        const ws = new WebSocket(new URL(`/events${query}`, w.url.replace(/^http/, "ws")));
        ws.once("open", () => {
          ws.close();
          resolve(101);
        });
        ws.once("unexpected-response", (_req, res) => resolve(res.statusCode));
        ws.once("error", () => resolve("error"));
      });
    assert.equal(await open("?channel=x"), 401);
    assert.equal(await open("?channel=x&access_token=wrong"), 401);
    assert.equal(await open(`?channel=x&access_token=${SECRET}`), 101);
  });
});

/**
 * Sends one HTTP/1.1 request over a raw socket, headers exactly as given (fetch refuses
 * `Upgrade`, node's http client treats it specially). Resolves with the status line's code.
 */
function rawStatus(base, head, body = "") {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: url.hostname, port: Number(url.port) }, () => socket.write(`${head}\r\n\r\n${body}`));
    let text = "";
    socket.setEncoding("latin1");
    socket.on("data", (chunk) => {
      text += chunk;
      const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
      if (m) {
        socket.destroy();
        resolve(Number(m[1]));
      }
    });
    socket.on("error", reject);
    socket.setTimeout(15000, () => {
      socket.destroy();
      reject(new Error(`no answer to ${head.split("\r\n")[0]}`));
    });
  });
}

describe("bearer: a query token counts only on a real /events WebSocket handshake", () => {
  const SECRET = "q-token-secret";
  let w;
  before(async () => {
    w = await bootWithAuth("auth-bearer-query", "bearer", { PHOTON_MCP_BEARER: SECRET });
  });
  after(async () => {
    await w?.stop();
  });

  const host = () => `Host: ${new URL(w.url).host}`;
  const handshake = "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13";

  test("POST /mcp?access_token= is 401 even with upgrade headers; nothing runs", async () => {
    const body = JSON.stringify(call("bump"));
    for (const extra of ["Upgrade: websocket\r\nConnection: Upgrade", handshake]) {
      const status = await rawStatus(w.url, `POST /mcp?access_token=${SECRET} HTTP/1.1\r\n${host()}\r\nContent-Type: application/json\r\nAccept: application/json\r\n${extra}\r\nContent-Length: ${body.length}`, body);
      assert.equal(status, 401, extra);
    }
    const r = await rpc(w.url, call("bumps"), bearer(SECRET));
    assert.equal(r.body.result.structuredContent.bumps, 0, "a call authorised by a query token ran");
  });

  test("GET /events?access_token= without a complete handshake, and GET / or /mcp with one, are refused", async () => {
    for (const [path, extra] of [
      [`/events?channel=x&access_token=${SECRET}`, "Upgrade: websocket\r\nConnection: Upgrade"],
      [`/events?channel=x&access_token=${SECRET}`, "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13"],
      [`/?access_token=${SECRET}`, handshake],
      [`/mcp?access_token=${SECRET}`, handshake],
    ]) {
      // 401 from the Worker, or 400 where workerd itself refuses a broken handshake first.
      const status = await rawStatus(w.url, `GET ${path} HTTP/1.1\r\n${host()}\r\n${extra}`);
      assert.ok(status === 401 || (status === 400 && path.startsWith("/events")), `${path} ${extra}: ${status}`);
    }
    // The complete handshake on /events is accepted.
    assert.equal(await rawStatus(w.url, `GET /events?channel=x&access_token=${SECRET} HTTP/1.1\r\n${host()}\r\n${handshake}`), 101);
  });
});

describe("auth is decided from the headers, before the body is read (Miniflare, no dev proxy)", () => {
  const SECRET = "slow-body-secret";
  let mf;
  let url;
  before(async () => {
    // wrangler dev's local proxy buffers request bodies, so the Worker would only see a slow
    // body once complete there; Miniflare serves workerd directly.
    const dir = buildFixture("auth-bearer-slow", "../hostile/hostile.photon.ts", { auth: "bearer" });
    const script = await dryRunBundle(dir);
    // The project's own wrangler.toml, read by wrangler (date, flags, Durable Objects, vars).
    const { unstable_getMiniflareWorkerOptions } = await import("wrangler");
    const { workerOptions } = unstable_getMiniflareWorkerOptions(join(dir, "wrangler.toml"));
    const { Miniflare } = await import("miniflare");
    mf = new Miniflare({
      ...workerOptions,
      modules: true,
      script,
      bindings: { ...workerOptions.bindings, PHOTON_MCP_BEARER: SECRET },
      host: "127.0.0.1",
      port: 0,
    });
    url = String(await mf.ready);
  });
  after(async () => {
    await mf?.dispose();
  });

  /** Sends the headers, then the body one byte every 200 ms; resolves with the status and how much body was sent by then. */
  function trickle(headers, body) {
    const u = new URL(url);
    return new Promise((resolve, reject) => {
      let sent = 0;
      let timer = null;
      const socket = netConnect({ host: u.hostname, port: Number(u.port) }, () => {
        socket.write(`POST /mcp HTTP/1.1\r\nHost: ${u.host}\r\nContent-Type: application/json\r\nAccept: application/json\r\n${headers}Content-Length: ${body.length}\r\n\r\n`);
        timer = setInterval(() => {
          if (sent < body.length) socket.write(body[sent++]);
        }, 200);
      });
      let text = "";
      socket.setEncoding("latin1");
      socket.on("data", (chunk) => {
        text += chunk;
        const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
        if (m) {
          clearInterval(timer);
          socket.destroy();
          resolve({ status: Number(m[1]), sent, total: body.length });
        }
      });
      socket.on("error", (e) => {
        clearInterval(timer);
        reject(e);
      });
    });
  }

  test("a tokenless or wrong-token body sent slowly gets its 401 before the body is done", async () => {
    // 120 bytes at 5 bytes/s would take 24 s; the answer must come while it is still arriving.
    const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping", params: { pad: "x".repeat(60) } });
    for (const headers of ["", "Authorization: Bearer wrong\r\n"]) {
      const r = await trickle(headers, body);
      assert.equal(r.status, 401, JSON.stringify(r));
      assert.ok(r.sent < r.total / 2, `the 401 came after ${r.sent} of ${r.total} bytes`);
    }
    // A query token with a broken handshake (wrangler dev's proxy refuses some and replaces the
    // key with its own, so the Worker's own check is proven here) or on POST /mcp counts for
    // nothing; the complete handshake is accepted.
    const u = new URL(url);
    for (const [line, extra] of [
      [`GET /events?channel=x&access_token=${SECRET}`, "Upgrade: websocket\r\nConnection: Upgrade"],
      [`GET /events?channel=x&access_token=${SECRET}`, "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: short\r\nSec-WebSocket-Version: 13"],
      [`GET /events?channel=x&access_token=${SECRET}`, "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8"],
    ]) {
      const status = await rawStatus(url, `${line} HTTP/1.1\r\nHost: ${u.host}\r\n${extra}`);
      assert.equal(status, 401, `${line} ${extra}`);
    }
    const complete = await rawStatus(url, `GET /events?channel=x&access_token=${SECRET} HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13`);
    assert.equal(complete, 101);
    const pingBody = JSON.stringify(ping);
    const post = await rawStatus(url, `POST /mcp?access_token=${SECRET} HTTP/1.1\r\nHost: ${u.host}\r\nContent-Type: application/json\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nContent-Length: ${pingBody.length}`, pingBody);
    assert.equal(post, 401);
    // The right token is answered once the body is complete (a short one, to keep this quick).
    const short = JSON.stringify(ping);
    const good = await trickle(`Authorization: Bearer ${SECRET}\r\n`, short);
    assert.equal(good.status, 200);
    assert.equal(good.sent, good.total);
  });
});

describe("bearer without its secret fails closed", () => {
  let w;
  before(async () => {
    w = await bootWithAuth("auth-bearer-unset", "bearer", {});
  });
  after(async () => {
    await w?.stop();
  });

  test("every protected request is refused, whatever token is sent", async () => {
    for (const options of [{}, bearer("anything"), bearer("undefined"), bearer("null")]) {
      for (const body of [ping, list, call("bump")]) {
        const r = await rpc(w.url, body, options);
        // 503: the server is not configured; never a 2xx.
        assert.equal(r.status, 503, `${JSON.stringify(body)} with ${JSON.stringify(options)}: ${r.status} ${r.text}`);
        assert.equal(r.body?.result, undefined, "a request went through without a configured secret");
      }
    }
  });
});

describe("jwt", () => {
  let w;
  let es;
  let rs;
  let other;
  before(async () => {
    es = { ...(await keyPair("ES256")), kid: "ec-1" };
    rs = { ...(await keyPair("RS256")), kid: "rsa-1" };
    other = { ...(await keyPair("ES256")), kid: "ec-1" }; // same kid, key not in the JWKS
    const jwks = { keys: [{ ...es.jwk, kid: es.kid, alg: "ES256", use: "sig" }, { ...rs.jwk, kid: rs.kid, alg: "RS256", use: "sig" }] };
    w = await bootWithAuth("auth-jwt", "jwt", { PHOTON_MCP_JWKS: JSON.stringify(jwks), PHOTON_MCP_ISSUER: ISSUER, PHOTON_MCP_AUDIENCE: AUDIENCE });
  });
  after(async () => {
    await w?.stop();
  });

  test("ES256 and RS256 tokens with the tool's scope are accepted; this.caller carries the identity", async () => {
    for (const key of [es, rs]) {
      const token = await mint(key, { sub: `sub-${key.alg}`, scope: "whoami:read", name: "Ada" });
      const r = await rpc(w.url, call("whoami"), bearer(token));
      assert.equal(r.status, 200, r.text);
      const caller = r.body.result.structuredContent.caller;
      assert.equal(caller.id, `sub-${key.alg}`);
      assert.equal(caller.anonymous, false);
    }
  });

  test("no token is 401; initialize, ping and tools/list need a valid token too", async () => {
    for (const body of [ping, list]) assertChallenge(await rpc(w.url, body), 401, null);
    const token = await mint(es);
    const l = await rpc(w.url, list, bearer(token));
    assert.equal(l.status, 200, l.text);
    assert.ok(l.body.result.tools.length > 0);
  });

  test("expired, not yet valid, wrong issuer, wrong audience, no exp: 401 invalid_token", async () => {
    const now = Math.floor(Date.now() / 1000);
    const bad = {
      expired: { exp: now - 120 },
      "not yet valid": { nbf: now + 300 },
      "wrong issuer": { iss: "https://evil.test" },
      "wrong audience": { aud: "https://other.test/mcp" },
      "no exp": { exp: undefined },
    };
    for (const [why, claims] of Object.entries(bad)) {
      const token = await mint(es, { scope: "status:read", ...claims });
      assertChallenge(await rpc(w.url, call("status"), bearer(token)), 401, "invalid_token");
      void why;
    }
    // Inside the 60 s skew both ways.
    const lenient = await mint(es, { scope: "status:read", exp: now - 30, nbf: now + 30 });
    assert.equal((await rpc(w.url, call("status"), bearer(lenient))).status, 200);
    // An audience list that contains ours is fine.
    const listed = await mint(rs, { scope: "status:read", aud: ["https://other.test", AUDIENCE] });
    assert.equal((await rpc(w.url, call("status"), bearer(listed))).status, 200);
  });

  test("forged tokens: a foreign key, a tampered payload, alg none and alg HS256 are 401", async () => {
    const foreign = await mint(other, { scope: "bump:write" });
    assertChallenge(await rpc(w.url, call("bump"), bearer(foreign)), 401, "invalid_token");

    const good = await mint(es, { scope: "status:read" });
    const [h, , s] = good.split(".");
    const tampered = `${h}.${json64({ iss: ISSUER, aud: AUDIENCE, sub: "admin", exp: Math.floor(Date.now() / 1000) + 300, scope: "bump:write" })}.${s}`;
    assertChallenge(await rpc(w.url, call("bump"), bearer(tampered)), 401, "invalid_token");

    const claims = json64({ iss: ISSUER, aud: AUDIENCE, sub: "x", exp: Math.floor(Date.now() / 1000) + 300, scope: "bump:write" });
    const none = `${json64({ alg: "none", typ: "JWT" })}.${claims}.`;
    const noneStatus = (await rpc(w.url, call("bump"), bearer(none))).status;
    assert.ok(noneStatus === 401 || noneStatus === 400, `alg none: ${noneStatus}`);

    // HS256 keyed with the public RSA key's text: the classic algorithm-confusion forgery.
    const { createHmac } = await import("node:crypto");
    const hsHeader = json64({ alg: "HS256", typ: "JWT", kid: rs.kid });
    const mac = createHmac("sha256", JSON.stringify(rs.jwk)).update(`${hsHeader}.${claims}`).digest("base64url");
    assertChallenge(await rpc(w.url, call("bump"), bearer(`${hsHeader}.${claims}.${mac}`)), 401, "invalid_token");

    const r = await rpc(w.url, call("bumps"), bearer(await mint(es, { scope: "bumps:read" })));
    assert.equal(r.body.result.structuredContent.bumps, 0, "a forged token ran a tool");
  });

  test("scopes: read-only tools need <tool>:read, others <tool>:write; missing ones are 403 insufficient_scope", async () => {
    const readOnly = await mint(es, { scope: "status:read bumps:read" });
    assert.equal((await rpc(w.url, call("status"), bearer(readOnly))).status, 200);
    const denied = await rpc(w.url, call("bump"), bearer(readOnly));
    assertChallenge(denied, 403, "insufficient_scope");
    assert.match(denied.headers.get("www-authenticate"), /scope="bump:write"/);
    const wrongKind = await mint(es, { scope: "bump:read" });
    assertChallenge(await rpc(w.url, call("bump"), bearer(wrongKind)), 403, "insufficient_scope");
    const writer = await mint(rs, { scope: "bump:write" });
    const ok = await rpc(w.url, call("bump"), bearer(writer));
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.body.result.structuredContent.bumps, 1);
  });

  test("OAuth discovery: RFC 9728 metadata at both well-known paths, named by every 401 and 403", async () => {
    const metadataUrl = `${w.url}/.well-known/oauth-protected-resource/mcp`;
    for (const path of ["/.well-known/oauth-protected-resource", "/.well-known/oauth-protected-resource/mcp"]) {
      const res = await fetch(new URL(path, w.url));
      assert.equal(res.status, 200, path);
      const doc = await res.json();
      assert.equal(doc.resource, AUDIENCE);
      assert.deepEqual(doc.authorization_servers, [ISSUER]);
      assert.ok(doc.scopes_supported.includes("bump:write") && doc.scopes_supported.includes("whoami:read"), JSON.stringify(doc));
      assert.deepEqual(doc.scopes_supported, [...doc.scopes_supported].sort());
    }
    const none = await rpc(w.url, list);
    assertChallenge(none, 401, null);
    const challenge = none.headers.get("www-authenticate");
    assert.ok(challenge.includes(`resource_metadata="${metadataUrl}"`), challenge);
    assert.match(challenge, /scope="[^"]*bump:write/);
    const invalid = await rpc(w.url, list, bearer("not-a-jwt"));
    assert.ok(invalid.headers.get("www-authenticate").includes(`resource_metadata="${metadataUrl}"`));
    const denied = await rpc(w.url, call("bump"), bearer(await mint(es, { scope: "status:read" })));
    assertChallenge(denied, 403, "insufficient_scope");
    const refusal = denied.headers.get("www-authenticate");
    assert.ok(refusal.includes(`resource_metadata="${metadataUrl}"`), refusal);
    assert.match(refusal, /bump:write/);
  });
});

describe("jwt without keys fails closed", () => {
  let w;
  before(async () => {
    w = await bootWithAuth("auth-jwt-unset", "jwt", { PHOTON_MCP_ISSUER: ISSUER, PHOTON_MCP_AUDIENCE: AUDIENCE });
  });
  after(async () => {
    await w?.stop();
  });

  test("every protected request is refused", async () => {
    const token = await mint({ ...(await keyPair("ES256")), kid: "k" }, { scope: "bump:write" });
    for (const options of [{}, bearer(token)]) {
      const r = await rpc(w.url, call("bump"), options);
      assert.equal(r.status, 503, `${r.status} ${r.text}`);
      assert.equal(r.body?.result, undefined);
    }
  });
});

describe("jwt with a JWKS URL", () => {
  let w;
  let es;
  let server;
  let hits = 0;
  let serving = true;
  before(async () => {
    es = { ...(await keyPair("ES256")), kid: "url-1" };
    const jwks = JSON.stringify({ keys: [{ ...es.jwk, kid: es.kid, alg: "ES256", use: "sig" }] });
    server = createServer((req, res) => {
      hits += 1;
      if (!serving) {
        res.writeHead(500).end();
        return;
      }
      res.writeHead(200, { "content-type": "application/json" }).end(jwks);
    });
    await new Promise((r) => server.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${server.address().port}/jwks.json`;
    w = await bootWithAuth("auth-jwks-url", "jwt", { PHOTON_MCP_JWKS_URL: url, PHOTON_MCP_ISSUER: ISSUER, PHOTON_MCP_AUDIENCE: AUDIENCE });
  });
  after(async () => {
    await w?.stop();
    server?.close();
  });

  test("the JWKS is fetched once and cached; tokens verify against it", async () => {
    for (let i = 0; i < 5; i++) {
      const token = await mint(es, { scope: "status:read" });
      const r = await rpc(w.url, call("status"), bearer(token));
      assert.equal(r.status, 200, r.text);
    }
    assert.equal(hits, 1, `the JWKS was fetched ${hits} times`);
    // The key server going down does not matter while the cache is fresh.
    serving = false;
    const r = await rpc(w.url, call("status"), bearer(await mint(es, { scope: "status:read" })));
    assert.equal(r.status, 200, r.text);
    // An unknown kid may refetch (key rotation) but never passes, and never fails open.
    const stranger = { ...(await keyPair("ES256")), kid: "rotated-away" };
    const denied = await rpc(w.url, call("status"), bearer(await mint(stranger, { scope: "status:read" })));
    assert.ok(denied.status === 401 || denied.status === 503, `${denied.status} ${denied.text}`);
    assert.equal(denied.body?.result, undefined);
  });
});
