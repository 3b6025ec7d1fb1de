#!/usr/bin/env bash
# bench/load/old-impl.sh — builds, from the npm registry alone, the older TypeScript implementation's
# Worker projects for the benchmark photons (bench/load/.work/old for counter.photon.ts,
# bench/load/.work/old-schedule for the scheduling fixture), checks that wrangler bundles them, and
# prints the BENCH_OLD_DIR / BENCH_OLD_SCHEDULE_DIR exports for run.sh. Starts from scratch each time.
#
# `npm install @portel/photon@1.36.1` fails with ETARGET: it needs @portel/photon-core@^2.27.1 and
# the registry's newest is 2.17.6 (and the portel-dev/photon-core history we could read ends at
# v2.17.0, so it could not be built from source either). Two departures from what a 1.36.1 user got, both confined
# to generation time (the generated Worker imports nothing from photon-core):
# - an npm `overrides` entry installs photon-core 2.17.6; its SchemaExtractor writes the
#   tools' definitions (name, description, inputSchema, simpleParams) baked into the Worker;
# - the `photon` CLI entry cannot load with 2.17.6 (context.js imports getCacheDir, which 2.17.6
#   lacks), so old-impl.mjs calls the deploy function that `photon host deploy cf` calls.
# The Worker runtime itself, worker.ts.template, and the project files come from 1.36.1 unchanged.
set -euo pipefail
cd "$(dirname "$0")"
here=$PWD
repo=$(cd ../.. && pwd)
work=$here/.work
tool=$work/old-impl-tool
wrangler=$repo/tests/e2e/node_modules/.bin/wrangler
export WRANGLER_SEND_METRICS=false CLOUDFLARE_CF_FETCH_ENABLED=false WRANGLER_HIDE_BANNER=true \
  WRANGLER_SEND_ERROR_REPORTS=false
npm_quiet=(--no-audit --no-fund --loglevel=error)

if [ ! -x "$wrangler" ]; then
  (cd ../../tests/e2e && npm ci "${npm_quiet[@]}" >&2)
fi

rm -rf "$tool" "$work/old" "$work/old-schedule"
mkdir -p "$tool/home"
cat >"$tool/package.json" <<'EOF'
{
  "name": "old-impl-tool",
  "private": true,
  "dependencies": { "@portel/photon": "1.36.1" },
  "overrides": { "@portel/photon-core": "2.17.6" }
}
EOF
echo "old-impl: installing @portel/photon@1.36.1 (photon-core overridden to 2.17.6)" >&2
(cd "$tool" && npm install "${npm_quiet[@]}" >&2)
version() { node -p "require('$1/node_modules/$2/package.json').version"; }
echo "old-impl: @portel/photon $(version "$tool" @portel/photon), @portel/photon-core $(version "$tool" @portel/photon-core)" >&2

generate() {
  local photon=$1 out=$2
  # A scratch HOME and PHOTON_DIR, and none of the deploy-time environment the generator reads,
  # so the project depends on nothing but the photon.
  env -u PHOTON_INSTANCE_ALIASES -u PHOTON_MCP_JWT_AUDIENCE -u CLOUDFLARE_API_TOKEN \
    HOME="$tool/home" PHOTON_DIR="$tool/home/.photon" \
    node "$here/old-impl.mjs" "$tool" "$photon" "$out" >"$tool/generate.log" 2>&1 ||
    { cat "$tool/generate.log" >&2; return 1; }
  # What the generator tells its user to run next (cron-parser for the bundle, wrangler et al.).
  (cd "$out" && npm install "${npm_quiet[@]}" >&2)
  echo "old-impl: $out: cron-parser $(version "$out" cron-parser), wrangler $(version "$out" wrangler)" >&2
  # The bundle run.mjs measures: the same pinned wrangler as for photon-cf's projects.
  (cd "$out" && "$wrangler" deploy --dry-run --outdir dist | grep 'Total Upload' >&2)
}

generate "$here/counter.photon.ts" "$work/old"
generate "$repo/fixtures/runtime-ext/schedule/cf-sched.photon.ts" "$work/old-schedule"

echo "export BENCH_OLD_DIR=$work/old BENCH_OLD_SCHEDULE_DIR=$work/old-schedule"
