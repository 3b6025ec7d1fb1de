//! Links into a generated project's `node_modules` exactly the packages its package.json declares, from the pinned copies in tests/e2e/node_modules; as a command: `node tests/e2e/lib/link.mjs DIR`.
// Used by the e2e harness, by the fake npm of the Rust CLI tests, and by the Rust test that
// bundles with the real wrangler, so every generated project is checked with nothing but what it
// declares: a package it imports without declaring it fails to resolve, as after `npm install`.

import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const e2eDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/**
 * Gives the generated project in `dir` a `node_modules` holding only what its own package.json
 * declares (dependencies and devDependencies), each a symlink to the pinned copy in
 * tests/e2e/node_modules, plus the `.bin` commands of those packages. Node and esbuild resolve
 * a symlinked package's own imports from its real path, as after an `npm install`, while the
 * project's sources see only the declared packages: an import it does not declare fails.
 */
export function linkDeclaredPackages(dir) {
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  const declared = { ...pkg.dependencies, ...pkg.devDependencies };
  const modules = join(dir, "node_modules");
  // Like a fresh install: what an earlier package.json declared and this one does not is gone.
  rmSync(modules, { recursive: true, force: true });
  mkdirSync(join(modules, ".bin"), { recursive: true });
  for (const [name, spec] of Object.entries(declared)) {
    const pinned = join(e2eDir, "node_modules", name);
    if (!existsSync(join(pinned, "package.json"))) {
      throw new Error(`the generated package.json declares ${name}@${spec}, which tests/e2e/package.json does not pin`);
    }
    const meta = JSON.parse(readFileSync(join(pinned, "package.json"), "utf8"));
    // An exact version in the generated package.json must be the one the tests run against.
    if (/^\d+\.\d+\.\d+$/.test(spec) && meta.version !== spec) {
      throw new Error(`the generated package.json pins ${name}@${spec}, tests/e2e has ${meta.version}`);
    }
    mkdirSync(dirname(join(modules, name)), { recursive: true });
    symlinkSync(pinned, join(modules, name), "dir");
    const bins = typeof meta.bin === "string" ? { [name.split("/").pop()]: meta.bin } : (meta.bin ?? {});
    for (const [command, file] of Object.entries(bins)) symlinkSync(join(pinned, file), join(modules, ".bin", command));
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.length !== 3) {
    console.error("usage: node link.mjs DIR");
    process.exit(2);
  }
  linkDeclaredPackages(resolve(process.argv[2]));
}
