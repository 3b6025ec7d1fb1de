// The harness itself: every test process builds into its own `.work/<name>-<pid>` folder, so two
// runs at once never rewrite each other's generated project under a running wrangler, and the
// folder is removed when the test file passes and kept (its path printed) when it fails.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { join } from "node:path";
import { e2eDir } from "./lib/harness.mjs";

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
    assert.ok(passed.dir.startsWith(join(e2eDir, ".work", "harness-probe-")), passed.dir);
    assert.equal(existsSync(passed.dir), false, "a passing process leaves its project behind");
    assert.equal(existsSync(join(failed.dir, "src", "worker.ts")), true, "a failing process removed its project");
    assert.match(failed.stderr, new RegExp(`kept for inspection:\\s+${failed.dir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
  } finally {
    if (failed.dir) rmSync(failed.dir, { recursive: true, force: true });
  }
});
