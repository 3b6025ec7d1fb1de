// What `wrangler deploy --dry-run` bundles: auth.ts only into Workers built with --auth, so a
// Worker without auth carries none of its code; with --auth bearer it is there (and
// security-auth.test.mjs proves it works).
import { test } from "node:test";
import assert from "node:assert/strict";
import { buildFixture, dryRunBundle } from "./lib/harness.mjs";

// Strings only auth.ts has: its secrets' names and its scope error.
const AUTH_CODE = [/PHOTON_MCP_BEARER/, /PHOTON_MCP_JWKS/, /insufficient_scope/];

test("auth.ts is bundled only when the project is built with --auth", () => {
  const sizes = {};
  for (const auth of ["none", "bearer"]) {
    const bundle = dryRunBundle(buildFixture(`bundle-auth-${auth}`, "counter/cf-counter.photon.ts", { auth }));
    sizes[auth] = bundle.length;
    for (const pattern of AUTH_CODE) {
      if (auth === "none") assert.doesNotMatch(bundle, pattern, `--auth none bundles ${pattern}`);
      else assert.match(bundle, pattern, `--auth ${auth} lacks ${pattern}`);
    }
  }
  assert.ok(sizes.bearer - sizes.none > 5000, `auth.ts adds ${sizes.bearer - sizes.none} bytes`);
  console.log(`bundle bytes: --auth none ${sizes.none}, --auth bearer ${sizes.bearer}`);
});
