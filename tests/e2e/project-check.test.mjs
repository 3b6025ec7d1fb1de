//! Every generated project passes its own `npm install && npm run check` (the README's promise), for every feature combination, in a folder with no `node_modules` above it.
// The projects are built under the system temp dir (see the harness), so a package the generated
// code imports but the generated package.json does not declare fails here as it fails for a user.
// `npm install` is real (`--prefer-offline`: tests/e2e's `npm ci` warmed the cache with the same
// pinned versions, big.js and nanoid included). Projects whose package.json declares the same
// packages share one install: the first runs `npm install`, the others get a `node_modules`
// symlink to its result, which is what the same install would have produced.

import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { assertNoNodeModulesAbove, photonCf, repoRoot, runAsync, unavailable, workDir } from "./lib/harness.mjs";

const plain = "project-check/plain/cf-plain.photon.ts";
/** One row per feature combination: the fixture photon (under fixtures/) and the build flags. */
const COMBINATIONS = [
  { name: "nothing", photon: plain },
  { name: "schedules (this.schedule)", photon: "runtime/ticker/cf-ticker.photon.ts" },
  { name: "schedules (@scheduled)", photon: "runtime-ext/declared/cf-declared.photon.ts" },
  { name: "siblings (@photons)", photon: "runtime/greeter/cf-greeter.photon.ts" },
  { name: "this.cf bindings", photon: "runtime/platform/cf-gallery.photon.ts" },
  { name: "--auth none", photon: plain, auth: "none" },
  { name: "--auth bearer", photon: plain, auth: "bearer" },
  { name: "--auth jwt", photon: plain, auth: "jwt" },
  { name: "--auth access", photon: plain, auth: "access" },
  { name: "@dependencies with types (nanoid)", photon: "project-check/typed-dependency/cf-ids.photon.ts" },
  { name: "@dependencies without types (big.js)", photon: "project-check/untyped-dependency/cf-money.photon.ts" },
  { name: "prompts, resources, templates, embedded files", photon: "conformance/everything.photon.ts" },
  { name: "state and settings", photon: "runtime-ext/state/cf-state.photon.ts" },
  { name: "HTTP routes and @expose", photon: "runtime/platform/cf-routes.photon.ts" },
  { name: "asks (this.sample, this.confirm, this.elicit, a generator)", photon: "runtime/sampler/cf-sampler.photon.ts" },
  { name: "no asks (parameters, and asks the build cannot see)", photon: "runtime-ext/noasks/cf-noasks.photon.ts" },
];

const npmMissing = unavailable("npm");

// npm's own settings of a parent `npm test` (npm_config_*, npm_package_*) must not steer the
// project's install, nor NODE_PATH its resolution.
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("npm_") && k !== "NODE_PATH"));

const run = (command, args, cwd) => runAsync(command, args, { cwd, env });

// Two npm installs or type checks at a time: the machine has 2 cores.
let running = 0;
const queue = [];
async function limited(job) {
  if (running >= 2) await new Promise((r) => queue.push(r));
  running++;
  try {
    return await job();
  } finally {
    running--;
    queue.shift()?.();
  }
}

// One install per distinct set of declared packages, keyed by that set.
const installs = new Map();
function install(dir) {
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  const key = JSON.stringify([pkg.dependencies ?? {}, pkg.devDependencies ?? {}]);
  const first = installs.get(key);
  if (first) {
    return first.then((done) => {
      if (done.status === 0) symlinkSync(join(done.dir, "node_modules"), join(dir, "node_modules"), "dir");
      return done;
    });
  }
  const done = limited(() => run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], dir)).then((r) => ({ ...r, dir }));
  installs.set(key, done);
  return done;
}

const started = Date.now();
after(() => {
  process.stdout.write(`# project-check: ${COMBINATIONS.length} projects, ${installs.size} npm installs, ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
});

describe("npm install && npm run check in a generated project", { concurrency: COMBINATIONS.length, timeout: 600_000 }, () => {
  for (const combination of COMBINATIONS) {
    // Each test, not the suite, is skipped: node counts a skipped suite as no test at all.
    test(combination.name, { timeout: 300_000, skip: npmMissing }, async () => {
      const slug = combination.name.replace(/[^a-z0-9]+/gi, "-").replace(/^-|-$/g, "").toLowerCase();
      const dir = workDir(`check-${slug}`);
      const args = ["build", join(repoRoot, "fixtures", combination.photon), "--out", dir];
      if (combination.auth) args.push("--auth", combination.auth);
      const built = spawnSync(photonCf, args, { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
      assert.equal(built.status, 0, `photon-cf build failed:\n${built.stderr}`);
      assert.equal(existsSync(join(dir, "node_modules")), false, "the build installs nothing");
      assertNoNodeModulesAbove(dir);

      const installed = await install(dir);
      assert.equal(installed.status, 0, `npm install failed in ${installed.dir}:\n${installed.output}`);

      const check = await limited(() => run("npm", ["run", "--silent", "check"], dir));
      assert.equal(check.status, 0, `npm run check failed in ${dir}:\n${check.output}`);
    });
  }
});
