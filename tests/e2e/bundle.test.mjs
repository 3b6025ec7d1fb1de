// What `wrangler deploy --dry-run` bundles: auth.ts only into Workers built with --auth, so a
// Worker without auth carries none of its code; with --auth bearer it is there (and
// security-auth.test.mjs proves it works). jose (through jwt.ts) only with --auth jwt: a bearer
// Worker has no JWT code at all.
import { test } from "node:test";
import assert from "node:assert/strict";
import { buildFixture, dryRunBundle, typecheck } from "./lib/harness.mjs";

// Strings only auth.ts has: its secrets' names and its scope error.
const AUTH_CODE = [/PHOTON_MCP_BEARER/, /PHOTON_MCP_JWKS/, /insufficient_scope/];
// Strings only jose has: the codes of the errors jwt.ts maps, and its remote JWKS fetch.
const JOSE_CODE = [/ERR_JWS_SIGNATURE_VERIFICATION_FAILED/, /ERR_JWKS_NO_MATCHING_KEY/, /JSON Web Key Set HTTP response/];

test("auth.ts is bundled only when the project is built with --auth, jose only with --auth jwt", async () => {
  const sizes = {};
  for (const auth of ["none", "bearer", "jwt"]) {
    const dir = buildFixture(`bundle-auth-${auth}`, "counter/cf-counter.photon.ts", { auth });
    // The project type-checks as users get it (`npm run check`), jwt.ts against jose's types included.
    const check = await typecheck(dir);
    assert.equal(check.status, 0, `tsc --noEmit of --auth ${auth}:\n${check.output}`);
    const bundle = await dryRunBundle(dir);
    sizes[auth] = bundle.length;
    for (const pattern of AUTH_CODE) {
      if (auth === "none") assert.doesNotMatch(bundle, pattern, `--auth none bundles ${pattern}`);
      else assert.match(bundle, pattern, `--auth ${auth} lacks ${pattern}`);
    }
    for (const pattern of JOSE_CODE) {
      if (auth === "jwt") assert.match(bundle, pattern, `--auth jwt lacks ${pattern}`);
      else assert.doesNotMatch(bundle, pattern, `--auth ${auth} bundles jose (${pattern})`);
    }
  }
  assert.ok(sizes.bearer - sizes.none > 5000, `auth.ts adds ${sizes.bearer - sizes.none} bytes`);
  assert.ok(sizes.jwt - sizes.bearer > 10000, `jwt.ts and jose add ${sizes.jwt - sizes.bearer} bytes`);
  console.log(`bundle bytes: --auth none ${sizes.none}, --auth bearer ${sizes.bearer}, --auth jwt ${sizes.jwt}`);
});

// Strings only the feature-gated runtime modules have: prompts/resources/completion (through
// surface-table.ts), state.ts, routes.ts, and asks.ts with mrtr.ts.
const GATED = {
  surface: [/Unknown prompt: /, /Resource not found: /],
  state: [/__rt__:state/, /settings:changed/],
  routes: [/Forbidden: cross-site @expose call/],
  asks: [/needs a streaming tool call/, /requestState has expired/, /rt:mrtr-secret/],
};

test("prompts and resources, state, routes and asks are bundled only for photons that have them; no legal comments", async () => {
  const counter = await dryRunBundle(buildFixture("bundle-gates-counter", "counter/cf-counter.photon.ts"));
  for (const pattern of Object.values(GATED).flat()) assert.doesNotMatch(counter, pattern, `a counter bundles ${pattern}`);
  // Arguments are validated by @cfworker/json-schema, the Workers JSON Schema library.
  assert.match(counter, /Unresolved \$ref/);
  // A photon with parameters that never asks (asks the build cannot see fail at run time).
  const noAsks = await dryRunBundle(buildFixture("bundle-gates-noasks", "../runtime-ext/noasks/cf-noasks.photon.ts"));
  for (const pattern of GATED.asks) assert.doesNotMatch(noAsks, pattern, `a photon without asks bundles ${pattern}`);
  assert.match(noAsks, /photon-cf bundles asks only when/);
  // esbuild keeps //! and /*! comments even when minifying; the runtime has none.
  assert.doesNotMatch(counter, /^\s*\/\/!|\/\*!/m);
  const cases = [
    ["../conformance/everything.photon.ts", "surface"],
    ["../runtime-ext/state/cf-state.photon.ts", "state"],
    ["platform/cf-routes.photon.ts", "routes"],
    ["sampler/cf-sampler.photon.ts", "asks"],
  ];
  for (const [photon, feature] of cases) {
    const dir = buildFixture(`bundle-gates-${feature}`, photon);
    const check = await typecheck(dir);
    assert.equal(check.status, 0, `tsc --noEmit of ${photon}:\n${check.output}`);
    const bundle = await dryRunBundle(dir);
    for (const pattern of GATED[feature]) assert.match(bundle, pattern, `${photon} lacks ${pattern}`);
  }
});
