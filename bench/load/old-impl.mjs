// bench/load/old-impl.mjs — generates the older TypeScript implementation's Worker project for one
// photon: calls `deployToCloudflare` of @portel/photon 1.36.1 (the function behind
// `photon host deploy cf <photon> --dry-run --output <dir>`) with the options that command passes.
// Used by old-impl.sh, which installs the package; see there for why the CLI entry is not used.
//
// Usage: node old-impl.mjs <dir holding node_modules/@portel/photon> <photon.ts> <output dir>
//
// photon 1.36.1 wants @portel/photon-core ^2.27.1; npm's newest is 2.17.6, which old-impl.sh
// installs instead. Of everything the deploy module imports from photon-core, 2.17.6 lacks only
// `bindingNameFor` (the name of a `this.cf.kv()`-style binding), so an ES module link would fail
// before anything runs. The resolve hook below hands the deploy module photon-core 2.17.6 plus a
// `bindingNameFor` that throws: a photon whose generation needed it stops instead of getting a
// guessed binding name. The benchmark photons use no such binding.

import { register } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const hooks = `
export async function resolve(specifier, context, next) {
  if (specifier !== '@portel/photon-core' || context.parentURL?.startsWith('data:')) return next(specifier, context);
  const real = await next(specifier, context);
  const shim = 'export * from ' + JSON.stringify(real.url) + ';\\n' +
    'export function bindingNameFor(photon, category, qualifier) {\\n' +
    '  throw new Error("old-impl.mjs: bindingNameFor(" + [photon, category, qualifier] + ") is not in photon-core 2.17.6");\\n' +
    '}\\n';
  return { url: 'data:text/javascript,' + encodeURIComponent(shim), shortCircuit: true };
}
`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);

const [toolDir, photon, out] = process.argv.slice(2);
if (!out) {
  process.stderr.write('usage: node old-impl.mjs <tool dir> <photon.ts> <output dir>\n');
  process.exit(2);
}
const deploy = path.resolve(toolDir, 'node_modules/@portel/photon/dist/deploy/cloudflare.js');
const { deployToCloudflare } = await import(pathToFileURL(deploy).href);
// What src/cli/commands/host.ts passes for `host deploy cf <photon> --dry-run --output <out>`.
await deployToCloudflare({ photonPath: path.resolve(photon), dryRun: true, outputDir: path.resolve(out) });
