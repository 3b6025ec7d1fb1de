// MCP over Streamable HTTP on `/mcp` (JSON-RPC 2.0): version negotiation, tools/list, validated tools/call as JSON or SSE; the sample/confirm/elicit asks are asks.ts's, passed in when a photon asks.
// Choices, each following the MCP spec (2025-11-25 and earlier):
// - No sessions: we never issue Mcp-Session-Id, so DELETE /mcp is 405 (spec: "the server MAY
//   respond 405 ... it does not allow clients to terminate sessions"), and GET /mcp is 405 with
//   `Allow` because we offer no standalone server-to-client stream.
// - JSON-RPC batches (array bodies) are answered with one -32600 error: 2025-06-18 removed
//   batching and the SDK clients never send them.
// - A tools/call whose Accept includes text/event-stream is answered as SSE once the call emits
//   or asks something (or runs past a keepalive interval), so those messages reach the client; a
//   call that just returns, and every other request, is answered as plain JSON (the transport
//   lets the server pick either for a client that accepts both).
// - Server-initiated request ids carry the instance name (`cf:<instance>:<uuid>`), so the client's
//   response POST reaches the same Durable Object even when the instance was chosen by
//   params._meta.photonInstance, which a JSON-RPC response does not repeat.
// - Ids are echoed as the request wrote them: a numeric id is copied from the request's text
//   (safe-json.ts), so 12345678901234567890 does not come back rounded.
// - Hostile input gets bounded answers: arguments nested deeper than MAX_DEPTH are -32602
//   naming the argument, a validation error lists at most MAX_VALIDATION_ERRORS problems, and
//   an internal failure is -32603 with a reference id, its detail only in the log.

import { AsyncLocalStorage } from "node:async_hooks";
import { Validator } from "@cfworker/json-schema";
import type { McpAnswer } from "./answer";
import { errorAnswer, isAnswer, jsonAnswer, plainAnswer, sseAnswer } from "./answer";
import {
  ALL_PROTOCOL_VERSIONS,
  answerId,
  decorateResult,
  discoverResult,
  eraContext,
  isModern,
  LEGACY_PROTOCOL_VERSIONS,
  LOG_LEVEL_META,
  logAllowed,
  openEra,
  roundStream,
  unsupportedVersion,
} from "./era";
import { isLogLevel, logAllowed as levelAllowed } from "./logging";
import { asCallToolResult } from "./results";
import { isObject } from "./routing";
import { formatJson, internalError, MAX_DEPTH, rawKnownMember, shortPath, tooDeep } from "./safe-json";
import { listen } from "./subscriptions";
import { surfaceCapabilities, surfaceHandler } from "./surface";
import type { Asks, JsonRpcMessage, MethodInfo, PhotonManifest, SurfaceMethod } from "./types";

export const PARSE_ERROR = -32700;
export const INVALID_REQUEST = -32600;
export const METHOD_NOT_FOUND = -32601;
export const INVALID_PARAMS = -32602;
export const INTERNAL_ERROR = -32603;

/** An error that becomes a JSON-RPC error object rather than a tool result. */
export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    /** The JSON-RPC error's `data` (a resource-not-found error carries `{uri}`). */
    readonly data?: unknown,
  ) {
    super(message);
  }
}

/** One encoder for every stream: most calls never open theirs, so none is made per call. */
const UTF8 = new TextEncoder();

/** Idle SSE streams get a comment line this often, so proxies do not cut a call that waits on the user. */
const SSE_KEEPALIVE_MS = 15_000;

/**
 * The SSE response of one tools/call, opened only when the call first sends something (an emit,
 * a server-initiated request) or has run for a keepalive interval: a call that just returns is
 * answered as plain JSON, which the client accepted too, and costs no stream.
 */
export class SseStream {
  #pipe: TransformStream<Uint8Array, Uint8Array> | null = null;
  #writer: WritableStreamDefaultWriter<Uint8Array> | null = null;
  #keepalive: ReturnType<typeof setInterval> | null = null;
  closed = false;
  onClose: (() => void) | null = null;
  /** Called once, when the stream opens; the caller answers the HTTP request with `readable`. */
  onOpen: ((readable: ReadableStream<Uint8Array>) => void) | null = null;
  get opened(): boolean {
    return this.#pipe !== null;
  }
  /** The response body: opens the stream, for answers that are a stream from the start. */
  get readable(): ReadableStream<Uint8Array> {
    this.open();
    if (this.#pipe === null) throw new Error("the stream was closed before it opened");
    return this.#pipe.readable;
  }
  /** Opens the stream (idempotent): from here on the call is answered as SSE. */
  open(): void {
    if (this.#pipe || this.closed) return;
    this.#pipe = new TransformStream<Uint8Array, Uint8Array>();
    this.#writer = this.#pipe.writable.getWriter();
    this.#keepalive = setInterval(() => this.#write(": keepalive\n\n"), SSE_KEEPALIVE_MS);
    this.onOpen?.(this.#pipe.readable);
  }
  send(message: unknown): void {
    this.sendText(JSON.stringify(message));
  }
  /** Sends one message already serialised as JSON (one line: JSON.stringify never breaks lines). */
  sendText(json: string): void {
    this.open();
    this.#write(`event: message\ndata: ${json}\n\n`);
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.#keepalive !== null) clearInterval(this.#keepalive);
    this.#writer?.close().catch(() => {});
  }
  #write(text: string): void {
    if (this.closed || !this.#writer) return;
    // Writes are queued in order; a rejected write means the client went away.
    this.#writer.write(UTF8.encode(text)).catch(() => this.#gone());
  }
  #gone(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.#keepalive !== null) clearInterval(this.#keepalive);
    this.onClose?.();
  }
}

/** Per tool call state, held in AsyncLocalStorage so concurrent calls in one DO never mix. */
export interface CallContext {
  tool: string;
  /** The SSE stream of this call; null when the client asked for plain JSON. */
  stream: SseStream | null;
  progressToken: string | number | null;
  /** Server-initiated request ids this call is waiting on. */
  pendingIds: Set<string>;
  /** Who made the call (`this.caller`): the verified identity when auth is on, else anonymous. */
  caller: Caller;
}

export interface Caller {
  id: string;
  name?: string;
  anonymous: boolean;
  scope?: string;
  claims?: Record<string, unknown>;
}

export const ANONYMOUS: Caller = Object.freeze({ id: "anonymous", anonymous: true }) as Caller;

export const callContext = new AsyncLocalStorage<CallContext>();

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

/** What the Durable Object provides to the MCP layer. */
export interface McpHost {
  photon: PhotonManifest;
  instanceName: string;
  env: Record<string, unknown>;
  /** Runs a listed tool with validated arguments; its return value is the tool result. */
  invoke(tool: string, method: MethodInfo, args: Record<string, unknown>): Promise<unknown>;
  /** Server-initiated requests waiting for the client's answer (DO-wide; ids are unique). */
  pending: Map<string, Pending>;
  /** Keeps the DO alive until the promise settles. */
  waitUntil(promise: Promise<unknown>): void;
  /** Sets the instance's minimum level of notifications/message (logging.ts) and stores it. */
  setLogLevel(level: string): Promise<void>;
  /** Changes the instance's resource subscriptions (resources.ts) and stores them. */
  updateSubscriptions(change: (set: Set<string>) => void): Promise<void>;
  /** The instance's storage (the round-trip signing key lives there). */
  storage?: DurableObjectStorage;
  /** sample/confirm/elicit and the 2026-07-28 round trip (RuntimeOptions.asks), when a photon asks. */
  asks?: Asks;
  /** Prompts, resources and completion handlers by method (RuntimeOptions.surface), else empty. */
  surface: Record<string, SurfaceMethod>;
}

/**
 * What the MCP layer reads of an HTTP request to /mcp: its method, the four headers MCP defines
 * for it, whether it carried credentials, and the caller the outer Worker established (never a
 * header a client could send). Plain values rather than a Headers object, because the outer
 * Worker sends them to the Durable Object over DO RPC on every call.
 */
export interface McpRequest {
  readonly method: string;
  /** The Accept header, or null. */
  readonly accept: string | null;
  /** The Mcp-Protocol-Version header, or null. */
  readonly protocolVersion: string | null;
  /** The Mcp-Method and Mcp-Name headers of a 2026-07-28 request, or null. */
  readonly mcpMethod: string | null;
  readonly mcpName: string | null;
  /** Whether the request carried an Authorization header: its answers are then for that caller only. */
  readonly authorization: boolean;
  /** The verified caller, or null for an anonymous one. */
  readonly caller: Caller | null;
}

/**
 * One request to /mcp as the outer Worker hands it to the instance's Durable Object over DO RPC:
 * the body already read (and size-checked) as text, so it is neither re-sent nor re-read as a
 * stream, and the caller as a value rather than a header.
 */
export interface McpCall extends McpRequest {
  body: string;
  instance: string;
}

/** Whether the client takes an SSE stream as the answer. */
function acceptsSse(request: McpRequest): boolean {
  return request.accept?.includes("text/event-stream") === true;
}

/** The Allow header of a 405 on /mcp. */
const ALLOW_POST: Readonly<Record<string, string>> = Object.freeze({ Allow: "POST, OPTIONS" });

/** The JSON text of "no id", for errors about a message whose id cannot be read. */
const NO_ID = "null";

/** A JSON-RPC response with the id as JSON text (see idText), so it goes out exactly as it came in. */
function reply(
  idJson: string,
  payload: { result: unknown } | { error: { code: number; message: string; data?: unknown } },
): string {
  // The request's era shapes its result (era.ts); a round-trip retry's answer takes the retry's id.
  const shaped = "result" in payload ? { result: decorateResult(payload.result) } : payload;
  return `{"jsonrpc":"2.0","id":${answerId(idJson)},${JSON.stringify(shaped).slice(1)}`;
}

function rpcError(idJson: string, code: number, message: string, status = 200, data?: unknown): McpAnswer {
  return errorAnswer(answerId(idJson), status, code, message, data);
}

function validId(id: unknown): id is string | number {
  // Any JSON number: it is echoed from the request's text, so no precision is lost.
  return typeof id === "string" || typeof id === "number";
}

/** The id of `msg` as JSON text to echo: a number exactly as `body` wrote it; null when not a valid id. */
function idText(body: string, id: unknown): string | null {
  if (typeof id === "string") return JSON.stringify(id);
  if (typeof id !== "number") return null;
  return rawKnownMember(body, "id") ?? JSON.stringify(id);
}

/** The instance encoded in a server request id, or null when `id` is not one of ours. */
export function instanceFromServerRequestId(id: unknown): string | null {
  if (typeof id !== "string" || !id.startsWith("cf:")) return null;
  const end = id.lastIndexOf(":");
  if (end <= 3) return null;
  try {
    return decodeURIComponent(id.slice(3, end));
  } catch {
    return null;
  }
}

/** Handles one request to /mcp inside the photon's Durable Object. */
export async function handleMcp(request: McpRequest, body: string, host: McpHost): Promise<McpAnswer> {
  if (request.method === "GET") {
    return plainAnswer(405, "This MCP server offers no standalone SSE stream; POST JSON-RPC to /mcp.", ALLOW_POST);
  }
  if (request.method === "DELETE") {
    return plainAnswer(405, "No sessions are issued, so there is none to terminate.", ALLOW_POST);
  }
  if (request.method !== "POST") return plainAnswer(405, "Method Not Allowed", ALLOW_POST);
  const version = request.protocolVersion;
  if (version !== null && !ALL_PROTOCOL_VERSIONS.includes(version)) {
    // -32022 with the request's own id (MCP 2026-07-28), the supported versions in its data.
    let idJson = NO_ID;
    try {
      const parsed: unknown = JSON.parse(body);
      if (isObject(parsed)) idJson = idText(body, parsed.id) ?? NO_ID;
    } catch {}
    return unsupportedVersion(idJson, version);
  }

  let message: unknown;
  try {
    message = JSON.parse(body);
  } catch {
    return rpcError(NO_ID, PARSE_ERROR, "Parse error: the body is not valid JSON", 400);
  }
  if (Array.isArray(message)) {
    return rpcError(
      NO_ID,
      INVALID_REQUEST,
      "JSON-RPC batches are not supported (removed in MCP 2025-06-18); send one message per request",
      400,
    );
  }
  if (!isObject(message) || message.jsonrpc !== "2.0") {
    return rpcError(NO_ID, INVALID_REQUEST, "Invalid Request: expected a JSON-RPC 2.0 object", 400);
  }
  const msg = message as JsonRpcMessage;

  // A response to one of our server-initiated requests.
  if (msg.method === undefined && ("result" in msg || "error" in msg)) {
    if (validId(msg.id)) resolvePending(host, String(msg.id), msg);
    return plainAnswer(202);
  }
  if (typeof msg.method !== "string") {
    return rpcError(idText(body, msg.id) ?? NO_ID, INVALID_REQUEST, "Invalid Request: 'method' must be a string", 400);
  }
  // A notification: nothing to answer.
  if (!("id" in msg)) return plainAnswer(202);
  const id = idText(body, msg.id);
  if (id === null) {
    return rpcError(NO_ID, INVALID_REQUEST, "Invalid Request: 'id' must be a string or a number", 400);
  }
  const params = msg.params === undefined ? {} : msg.params;
  if (!isObject(params)) return rpcError(id, INVALID_PARAMS, "Invalid params: 'params' must be an object");
  const era = openEra(request, msg.method, id, params, host.photon, host.env);
  const named = msg as JsonRpcMessage & { method: string };
  // A 2025-era request has nothing of the 2026 era to hold or to do.
  if (era === null) return dispatchMcp(request, named, id, params, host);
  if (isAnswer(era)) return era;
  return eraContext.run(era, () => dispatchEra(request, named, id, params, host));
}

/** What the 2026-07-28 era adds before the methods both eras share: discover and round trips. */
async function dispatchEra(
  request: McpRequest,
  msg: JsonRpcMessage & { method: string },
  id: string,
  params: Record<string, unknown>,
  host: McpHost,
): Promise<McpAnswer> {
  if (msg.method === "server/discover") {
    const init = initializeResult(host.photon, {});
    const result = discoverResult(init.capabilities as Record<string, unknown>, host.photon.description);
    return jsonAnswer(reply(id, { result }));
  }
  if (isModern() && msg.method === "subscriptions/listen") {
    try {
      return listen(host, id, params, new SseStream());
    } catch (e) {
      return rpcError(id, INVALID_PARAMS, `Invalid params: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  if (isModern() && msg.method === "tools/call") {
    // The call answers plain JSON, so an ask can end the HTTP request with input_required.
    const plain: McpRequest = { ...request, accept: "application/json" };
    // Its progress and logs need a stream: one per round, when asked for and accepted.
    const meta = isObject(params._meta) ? params._meta : {};
    const streams = acceptsSse(request) && (meta[LOG_LEVEL_META] !== undefined || meta.progressToken !== undefined);
    if (!host.asks) {
      // No photon asks anything (asks.ts is not bundled): nothing can suspend, so the call runs
      // as a plain one, and no requestState can be one this server issued.
      if (params.requestState !== undefined) {
        return rpcError(id, INVALID_PARAMS, "Invalid params: requestState is not one this server issued");
      }
      return dispatchMcp(streams ? request : plain, msg, id, params, host);
    }
    try {
      return await host.asks.roundTrip(
        host,
        id,
        params,
        () => dispatchMcp(plain, msg, id, params, host),
        (result) => jsonAnswer(reply(id, { result })),
        streams ? () => new SseStream() : null,
      );
    } catch (e) {
      if (e instanceof RpcError) return rpcError(id, e.code, e.message);
      return rpcError(id, INTERNAL_ERROR, internalError("mcp tools/call", e));
    }
  }
  return dispatchMcp(request, msg, id, params, host);
}

/** The methods of both eras. */
async function dispatchMcp(
  request: McpRequest,
  msg: JsonRpcMessage & { method: string },
  id: string,
  params: Record<string, unknown>,
  host: McpHost,
): Promise<McpAnswer> {
  try {
    switch (msg.method) {
      case "initialize":
        return jsonAnswer(reply(id, { result: initializeResult(host.photon, params) }));
      case "ping":
        return jsonAnswer(reply(id, { result: {} }));
      case "tools/list":
        return jsonAnswer(reply(id, { result: { tools: host.photon.tools } }));
      case "tools/call":
        return await toolsCall(request, id, params, host);
      default: {
        // Prompts, resources, completion and logging level (surface.ts).
        const handler = surfaceHandler(host, msg.method);
        if (handler) return jsonAnswer(reply(id, { result: await handler(params, host, request) }));
        return rpcError(id, METHOD_NOT_FOUND, `Method not found: ${shortPath(msg.method)}`);
      }
    }
  } catch (e) {
    if (e instanceof RpcError) return rpcError(id, e.code, e.message, 200, e.data);
    return rpcError(id, INTERNAL_ERROR, internalError(`mcp ${shortPath(msg.method)}`, e));
  }
}

function initializeResult(photon: PhotonManifest, params: Record<string, unknown>) {
  const requested = params.protocolVersion;
  const protocolVersion =
    typeof requested === "string" && (LEGACY_PROTOCOL_VERSIONS as readonly string[]).includes(requested)
      ? requested
      : LEGACY_PROTOCOL_VERSIONS[0];
  const result: Record<string, unknown> = {
    protocolVersion,
    capabilities: { tools: { listChanged: false }, ...surfaceCapabilities(photon) },
    serverInfo: { name: photon.name, version: photon.version ?? "0.0.0" },
  };
  if (photon.description) result.instructions = photon.description;
  return result;
}

/**
 * A method's compiled validator, and whether `{}` passes it (decided once: a call without
 * arguments then skips the walk). Keyed by the manifest's method entry, one per photon and method.
 */
const validators = new WeakMap<MethodInfo, { validator: Validator; emptyValid: boolean }>();
/** A -32602 for invalid arguments lists at most this many problems, each cut to MAX_ERROR_CHARS. */
export const MAX_VALIDATION_ERRORS = 5;
const MAX_ERROR_CHARS = 200;

/**
 * Validates `args` against the method's inputSchema; throws -32602 naming the offending field.
 * Whatever the declared types (`any` included), no argument may nest deeper than MAX_DEPTH.
 */
export function validateArguments(tool: string, method: MethodInfo, args: Record<string, unknown>): void {
  const keys = Object.keys(args);
  for (const key of keys) {
    const at = tooDeep(args[key], MAX_DEPTH, key);
    if (at !== null) {
      throw new RpcError(
        INVALID_PARAMS,
        `Invalid arguments for tool '${shortPath(tool)}': '${shortPath(key)}' nests deeper than ${MAX_DEPTH} levels (at '${at}')`,
      );
    }
  }
  let cached = validators.get(method);
  if (!cached) {
    // Draft 7: the extractor's tuple form `items: [A, B]` is draft-07 syntax. Short-circuit: the
    // validator stops at the first failing property or item of each object and array, so a
    // hostile argument with 100 000 wrong items costs one error, not 100 000 (which would also
    // overflow the validator's own `push(...errors)`).
    // biome-ignore lint/suspicious/noExplicitAny: the manifest's inputSchema is JSON Schema built by photon-cf, typed loosely as JSON; the validator's own Schema type is narrower.
    const validator = new Validator(withoutFormats(method.inputSchema) as any, "7", true);
    cached = { validator, emptyValid: validator.validate({}).valid };
    validators.set(method, cached);
  }
  if (keys.length === 0 && cached.emptyValid) return;
  const result = cached.validator.validate(args);
  if (result.valid) return;
  // The deepest errors say what is wrong; the outer ones only say "property x does not match".
  const depth = (loc: string) => loc.split("/").length;
  let max = 0;
  for (const e of result.errors) max = Math.max(max, depth(e.instanceLocation));
  const leaves = result.errors.filter((e) => depth(e.instanceLocation) === max && e.keyword !== "properties");
  const chosen = leaves.length ? leaves : result.errors;
  const describe = (e: (typeof result.errors)[number]) => {
    const field = shortPath(e.instanceLocation.replace(/^#\/?/, "").split("/").map(decodeURIComponent).join("."));
    const error = e.error.length > MAX_ERROR_CHARS ? `${e.error.slice(0, MAX_ERROR_CHARS)}…` : e.error;
    return field ? `'${field}': ${error}` : error;
  };
  const problems: string[] = [];
  for (const e of chosen) {
    const text = describe(e);
    if (!problems.includes(text)) problems.push(text);
    if (problems.length === MAX_VALIDATION_ERRORS) break;
  }
  throw new RpcError(INVALID_PARAMS, `Invalid arguments for tool '${shortPath(tool)}': ${problems.join("; ")}`);
}

/**
 * The schema without its `format` keywords: the local runtime checks no format (`{@format time}`
 * takes "10:30", as a time input gives it), so neither does the Worker; `format` stays in the
 * listed schema as a hint. A property named `format` holds a schema object, never a string.
 */
function withoutFormats(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withoutFormats);
  if (typeof schema !== "object" || schema === null) return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === "format" && typeof value === "string") continue;
    out[key] = withoutFormats(value);
  }
  return out;
}

/** The names a photon lists as tools, as a set made once per manifest. */
const toolNames = new WeakMap<PhotonManifest, Set<string>>();
function listedTools(photon: PhotonManifest): Set<string> {
  let names = toolNames.get(photon);
  if (!names) {
    names = new Set(photon.tools.map((t) => t.name));
    toolNames.set(photon, names);
  }
  return names;
}

/** Arguments without the `_meta` a client may add to them; copied only when there is one. */
export function withoutMeta(args: Record<string, unknown>): Record<string, unknown> {
  if (!Object.hasOwn(args, "_meta")) return args;
  const { _meta: _ignored, ...rest } = args;
  return rest;
}

/**
 * A tools/call: validated, then run inside its CallContext. Not `async`: a bad request throws
 * (dispatchMcp turns the RpcError into its answer), and the answer is the call's own promise
 * rather than one more wrapped around it.
 */
function toolsCall(
  request: McpRequest,
  id: string,
  params: Record<string, unknown>,
  host: McpHost,
): Promise<McpAnswer> {
  const name = params.name;
  if (typeof name !== "string") throw new RpcError(INVALID_PARAMS, "Invalid params: 'name' must be a string");
  // Only listed tools: the manifest's tools array, never internal methods or anything else.
  const method = listedTools(host.photon).has(name) ? host.photon.methods[name] : undefined;
  if (!method || method.internal || !Object.hasOwn(host.photon.methods, name)) {
    throw new RpcError(INVALID_PARAMS, `Unknown tool: ${shortPath(name)}`);
  }
  const rawArgs = params.arguments === undefined ? {} : params.arguments;
  if (!isObject(rawArgs)) throw new RpcError(INVALID_PARAMS, "Invalid params: 'arguments' must be an object");
  const args = withoutMeta(rawArgs);
  validateArguments(name, method, args);

  const meta = isObject(params._meta) ? params._meta : null;
  const token = meta === null ? undefined : meta.progressToken;
  const progressToken = typeof token === "string" || typeof token === "number" ? token : null;
  const stream = acceptsSse(request) ? new SseStream() : null;
  const caller = request.caller ?? ANONYMOUS;
  const ctx: CallContext = { tool: name, stream, progressToken, pendingIds: new Set(), caller };
  // A photon that cannot read the call context (PhotonManifest.contextFree) runs without its
  // AsyncLocalStorage frame, which workerd charges on every request; the stream still answers.
  const run = host.photon.contextFree
    ? runTool(host, name, method, args)
    : callContext.run(ctx, () => runTool(host, name, method, args));
  if (stream === null) return run.then((result) => jsonAnswer(reply(id, { result })));
  return streamingAnswer(host, id, name, ctx, stream, run);
}

/**
 * The answer of a call whose client accepts SSE: plain JSON when the call ends without having sent
 * anything (most calls: no stream is ever made), else the SSE stream, opened by the call's first
 * emit or ask, or by its keepalive timer when it stays silent for an interval.
 */
function streamingAnswer(
  host: McpHost,
  id: string,
  name: string,
  ctx: CallContext,
  stream: SseStream,
  run: Promise<unknown>,
): Promise<McpAnswer> {
  // A call still silent after a keepalive interval opens its stream, so proxies see bytes. One
  // timer per call, cleared when it ends: A/B runs could not tell it from one sweeping interval
  // per object, and it opens the stream at the interval rather than up to a sweep later.
  const opener = setTimeout(() => stream.open(), SSE_KEEPALIVE_MS);
  // The callbacks below are written inline rather than bound to names: a bundle built with
  // esbuild's keep_names (wrangler's default) wraps every named closure in a call that redefines
  // its `name`, which would cost that on every call.
  return new Promise<McpAnswer>((answer) => {
    // The client hung up: nobody can answer this call's pending requests any more.
    stream.onClose = () => {
      for (const pid of ctx.pendingIds) rejectPending(host, pid, new Error("the client closed the stream"));
    };
    // The call still gets its answer when the runtime fails (an unsendable result, say).
    const finished = run
      .then((result) => finishCall(opener, stream, answer, reply(id, { result })))
      .catch((e: unknown) => {
        const message = e instanceof RpcError ? e.message : internalError(`tools/call ${shortPath(name)}`, e);
        const code = e instanceof RpcError ? e.code : INTERNAL_ERROR;
        finishCall(opener, stream, answer, reply(id, { error: { code, message } }));
      });
    // Only a call whose stream opened outlives its HTTP answer, so only then does the object need
    // keeping alive until the call ends (a silent call's answer is the end of the call).
    stream.onOpen = (readable) => {
      host.waitUntil(finished);
      answer(sseAnswer(readable));
    };
    // A call that sent something before its first await opened its stream already.
    if (stream.opened) stream.onOpen(stream.readable);
  });
}

/** Sends a streaming call's last message: on its stream when that opened, else as plain JSON (the stream is never made). */
function finishCall(
  opener: ReturnType<typeof setTimeout>,
  stream: SseStream,
  answer: (a: McpAnswer) => void,
  text: string,
): void {
  clearTimeout(opener);
  if (stream.opened) stream.sendText(text);
  else answer(jsonAnswer(text));
  stream.close();
}

/**
 * Runs the tool and shapes its outcome as an MCP CallToolResult; a throw becomes isError. A
 * result that cannot be sent (too deep, circular, a BigInt) is -32603 with a reference id.
 */
async function runTool(host: McpHost, name: string, method: MethodInfo, args: Record<string, unknown>) {
  let value: unknown;
  try {
    value = await host.invoke(name, method, args);
  } catch (e) {
    // Whatever the tool's code threw (arguments were validated before) is the tool's error.
    return { content: [{ type: "text", text: e instanceof Error ? e.message : String(e) }], isError: true };
  }
  try {
    return toolResult(value);
  } catch (e) {
    throw new RpcError(INTERNAL_ERROR, internalError(`the result of ${shortPath(name)} cannot be sent as JSON`, e));
  }
}

/** The local runtime's result shape; the text is pretty-printed only for shallow values (safe-json.ts). */
export function toolResult(value: unknown) {
  const rich = asCallToolResult(value);
  // Checked for depth like any result (formatJson throws past the limit), then sent as is.
  if (rich) {
    formatJson(rich);
    return rich;
  }
  if (value === undefined || value === null) return { content: [] as unknown[] };
  if (typeof value === "string") return { content: [{ type: "text", text: value }] };
  const text = formatJson(value) ?? String(value);
  const result: Record<string, unknown> = { content: [{ type: "text", text }] };
  // structuredContent must be a JSON object (MCP 2025-06-18); arrays and scalars stay text-only.
  if (isObject(value)) result.structuredContent = JSON.parse(text);
  return result;
}

function resolvePending(host: McpHost, id: string, msg: JsonRpcMessage): void {
  const entry = host.pending.get(id);
  if (!entry) return;
  host.pending.delete(id);
  clearTimeout(entry.timer);
  if ("error" in msg && msg.error !== undefined) {
    const err = msg.error as { message?: unknown };
    entry.reject(new Error(typeof err?.message === "string" ? err.message : "the client answered with an error"));
  } else {
    entry.resolve(msg.result);
  }
}

function rejectPending(host: McpHost, id: string, error: Error): void {
  const entry = host.pending.get(id);
  if (!entry) return;
  host.pending.delete(id);
  clearTimeout(entry.timer);
  entry.reject(error);
}

/** Sends a notification on the current call's stream, when it has one. */
function notify(method: string, params: unknown): boolean {
  const stream = callContext.getStore()?.stream ?? roundStream();
  if (!stream) return false;
  if (method === "notifications/message" && !logAllowed(isObject(params) ? params.level : undefined)) return false;
  stream.sendText(JSON.stringify({ jsonrpc: "2.0", method, params }));
  return true;
}

/**
 * Delivers an emit without a channel to the current call, mapped as the local MCP server maps
 * it: progress and status become notifications/progress (with the client's progressToken), logs
 * and everything else notifications/message. Outside a streaming call it goes nowhere.
 */
export function emitToCall(photon: string, data: unknown, minLevel = "debug"): void {
  const call = callContext.getStore();
  if (!call || (!call.stream && !roundStream())) return;
  const d = isObject(data) ? data : { data };
  const kind = d.emit;
  if ((kind === "progress" || kind === "status") && call.progressToken !== null) {
    const value = kind === "progress" && typeof d.value === "number" ? d.value : 0;
    const progress: Record<string, unknown> = {
      progressToken: call.progressToken,
      progress: value <= 1 ? value * 100 : value,
      total: 100,
    };
    if (typeof d.message === "string") progress.message = d.message;
    notify("notifications/progress", progress);
    return;
  }
  if (kind === "log") {
    const level = isLogLevel(d.level) ? d.level : "info";
    if (!levelAllowed(level, minLevel)) return;
    notify("notifications/message", {
      level,
      logger: photon,
      data: d.data !== undefined ? { message: d.message, data: d.data } : d.message,
    });
    return;
  }
  // Every other message goes out at level info, so a level above info silences it too.
  if (!levelAllowed("info", minLevel)) return;
  if (kind === "render" || kind === "render:clear") {
    notify("notifications/message", { level: "info", logger: photon, data: JSON.stringify({ _render: true, ...d }) });
    return;
  }
  notify("notifications/message", { level: "info", logger: photon, data: d });
}

// ---- asks: what they resolve to without an answer (asks.ts sends them to the client) ----

export interface AskParams {
  ask?: string;
  message?: string;
  options?: unknown[];
  multi?: boolean;
  min?: number;
  max?: number;
  default?: unknown;
  required?: boolean;
  schema?: Record<string, unknown>;
  requestedSchema?: Record<string, unknown>;
  [key: string]: unknown;
}

/**
 * What an ask resolves to when the user declines or cancels, or when no client can be asked: the
 * local provider's defaults. Here rather than in asks.ts, so a build without asks still answers a
 * generator's `ask` yield.
 */
export function askDefault(ask: AskParams): unknown {
  if (ask.default !== undefined) return ask.default;
  switch (ask.ask) {
    case "confirm":
      return false;
    case "number":
      return 0;
    case "select":
      return ask.multi ? [] : null;
    case "date":
      return new Date().toISOString().slice(0, 10);
    case "form":
      return {};
    default:
      return "";
  }
}
