// A photon's asks of its client: `this.sample`, `this.confirm`, `this.elicit` and a generator's `ask` yields, as server-initiated requests on the call's SSE stream or, in a 2026-07-28 call, as rounds of input_required (mrtr.ts).
// Bundled only when a photon calls this.sample, this.confirm or this.elicit or has a generator
// method: the generated entry passes `asks` in RuntimeOptions, and neither the Durable Object nor
// mcp.ts imports this module, so a photon that never asks ships none of it.

import { envNumber, limitMessage, limitOf } from "./limits";
import type { AskParams, McpHost } from "./mcp";
import { askDefault, callContext } from "./mcp";
import { askInRound, inRoundTrip, roundTripCall } from "./mrtr";
import { isObject } from "./routing";
import type { Asks } from "./types";

/** Default wait for a client's answer to sample/confirm/elicit; env PHOTON_REQUEST_TIMEOUT_MS overrides. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 5 * 60 * 1000;

/**
 * The server request id for a sample/elicit of `instance`; the outer Worker routes the client's
 * response by it (its inverse, instanceFromServerRequestId, is in mcp.ts).
 */
export function serverRequestId(instance: string): string {
  return `cf:${encodeURIComponent(instance)}:${crypto.randomUUID()}`;
}

function requestTimeoutMs(env: Record<string, unknown>): number {
  const n = envNumber(env, "PHOTON_REQUEST_TIMEOUT_MS");
  return Number.isFinite(n) && n > 0 ? n : DEFAULT_REQUEST_TIMEOUT_MS;
}

/** Sends a server-initiated request on the current call's SSE stream and awaits the client's answer. */
// biome-ignore lint/suspicious/noExplicitAny: the answer is whatever the client sent back; sample, elicit and confirm each check the shape they need.
export function serverRequest(host: McpHost, capability: string, method: string, params: unknown): Promise<any> {
  // A 2026-07-28 call asks through its input_required result instead (mrtr.ts).
  const inRound = askInRound(method, params);
  if (inRound !== null) return inRound;
  const call = callContext.getStore();
  const stream = call?.stream;
  if (!call || !stream || stream.closed) {
    return Promise.reject(
      new Error(
        `this.${capability}() needs a streaming tool call: the MCP client must send tools/call with 'Accept: text/event-stream' so the server can ask it (${method})`,
      ),
    );
  }
  const max = limitOf(host.env, "pendingAsks");
  if (host.pending.size >= max)
    return Promise.reject(new Error(limitMessage("pendingAsks", `this.${capability}() (${method})`, max)));
  const ms = requestTimeoutMs(host.env);
  const id = serverRequestId(host.instanceName);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      host.pending.delete(id);
      call.pendingIds.delete(id);
      reject(new Error(`${method}: the client did not answer within ${ms} ms`));
    }, ms);
    host.pending.set(id, {
      resolve: (v) => {
        call.pendingIds.delete(id);
        resolve(v);
      },
      reject: (e) => {
        call.pendingIds.delete(id);
        reject(e);
      },
      timer,
    });
    call.pendingIds.add(id);
    stream.send({ jsonrpc: "2.0", id, method, params });
  });
}

function optionValue(o: unknown): string {
  if (isObject(o)) return String(o.value ?? o.id ?? o.label);
  return String(o);
}

/** The requestedSchema and the field the answer is read from, per ask kind. */
export function askSchema(ask: AskParams): { schema: Record<string, unknown>; field: string | null } {
  const kind = ask.ask ?? "text";
  const required = ask.required !== false;
  const one = (field: string, prop: Record<string, unknown>) => {
    if (ask.message) prop.description ??= ask.message;
    if (ask.default !== undefined && ["string", "number", "boolean"].includes(typeof ask.default))
      prop.default = ask.default;
    return {
      schema: { type: "object", properties: { [field]: prop }, ...(required ? { required: [field] } : {}) },
      field,
    };
  };
  switch (kind) {
    case "confirm":
      return one("confirmed", { type: "boolean" });
    case "number": {
      const p: Record<string, unknown> = { type: "number" };
      if (typeof ask.min === "number") p.minimum = ask.min;
      if (typeof ask.max === "number") p.maximum = ask.max;
      return one("value", p);
    }
    case "select": {
      const values = (ask.options ?? []).map(optionValue);
      return ask.multi
        ? one("selection", { type: "array", items: { type: "string", enum: values } })
        : one("selection", { type: "string", enum: values });
    }
    case "date":
      return one("value", { type: "string", format: "date" });
    case "form": {
      const s = ask.schema;
      if (isObject(s) && isObject(s.properties)) return { schema: { type: "object", ...s }, field: null };
      return one("value", { type: "string" });
    }
    default:
      // "text", "password" and any other kind: one string value.
      return one("value", { type: "string" });
  }
}

export async function elicit(host: McpHost, capability: string, ask: AskParams): Promise<unknown> {
  if (!isObject(ask)) throw new TypeError("this.elicit: expected an ask object such as {ask: 'text', message}");
  // MCP-native form: the caller wrote the schema itself and gets the whole result back.
  if (isObject(ask.requestedSchema)) {
    return serverRequest(host, capability, "elicitation/create", {
      message: ask.message ?? "",
      requestedSchema: ask.requestedSchema,
    });
  }
  const { schema, field } = askSchema(ask);
  const result = await serverRequest(host, capability, "elicitation/create", {
    message: ask.message ?? "",
    requestedSchema: schema,
  });
  if (!isObject(result) || result.action !== "accept" || !isObject(result.content)) return askDefault(ask);
  return field === null ? result.content : (result.content[field] ?? askDefault(ask));
}

export async function confirm(host: McpHost, question: string): Promise<boolean> {
  return Boolean(await elicit(host, "confirm", { ask: "confirm", message: String(question) }));
}

export async function sample(host: McpHost, params: Record<string, unknown>): Promise<string> {
  if (!isObject(params)) throw new TypeError("this.sample: expected {prompt} or {messages}");
  let messages = params.messages;
  if (messages === undefined) {
    if (typeof params.prompt !== "string") throw new TypeError("this.sample: give 'prompt' or 'messages'");
    messages = [{ role: "user", content: { type: "text", text: params.prompt } }];
  }
  const request: Record<string, unknown> = {
    messages,
    maxTokens: typeof params.maxTokens === "number" ? params.maxTokens : 1024,
  };
  for (const k of ["systemPrompt", "temperature", "modelPreferences", "stopSequences", "includeContext", "metadata"]) {
    if (params[k] !== undefined) request[k] = params[k];
  }
  const result = await serverRequest(host, "sample", "sampling/createMessage", request);
  const content = isObject(result) ? result.content : undefined;
  const first = Array.isArray(content) ? content[0] : content;
  return isObject(first) && first.type === "text" && typeof first.text === "string" ? first.text : "";
}

/** What the generated entry passes as RuntimeOptions.asks. */
export const asks: Asks = {
  sample,
  confirm,
  elicit,
  inRoundTrip,
  roundTrip: (host, idJson, params, dispatch, inputRequired, openStream) =>
    roundTripCall(host, idJson, params, dispatch, inputRequired, requestTimeoutMs(host.env), openStream),
};
