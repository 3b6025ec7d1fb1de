// `McpAnswer`: the MCP layer's answer to one request to /mcp, a plain object the Durable Object returns to the outer Worker over DO RPC, which makes the one Response the client gets.
// A Response built inside the Durable Object, only to be read back and sent across, costs the
// runtime more per call than the whole JSON-RPC handling around it (bench/load's A/B), so the MCP
// layer answers with these instead and only the outer Worker constructs a Response.

/** Status, headers and body of one answer: JSON text, an SSE stream, or nothing (202, 405). */
export interface McpAnswer {
  status: number;
  headers: Record<string, string>;
  body: string | ReadableStream<Uint8Array> | null;
}

const JSON_HEADERS: Readonly<Record<string, string>> = Object.freeze({ "Content-Type": "application/json" });
const SSE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  "Content-Type": "text/event-stream",
  "Cache-Control": "no-cache",
  Connection: "keep-alive",
});

/** A JSON-RPC message already serialised as JSON text. */
export function jsonAnswer(text: string, status = 200): McpAnswer {
  return { status, headers: JSON_HEADERS, body: text };
}

/** A JSON-RPC error for the request whose id is `idJson` (JSON text, echoed as it came). */
export function errorAnswer(idJson: string, status: number, code: number, message: string, data?: unknown): McpAnswer {
  const error = data === undefined ? { code, message } : { code, message, data };
  return jsonAnswer(`{"jsonrpc":"2.0","id":${idJson},"error":${JSON.stringify(error)}}`, status);
}

/** An SSE stream of JSON-RPC messages. */
export function sseAnswer(readable: ReadableStream<Uint8Array>): McpAnswer {
  return { status: 200, headers: SSE_HEADERS, body: readable };
}

/** A plain-text or empty answer (202 Accepted, 405 with its Allow header). */
export function plainAnswer(
  status: number,
  text: string | null = null,
  headers: Record<string, string> = {},
): McpAnswer {
  return { status, headers, body: text };
}

/** Whether `value` is an answer (rather than what a step returns when it goes on). */
export function isAnswer(value: unknown): value is McpAnswer {
  return (
    typeof value === "object" && value !== null && typeof (value as McpAnswer).status === "number" && "body" in value
  );
}
