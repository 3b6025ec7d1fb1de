// Per-instance limits on what a client can make one Durable Object hold, each configurable by a Worker var (`[vars]` in wrangler.toml), with the error a client sees when one is reached.
// A Durable Object is one instance of a photon; without limits any caller could park unbounded
// work in it (questions waiting for a client, sockets, schedules). The defaults leave room for
// any real photon; a var set to a positive integer replaces a default, anything else is ignored.

export interface Limits {
  /** sample/confirm/elicit requests waiting for a client's answer at once. */
  pendingAsks: number;
  /** `/events` sockets open on the instance. */
  eventSockets: number;
  /** `/events` sockets subscribed to one channel (`*` counts as a channel of its own). */
  channelSockets: number;
  /** Schedules (`this.schedule.create` and `@scheduled`) stored on the instance. */
  schedules: number;
}

/** The var that configures each limit, its default, and what it counts (for the error). */
export const LIMIT_VARS: Record<keyof Limits, { name: string; fallback: number; counts: string }> = {
  pendingAsks: { name: "PHOTON_MAX_PENDING_ASKS", fallback: 32, counts: "questions waiting for a client's answer" },
  eventSockets: { name: "PHOTON_MAX_EVENT_SOCKETS", fallback: 256, counts: "open /events sockets" },
  channelSockets: { name: "PHOTON_MAX_CHANNEL_SOCKETS", fallback: 128, counts: "/events sockets on that channel" },
  schedules: { name: "PHOTON_MAX_SCHEDULES", fallback: 256, counts: "schedules" },
};

/** A Worker var as a number (a `[vars]` number, or a string such as a secret), NaN when it is neither; each caller decides which values it takes. */
export function envNumber(env: Record<string, unknown> | undefined, name: string): number {
  const raw = env?.[name];
  return typeof raw === "number" ? raw : typeof raw === "string" ? Number(raw) : Number.NaN;
}

/** One limit from the Worker env. */
export function limitOf(env: Record<string, unknown> | undefined, which: keyof Limits): number {
  const { name, fallback } = LIMIT_VARS[which];
  const n = envNumber(env, name);
  return Number.isSafeInteger(n) && n > 0 ? n : fallback;
}

/** The message of a reached limit: what was refused, the limit and the var that changes it. */
export function limitMessage(which: keyof Limits, refused: string, limit: number): string {
  const { name, counts } = LIMIT_VARS[which];
  return `${refused} refused: this instance already has ${limit} ${counts}, the limit (set ${name} to change it)`;
}
