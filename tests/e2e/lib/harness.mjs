//! End-to-end harness: builds a fixture photon with target/debug/photon-cf, boots the generated project in workerd via `wrangler dev`, and connects MCP SDK / raw HTTP / WebSocket clients to it.
// `wrangler dev` (not Miniflare on a bundle) because it is the path users run: it bundles the
// generated TypeScript itself and reads the generated wrangler.toml unchanged.
// Wrangler runs offline: the environment below turns off telemetry, the cf.json fetch, the
// update check and error reports. It is spawned `detached` (its own process group, setsid) and
// stopped by signalling the whole group, since killing only wrangler would orphan workerd.

import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { linkDeclaredPackages } from "./link.mjs";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { CreateMessageRequestSchema, ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";

export { linkDeclaredPackages };
export const e2eDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const repoRoot = resolve(e2eDir, "../..");
export const photonCf = join(repoRoot, "target", "debug", "photon-cf");

export const WRANGLER_ENV = {
  WRANGLER_SEND_METRICS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_HIDE_BANNER: "true",
  WRANGLER_SEND_ERROR_REPORTS: "false",
  WRANGLER_LOG: "info",
};

// Generated projects of this test process. Each is built in its own fresh folder under the
// system temp dir (`photon-cf-e2e-<name>-<pid>-XXXXXX/<name>`), never inside the repository:
// Node, esbuild and tsc look for packages in every `node_modules` above a file, and
// tests/e2e/node_modules would then hand a generated project whatever it forgot to declare.
// Two runs at once never share a folder ("Your worker restarted mid-request"). The folders are
// removed when the test file passes; after a failure they are kept and their paths printed.
const workDirs = new Map(); // project folder -> the temp folder holding it

/** Throws when a `node_modules` folder above `dir` could resolve packages for it. */
export function assertNoNodeModulesAbove(dir) {
  for (let up = dirname(dir); ; up = dirname(up)) {
    if (existsSync(join(up, "node_modules"))) throw new Error(`${join(up, "node_modules")} would resolve packages for ${dir}`);
    if (dirname(up) === up) return;
  }
}

/** A fresh project folder of this process (not yet created), removed when the test file passes. */
export function workDir(name) {
  const parent = mkdtempSync(join(tmpdir(), `photon-cf-e2e-${name}-${process.pid}-`));
  const out = join(parent, name);
  workDirs.set(out, parent);
  assertNoNodeModulesAbove(out);
  return out;
}

/**
 * Builds `fixtures/runtime/<fixture>` into `workDir(name)` with photon-cf (`--auth` when
 * `options.auth` is set) and links in the packages its package.json declares.
 * @param {{auth?: "none"|"bearer"|"jwt"}} options
 */
export function buildFixture(name, photonPath, options = {}) {
  if (!existsSync(photonCf)) throw new Error(`${photonCf} is missing: run cargo build first`);
  const out = workDir(name);
  const args = ["build", join(repoRoot, "fixtures", "runtime", photonPath), "--out", out];
  if (options.auth) args.push("--auth", options.auth);
  const built = spawnSync(photonCf, args, {
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  if (built.status !== 0) throw new Error(`photon-cf build failed (${built.status}):\n${built.stderr}${built.stdout}`);
  linkDeclaredPackages(out);
  return out;
}

/**
 * `false` when `command --version` runs, else the reason to skip a test that needs it: pass it as
 * the test's `skip` option so the runner reports the test as skipped, never as passed.
 */
export function unavailable(command) {
  const r = spawnSync(command, ["--version"], { encoding: "utf8" });
  return r.status === 0 ? false : `\`${command}\` is not available (${r.error?.code ?? `exit ${r.status}`})`;
}

/**
 * Runs a command to completion without blocking the event loop: while a blocking child runs for
 * seconds, an idle keep-alive connection to a running wrangler can be closed by the server
 * unnoticed, and the next request on it fails with "other side closed".
 * Resolves {status, output} (stdout then stderr).
 */
export function runAsync(command, args, options) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d) => (stderr += d));
    child.on("error", (e) => resolve({ status: null, output: `${stdout}${stderr}${e.message}` }));
    child.on("close", (status) => resolve({ status, output: `${stdout}${stderr}` }));
  });
}

/**
 * Bundles `templates/cf-runtime/<name>.ts` on its own with esbuild into a work folder (its npm
 * imports resolved from tests/e2e/node_modules, as in a generated project) and imports it, for
 * tests that drive one runtime module without a Worker. `esbuildOptions` override the defaults.
 */
export async function importRuntimeModule(name, esbuildOptions = {}) {
  const { build } = await import("esbuild");
  const outfile = join(workDir(`runtime-${name}`), `${name}.mjs`);
  await build({
    entryPoints: [join(repoRoot, "templates", "cf-runtime", `${name}.ts`)],
    bundle: true,
    format: "esm",
    platform: "node",
    nodePaths: [join(e2eDir, "node_modules")],
    outfile,
    logLevel: "error",
    ...esbuildOptions,
  });
  return import(pathToFileURL(outfile).href);
}

/** Bundles a generated project the way `wrangler deploy` would (`--dry-run`); resolves worker.js. */
export async function dryRunBundle(dir) {
  const outdir = join(dir, ".bundle");
  const r = await runAsync(join(dir, "node_modules", ".bin", "wrangler"), ["deploy", "--dry-run", "--outdir", outdir], {
    cwd: dir,
    env: { ...process.env, ...WRANGLER_ENV, CI: "true" },
  });
  if (r.status !== 0) throw new Error(`wrangler deploy --dry-run failed (${r.status}):\n${r.output}`);
  return readFileSync(join(outdir, "worker.js"), "utf8");
}

/** Runs `tsc --noEmit` in a generated project; resolves {status, output}. */
export function typecheck(dir) {
  return runAsync(join(dir, "node_modules", ".bin", "tsc"), ["--noEmit", "-p", dir], { cwd: dir });
}

// Process groups of the wrangler servers still running. If this test process ends or is
// signalled without reaching stop() (a crash, a cancelled run), they are killed here: a detached
// wrangler would otherwise outlive the run with its workerd children.
const liveGroups = new Set();
function killLiveGroups() {
  for (const pgid of liveGroups) {
    try {
      process.kill(-pgid, "SIGKILL");
    } catch {}
  }
  liveGroups.clear();
}
process.on("exit", (code) => {
  killLiveGroups();
  if (workDirs.size === 0) return;
  if (code === 0) {
    for (const parent of workDirs.values()) rmSync(parent, { recursive: true, force: true });
  } else {
    process.stderr.write(`generated projects kept for inspection:\n${[...workDirs.keys()].map((d) => `  ${d}\n`).join("")}`);
  }
});
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.once(signal, () => {
    killLiveGroups();
    process.exit(128 + ({ SIGHUP: 1, SIGINT: 2, SIGTERM: 15 })[signal]);
  });
}

/**
 * Starts `wrangler dev` in `dir` on a free port; resolves once it prints `Ready on`.
 * `options.command` replaces how wrangler is started (default: DIR's node_modules/.bin/wrangler),
 * e.g. `["npx", "wrangler"]` as a user types it.
 * @param {{persistTo?: string, vars?: Record<string,string>, timeoutMs?: number, command?: string[]}} options
 */
export async function startWrangler(dir, options = {}) {
  const [program, ...leading] = options.command ?? [join(dir, "node_modules", ".bin", "wrangler")];
  const args = [...leading, "dev", "--local", "--ip", "127.0.0.1", "--port", "0", "--inspector-port", "0"];
  if (options.persistTo) args.push("--persist-to", options.persistTo);
  for (const [k, v] of Object.entries(options.vars ?? {})) args.push("--var", `${k}:${v}`);
  const child = spawn(program, args, {
    cwd: dir,
    env: { ...process.env, ...WRANGLER_ENV, NO_COLOR: "1", FORCE_COLOR: "0", CI: "true" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  liveGroups.add(child.pid);
  let log = "";
  const exited = new Promise((r) => child.once("exit", (code, signal) => r({ code, signal })));
  exited.then(() => liveGroups.delete(child.pid));
  const url = await new Promise((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`wrangler dev did not get ready in time:\n${log}`)), options.timeoutMs ?? 60000);
    const onData = (chunk) => {
      log += chunk;
      const m = /Ready on (http:\/\/[0-9.]+:\d+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolveUrl(m[1]);
      }
    };
    child.stdout.setEncoding("utf8").on("data", onData);
    child.stderr.setEncoding("utf8").on("data", onData);
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`wrangler dev exited early (${code ?? signal}):\n${log}`));
    });
  });
  let stopped = false;
  return {
    url,
    log: () => log,
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        return;
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {}
      }, 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Builds a fixture (with `--auth <auth>` when given) and boots it, with `devVars` as the local
 * secrets and vars (`.dev.vars`, as wrangler dev reads them; values single-quoted). `restart()`
 * stops wrangler and starts it again on the same persisted state (a fresh temp dir per boot), as
 * a redeploy or a machine restart would.
 */
export async function boot(name, photonPath, { auth, devVars, ...options } = {}) {
  const dir = buildFixture(name, photonPath, auth ? { auth } : {});
  if (devVars) {
    writeFileSync(join(dir, ".dev.vars"), Object.entries(devVars).map(([k, v]) => `${k}='${v}'\n`).join(""));
  }
  const persistTo = mkdtempSync(join(tmpdir(), `photon-cf-e2e-${name}-`));
  let server = await startWrangler(dir, { ...options, persistTo });
  const handle = {
    dir,
    persistTo,
    get url() {
      return server.url;
    },
    log: () => server.log(),
    async restart() {
      await server.stop();
      server = await startWrangler(dir, { ...options, persistTo });
    },
    async stop() {
      await server.stop();
      rmSync(persistTo, { recursive: true, force: true });
    },
  };
  return handle;
}

/**
 * An MCP SDK client over Streamable HTTP with sampling and elicitation handlers.
 * @param {string} base the Worker's base URL
 * @param {{instance?: string, onSample?: Function, onElicit?: Function}} options
 */
export async function connect(base, options = {}) {
  const url = new URL("/mcp", base);
  if (options.instance) url.searchParams.set("instance", options.instance);
  const client = new Client({ name: "photon-cf-e2e", version: "1.0.0" }, { capabilities: { sampling: {}, elicitation: {} } });
  const seen = { samples: [], elicits: [] };
  client.setRequestHandler(CreateMessageRequestSchema, async (request) => {
    seen.samples.push(request.params);
    if (options.onSample) return options.onSample(request.params);
    const prompt = request.params.messages[0]?.content?.text ?? "";
    return { role: "assistant", model: "e2e-model", content: { type: "text", text: `sampled: ${prompt}` } };
  });
  client.setRequestHandler(ElicitRequestSchema, async (request) => {
    seen.elicits.push(request.params);
    if (options.onElicit) return options.onElicit(request.params);
    return { action: "decline" };
  });
  const transport = new StreamableHTTPClientTransport(url);
  await client.connect(transport);
  return { client, transport, seen, close: () => client.close() };
}

/** Parses an SSE body into its `data:` JSON messages. */
export function parseSse(text) {
  return text
    .split(/\n\n/)
    .map((block) => block.split("\n").filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trimStart()).join("\n"))
    .filter(Boolean)
    .map((d) => JSON.parse(d));
}

/**
 * POSTs one raw JSON-RPC body to /mcp. Returns {status, headers, body (parsed JSON, SSE
 * messages array, or null), text}.
 */
export async function rpc(base, body, { accept = "application/json", headers = {}, query = "" } = {}) {
  const res = await fetch(new URL(`/mcp${query}`, base), {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: accept, ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed = null;
  if ((res.headers.get("content-type") ?? "").includes("text/event-stream")) parsed = parseSse(text);
  else if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = null;
    }
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

/** The MCP version of the stateless era, and the `_meta` its requests carry (`extra` adds to it). */
export const MODERN = "2026-07-28";
export const modernMeta = (extra = {}) => ({
  "io.modelcontextprotocol/protocolVersion": MODERN,
  "io.modelcontextprotocol/clientCapabilities": { elicitation: {}, sampling: {} },
  "io.modelcontextprotocol/clientInfo": { name: "raw", version: "1" },
  ...extra,
});

/** A raw 2026-07-28 request with the headers the spec requires (overridable). */
export function modernRpc(base, method, params = {}, { id = 1, headers = {}, meta = {}, query, accept } = {}) {
  const h = { "Mcp-Protocol-Version": MODERN, "Mcp-Method": method, ...headers };
  if (typeof params.name === "string" && !("Mcp-Name" in headers)) h["Mcp-Name"] = params.name;
  return rpc(base, { jsonrpc: "2.0", id, method, params: { ...params, _meta: modernMeta(meta) } }, { headers: h, query, accept });
}

let nextId = 1;
/** tools/call as plain JSON; returns the JSON-RPC response. */
export async function callTool(base, name, args = {}, options = {}) {
  const r = await rpc(base, { jsonrpc: "2.0", id: nextId++, method: "tools/call", params: { name, arguments: args, ...(options.params ?? {}) } }, options);
  return r.body;
}

/** A tool's result (structuredContent, else its text), failing the test on a JSON-RPC error or isError. */
export async function callToolOk(base, name, args = {}, options = {}) {
  const r = await callTool(base, name, args, options);
  assert.ok(r && r.result, `${name}: expected a result, got ${JSON.stringify(r)}`);
  assert.notEqual(r.result.isError, true, `${name}: ${JSON.stringify(r.result)}`);
  return r.result.structuredContent ?? r.result.content?.[0]?.text;
}

/** The structuredContent (or parsed text) of a successful SDK callTool result. */
export function structured(result) {
  if (result.isError) throw new Error(`tool failed: ${result.content?.[0]?.text}`);
  if (result.structuredContent) return result.structuredContent;
  const text = result.content?.[0]?.text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Opens a WebSocket to /events; collects JSON messages. */
export async function subscribe(base, query) {
  const { WebSocket } = await import("ws");
  const url = new URL(`/events${query}`, base.replace(/^http/, "ws"));
  const ws = new WebSocket(url);
  const messages = [];
  const waiters = [];
  const pongs = [];
  ws.on("message", (data) => {
    const text = String(data);
    if (text === "pong") {
      pongs.shift()?.();
      return;
    }
    messages.push(JSON.parse(text));
    for (const w of waiters.splice(0)) w();
  });
  await new Promise((r, j) => {
    ws.once("open", r);
    ws.once("error", j);
  });
  return {
    messages,
    /** Resolves when at least n messages arrived (or rejects after ms). */
    async waitFor(n, ms = 5000) {
      const deadline = Date.now() + ms;
      while (messages.length < n) {
        if (Date.now() > deadline) throw new Error(`expected ${n} messages, got ${JSON.stringify(messages)}`);
        await new Promise((r) => {
          waiters.push(r);
          setTimeout(r, 100);
        });
      }
      return messages;
    },
    /**
     * The sentinel for "nothing else arrived": sends "ping" and resolves with the messages once
     * the runtime's "pong" comes back on this socket. A socket delivers frames in the order they
     * were sent, so anything published to it before the ping has arrived by then.
     */
    async sync(ms = 5000) {
      const pong = new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no pong within ${ms} ms`)), ms);
        pongs.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      ws.send("ping");
      await pong;
      return messages;
    },
    close: () => ws.close(),
  };
}
