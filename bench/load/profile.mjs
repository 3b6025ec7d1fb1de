// bench/load/profile.mjs — where a generated Worker spends its CPU under the benchmark's load: boots
// one bundled project in Miniflare with the V8 inspector on, records a CPU profile of its isolate
// while bench/load's load generator drives `tools/call increment`, and prints the functions with
// the most self time (and the most total time). Loopback only; stops by itself.
//
// Usage: node bench/load/profile.mjs <project dir> [client|json] [seconds]
// The project must be bundled already (`wrangler deploy --dry-run --outdir dist` in it, which
// bench/load/run.sh does for .work/ours); the full profile is written to .work/profile.cpuprofile
// (open it in Chrome DevTools' Performance panel).

import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ACCEPT_CLIENT, ACCEPT_JSON, runLoad } from './load.mjs';
import { boot, bundledScript } from './miniflare.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const requireE2e = createRequire(path.join(here, '../../tests/e2e/package.json'));
const [dirArg, pathArg = 'client', secondsArg = '6'] = process.argv.slice(2);
if (!dirArg) {
  process.stderr.write('usage: node bench/load/profile.mjs <bundled project dir> [client|json] [seconds]\n');
  process.exit(2);
}
const dir = path.resolve(dirArg);
const WebSocket = requireE2e('ws');

// The benchmark's own Miniflare set-up, with the V8 inspector on.
const { mf, url, name } = await boot({ dir, script: bundledScript(dir) }, { inspectorPort: 0 });

try {
  const inspector = await mf.getInspectorURL();
  const targets = await (await fetch(new URL('/json', inspector.href.replace(/^ws/, 'http')))).json();
  const target = targets.find((t) => t.title?.includes(name)) ?? targets[0];
  const socket = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  let nextId = 1;
  const waiting = new Map();
  socket.on('message', (data) => {
    const message = JSON.parse(String(data));
    const entry = waiting.get(message.id);
    if (!entry) return;
    waiting.delete(message.id);
    if (message.error) entry.reject(new Error(JSON.stringify(message.error)));
    else entry.resolve(message.result);
  });
  const send = (method, params = {}) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, { resolve, reject });
      socket.send(JSON.stringify({ id, method, params }));
    });

  const urls = Array.from({ length: 4 }, (_, i) => url(`p-${i}`));
  const accept = pathArg === 'json' ? ACCEPT_JSON : ACCEPT_CLIENT;
  await runLoad({ urls, accept, concurrency: 32, seconds: 1 }); // objects created, code JIT-compiled
  await send('Profiler.enable');
  await send('Profiler.setSamplingInterval', { interval: 100 });
  await send('Profiler.start');
  const load = await runLoad({ urls, accept, concurrency: 32, seconds: Number(secondsArg) });
  const { profile } = await send('Profiler.stop');
  socket.close();
  writeFileSync(path.join(here, '.work/profile.cpuprofile'), JSON.stringify(profile));
  report(profile, load);
} finally {
  await mf.dispose();
}

/** Self and total time per function (name + file:line), from the sampled call tree. */
function report(profile, load) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map();
  const deltas = profile.timeDeltas;
  for (let i = 0; i < profile.samples.length; i += 1) {
    const id = profile.samples[i];
    selfUs.set(id, (selfUs.get(id) ?? 0) + (deltas[i + 1] ?? 0));
  }
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const key = (n) => {
    const f = n.callFrame;
    const file = f.url ? path.basename(f.url) : '';
    return `${f.functionName || '(anonymous)'} ${file}:${f.lineNumber + 1}`;
  };
  const self = new Map();
  const total = new Map();
  let all = 0;
  for (const [id, us] of selfUs) {
    all += us;
    const node = byId.get(id);
    self.set(key(node), (self.get(key(node)) ?? 0) + us);
    // each function counted once per sample, however often it recurses
    const seen = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const k = key(byId.get(at));
      if (seen.has(k)) continue;
      seen.add(k);
      total.set(k, (total.get(k) ?? 0) + us);
    }
  }
  const calls = load.okTotal;
  const top = (map, n) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, us]) => `${(us / calls).toFixed(1).padStart(7)} µs/call  ${((100 * us) / all).toFixed(1).padStart(5)}%  ${k}`)
      .join('\n');
  process.stdout.write(
    `${calls} calls, ${load.errors} errors, isolate samples ${(all / 1000).toFixed(0)} ms = ${(all / calls).toFixed(1)} µs/call\n\n` +
      `self time:\n${top(self, 45)}\n\ntotal time:\n${top(total, 45)}\n`,
  );
}
