// The MCP 2026-07-28 era beside the 2025 handshake era on one `/mcp`: which era a request is in, its header checks, `server/discover`, and the decoration of every 2026 result (resultType, cache hints, serverInfo).
// How the two eras are told apart (the spec's versioning section):
// - A request whose params._meta carries `io.modelcontextprotocol/protocolVersion` is a 2026-07-28
//   request: it is served without `initialize`, its Mcp-Method / Mcp-Name headers must match the
//   body (-32020 with HTTP 400 otherwise) and an unsupported version is -32022 naming the
//   supported ones, answered with the request's own id.
// - Anything else is the 2025 era (2025-11-25 / 06-18 / 03-26, 2024-11-05), served unchanged.
// The per-request state lives in an AsyncLocalStorage, so code deep in a call (the reply writer,
// the log notifier, the multi round-trip asks) knows the era of the request it serves without
// being passed it.

import { AsyncLocalStorage } from "node:async_hooks";
import type { McpAnswer } from "./answer";
import { errorAnswer } from "./answer";
import { envNumber } from "./limits";
import { isObject } from "./routing";
import { shortPath } from "./safe-json";
import type { PhotonManifest } from "./types";

export const MODERN_PROTOCOL_VERSIONS = ["2026-07-28"] as const;
export const LEGACY_PROTOCOL_VERSIONS = ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"] as const;
/** Every version served, newest first: what server/discover lists. */
export const ALL_PROTOCOL_VERSIONS: readonly string[] = [...MODERN_PROTOCOL_VERSIONS, ...LEGACY_PROTOCOL_VERSIONS];

export const PROTOCOL_VERSION_META = "io.modelcontextprotocol/protocolVersion";
export const CLIENT_CAPABILITIES_META = "io.modelcontextprotocol/clientCapabilities";
export const LOG_LEVEL_META = "io.modelcontextprotocol/logLevel";
export const SERVER_INFO_META = "io.modelcontextprotocol/serverInfo";
export const SUBSCRIPTION_ID_META = "io.modelcontextprotocol/subscriptionId";
/** Where cacheable results name the build they came from: a redeploy changes it. */
export const BUILD_ID_META = "dev.photon-cf/buildId";

export const HEADER_MISMATCH = -32020;
export const MISSING_REQUIRED_CLIENT_CAPABILITY = -32021;
export const UNSUPPORTED_PROTOCOL_VERSION = -32022;

/** Results the 2026-07-28 spec makes cacheable (`CacheableResult`: ttlMs + cacheScope). */
const CACHEABLE = new Set([
  "tools/list",
  "prompts/list",
  "resources/list",
  "resources/read",
  "resources/templates/list",
]);
/** Freshness of cacheable results; PHOTON_CACHE_TTL_MS overrides. The lists only change on a redeploy. */
export const DEFAULT_CACHE_TTL_MS = 60 * 60 * 1000;
/** The param that Mcp-Name mirrors, per method (SEP-2243). */
const NAME_SOURCE: Record<string, string> = { "tools/call": "name", "prompts/get": "name", "resources/read": "uri" };
/** Mcp-Name values that are not plain printable ASCII travel base64-encoded between these. */
const BASE64_PREFIX = "=?base64?";
const BASE64_SUFFIX = "?=";

const LOG_LEVELS = ["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"];

/** What one request's era is; for a 2026 request, what its `_meta` asked for. */
export interface EraRequest {
  modern: boolean;
  method: string;
  /** The id this request's answer goes out with (JSON text). A multi round-trip retry resumes a call
   *  started by an earlier request: its answer then carries the retry's id, set here. */
  idJson: string;
  readonly originalIdJson: string;
  /** `io.modelcontextprotocol/logLevel`; null: no log notifications at all for this request. */
  logLevel: string | null;
  clientCapabilities: Record<string, unknown>;
  serverInfo: { name: string; version: string };
  buildId: string;
  cacheScope: "public" | "private";
  ttlMs: number;
  /** The suspended photon call this request runs (mrtr.ts), if any. */
  call?: { readonly stream: RoundStream | null };
}

export const eraContext = new AsyncLocalStorage<EraRequest>();

/** The SSE stream a round of a 2026 call is answered on (mcp.ts's SseStream). */
export interface RoundStream {
  readonly readable: ReadableStream<Uint8Array>;
  readonly closed: boolean;
  sendText(json: string): void;
  close(): void;
}

/**
 * The stream of the request now serving the current 2026 call, when that request asked for a
 * stream: its progress and log notifications go there, before the round's answer. Null when no
 * call is suspendable (a build without asks has no mrtr.ts to set one).
 */
export function roundStream(): RoundStream | null {
  const stream = eraContext.getStore()?.call?.stream ?? null;
  return stream !== null && !stream.closed ? stream : null;
}

/** UnsupportedProtocolVersion (-32022, HTTP 400): the versions served, and the one asked for. */
export function unsupportedVersion(idJson: string, version: string): McpAnswer {
  const requested = shortPath(version);
  return errorAnswer(
    idJson,
    400,
    UNSUPPORTED_PROTOCOL_VERSION,
    `Unsupported protocol version '${requested}'; supported: ${ALL_PROTOCOL_VERSIONS.join(", ")}`,
    { supported: ALL_PROTOCOL_VERSIONS, requested },
  );
}

function decodeHeaderValue(value: string): string {
  if (!value.startsWith(BASE64_PREFIX) || !value.endsWith(BASE64_SUFFIX)) return value;
  try {
    const bin = atob(value.slice(BASE64_PREFIX.length, -BASE64_SUFFIX.length));
    return new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
  } catch {
    return value;
  }
}

function ttlOf(env: Record<string, unknown>): number {
  const n = envNumber(env, "PHOTON_CACHE_TTL_MS");
  return Number.isInteger(n) && n >= 0 ? n : DEFAULT_CACHE_TTL_MS;
}

const NO_META: Readonly<Record<string, unknown>> = Object.freeze({});

/** A request's era state, as of the 2025 era (openEra marks a 2026 one). */
function newEra(
  request: { readonly authorization: boolean },
  method: string,
  idJson: string,
  photon: PhotonManifest,
  env: Record<string, unknown>,
): EraRequest {
  return {
    modern: false,
    method,
    idJson,
    originalIdJson: idJson,
    logLevel: null,
    clientCapabilities: {},
    serverInfo: { name: photon.name, version: photon.version ?? "0.0.0" },
    buildId: photon.buildId,
    // Anything answered to an authenticated request is for that caller only.
    cacheScope: request.authorization ? "private" : "public",
    ttlMs: ttlOf(env),
  };
}

/**
 * The era of one JSON-RPC request, or the error answer when a 2026 request is malformed at the
 * protocol level (unsupported version, headers disagreeing with the body). Null for a 2025-era
 * request other than `server/discover`: every reader of the era treats "no era" as the 2025 era,
 * so such a request is served without one (and without the AsyncLocalStorage frame it would cost).
 */
export function openEra(
  request: {
    readonly protocolVersion: string | null;
    readonly mcpMethod: string | null;
    readonly mcpName: string | null;
    readonly authorization: boolean;
  },
  method: string,
  idJson: string,
  params: Record<string, unknown>,
  photon: PhotonManifest,
  env: Record<string, unknown>,
): EraRequest | McpAnswer | null {
  const meta = isObject(params._meta) ? params._meta : NO_META;
  const claimed = meta[PROTOCOL_VERSION_META];
  const header = request.protocolVersion;
  if (claimed === undefined) {
    if (header !== null && (MODERN_PROTOCOL_VERSIONS as readonly string[]).includes(header)) {
      return errorAnswer(
        idJson,
        400,
        HEADER_MISMATCH,
        `Header mismatch: Mcp-Protocol-Version is '${shortPath(header)}' but params._meta carries no '${PROTOCOL_VERSION_META}'`,
      );
    }
    return method === "server/discover" ? newEra(request, method, idJson, photon, env) : null;
  }
  if (typeof claimed !== "string" || !(MODERN_PROTOCOL_VERSIONS as readonly string[]).includes(claimed)) {
    return unsupportedVersion(idJson, typeof claimed === "string" ? claimed : String(claimed));
  }
  if (header !== null && header !== claimed) {
    return errorAnswer(
      idJson,
      400,
      HEADER_MISMATCH,
      `Header mismatch: Mcp-Protocol-Version header value '${shortPath(header)}' does not match body value '${claimed}'`,
    );
  }
  const methodHeader = request.mcpMethod;
  if (methodHeader !== method) {
    return errorAnswer(
      idJson,
      400,
      HEADER_MISMATCH,
      methodHeader === null
        ? `Header mismatch: the Mcp-Method header is required (body method '${shortPath(method)}')`
        : `Header mismatch: Mcp-Method header value '${shortPath(methodHeader)}' does not match body value '${shortPath(method)}'`,
    );
  }
  const nameField = Object.hasOwn(NAME_SOURCE, method) ? NAME_SOURCE[method] : undefined;
  if (nameField !== undefined) {
    const body = params[nameField];
    const raw = request.mcpName;
    const value = raw === null ? null : decodeHeaderValue(raw);
    if (typeof body === "string" && value !== body) {
      return errorAnswer(
        idJson,
        400,
        HEADER_MISMATCH,
        value === null
          ? `Header mismatch: the Mcp-Name header is required for ${method} (body value '${shortPath(body)}')`
          : `Header mismatch: Mcp-Name header value '${shortPath(value)}' does not match body value '${shortPath(body)}'`,
      );
    }
  }
  const era = newEra(request, method, idJson, photon, env);
  era.modern = true;
  const level = meta[LOG_LEVEL_META];
  era.logLevel = typeof level === "string" && LOG_LEVELS.includes(level) ? level : null;
  const caps = meta[CLIENT_CAPABILITIES_META];
  era.clientCapabilities = isObject(caps) ? caps : {};
  return era;
}

/** The id the current request's answer goes out with (see EraRequest.idJson). */
export function answerId(idJson: string): string {
  const era = eraContext.getStore();
  return era !== undefined && idJson === era.originalIdJson ? era.idJson : idJson;
}

/**
 * A result as the current request's era shapes it: unchanged in the 2025 era; in the 2026 era with
 * `resultType` (kept when already set, as on input_required), the cache hints on cacheable
 * methods, and the server's identity and build in `_meta`. Keyed on the method name only, so every
 * handler's result gets it.
 */
export function decorateResult(result: unknown): unknown {
  const era = eraContext.getStore();
  if (era === undefined || !era.modern || !isObject(result)) return result;
  const out: Record<string, unknown> = { resultType: "complete", ...result };
  if (CACHEABLE.has(era.method) && out.resultType === "complete") {
    out.ttlMs = era.ttlMs;
    out.cacheScope = era.cacheScope;
  }
  const meta = isObject(result._meta) ? result._meta : {};
  out._meta = {
    ...meta,
    [SERVER_INFO_META]: era.serverInfo,
    ...(CACHEABLE.has(era.method) ? { [BUILD_ID_META]: era.buildId } : {}),
  };
  return out;
}

/**
 * Whether a `notifications/message` at `level` may go out: always in the 2025 era; in the 2026 era
 * only when the request asked for logs with `io.modelcontextprotocol/logLevel`, at that level or above.
 */
export function logAllowed(level: unknown): boolean {
  const era = eraContext.getStore();
  if (era === undefined || !era.modern) return true;
  if (era.logLevel === null) return false;
  const at = LOG_LEVELS.indexOf(typeof level === "string" ? level : "info");
  return at >= LOG_LEVELS.indexOf(era.logLevel);
}

/** The `server/discover` result: every supported version, the capabilities and the server's identity. */
export function discoverResult(capabilities: Record<string, unknown>, instructions: string | null): unknown {
  const era = eraContext.getStore();
  const result: Record<string, unknown> = {
    supportedVersions: ALL_PROTOCOL_VERSIONS,
    capabilities,
  };
  if (instructions) result.instructions = instructions;
  if (era !== undefined) {
    result.ttlMs = era.ttlMs;
    result.cacheScope = era.cacheScope;
    // The 2025 era has no serverInfo in _meta of its own; discover names the server either way.
    if (!era.modern) result._meta = { [SERVER_INFO_META]: era.serverInfo };
  }
  return result;
}

/** True while serving a 2026-07-28 request. */
export function isModern(): boolean {
  return eraContext.getStore()?.modern === true;
}
