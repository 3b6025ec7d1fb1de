// photon-cf's start-up check (run as `node -e`): load the bundle `wrangler deploy --dry-run`
// wrote into the local Workers runtime (Miniflare, from the wrangler DIR installed), with the
// Worker options wrangler derives from DIR's wrangler.toml, and make a first request. Prints one
// JSON line: {"ok": true, "status"} or {"ok": false, "message", "runtime"}.
const fs = require('node:fs');
const path = require('node:path');

const [dir, bundleDir] = process.argv.slice(1);
const say = (doc) => process.stdout.write(`${JSON.stringify(doc)}\n`);
let runtime = '';
const timer = setTimeout(() => {
  say({ ok: false, message: 'the Workers runtime did not start within 60 s', runtime });
  process.exit(3);
}, 60_000);

(async () => {
  let wranglerPkg;
  try {
    wranglerPkg = fs.realpathSync(require.resolve('wrangler/package.json', { paths: [dir] }));
  } catch {
    say({ ok: false, setup: true, message: `no wrangler installed in ${dir}/node_modules` });
    process.exit(2);
  }
  const wrangler = require(path.dirname(wranglerPkg));
  const { Miniflare } = require(require.resolve('miniflare', { paths: [path.dirname(wranglerPkg)] }));
  const { workerOptions } = wrangler.unstable_getMiniflareWorkerOptions(path.join(dir, 'wrangler.toml'));
  const main = path.join(dir, bundleDir, 'worker.js');
  const mf = new Miniflare({
    ...workerOptions,
    scriptPath: undefined,
    modulesRoot: path.join(dir, bundleDir),
    modules: [{ type: 'ESModule', path: main }],
    modulesRules: [
      { type: 'ESModule', include: ['**/*.js', '**/*.mjs'] },
      { type: 'CompiledWasm', include: ['**/*.wasm'] },
      { type: 'Text', include: ['**/*.txt', '**/*.html', '**/*.md'] },
    ],
    host: '127.0.0.1',
    port: 0,
    handleRuntimeStdio(stdout, stderr) {
      stdout.on('data', (d) => { runtime += d; });
      stderr.on('data', (d) => { runtime += d; });
    },
  });
  let doc;
  try {
    await mf.ready;
    const res = await mf.dispatchFetch('http://127.0.0.1/');
    await res.arrayBuffer();
    doc = { ok: true, status: res.status };
  } catch (e) {
    doc = { ok: false, message: String(e?.message ?? e), runtime };
  }
  await mf.dispose().catch(() => {});
  clearTimeout(timer);
  say(doc);
  process.exit(doc.ok ? 0 : 1);
})().catch((e) => {
  say({ ok: false, setup: true, message: String(e?.stack ?? e), runtime });
  process.exit(2);
});
