//! Hand-written baseline for bench/load: one Durable Object per `?instance=`, answering a JSON-RPC
//! `tools/call` of `increment` on `/mcp` with a storage get + put, and nothing else. It is what a
//! careful person would write by hand for this one tool; the benchmark compares photon-cf's
//! generated worker against it.

import { DurableObject } from 'cloudflare:workers';

interface Env {
  COUNTER: DurableObjectNamespace<Counter>;
}

export class Counter extends DurableObject<Env> {
  async fetch(request: Request): Promise<Response> {
    const message = (await request.json()) as { id?: number | string; method?: string; params?: { name?: string } };
    if (message.method !== 'tools/call' || message.params?.name !== 'increment') {
      return Response.json({ jsonrpc: '2.0', id: message.id ?? null, error: { code: -32601, message: 'not found' } });
    }
    const count = ((await this.ctx.storage.get<number>('count')) ?? 0) + 1;
    await this.ctx.storage.put('count', count);
    return Response.json({
      jsonrpc: '2.0',
      id: message.id ?? null,
      result: { content: [{ type: 'text', text: String(count) }], structuredContent: { result: count } },
    });
  }
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname !== '/mcp' || request.method !== 'POST') return new Response('not found', { status: 404 });
    const instance = url.searchParams.get('instance') ?? request.headers.get('x-photon-instance') ?? 'default';
    return env.COUNTER.get(env.COUNTER.idFromName(instance)).fetch(request);
  },
} satisfies ExportedHandler<Env>;
