// bench/load/load.mjs — the load generator: N concurrent loops POSTing one JSON-RPC tools/call to
// a URL for a fixed time, recording each request's latency. Bounded by time, loopback only.

import { performance } from 'node:perf_hooks';

/** The same request for both workers: an MCP tools/call of `increment`, answered as JSON. */
export function incrementCall(id) {
  return JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'increment', arguments: {} } });
}

export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

/**
 * Runs `concurrency` request loops against `url` for `seconds` (after `warmupSeconds` whose
 * requests are not counted). A response that is not 200 with a JSON-RPC `result` counts as an
 * error, so a broken worker cannot look fast.
 */
export async function runLoad({ url, concurrency, seconds, warmupSeconds = 0 }) {
  const headers = { 'content-type': 'application/json', accept: 'application/json' };
  const latencies = [];
  let errors = 0;
  let firstError = null;
  let nextId = 1;
  const start = performance.now();
  const measureFrom = start + warmupSeconds * 1000;
  const end = measureFrom + seconds * 1000;

  async function loop() {
    while (performance.now() < end) {
      const sent = performance.now();
      let ok = false;
      try {
        const response = await fetch(url, { method: 'POST', headers, body: incrementCall(nextId++) });
        const body = await response.text();
        ok = response.status === 200 && body.includes('"result"') && !body.includes('"isError":true');
        if (!ok && firstError === null) firstError = `${response.status} ${body.slice(0, 200)}`;
      } catch (error) {
        if (firstError === null) firstError = String(error);
      }
      const done = performance.now();
      if (sent < measureFrom || done > end) continue;
      if (ok) latencies.push(done - sent);
      else errors += 1;
    }
  }

  await Promise.all(Array.from({ length: concurrency }, loop));
  latencies.sort((a, b) => a - b);
  return {
    latencies,
    requests: latencies.length,
    errors,
    firstError,
    seconds,
    rps: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}
