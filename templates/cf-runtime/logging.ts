// `logging/setLevel` and the level filter of `notifications/message`: the level is per instance, held by its Durable Object and kept in its storage.
// There are no sessions, so a level cannot belong to a client: `logging/setLevel` sets the
// level of the instance (every client of that instance shares it), and it survives the object
// being evicted. Until a client sets one, every message is sent (level `debug`).

import type { McpHost } from "./mcp";
import { INVALID_PARAMS, RpcError } from "./mcp";

/** RFC 5424 severities, least severe first, as MCP names them. */
export const LOG_LEVELS = ["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const DEFAULT_LOG_LEVEL: LogLevel = "debug";

export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === "string" && (LOG_LEVELS as readonly string[]).includes(value);
}

/** True when a message of `level` passes the instance's minimum level `min`. */
export function logAllowed(level: string, min: string): boolean {
  const rank = (l: string) => (LOG_LEVELS as readonly string[]).indexOf(l);
  return rank(level) >= Math.max(0, rank(min));
}

export async function setLogLevel(params: Record<string, unknown>, host: McpHost): Promise<unknown> {
  const level = params.level;
  if (!isLogLevel(level)) {
    throw new RpcError(INVALID_PARAMS, `Invalid params: 'level' must be one of ${LOG_LEVELS.join(", ")}`);
  }
  await host.setLogLevel(level);
  return {};
}
