// bench/load/run.mjs — photon-cf's generated worker against a hand-written Durable Object doing
// the same storage increment, in one run: tools/call throughput, p50/p99 latency, their ratio,
// and the bundle size `wrangler deploy --dry-run` reports for each. Both workers run in workerd
// through Miniflare on 127.0.0.1 (no wrangler dev proxy in between, so the comparison is of the
// two workers, not of the dev server). Rounds alternate (ours, baseline, ours, ...) so drift on a
// shared machine hits both alike. Stops by itself; writes .work/results.json and, with
// --write, RESULTS.md.
//
// The machine is shared (the load generator, and on a dev box whatever else runs), so the load
// comes in short slices that alternate between the two workers: background load then hits both
// alike, and the ratio stays meaningful even when absolute figures move.
//
// Environment: BENCH_SECONDS (measured seconds per worker, default 15), BENCH_SLICE (seconds per
// slice, default 1), BENCH_CONCURRENCY (default 16), PHOTON_CF (the photon-cf binary; default:
// cargo run),
// BENCH_OURS_DIR (use an already built project instead of building bench/load/counter.photon.ts).

import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { percentile, runLoad } from './load.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const work = path.join(here, '.work');
// The e2e suite pins wrangler/miniflare; the benchmark uses the same install.
const e2eModules = path.join(repo, 'tests/e2e/node_modules');
const requireE2e = createRequire(path.join(repo, 'tests/e2e/package.json'));

const seconds = Number(process.env.BENCH_SECONDS ?? 15);
const slice = Number(process.env.BENCH_SLICE ?? 1);
const rounds = Math.max(1, Math.round(seconds / slice));
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 16);
const writeResults = process.argv.includes('--write');

const quiet = {
  ...process.env,
  WRANGLER_SEND_METRICS: 'false',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  WRANGLER_HIDE_BANNER: 'true',
  WRANGLER_SEND_ERROR_REPORTS: 'false',
};

function log(message) {
  process.stderr.write(`bench: ${message}\n`);
}

function linkModules(dir) {
  const target = path.join(dir, 'node_modules');
  if (!existsSync(target)) symlinkSync(e2eModules, target, 'dir');
}

function buildPhoton(photon, out) {
  const [command, args] = process.env.PHOTON_CF
    ? [process.env.PHOTON_CF, []]
    : ['cargo', ['run', '--quiet', '--manifest-path', path.join(repo, 'Cargo.toml'), '--']];
  const result = spawnSync(command, [...args, 'build', photon, '--out', out], { stdio: 'inherit', env: quiet });
  if (result.status !== 0) throw new Error(`photon-cf build ${photon} failed (exit ${result.status})`);
  linkModules(out);
  return out;
}

function buildOurs() {
  if (process.env.BENCH_OURS_DIR) return path.resolve(process.env.BENCH_OURS_DIR);
  return buildPhoton(path.join(here, 'counter.photon.ts'), path.join(work, 'ours'));
}

function prepareBaseline() {
  const out = path.join(work, 'baseline');
  rmSync(out, { recursive: true, force: true });
  cpSync(path.join(here, 'baseline'), out, { recursive: true });
  linkModules(out);
  return out;
}

/** `wrangler deploy --dry-run`: the bundle it would upload, and the size it reports. */
function dryRun(dir) {
  const wrangler = path.join(e2eModules, '.bin/wrangler');
  const output = execFileSync(wrangler, ['deploy', '--dry-run', '--outdir', 'dist'], {
    cwd: dir,
    env: quiet,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const match = output.match(/Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/);
  if (!match) throw new Error(`no "Total Upload" line in wrangler output:\n${output}`);
  // the bundle is named after wrangler.toml's `main` (src/worker.ts -> dist/worker.js)
  const script = readdirSync(path.join(dir, 'dist')).find((file) => file.endsWith('.js'));
  if (!script) throw new Error(`wrangler wrote no bundle into ${dir}/dist`);
  return { kib: Number(match[1]), gzipKib: Number(match[2]), script: path.join(dir, 'dist', script) };
}

/**
 * workerd processes started by this one (Linux /proc): Miniflare runs each worker in its own
 * workerd. (Other children, such as wrangler's esbuild service, are left out by name.)
 */
function childPids() {
  const read = (file) => {
    try {
      return readFileSync(file, 'utf8');
    } catch {
      return '';
    }
  };
  try {
    return new Set(
      readdirSync('/proc')
        .filter((entry) => /^\d+$/.test(entry))
        .filter((pid) => read(`/proc/${pid}/stat`).split(') ')[1]?.split(' ')[1] === String(process.pid))
        .filter((pid) => read(`/proc/${pid}/cmdline`).includes('workerd')),
    );
  } catch {
    return new Set();
  }
}

/** CPU time (user + system, ms) a process has used so far, or NaN where /proc is missing. */
function cpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return NaN;
  }
}

async function boot(dir, script) {
  const before = childPids();
  const { Miniflare } = await import(pathToFileURL(requireE2e.resolve('miniflare')).href);
  const { unstable_getMiniflareWorkerOptions } = await import(pathToFileURL(requireE2e.resolve('wrangler')).href);
  const { workerOptions } = unstable_getMiniflareWorkerOptions(path.join(dir, 'wrangler.toml'));
  const mf = new Miniflare({
    ...workerOptions,
    modules: true,
    scriptPath: script,
    modulesRoot: path.dirname(script),
    durableObjectsPersist: false,
    cf: false,
    host: '127.0.0.1',
    port: 0,
  });
  const url = await mf.ready;
  const pid = [...childPids()].find((candidate) => !before.has(candidate)) ?? null;
  return { mf, pid, url: new URL('/mcp?instance=bench', url).href };
}

function summarize(results) {
  const requests = results.reduce((n, r) => n + r.requests, 0);
  const errors = results.reduce((n, r) => n + r.errors, 0);
  const latencies = results.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const cpuMsTotal = results.reduce((n, r) => n + r.cpuMs, 0);
  return {
    requests,
    errors,
    rps: requests / results.reduce((s, r) => s + r.seconds, 0),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    cpuUs: (cpuMsTotal * 1000) / Math.max(1, requests + errors),
  };
}

const fmt = (value, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : String(value));

async function main() {
  mkdirSync(work, { recursive: true });
  log('building the photon with photon-cf');
  const oursDir = buildOurs();
  const baselineDir = prepareBaseline();
  log('bundling both with wrangler deploy --dry-run');
  const bundles = { ours: dryRun(oursDir), baseline: dryRun(baselineDir) };
  // Bundle size only: what using this.schedule adds (the scheduler, cron-parser and its luxon).
  const scheduleDir = buildPhoton(path.join(repo, 'fixtures/runtime-ext/schedule/cf-sched.photon.ts'), path.join(work, 'with-schedule'));
  bundles.withSchedule = dryRun(scheduleDir);

  const workers = {
    ours: await boot(oursDir, bundles.ours.script),
    baseline: await boot(baselineDir, bundles.baseline.script),
  };
  const runs = { ours: [], baseline: [] };
  try {
    for (const name of ['ours', 'baseline']) {
      // warm up: first requests create the object and JIT the code paths
      const warm = await runLoad({ url: workers[name].url, concurrency, seconds: 2 });
      if (warm.requests === 0) throw new Error(`${name} answered no request: ${warm.firstError}`);
    }
    log(`measuring: ${rounds} alternating slices of ${slice} s per worker, ${concurrency} connections`);
    for (let round = 0; round < rounds; round += 1) {
      for (const name of round % 2 === 0 ? ['ours', 'baseline'] : ['baseline', 'ours']) {
        const cpuBefore = cpuMs(workers[name].pid);
        const result = await runLoad({ url: workers[name].url, concurrency, seconds: slice });
        // workerd's own CPU: the cost of the worker, apart from the load generator's
        result.cpuMs = cpuMs(workers[name].pid) - cpuBefore;
        if (result.errors > 0) log(`${name}: ${result.errors} errors, first: ${result.firstError}`);
        runs[name].push(result);
      }
    }
  } finally {
    await Promise.all(Object.values(workers).map((w) => w.mf.dispose()));
  }

  const ours = summarize(runs.ours);
  const baseline = summarize(runs.baseline);
  const ratio = ours.rps / baseline.rps;
  const cpuRatio = baseline.cpuUs / ours.cpuUs;
  const environment = {
    date: new Date().toISOString(),
    node: process.version,
    wrangler: requireE2e('wrangler/package.json').version,
    miniflare: requireE2e('miniflare/package.json').version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    loadAverage: os.loadavg()[0],
    concurrency,
    seconds,
    slice,
  };
  const results = { environment, bundles, ours, baseline, ratio, cpuRatio };
  writeFileSync(path.join(work, 'results.json'), JSON.stringify(results, null, 2) + '\n');

  const table = [
    '| worker | req/s | p50 ms | p99 ms | workerd CPU µs/req | errors | bundle KiB | gzip KiB |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    `| photon-cf (counter photon) | ${fmt(ours.rps, 0)} | ${fmt(ours.p50)} | ${fmt(ours.p99)} | ${fmt(ours.cpuUs, 0)} | ${ours.errors} | ${fmt(bundles.ours.kib)} | ${fmt(bundles.ours.gzipKib)} |`,
    `| hand-written DO | ${fmt(baseline.rps, 0)} | ${fmt(baseline.p50)} | ${fmt(baseline.p99)} | ${fmt(baseline.cpuUs, 0)} | ${baseline.errors} | ${fmt(bundles.baseline.kib)} | ${fmt(bundles.baseline.gzipKib)} |`,
    `| photon-cf, a photon using this.schedule (size only) | | | | | | ${fmt(bundles.withSchedule.kib)} | ${fmt(bundles.withSchedule.gzipKib)} |`,
  ].join('\n');
  process.stdout.write(
    `${table}\n\nthroughput ratio (photon-cf / hand-written): ${fmt(ratio)}\n` +
      `CPU-efficiency ratio (hand-written µs / photon-cf µs per request): ${fmt(cpuRatio)}\n`,
  );
  if (writeResults) writeFileSync(path.join(here, 'RESULTS.md'), renderResults(results, table));
  if (ours.errors > 0 || baseline.errors > 0) process.exitCode = 1;
}

function renderResults({ environment: env, ratio, cpuRatio }, table) {
  return `# Load benchmark results

Measured by \`bench/load/run.sh --write\` (this file is generated; rerun to refresh).
Each worker answers \`POST /mcp\` \`tools/call increment\` (one Durable Object storage get + put)
on instance \`bench\`, in workerd through Miniflare on 127.0.0.1; ${env.concurrency} concurrent
connections; ${env.seconds} s measured per worker, in alternating ${env.slice} s slices after a
2 s warm-up each. req/s, p50 and p99 are over all measured requests. Bundle sizes are what
\`wrangler deploy --dry-run\` reports (Total Upload); the third row is a photon that uses
\`this.schedule\` (fixtures/runtime-ext/schedule), the only kind whose bundle carries the scheduler
and cron-parser (with luxon, most of the difference).

${table}

**Throughput ratio (photon-cf / hand-written): ${ratio.toFixed(2)}** (aim: at least 0.80).
CPU-efficiency ratio (hand-written / photon-cf workerd CPU per request): ${cpuRatio.toFixed(2)}.

"workerd CPU" is the CPU time the worker's workerd process used during a round divided by the
requests it answered (from /proc): the cost of each worker on its own, which the load
generator's share of the machine does not blur the way it blurs req/s and latency.

Environment: ${env.date}, Node ${env.node}, wrangler ${env.wrangler}, miniflare ${env.miniflare},
${env.cpus} × ${env.cpuModel}, 1-minute load average ${env.loadAverage.toFixed(2)} at the end of the run.
The load generator shares the machine with workerd (and, on a shared dev box, with whatever else
runs), so absolute figures depend on the machine; the ratios are the figures to compare.
`;
}

main().catch((error) => {
  process.stderr.write(`bench: ${error.stack ?? error}\n`);
  process.exit(2);
});
