// bench/load/run.mjs — photon-cf's generated Worker against a hand-written Durable Object doing the
// same storage increment (and, when it is installed, the older TypeScript implementation's Worker
// for the same photon), in one run: tools/call throughput, p50/p99 latency, server CPU per call,
// no-lost-update check, bundle sizes and cold start. Every Worker is bundled by
// `wrangler deploy --dry-run --outdir` and served by Miniflare directly on 127.0.0.1 (no wrangler
// dev proxy in between, so the comparison is of the Workers, not of the dev server). Stops by
// itself; writes .work/results.json and, with --write, RESULTS.md.
//
// Two request paths, measured apart:
// - client: `Accept: application/json, text/event-stream`, what every official MCP client sends;
// - json: `Accept: application/json`, a client that takes plain JSON only.
//
// The machine is shared (the load generator, and on a dev box whatever else runs), so the load
// comes in short slices that alternate between the Workers and paths (the order rotates every
// round): background load then hits all alike, and the ratios stay meaningful when absolute
// figures move. Medians over rounds are reported.
//
// Environment: BENCH_ROUNDS (default 8), BENCH_SLICE (seconds per slice, default 2),
// BENCH_CONCURRENCY (default 32), BENCH_INSTANCES (default 4), BENCH_PIN (0: the load generator
// and the Workers are not pinned to CPUs; see pinCpus), BENCH_COLD (cold starts per Worker,
// default 5), PHOTON_CF (the photon-cf binary; default: cargo run --release),
// BENCH_OLD_DIR / BENCH_OLD_SCHEDULE_DIR (the older implementation's generated projects for the
// counter and the scheduling photon, with their dependencies installed: old-impl.sh makes them
// and prints these two; left out when unset), BENCH_OTHER_DIR
// and BENCH_OTHER_LABEL (one more generated project to load side by side, e.g. photon-cf built
// from an earlier commit, for a before/after in one run).

import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { ACCEPT_CLIENT, ACCEPT_JSON, callOnce, percentile, runLoad, toolCall } from './load.mjs';
import { boot, bundledScript, cpuMs } from './miniflare.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const work = path.join(here, '.work');
// The e2e suite pins wrangler/miniflare; the benchmark uses the same install.
const e2eModules = path.join(repo, 'tests/e2e/node_modules');
const requireE2e = createRequire(path.join(repo, 'tests/e2e/package.json'));

const rounds = Number(process.env.BENCH_ROUNDS ?? 8);
const slice = Number(process.env.BENCH_SLICE ?? 2);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 32);
const instances = Number(process.env.BENCH_INSTANCES ?? 4);
const coldRuns = Number(process.env.BENCH_COLD ?? 5);
const writeResults = process.argv.includes('--write');
const runId = Date.now().toString(36);

const quiet = {
  ...process.env,
  WRANGLER_SEND_METRICS: 'false',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  WRANGLER_HIDE_BANNER: 'true',
  WRANGLER_SEND_ERROR_REPORTS: 'false',
};

const PATHS = { client: ACCEPT_CLIENT, json: ACCEPT_JSON };

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
    : ['cargo', ['run', '--quiet', '--release', '--manifest-path', path.join(repo, 'Cargo.toml'), '--']];
  // A fresh project each time: the wrangler.toml of a new project is what users start from.
  rmSync(out, { recursive: true, force: true });
  const result = spawnSync(command, [...args, 'build', photon, '--out', out], { stdio: 'inherit', env: quiet });
  if (result.status !== 0) throw new Error(`photon-cf build ${photon} failed (exit ${result.status})`);
  linkModules(out);
  return out;
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
  rmSync(path.join(dir, 'dist'), { recursive: true, force: true });
  const output = execFileSync(wrangler, ['deploy', '--dry-run', '--outdir', 'dist'], {
    cwd: dir,
    env: quiet,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const match = output.match(/Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/);
  if (!match) throw new Error(`no "Total Upload" line in wrangler output:\n${output}`);
  return { dir, kib: Number(match[1]), gzipKib: Number(match[2]), script: bundledScript(dir) };
}

/** The counter value a tools/call increment answered (structuredContent or the text). */
function countOf(result) {
  if (typeof result.structuredContent?.result === 'number') return result.structuredContent.result;
  return Number(JSON.parse(result.content?.[0]?.text ?? 'NaN'));
}

function median(values) {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function summarize(slices) {
  const latencies = slices.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const requests = slices.reduce((n, r) => n + r.requests, 0);
  return {
    requests,
    errors: slices.reduce((n, r) => n + r.errors, 0),
    sse: slices.reduce((n, r) => n + r.sse, 0),
    rps: median(slices.map((r) => r.requests / r.seconds)),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    cpuUs: median(slices.map((r) => (r.cpuMs * 1000) / Math.max(1, r.requests + r.errors))),
    firstError: slices.find((r) => r.firstError)?.firstError ?? null,
  };
}

const fmt = (value, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : '–');

/**
 * Where the machine has two or more CPUs, the load generator (this process, every thread) runs on
 * CPU 0 and each Worker's workerd on the others, which the Workers take in turn (BENCH_PIN=0
 * leaves placement to the OS). Unpinned on a 2-core machine, the generator and the Worker under
 * test contend for both cores, and that contention moved the ratios between runs more than the
 * Workers did. Returns a function that gives this process all CPUs back, or null when not pinned.
 */
function pinCpus(workerdPids) {
  const cpus = os.cpus().length;
  if (process.env.BENCH_PIN === '0' || cpus < 2) return null;
  const taskset = (list, pid) => spawnSync('taskset', ['-a', '-p', '-c', list, String(pid)], { stdio: 'ignore' }).status === 0;
  if (!taskset('0', process.pid)) {
    log('taskset is missing or refused: the load generator and the Workers are not pinned');
    return null;
  }
  for (const pid of workerdPids) if (pid !== null) taskset(`1-${cpus - 1}`, pid);
  return () => taskset(`0-${cpus - 1}`, process.pid);
}

/** Throughput: every Worker booted once, alternating slices on both paths; then the lost-update check. */
async function measureLoad(workers) {
  const booted = {};
  for (const w of workers) booted[w.key] = await boot(w.bundle);
  // Pinned after every workerd started: a child inherits its parent's CPUs.
  const unpin = pinCpus(Object.values(booted).map((b) => b.pid));
  const urls = (key, pathName) => Array.from({ length: instances }, (_, i) => booted[key].url(`b-${runId}-${pathName}-${i}`));
  const ok = Object.fromEntries(workers.map((w) => [w.key, { client: 0, json: 0 }]));
  const slices = Object.fromEntries(workers.map((w) => [w.key, { client: [], json: [] }]));
  const combos = workers.flatMap((w) => Object.keys(PATHS).map((p) => [w.key, p]));
  try {
    for (const [key, p] of combos) {
      // warm up: the first requests create the objects and JIT the code paths
      const warm = await runLoad({ urls: urls(key, p), accept: PATHS[p], concurrency, seconds: 1 });
      ok[key][p] += warm.okTotal;
      if (warm.okTotal === 0) throw new Error(`${key} (${p}) answered no request: ${warm.firstError}`);
    }
    log(`measuring: ${rounds} rounds of ${slice} s slices, ${combos.length} worker/path pairs, ${concurrency} connections over ${instances} instances`);
    for (let round = 0; round < rounds; round += 1) {
      const order = combos.map((_, i) => combos[(i + round) % combos.length]);
      if (round % 2) order.reverse();
      for (const [key, p] of order) {
        const cpuBefore = cpuMs(booted[key].pid);
        const result = await runLoad({ urls: urls(key, p), accept: PATHS[p], concurrency, seconds: slice });
        // workerd's own CPU: the cost of the Worker, apart from the load generator's
        result.cpuMs = cpuMs(booted[key].pid) - cpuBefore;
        ok[key][p] += result.okTotal;
        if (result.errors > 0) log(`${key} (${p}): ${result.errors} errors, first: ${result.firstError}`);
        slices[key][p].push(result);
      }
    }
    // No lost updates: each instance's next value is one more than the calls it answered.
    const lost = {};
    for (const [key, p] of combos) {
      let final = 0;
      for (const url of urls(key, p)) final += countOf((await callOnce(url, ACCEPT_JSON, toolCall(0))).result) - 1;
      lost[`${key}/${p}`] = ok[key][p] - final;
    }
    return { slices, lost, pinned: unpin !== null };
  } finally {
    unpin?.();
    await Promise.all(Object.values(booted).map((b) => b.mf.dispose()));
  }
}

/**
 * Cold start, two ways. Process: a fresh workerd (new isolate, script compiled from scratch) from
 * `new Miniflare` to the first tools/call answer. Object: in a warm process, the first call to a
 * Durable Object that did not exist (new object, storage opened, photon constructed).
 */
async function measureCold(targets) {
  const process_ = Object.fromEntries(targets.map((t) => [t.key, []]));
  const ready = Object.fromEntries(targets.map((t) => [t.key, []]));
  const first = Object.fromEntries(targets.map((t) => [t.key, []]));
  const object = Object.fromEntries(targets.map((t) => [t.key, []]));
  for (let run = 0; run < coldRuns; run += 1) {
    const order = run % 2 ? [...targets].reverse() : targets;
    for (const t of order) {
      const started = performance.now();
      const b = await boot(t.bundle);
      const booted = performance.now();
      try {
        await callOnce(b.url(`cold-${run}`), ACCEPT_CLIENT, toolCall(1, t.tool, t.args(run)));
        const answered = performance.now();
        process_[t.key].push(answered - started);
        ready[t.key].push(booted - started);
        first[t.key].push(answered - booted);
        // warm the isolate's code paths (JIT), then time first calls on new objects
        for (let i = 0; i < 10; i += 1) await callOnce(b.url(`warm-${run}-${i % 2}`), ACCEPT_CLIENT, toolCall(2, t.tool, t.args(`${run}-${i}`)));
        for (let i = 0; i < 5; i += 1) {
          const at = performance.now();
          await callOnce(b.url(`new-${run}-${i}`), ACCEPT_CLIENT, toolCall(3, t.tool, t.args(`${run}-n${i}`)));
          object[t.key].push(performance.now() - at);
        }
      } finally {
        await b.mf.dispose();
      }
    }
  }
  return Object.fromEntries(
    targets.map((t) => [
      t.key,
      { processMs: median(process_[t.key]), readyMs: median(ready[t.key]), firstCallMs: median(first[t.key]), objectMs: median(object[t.key]) },
    ]),
  );
}

function oldProject(variable) {
  const dir = process.env[variable];
  if (!dir) return null;
  if (!existsSync(path.join(dir, 'wrangler.toml'))) throw new Error(`${variable}=${dir} has no wrangler.toml`);
  return path.resolve(dir);
}

async function main() {
  mkdirSync(work, { recursive: true });
  log('building the photons with photon-cf');
  const oursDir = buildPhoton(path.join(here, 'counter.photon.ts'), path.join(work, 'ours'));
  const schedDir = buildPhoton(path.join(repo, 'fixtures/runtime-ext/schedule/cf-sched.photon.ts'), path.join(work, 'ours-schedule'));
  const baselineDir = prepareBaseline();
  const oldDir = oldProject('BENCH_OLD_DIR');
  const oldSchedDir = oldProject('BENCH_OLD_SCHEDULE_DIR');
  if (!oldDir) log('BENCH_OLD_DIR unset: comparing with the hand-written object only');

  log('bundling with wrangler deploy --dry-run');
  const bundles = { ours: dryRun(oursDir), oursSchedule: dryRun(schedDir), baseline: dryRun(baselineDir) };
  if (oldDir) bundles.old = dryRun(oldDir);
  if (oldSchedDir) bundles.oldSchedule = dryRun(oldSchedDir);
  const otherDir = oldProject('BENCH_OTHER_DIR');
  if (otherDir) bundles.other = dryRun(otherDir);

  const workers = [
    { key: 'ours', label: 'photon-cf', bundle: bundles.ours },
    { key: 'baseline', label: 'hand-written DO', bundle: bundles.baseline },
    ...(oldDir ? [{ key: 'old', label: 'older TS implementation', bundle: bundles.old }] : []),
    ...(otherDir ? [{ key: 'other', label: process.env.BENCH_OTHER_LABEL ?? otherDir, bundle: bundles.other }] : []),
  ];
  const { slices, lost, pinned } = await measureLoad(workers);
  const load = Object.fromEntries(workers.map((w) => [w.key, { client: summarize(slices[w.key].client), json: summarize(slices[w.key].json) }]));

  log(`cold starts: ${coldRuns} per Worker`);
  const inc = () => ({});
  const sched = (run) => ({ name: `cold-${run}-${Math.random().toString(36).slice(2)}`, schedule: '@hourly', method: 'tick', params: { tag: 'cold' } });
  const coldTargets = [
    { key: 'ours', bundle: bundles.ours, tool: 'increment', args: inc },
    // the same kind of work as increment (one memory read), then the scheduler's own work
    { key: 'oursScheduleRead', bundle: bundles.oursSchedule, tool: 'runs', args: () => ({ tag: 'cold' }) },
    { key: 'oursSchedule', bundle: bundles.oursSchedule, tool: 'create', args: sched },
    { key: 'baseline', bundle: bundles.baseline, tool: 'increment', args: inc },
    ...(oldDir ? [{ key: 'old', bundle: bundles.old, tool: 'increment', args: inc }] : []),
  ];
  const cold = await measureCold(coldTargets);

  const environment = {
    date: new Date().toISOString(),
    node: process.version,
    wrangler: requireE2e('wrangler/package.json').version,
    miniflare: requireE2e('miniflare/package.json').version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    loadAverage: os.loadavg()[0],
    concurrency,
    instances,
    rounds,
    slice,
    coldRuns,
    pinned,
  };
  const results = { environment, bundles, load, lost, cold };
  writeFileSync(path.join(work, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  const text = renderTables(results, workers);
  process.stdout.write(text + '\n');
  if (writeResults) writeFileSync(path.join(here, 'RESULTS.md'), renderResults(results, text));
  const errors = workers.some((w) => load[w.key].client.errors + load[w.key].json.errors > 0);
  if (errors || Object.values(lost).some((n) => n !== 0)) process.exitCode = 1;
}

function renderTables({ bundles, load, lost, cold }, workers) {
  const ours = load.ours;
  const base = load.baseline;
  const old = load.old;
  const r = (a, b) => fmt(a / b);
  const lines = [];
  lines.push('Ratios (photon-cf against the others; throughput: higher is better, CPU per call: lower is better):', '');
  lines.push('| photon-cf vs | client path req/s | client path CPU/call | JSON path req/s | JSON path CPU/call |');
  lines.push('|---|---:|---:|---:|---:|');
  lines.push(`| hand-written DO | ${r(ours.client.rps, base.client.rps)}× | ${r(ours.client.cpuUs, base.client.cpuUs)}× | ${r(ours.json.rps, base.json.rps)}× | ${r(ours.json.cpuUs, base.json.cpuUs)}× |`);
  for (const [w, o] of [[workers.find((x) => x.key === 'old'), old], [workers.find((x) => x.key === 'other'), load.other]]) {
    if (o) lines.push(`| ${w.label} | ${r(ours.client.rps, o.client.rps)}× | ${r(ours.client.cpuUs, o.client.cpuUs)}× | ${r(ours.json.rps, o.json.rps)}× | ${r(ours.json.cpuUs, o.json.cpuUs)}× |`);
  }
  lines.push('', '| Worker | path | req/s (median) | p50 ms | p99 ms | workerd CPU µs/call (median) | errors | lost updates | answered as SSE |');
  lines.push('|---|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const w of workers) {
    for (const p of Object.keys(PATHS)) {
      const s = load[w.key][p];
      lines.push(`| ${w.label} | ${p} | ${fmt(s.rps, 0)} | ${fmt(s.p50)} | ${fmt(s.p99)} | ${fmt(s.cpuUs, 0)} | ${s.errors} | ${lost[`${w.key}/${p}`]} | ${s.sse} of ${s.requests} |`);
    }
  }
  const kib = (b) => (b ? `${fmt(b.kib)} | ${fmt(b.gzipKib)}` : '– | –');
  // Three decimals: the limits (0.15×, 0.3×) are close enough that two would round onto them.
  const vsOld = (b, o) => (b && o ? `${(b.kib / o.kib).toFixed(3)}×` : '–');
  lines.push('', '| bundle (wrangler deploy --dry-run, Total Upload) | KiB | gzip KiB | vs older implementation |', '|---|---:|---:|---:|');
  lines.push(`| photon-cf, counter photon (no schedule) | ${kib(bundles.ours)} | ${vsOld(bundles.ours, bundles.old)} |`);
  lines.push(`| photon-cf, a photon using this.schedule | ${kib(bundles.oursSchedule)} | ${vsOld(bundles.oursSchedule, bundles.oldSchedule ?? bundles.old)} |`);
  lines.push(`| hand-written DO | ${kib(bundles.baseline)} | |`);
  if (bundles.old) lines.push(`| older TS implementation, counter photon | ${kib(bundles.old)} | |`);
  if (bundles.oldSchedule) lines.push(`| older TS implementation, the scheduling photon | ${kib(bundles.oldSchedule)} | |`);
  if (bundles.other) lines.push(`| ${workers.find((x) => x.key === 'other').label} | ${kib(bundles.other)} | |`);
  const c = (key) => cold[key];
  const cr = (key, field) => (c(key) ? `${fmt(c(key)[field] / c('baseline')[field])}×` : '–');
  lines.push(
    '',
    '| cold start (median) | new workerd process → first tools/call answer, ms | vs hand-written | of which: Miniflare + workerd up (script compiled), ms | then: first call, ms | vs hand-written | new Durable Object in a warm isolate → first answer, ms | vs hand-written |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  );
  const coldRow = (label, key) =>
    c(key) &&
    lines.push(
      `| ${label} | ${fmt(c(key).processMs, 0)} | ${cr(key, 'processMs')} | ${fmt(c(key).readyMs, 0)} | ${fmt(c(key).firstCallMs, 0)} | ${cr(key, 'firstCallMs')} | ${fmt(c(key).objectMs)} | ${cr(key, 'objectMs')} |`,
    );
  coldRow('photon-cf, counter photon (increment)', 'ours');
  coldRow('photon-cf, scheduling photon (runs: one memory read)', 'oursScheduleRead');
  coldRow('photon-cf, scheduling photon (create @hourly: cron parse, task write, alarm)', 'oursSchedule');
  coldRow('hand-written DO (increment)', 'baseline');
  coldRow('older TS implementation, counter photon', 'old');
  return lines.join('\n');
}

const OLD_MISSING = `The older TypeScript implementation's Worker is not in this run. \`npm install @portel/photon@1.36.1\`
(the release with \`photon host deploy cf\`) fails with ETARGET because it needs
\`@portel/photon-core@^2.27.1\`, which the npm registry does not have (2.17.6 is the newest there).
\`bench/load/old-impl.sh\` installs it with photon-core overridden to 2.17.6, generates its projects
for both photons and prints the BENCH_OLD_DIR and BENCH_OLD_SCHEDULE_DIR to pass here; the tables
then gain its rows and ratios.`;

const OLD_HOW = `The older TypeScript implementation's projects come from \`bench/load/old-impl.sh\`: @portel/photon
1.36.1's own deploy code and Worker template, installed from npm with @portel/photon-core overridden
to 2.17.6 (npm has nothing newer; 1.36.1 asks for ^2.27.1). photon-core only runs at generation
time (it writes the tool definitions baked into the Worker), so the runtime measured here is
1.36.1's; see the script for the two departures from a stock 1.36.1 install.`;

function renderResults({ environment: env, bundles }, text) {
  return `# Load benchmark results

Measured by \`bench/load/run.sh --write\` (this file is generated; rerun to refresh).

Each Worker answers \`POST /mcp?instance=…\` \`tools/call increment\` (one Durable Object storage
get + put), bundled by \`wrangler deploy --dry-run\` and served by Miniflare (workerd) on
127.0.0.1 with no dev proxy; ${env.concurrency} connections spread over ${env.instances} instances;
${env.rounds} rounds of ${env.slice} s slices per Worker and path, the order rotating every round
(after a 1 s warm-up each). The **client** path sends the official MCP clients'
\`Accept: application/json, text/event-stream\`; the **json** path sends \`Accept: application/json\`.
req/s is the median over rounds; p50/p99 over all measured calls; "workerd CPU" is the CPU time
the Worker's own workerd process used in a slice divided by the calls it answered (from /proc),
median over rounds: the cost of each Worker apart from the load generator's share of the machine.
${env.pinned ? 'The load generator ran on CPU 0 and the Workers, in turn, on the other CPUs (taskset; `BENCH_PIN=0` turns this off).' : 'The load generator and the Workers shared all CPUs (not pinned).'}
"lost updates" compares the counters' final values with the number of successful calls.
Cold start: ${env.coldRuns} runs per Worker, alternating; "new workerd process" is the time from
\`new Miniflare\` (a fresh isolate compiling the bundle, handed over as a module with its contents,
as wrangler dev does) to the first \`tools/call\` answer; "new Durable Object" is the first call to
an instance that did not exist, in a warm process.

${text}

${bundles.old ? OLD_HOW : OLD_MISSING}

Environment: ${env.date}, Node ${env.node}, wrangler ${env.wrangler}, miniflare ${env.miniflare},
${env.cpus} × ${env.cpuModel}, 1-minute load average ${env.loadAverage.toFixed(2)} at the end of the run.
The load generator shares the machine with workerd (and, on a shared dev box, with whatever else
runs), so absolute figures depend on the machine; the ratios are the figures to compare. Ratios
move between runs on this machine (see the README's Performance section for several runs).
`;
}

main().catch((error) => {
  process.stderr.write(`bench: ${error.stack ?? error}\n`);
  process.exit(2);
});
