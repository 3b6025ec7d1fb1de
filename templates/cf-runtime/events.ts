// `/events?channel=<name>` (or `*`): hibernatable WebSocket subscribers of one instance, and
// the fan-out of `this.emit({channel, ...})` to them. A socket's channels are its tags
// (`ctx.acceptWebSocket(ws, tags)`), so the subscription lives in the runtime, not in memory:
// sockets survive the object being evicted while they sit idle, and nothing per socket has to
// be rebuilt when it wakes. An emit without a channel belongs to the tool call that made it and
// never comes here (the caller's SSE stream carries it); the DO only calls `publish` for emits
// that name a channel (see `emitChannel`). Sockets live in the host photon's DO of the instance
// (the outer Worker routes `/events` there), so a sibling photon's DO forwards its channel emits
// to that DO, which sends them with `publishFrame`.

import { limitMessage, limitOf } from "./limits";
import { jsonResponse } from "./routing";

/** Tags are namespaced so other runtime uses of hibernatable sockets can never receive events. */
const TAG_PREFIX = "ch:";
const WILDCARD = "*";
/** workerd limits: 10 tags per socket, 256 characters per tag. */
const MAX_CHANNELS = 10;
const MAX_CHANNEL_LENGTH = 256 - TAG_PREFIX.length;

function refuse(status: number, error: string, extra: Record<string, string> = {}): Response {
  return jsonResponse({ error }, status, extra);
}

/**
 * Accepts a `GET /events?channel=<name>` WebSocket upgrade. `channel` may repeat (up to 10);
 * `*` receives every channel of the instance. Anything that is not a WebSocket upgrade with at
 * least one valid channel gets a JSON error and no socket. Sockets are limited per instance and
 * per channel (limits.ts, from `env`): one more is 429 with a JSON error naming the limit.
 */
export function acceptSubscriber(ctx: DurableObjectState, request: Request, env?: Record<string, unknown>): Response {
  if (request.method !== "GET") {
    return refuse(405, "GET /events with a WebSocket upgrade", { allow: "GET" });
  }
  if ((request.headers.get("upgrade") ?? "").toLowerCase() !== "websocket") {
    return refuse(426, "expected a WebSocket upgrade (Upgrade: websocket)", { upgrade: "websocket" });
  }
  const url = new URL(request.url);
  const channels = Array.from(new Set(url.searchParams.getAll("channel")));
  if (channels.length === 0 || channels.some((channel) => channel === "")) {
    return refuse(400, "missing channel: connect to /events?channel=<name> (or channel=* for every channel)");
  }
  if (channels.length > MAX_CHANNELS) {
    return refuse(400, `at most ${MAX_CHANNELS} channels per socket`);
  }
  const tooLong = channels.find((channel) => channel.length > MAX_CHANNEL_LENGTH);
  if (tooLong !== undefined) {
    return refuse(400, `channel names are limited to ${MAX_CHANNEL_LENGTH} characters`);
  }

  const perInstance = limitOf(env, "eventSockets");
  if (ctx.getWebSockets().length >= perInstance) {
    return refuse(429, limitMessage("eventSockets", "a new /events socket", perInstance));
  }
  const perChannel = limitOf(env, "channelSockets");
  const full = channels.find((channel) => ctx.getWebSockets(TAG_PREFIX + channel).length >= perChannel);
  if (full !== undefined) {
    return refuse(429, limitMessage("channelSockets", `a new /events socket on channel '${full}'`, perChannel));
  }

  const pair = new WebSocketPair();
  const client = pair[0];
  const server = pair[1];
  ctx.acceptWebSocket(
    server,
    channels.map((channel) => TAG_PREFIX + channel),
  );
  // Keep-alive pings are answered by the runtime itself, without waking a hibernated object.
  ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
  return new Response(null, { status: 101, webSocket: client });
}

/**
 * Sends `message` (as one JSON text frame) to every socket of this instance subscribed to
 * `channel` or to `*`, each socket once. Returns how many sockets it reached. A socket that is
 * closing is skipped; publishing never throws because a subscriber went away.
 */
export function publish(ctx: DurableObjectState, channel: string, message: unknown): number {
  return publishFrame(ctx, channel, JSON.stringify(message));
}

/**
 * `publish` with the message already serialised: what a sibling photon's DO forwards to the host
 * photon's DO of its instance, which holds the instance's sockets.
 */
export function publishFrame(ctx: DurableObjectState, channel: string, frame: string): number {
  const targets = new Set<WebSocket>(ctx.getWebSockets(TAG_PREFIX + channel));
  if (channel !== WILDCARD) {
    for (const ws of ctx.getWebSockets(TAG_PREFIX + WILDCARD)) targets.add(ws);
  }
  if (targets.size === 0) return 0;
  let reached = 0;
  for (const ws of targets) {
    try {
      ws.send(frame);
      reached += 1;
    } catch {
      // closed between getWebSockets and send: its webSocketClose will clean it up
    }
  }
  return reached;
}

/**
 * Completes the closing handshake from `webSocketClose`. Only codes a server may send are
 * echoed (1000 and 3000-4999); echoing a reserved one such as 1005 ("no code") throws inside
 * workerd, so anything else is answered with a plain close.
 */
export function onSocketClose(ws: WebSocket, code: number, reason: string): void {
  try {
    if (code === 1000 || (code >= 3000 && code <= 4999)) ws.close(code, reason);
    else ws.close();
  } catch {
    // already closed (newer compatibility dates reply to the close frame automatically)
  }
}

/**
 * How `this.emit(...)` arguments become one event: `emit(data)` as is, and the two-argument
 * `emit('name', data)` seen in real photons as `{event: 'name', data}` (the local runtime drops
 * the second argument silently; keeping it is what those photons meant).
 */
export function normalizeEmit(args: readonly unknown[]): unknown {
  if (args.length >= 2 && typeof args[0] === "string") return { event: args[0], data: args[1] };
  return args[0];
}

/** The channel an emitted event is published on, or null when it belongs to its caller only. */
export function emitChannel(event: unknown): string | null {
  if (typeof event !== "object" || event === null) return null;
  const channel = (event as { channel?: unknown }).channel;
  return typeof channel === "string" && channel !== "" ? channel : null;
}
