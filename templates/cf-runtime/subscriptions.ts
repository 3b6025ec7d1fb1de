// `subscriptions/listen` (MCP 2026-07-28): one long-lived POST response stream per listener, carrying the instance's list-changed and resource-updated notifications, each tagged with the subscription id.
// Which notifications: the client opts in per kind (toolsListChanged, promptsListChanged,
// resourcesListChanged, resourceSubscriptions: [uri...]); the acknowledgement names what was
// accepted. Sources: a photon's `this.emit({ emit: "tools/list_changed" })` (and
// prompts/list_changed, resources/list_changed, `{ emit: "resources/updated", uri }`), and
// `publishChange` for runtime code. Request-scoped notifications (progress, log) never come
// here: they stay on the stream of the request they belong to.
// Listeners live in the object that answered the listen (the host photon's object of the
// instance), so a change reaches the listeners of its own instance only.

import type { McpAnswer } from "./answer";
import { sseAnswer } from "./answer";
import { SUBSCRIPTION_ID_META } from "./era";
import type { SseStream } from "./mcp";
import { isObject } from "./routing";

type Kind = "toolsListChanged" | "promptsListChanged" | "resourcesListChanged";

const KIND_OF_METHOD: Record<string, Kind> = {
  "notifications/tools/list_changed": "toolsListChanged",
  "notifications/prompts/list_changed": "promptsListChanged",
  "notifications/resources/list_changed": "resourcesListChanged",
};
const METHOD_OF_EMIT: Record<string, string> = {
  "tools/list_changed": "notifications/tools/list_changed",
  "prompts/list_changed": "notifications/prompts/list_changed",
  "resources/list_changed": "notifications/resources/list_changed",
  "resources/updated": "notifications/resources/updated",
};
/** At most this many listeners per object, and URIs per listener: each costs an open stream. */
const MAX_LISTENERS = 64;
const MAX_URIS = 256;

interface Listener {
  /** The listen request's id, as parsed JSON: the subscription id. */
  id: unknown;
  stream: SseStream;
  kinds: Set<Kind>;
  uris: Set<string>;
}

/** Listeners by the object (its MCP host) that holds them. */
const listeners = new WeakMap<object, Set<Listener>>();

/**
 * Opens a listener on `stream` for the listen request `idJson`, sends its acknowledgement, and
 * returns the SSE response. A bad filter is an Error (the caller answers -32602).
 */
export function listen(owner: object, idJson: string, params: Record<string, unknown>, stream: SseStream): McpAnswer {
  const wanted = params.notifications;
  if (!isObject(wanted)) {
    stream.close();
    throw new TypeError("'notifications' must be an object naming the notifications wanted");
  }
  let set = listeners.get(owner);
  if (set === undefined) {
    set = new Set();
    listeners.set(owner, set);
  }
  if (set.size >= MAX_LISTENERS) {
    stream.close();
    throw new TypeError(`at most ${MAX_LISTENERS} subscriptions may listen at once`);
  }
  const kinds = new Set<Kind>();
  for (const kind of ["toolsListChanged", "promptsListChanged", "resourcesListChanged"] as const) {
    if (wanted[kind] === true) kinds.add(kind);
  }
  const uris = new Set<string>();
  if (Array.isArray(wanted.resourceSubscriptions)) {
    for (const uri of wanted.resourceSubscriptions) if (typeof uri === "string" && uris.size < MAX_URIS) uris.add(uri);
  }
  const id: unknown = JSON.parse(idJson);
  const listener: Listener = { id, stream, kinds, uris };
  set.add(listener);
  const all = set;
  stream.onClose = () => all.delete(listener);
  const accepted: Record<string, unknown> = {};
  for (const kind of kinds) accepted[kind] = true;
  if (uris.size > 0) accepted.resourceSubscriptions = [...uris];
  stream.send({
    jsonrpc: "2.0",
    method: "notifications/subscriptions/acknowledged",
    params: { _meta: { [SUBSCRIPTION_ID_META]: id }, notifications: accepted },
  });
  return sseAnswer(stream.readable);
}

/** Sends a change notification to every listener of `owner` that opted in to it. Returns how many got it. */
export function publishChange(owner: object, method: string, params: Record<string, unknown> = {}): number {
  const set = listeners.get(owner);
  if (set === undefined) return 0;
  let sent = 0;
  for (const listener of set) {
    if (listener.stream.closed) {
      set.delete(listener);
      continue;
    }
    const kind = KIND_OF_METHOD[method];
    const wants =
      kind !== undefined
        ? listener.kinds.has(kind)
        : method === "notifications/resources/updated" &&
          typeof params.uri === "string" &&
          listener.uris.has(params.uri);
    if (!wants) continue;
    listener.stream.send({
      jsonrpc: "2.0",
      method,
      params: { ...params, _meta: { [SUBSCRIPTION_ID_META]: listener.id } },
    });
    sent++;
  }
  return sent;
}

/**
 * A photon's change emit (`{ emit: "tools/list_changed" }`, `{ emit: "resources/updated", uri }`, …)
 * as a notification to the listeners; false for any other emit, which goes its usual way.
 */
export function publishEmit(owner: object, event: unknown): boolean {
  if (!isObject(event) || typeof event.emit !== "string" || !Object.hasOwn(METHOD_OF_EMIT, event.emit)) return false;
  const method = METHOD_OF_EMIT[event.emit];
  if (method === "notifications/resources/updated") {
    if (typeof event.uri !== "string") return false;
    publishChange(owner, method, { uri: event.uri });
  } else {
    publishChange(owner, method);
  }
  return true;
}
