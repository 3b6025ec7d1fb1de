// The harness itself: every test process builds into its own folder under the system temp dir, so
// two runs at once never rewrite each other's generated project under a running wrangler, and the
// folder is removed when the test file passes and kept (its path printed) when it fails; the
// project's node_modules holds only what its own package.json declares, so nothing resolves from
// tests/e2e/node_modules behind its back.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { pathToFileURL } from "node:url";
import { dirname, join } from "node:path";
import { buildFixture, e2eDir } from "./lib/harness.mjs";

const harnessUrl = pathToFileURL(join(e2eDir, "lib", "harness.mjs")).href;

/** A separate node process that builds the counter fixture as `name`, then exits with `code`. */
function buildIn(name, code) {
  const script = `
    const { buildFixture } = await import(${JSON.stringify(harnessUrl)});
    console.log(buildFixture(${JSON.stringify(name)}, "counter/cf-counter.photon.ts"));
    process.exitCode = ${code};
  `;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], { cwd: e2eDir, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  return new Promise((resolve) => child.on("exit", (status) => resolve({ status, dir: stdout.trim(), stderr })));
}

test("concurrent builds of the same fixture name get their own folders, removed on success and kept on failure", async () => {
  const [passed, failed] = await Promise.all([buildIn("harness-probe", 0), buildIn("harness-probe", 1)]);
  try {
    assert.equal(passed.status, 0, passed.stderr);
    assert.equal(failed.status, 1, failed.stderr);
    assert.notEqual(passed.dir, failed.dir, "two processes share one generated project");
    assert.ok(passed.dir.startsWith(join(tmpdir(), "photon-cf-e2e-harness-probe-")), passed.dir);
    assert.ok(!passed.dir.startsWith(e2eDir), passed.dir);
    assert.equal(existsSync(passed.dir), false, "a passing process leaves its project behind");
    assert.equal(existsSync(join(failed.dir, "src", "worker.ts")), true, "a failing process removed its project");
    assert.match(failed.stderr, new RegExp(`kept for inspection:\\s+${failed.dir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
  } finally {
    if (failed.dir) rmSync(dirname(failed.dir), { recursive: true, force: true });
  }
});

test("a generated project resolves only the packages its package.json declares", () => {
  const dir = buildFixture("harness-declared", "counter/cf-counter.photon.ts");
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  const declared = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }).sort();
  const linked = readdirSync(join(dir, "node_modules"))
    .filter((entry) => entry !== ".bin")
    .flatMap((entry) => (entry.startsWith("@") ? readdirSync(join(dir, "node_modules", entry)).map((n) => `${entry}/${n}`) : [entry]))
    .sort();
  assert.deepEqual(linked, declared);
  for (const command of ["tsc", "wrangler"]) assert.ok(existsSync(join(dir, "node_modules", ".bin", command)), command);

  // From the project's sources, a declared package resolves and an undeclared one does not, even
  // though tests/e2e/node_modules has it (the counter has no schedules: croner is not declared).
  const fromSources = createRequire(join(dir, "src", "worker.ts"));
  assert.ok(fromSources.resolve("wrangler"));
  assert.ok(fromSources.resolve("@cfworker/json-schema"));
  assert.ok(!declared.includes("croner"), JSON.stringify(declared));
  assert.ok(existsSync(join(e2eDir, "node_modules", "croner")));
  assert.throws(() => fromSources.resolve("croner"), { code: "MODULE_NOT_FOUND" });
});
