//! The user's own path through a generated project (contract §2): `npm install` from the registry, then `npx wrangler dev`, with no other step, and an MCP client talking to it.
// Every other suite links the declared packages' pinned copies from tests/e2e/node_modules into
// the project to save time; this one installs from the registry, so it proves the generated
// package.json alone is enough: the pinned versions exist and resolve.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { photonCf, repoRoot, workDir, startWrangler, connect, structured, unavailable } from "./lib/harness.mjs";

test("npm install then npx wrangler dev serves the generated project", { timeout: 300_000, skip: unavailable("npm") }, async () => {
  const out = workDir("user-path");
  const built = spawnSync(
    photonCf,
    ["build", join(repoRoot, "fixtures", "runtime", "ticker", "cf-ticker.photon.ts"), "--out", out],
    { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } },
  );
  assert.equal(built.status, 0, built.stderr);
  assert.ok(!existsSync(join(out, "node_modules")), "nothing is installed before npm install");

  // The ticker uses this.schedule, so its package.json must bring croner too.
  const pkg = JSON.parse(readFileSync(join(out, "package.json"), "utf8"));
  assert.ok(pkg.dependencies["croner"], JSON.stringify(pkg));

  const install = spawnSync("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"], {
    cwd: out,
    encoding: "utf8",
    timeout: 240_000,
  });
  assert.equal(install.status, 0, `npm install failed:\n${install.stdout}${install.stderr}`);

  // `npx wrangler dev`, as a user types it (in its own process group, so workerd goes with it).
  const server = await startWrangler(out, { command: ["npx", "wrangler"], timeoutMs: 90_000 });
  try {
    const { client } = await connect(server.url, { instance: "user-path" });
    const { tools } = await client.listTools();
    assert.ok(tools.some((t) => t.name === "tick"), JSON.stringify(tools.map((t) => t.name)));
    const first = structured(await client.callTool({ name: "tick", arguments: {} }));
    const second = structured(await client.callTool({ name: "tick", arguments: {} }));
    assert.equal(second.ticks, first.ticks + 1, JSON.stringify({ first, second }));
    await client.close();
  } finally {
    await server.stop();
  }
});
