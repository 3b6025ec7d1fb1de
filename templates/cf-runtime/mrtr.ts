// Multi round-trip requests (MCP 2026-07-28): a photon's confirm / elicit / sample / generator `ask` in a 2026 tools/call answers `input_required`, and the retry resumes the same suspended call held in this Durable Object.
// The two paths of a retry:
// - Resume: the call that asked is still suspended here (same object, within the request
//   timeout). The answers are handed to its waiting asks and it runs on from where it stopped,
//   so whatever it did before the ask happens once.
// - Re-run: the call is gone (the object was evicted or restarted, or the wait timed out). The
//   call starts again from the beginning and its asks are answered, in order, from the answers
//   the requestState carries, until it asks something new. Side effects before an ask then
//   happen again, as they would on any stateless 2026-07-28 server.
// requestState is `<payload>.<HMAC-SHA256>` (base64url). The payload names this instance, the
// tool, a digest of the arguments, every answer given so far and an expiry, so a state cannot be
// forged, moved to another instance or tool, or kept forever. The key is PHOTON_MRTR_SECRET when
// set, else one generated for the instance and kept in its storage.

import type { McpAnswer } from "./answer";
import { errorAnswer, plainAnswer, sseAnswer } from "./answer";
import type { EraRequest, RoundStream } from "./era";
import { eraContext, MISSING_REQUIRED_CLIENT_CAPABILITY } from "./era";
import { INVALID_PARAMS, RpcError } from "./mcp";

/** One ask sent to the client inside an input_required result. */
export interface InputRequest {
  method: string;
  params: unknown;
}

interface Waiting {
  resolve(answer: unknown): void;
  reject(error: Error): void;
}

/** A photon call suspended between the HTTP requests of its round trips. */
export interface SuspendedCall {
  id: string;
  tool: string;
  argsDigest: string;
  /** The call's answer (JSON-RPC response), once it has one. */
  done: Promise<McpAnswer>;
  /** The era of the request that started it: its answer id moves to each retry. */
  era: EraRequest;
  waiting: Map<string, Waiting>;
  /** Every answer the call has consumed, in order: carried in requestState for the re-run path. */
  answers: unknown[];
  /** Answers still to hand out before asking the client (the re-run path). */
  replay: unknown[];
  nextKey: number;
  /** The asks of the round in progress, and how to end the round with them. */
  round: {
    requests: Record<string, InputRequest>;
    end: ((r: Record<string, InputRequest>) => void) | null;
    /** Ends the round with -32021: the client cannot answer what the call asks. */
    missing: ((capability: string) => void) | null;
  } | null;
  timer: ReturnType<typeof setTimeout> | null;
  /** The SSE stream of the request serving the current round, when it streams (era.ts's roundStream). */
  stream: RoundStream | null;
}

/** What the DO gives this module. */
export interface MrtrHost {
  instanceName: string;
  env: Record<string, unknown>;
  storage?: DurableObjectStorage;
  waitUntil(promise: Promise<unknown>): void;
}

/** The calls each object holds suspended between round trips, by call id. */
const suspendedCalls = new WeakMap<MrtrHost, Map<string, SuspendedCall>>();

function suspended(host: MrtrHost): Map<string, SuspendedCall> {
  let calls = suspendedCalls.get(host);
  if (calls === undefined) {
    calls = new Map();
    suspendedCalls.set(host, calls);
  }
  return calls;
}

interface State {
  v: 1;
  call: string;
  instance: string;
  tool: string;
  args: string;
  keys: string[];
  answers: unknown[];
  exp: number;
}

/** A requestState or inputResponses the call cannot continue from: -32602. */
export class MrtrError extends RpcError {
  constructor(message: string) {
    super(INVALID_PARAMS, `Invalid params: ${message}`);
  }
}

const SECRET_KEY = "rt:mrtr-secret";
const encoder = new TextEncoder();

function b64url(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function unb64url(text: string): Uint8Array {
  const bin = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

async function keyOf(host: MrtrHost): Promise<CryptoKey> {
  let secret: Uint8Array;
  const configured = host.env.PHOTON_MRTR_SECRET;
  if (typeof configured === "string" && configured !== "") {
    secret = encoder.encode(configured);
  } else {
    const stored = await host.storage?.get<string>(SECRET_KEY);
    if (stored !== undefined) {
      secret = unb64url(stored);
    } else {
      secret = crypto.getRandomValues(new Uint8Array(32));
      await host.storage?.put(SECRET_KEY, b64url(secret));
    }
  }
  return crypto.subtle.importKey("raw", secret, { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
}

async function sign(host: MrtrHost, state: State): Promise<string> {
  const payload = b64url(encoder.encode(JSON.stringify(state)));
  const sig = await crypto.subtle.sign("HMAC", await keyOf(host), encoder.encode(payload));
  return `${payload}.${b64url(new Uint8Array(sig))}`;
}

async function verify(host: MrtrHost, token: string): Promise<State | null> {
  const dot = token.indexOf(".");
  if (dot <= 0) return null;
  const payload = token.slice(0, dot);
  let ok = false;
  try {
    ok = await crypto.subtle.verify("HMAC", await keyOf(host), unb64url(token.slice(dot + 1)), encoder.encode(payload));
  } catch {
    return null;
  }
  if (!ok) return null;
  try {
    return JSON.parse(new TextDecoder().decode(unb64url(payload))) as State;
  } catch {
    return null;
  }
}

/** A digest of the call's arguments, so a requestState only continues the call it came from. */
async function digest(tool: string, args: unknown): Promise<string> {
  const hash = await crypto.subtle.digest("SHA-256", encoder.encode(`${tool}\u0000${JSON.stringify(args ?? {})}`));
  return b64url(new Uint8Array(hash));
}

/** The suspended call the current request runs, when it is a 2026 tools/call. */
function currentCall(): SuspendedCall | null {
  const call = eraContext.getStore()?.call;
  return call === undefined ? null : (call as SuspendedCall);
}

/** The round's answer as the request wants it: as is, or as the last message of its SSE stream. */
function deliver(host: MrtrHost, call: SuspendedCall, round: Promise<McpAnswer>, stream: RoundStream | null) {
  if (stream === null) return round;
  const sent = round
    .then((answer) => stream.sendText(typeof answer.body === "string" ? answer.body : ""))
    .catch(() => {})
    .finally(() => {
      if (call.stream === stream) call.stream = null;
      stream.close();
    });
  host.waitUntil(sent);
  return sseAnswer(stream.readable);
}

/** True inside a 2026 tools/call: asks become input_required rather than server-initiated requests. */
export function inRoundTrip(): boolean {
  return currentCall() !== null;
}

/**
 * The answer to one ask of the current 2026 call: from the replay list when the call is being
 * re-run, else asked of the client through the round's input_required result. Null outside one.
 */
export function askInRound(method: string, params: unknown): Promise<unknown> | null {
  const call = currentCall();
  if (call === null) return null;
  if (call.replay.length > 0) {
    const answer = call.replay.shift();
    call.answers.push(answer);
    return Promise.resolve(answer);
  }
  const round = call.round;
  if (round === null) return Promise.reject(new Error(`${method}: the call is no longer waiting for a client`));
  const needs = method === "sampling/createMessage" ? "sampling" : "elicitation";
  const declared = call.era.clientCapabilities[needs];
  if (typeof declared !== "object" || declared === null) {
    round.missing?.(needs);
    return Promise.reject(new Error(`${method}: the client did not declare the ${needs} capability`));
  }
  const key = `${method === "sampling/createMessage" ? "sample" : "elicit"}-${call.nextKey++}`;
  return new Promise((resolve, reject) => {
    call.waiting.set(key, {
      resolve: (answer) => {
        call.answers.push(answer);
        resolve(answer);
      },
      reject,
    });
    round.requests[key] = { method, params };
    // Asks started together (Promise.all) share one round: it ends once this turn has run.
    if (Object.keys(round.requests).length === 1) {
      queueMicrotask(() => round.end?.(round.requests));
    }
  });
}

/** Starts a new round of `call` and waits for its answer or its next asks. */
async function runRound(
  host: MrtrHost,
  call: SuspendedCall,
  idJson: string,
  inputRequired: (result: Record<string, unknown>) => McpAnswer,
  timeoutMs: number,
): Promise<McpAnswer> {
  if (call.timer !== null) clearTimeout(call.timer);
  call.timer = null;
  call.era.idJson = idJson;
  let missing: (capability: string) => void = () => {};
  const lacking = new Promise<string>((resolve) => {
    missing = resolve;
  });
  const asked = new Promise<Record<string, InputRequest>>((resolve) => {
    call.round = { requests: {}, end: resolve, missing };
  });
  const outcome = await Promise.race([
    call.done.then((response) => ({ response })),
    asked.then((requests) => ({ requests })),
    lacking.then((capability) => ({ capability })),
  ]);
  call.round = null;
  if ("response" in outcome) {
    suspended(host).delete(call.id);
    return outcome.response;
  }
  if ("capability" in outcome) {
    // The call goes on without this request (its ask failed); the answer is the error.
    suspended(host).delete(call.id);
    return errorAnswer(
      idJson,
      200,
      MISSING_REQUIRED_CLIENT_CAPABILITY,
      `Server requires the ${outcome.capability} capability for this request`,
      { requiredCapabilities: { [outcome.capability]: {} } },
    );
  }
  suspended(host).set(call.id, call);
  call.timer = setTimeout(
    () => forget(host, call, new Error(`the client did not retry within ${timeoutMs} ms`)),
    timeoutMs,
  );
  const state: State = {
    v: 1,
    call: call.id,
    instance: host.instanceName,
    tool: call.tool,
    args: call.argsDigest,
    keys: Object.keys(outcome.requests),
    answers: call.answers,
    exp: Date.now() + timeoutMs,
  };
  return inputRequired({
    resultType: "input_required",
    inputRequests: outcome.requests,
    requestState: await sign(host, state),
  });
}

/** Drops a suspended call: its waiting asks fail, so the photon's code unwinds. */
function forget(host: MrtrHost, call: SuspendedCall, error: Error): void {
  suspended(host).delete(call.id);
  if (call.timer !== null) clearTimeout(call.timer);
  call.timer = null;
  for (const w of call.waiting.values()) w.reject(error);
  call.waiting.clear();
}

/**
 * A 2026-07-28 tools/call: runs it (or resumes or re-runs it, given a requestState) as a suspendable
 * call. `dispatch` runs the tools/call the 2025 way, answering plain JSON; `inputRequired` writes an
 * interim result with this request's id.
 */
export async function roundTripCall(
  host: MrtrHost,
  idJson: string,
  params: Record<string, unknown>,
  dispatch: () => Promise<McpAnswer>,
  inputRequired: (result: Record<string, unknown>) => McpAnswer,
  timeoutMs: number,
  openStream: (() => RoundStream) | null = null,
): Promise<McpAnswer> {
  const era = eraContext.getStore();
  if (era === undefined) return dispatch();
  const tool = typeof params.name === "string" ? params.name : "";
  const argsDigest = await digest(tool, params.arguments);
  let replay: unknown[] = [];
  const token = params.requestState;
  if (token !== undefined) {
    const state = typeof token === "string" ? await verify(host, token) : null;
    if (state === null || state.v !== 1) throw new MrtrError("requestState is not one this server issued");
    if (state.instance !== host.instanceName) throw new MrtrError("requestState belongs to another instance");
    if (state.tool !== tool || state.args !== argsDigest)
      throw new MrtrError("requestState belongs to another call (tool or arguments differ)");
    if (state.exp < Date.now()) throw new MrtrError("requestState has expired; call the tool again");
    const responses = params.inputResponses;
    const given: unknown[] = [];
    for (const key of state.keys) {
      const answer =
        typeof responses === "object" && responses !== null ? (responses as Record<string, unknown>)[key] : undefined;
      if (answer === undefined) throw new MrtrError(`inputResponses has no answer for '${key}'`);
      given.push(answer);
    }
    const forgetting = host.env.PHOTON_TEST_DROP_SUSPENDED === "1";
    const call = suspended(host).get(state.call);
    if (call !== undefined && !forgetting && state.keys.every((k) => call.waiting.has(k))) {
      // Resume: the new round starts before the answers go in, so the next ask lands in it.
      const stream = openStream?.() ?? null;
      call.stream = stream;
      const round = runRound(host, call, idJson, inputRequired, timeoutMs);
      state.keys.forEach((key, i) => {
        call.waiting.get(key)?.resolve(given[i]);
        call.waiting.delete(key);
      });
      return deliver(host, call, round, stream);
    }
    if (call !== undefined) forget(host, call, new Error("the call was superseded by a re-run"));
    replay = [...state.answers, ...given];
  }
  const call: SuspendedCall = {
    id: crypto.randomUUID(),
    tool,
    argsDigest,
    done: Promise.resolve(plainAnswer(200)),
    era,
    waiting: new Map(),
    answers: [],
    replay,
    nextKey: 0,
    round: null,
    timer: null,
    stream: openStream?.() ?? null,
  };
  era.call = call;
  // The round exists before the call starts, so an ask in its first synchronous part finds it.
  let started!: () => void;
  const gate = new Promise<void>((resolve) => {
    started = resolve;
  });
  call.done = gate.then(dispatch);
  host.waitUntil(call.done);
  const round = runRound(host, call, idJson, inputRequired, timeoutMs);
  started();
  return deliver(host, call, round, call.stream);
}
