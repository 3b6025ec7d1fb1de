#!/usr/bin/env bash
# The load benchmark (bounded, loopback only, stops by itself): photon-cf's counter photon vs a
# hand-written Durable Object (and the older implementation's Worker when BENCH_OLD_DIR names
# one), on the MCP clients' SSE-accepting path and the JSON-only path, plus bundle sizes and
# cold start. Needs the pinned npm packages of tests/e2e (npm ci there).
# Pass --write to regenerate RESULTS.md. See run.mjs for the BENCH_* knobs.
set -euo pipefail
cd "$(dirname "$0")"
export WRANGLER_SEND_METRICS=false CLOUDFLARE_CF_FETCH_ENABLED=false WRANGLER_HIDE_BANNER=true \
  WRANGLER_SEND_ERROR_REPORTS=false
if [ ! -d ../../tests/e2e/node_modules ]; then
  (cd ../../tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
fi
exec node run.mjs "$@"
