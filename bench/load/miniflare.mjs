// bench/load/miniflare.mjs — how the load benchmark and the profiler serve a bundled Worker: a
// fresh workerd through Miniflare on 127.0.0.1 (in-memory Durable Objects), the workerd process it
// started, and that process's CPU time from /proc.

import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
// The e2e suite pins wrangler/miniflare; the benchmark uses the same install.
const requireE2e = createRequire(path.join(here, '../../tests/e2e/package.json'));

/** The bundle `wrangler deploy --dry-run --outdir dist` wrote into `dir` (named after `main`). */
export function bundledScript(dir) {
  const script = readdirSync(path.join(dir, 'dist')).find((file) => file.endsWith('.js'));
  if (!script) throw new Error(`wrangler wrote no bundle into ${dir}/dist`);
  return path.join(dir, 'dist', script);
}

/**
 * workerd processes started by this one (Linux /proc): Miniflare runs each Worker in its own
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
export function cpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return NaN;
  }
}

let miniflareModules = null;
async function modules() {
  miniflareModules ??= {
    Miniflare: (await import(pathToFileURL(requireE2e.resolve('miniflare')).href)).Miniflare,
    workerOptionsOf: (await import(pathToFileURL(requireE2e.resolve('wrangler')).href)).unstable_getMiniflareWorkerOptions,
  };
  return miniflareModules;
}

/** A fresh workerd (through Miniflare) serving the bundle, with in-memory Durable Objects. */
export async function boot(bundle, extra = {}) {
  const { Miniflare, workerOptionsOf } = await modules();
  const before = childPids();
  const { workerOptions } = workerOptionsOf(path.join(bundle.dir, 'wrangler.toml'));
  // The bundle as one ES module with its contents, as wrangler dev hands it to Miniflare. Given
  // `modules: true` and a scriptPath instead, Miniflare first parses the whole script with acorn,
  // in Node, to find its imports: a cost of the harness, about 0.3 ms per KiB of code, that
  // neither wrangler dev nor Cloudflare has, and that counted as the Worker's cold start.
  const mf = new Miniflare({
    ...workerOptions,
    modules: [{ type: 'ESModule', path: bundle.script, contents: readFileSync(bundle.script, 'utf8') }],
    modulesRoot: path.dirname(bundle.script),
    durableObjectsPersist: false,
    cf: false,
    host: '127.0.0.1',
    port: 0,
    ...extra,
  });
  const base = await mf.ready;
  const pid = [...childPids()].find((candidate) => !before.has(candidate)) ?? null;
  const url = (instance) => new URL(`/mcp?instance=${encodeURIComponent(instance)}`, base).href;
  return { mf, pid, url, name: workerOptions.name };
}
