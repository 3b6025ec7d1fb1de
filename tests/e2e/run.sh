#!/usr/bin/env bash
# End-to-end suite: builds photon-cf, builds each fixture photon with it, boots the generated
# project in workerd (pinned wrangler dev, offline) and drives it with the MCP SDK client,
# raw HTTP and WebSockets. Two test files run at a time, which fits a 2-core machine.
set -euo pipefail
cd "$(dirname "$0")"
root=$(cd ../.. && pwd)

export WRANGLER_SEND_METRICS=false CLOUDFLARE_CF_FETCH_ENABLED=false WRANGLER_HIDE_BANNER=true \
  WRANGLER_SEND_ERROR_REPORTS=false
unset RUST_BACKTRACE

if [ ! -x node_modules/.bin/wrangler ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
(cd "$root" && cargo build --quiet)

# A test that hangs fails after 5 minutes instead of holding the whole run. The limit also applies
# to each test file as a whole, and project-check.test.mjs (nine generated projects, each through a
# real `npm install` and `npm run check`) takes one and a half to two minutes on a loaded 2-core
# machine; every other file takes well under one.
if [ "$#" -eq 0 ]; then set -- ./*.test.mjs; fi
exec node --test --test-concurrency="${E2E_CONCURRENCY:-2}" --test-timeout=300000 --test-reporter=spec "$@"
