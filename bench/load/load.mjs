// bench/load/load.mjs — the load generator: N concurrent loops POSTing one JSON-RPC tools/call to
// a few instance URLs for a fixed time, recording each request's latency. Bounded by time,
// loopback only.

import http from 'node:http';
import { performance } from 'node:perf_hooks';

// A keep-alive agent over node:http rather than fetch: the load generator shares the machine with
// workerd, and fetch's per-request objects cost it several times what a plain http request does,
// which made the client, not the Worker, the bottleneck and pulled every Worker's rate together.
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

/** One POST; resolves to its status, content type and body text. */
function post(url, headers, body) {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode, contentType: response.headers['content-type'] ?? '', text: Buffer.concat(chunks).toString('utf8') }),
      );
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });
}

/** What the official MCP clients (TypeScript and Python SDKs) send on every POST. */
export const ACCEPT_CLIENT = 'application/json, text/event-stream';
/** A client that takes plain JSON only. */
export const ACCEPT_JSON = 'application/json';

/** The same request for every worker: an MCP tools/call of `tool` (default `increment`). */
export function toolCall(id, tool = 'increment', args = {}) {
  return JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: tool, arguments: args } });
}

export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

/**
 * The JSON-RPC message a tools/call answer carries, whether it came as JSON or as an SSE stream
 * (the last `data:` line of the stream is the response; earlier ones would be notifications).
 */
export function responseMessage(contentType, body) {
  if ((contentType ?? '').startsWith('text/event-stream')) {
    const data = body
      .split('\n')
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).trim());
    return data.length ? JSON.parse(data[data.length - 1]) : null;
  }
  return JSON.parse(body);
}

/** One tools/call; resolves to the JSON-RPC result or throws with what came back instead. */
export async function callOnce(url, accept, body) {
  const { status, contentType, text } = await post(url, { 'content-type': 'application/json', accept }, body);
  let message = null;
  try {
    message = responseMessage(contentType, text);
  } catch {}
  if (status !== 200 || !message?.result || message.result.isError) {
    throw new Error(`${status} ${contentType} ${text.slice(0, 200)}`);
  }
  return { result: message.result, contentType };
}

/**
 * Runs `concurrency` request loops for `seconds`, loop i against `urls[i % urls.length]`. A
 * response that is not 200 with a JSON-RPC `result` (as JSON or SSE) counts as an error, so a
 * broken worker cannot look fast. `okTotal` counts every successful call, also those that ended
 * after the deadline, so the caller can check that no increment was lost.
 */
export async function runLoad({ urls, accept, concurrency, seconds }) {
  const latencies = [];
  let errors = 0;
  let okTotal = 0;
  let sse = 0;
  let firstError = null;
  let nextId = 1;
  const start = performance.now();
  const end = start + seconds * 1000;

  async function loop(index) {
    const url = urls[index % urls.length];
    while (performance.now() < end) {
      const sent = performance.now();
      let ok = false;
      let streamed = false;
      try {
        const { contentType } = await callOnce(url, accept, toolCall(nextId++));
        ok = true;
        okTotal += 1;
        streamed = contentType.startsWith('text/event-stream');
      } catch (error) {
        if (firstError === null) firstError = String(error.message ?? error);
      }
      const done = performance.now();
      if (done > end) continue;
      if (ok) latencies.push(done - sent);
      else errors += 1;
      if (streamed) sse += 1;
    }
  }

  await Promise.all(Array.from({ length: concurrency }, (_, i) => loop(i)));
  return { latencies, requests: latencies.length, okTotal, sse, errors, firstError, seconds };
}
