// MCP resources: `resources/list`, `resources/templates/list`, `resources/read`, `resources/subscribe` / `unsubscribe` (the updates they subscribe to go out through `this.notifyResourceUpdated(uri)`, surface.ts).
// - `@Static [uri]` / `@resource [uri]` methods (URI `static://<method>` when none is written)
//   and class-level `@resource` / `@prompt` files (`photon://<photon>/resources|prompts/<id>`).
//   A URI with `{variables}` is a resource template; reading a matching URI calls the method
//   with each variable as the parameter of that name.
// - Results: a string is `text`; bytes (Uint8Array, ArrayBuffer) are `blob` (base64); a
//   `{contents: [...]}` value is passed through; anything else is its JSON as `text`. The
//   declared `@mimeType` (else text/plain) is the content's type.
// - Not found: -32002 with `data.uri` (MCP up to 2025-11-25), -32602 from 2026-07-28 on,
//   chosen by the request's Mcp-Protocol-Version.
// - Subscriptions have no session to belong to: they are the instance's, kept in its storage.
//   `this.notifyResourceUpdated(uri)` sends `notifications/resources/updated` for a subscribed
//   URI on the stream of the call that made the change (a streaming tools/call); with no such
//   stream (plain JSON call, schedule) there is no channel to the client and nothing is sent.

import type { McpHost, McpRequest } from "./mcp";
import { INTERNAL_ERROR, INVALID_PARAMS, RpcError, validateArguments } from "./mcp";
import { coerceArguments } from "./prompts";
import { isObject } from "./routing";
import { formatJson, shortPath } from "./safe-json";
import type { MethodInfo, ResourceTemplateEntry } from "./types";
import { uiResourceList, uiResourceRead } from "./ui";

/** The resource-not-found error code of a protocol version (2026-07-28 moved it to -32602). */
export function resourceNotFoundCode(version: string | null): number {
  return version !== null && version >= "2026-07-28" ? INVALID_PARAMS : -32002;
}

function notFound(uri: string, request: McpRequest): RpcError {
  const code = resourceNotFoundCode(request.protocolVersion);
  return new RpcError(code, `Resource not found: ${shortPath(uri)}`, { uri });
}

export async function resourcesList(_params: Record<string, unknown>, host: McpHost): Promise<unknown> {
  return {
    resources: [
      ...host.photon.resources.map(({ method: _m, text: _t, blob: _b, ...resource }) => resource),
      // `@ui` views, after the photon's own resources.
      ...uiResourceList(host.photon),
    ],
  };
}

export async function resourcesTemplatesList(_params: Record<string, unknown>, host: McpHost): Promise<unknown> {
  return { resourceTemplates: host.photon.resourceTemplates.map(({ method: _m, ...template }) => template) };
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The variables of `uri` when it matches `template` (each `{name}` one path segment), else null. */
export function matchTemplate(template: string, uri: string): Record<string, string> | null {
  const names: string[] = [];
  let pattern = "^";
  let last = 0;
  for (const m of template.matchAll(/\{([^}]+)\}/g)) {
    pattern += `${escapeRegExp(template.slice(last, m.index))}([^/]+)`;
    names.push(m[1]);
    last = (m.index ?? 0) + m[0].length;
  }
  pattern += `${escapeRegExp(template.slice(last))}$`;
  const found = new RegExp(pattern).exec(uri);
  if (!found) return null;
  const out: Record<string, string> = {};
  names.forEach((name, i) => {
    try {
      out[name] = decodeURIComponent(found[i + 1]);
    } catch {
      out[name] = found[i + 1];
    }
  });
  return out;
}

function base64(bytes: Uint8Array): string {
  // Byte by byte into parts, never spread: a resource may be any size.
  const parts: string[] = [];
  for (const b of bytes) parts.push(String.fromCharCode(b));
  return btoa(parts.join(""));
}

/** One resource's contents from what its method returned. */
export function resourceContents(value: unknown, uri: string, mimeType: string): unknown {
  if (isObject(value) && Array.isArray(value.contents)) return { contents: value.contents };
  if (value instanceof Uint8Array || value instanceof ArrayBuffer) {
    const bytes = value instanceof ArrayBuffer ? new Uint8Array(value) : value;
    return { contents: [{ uri, mimeType, blob: base64(bytes) }] };
  }
  const text = typeof value === "string" ? value : (formatJson(value) ?? String(value));
  return { contents: [{ uri, mimeType, text }] };
}

async function run(host: McpHost, name: string, info: MethodInfo, args: Record<string, unknown>): Promise<unknown> {
  validateArguments(name, info, args);
  try {
    return await host.invoke(name, info, args);
  } catch (e) {
    throw new RpcError(
      INTERNAL_ERROR,
      `Resource ${shortPath(name)} failed: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}

function findTemplate(host: McpHost, uri: string): [ResourceTemplateEntry, Record<string, string>] | null {
  for (const t of host.photon.resourceTemplates) {
    const vars = matchTemplate(t.uriTemplate, uri);
    if (vars) return [t, vars];
  }
  return null;
}

function uriParam(params: Record<string, unknown>): string {
  if (typeof params.uri !== "string") throw new RpcError(INVALID_PARAMS, "Invalid params: 'uri' must be a string");
  return params.uri;
}

export async function resourcesRead(
  params: Record<string, unknown>,
  host: McpHost,
  request: McpRequest,
): Promise<unknown> {
  const uri = uriParam(params);
  const view = uiResourceRead(host.photon, uri);
  if (view) return view;
  const fixed = host.photon.resources.find((r) => r.uri === uri);
  if (fixed) {
    if (fixed.method === null) {
      const body = fixed.blob !== undefined ? { blob: fixed.blob } : { text: fixed.text ?? "" };
      return { contents: [{ uri, mimeType: fixed.mimeType, ...body }] };
    }
    const value = await run(host, fixed.method.name, fixed.method.info, {});
    return resourceContents(value, uri, fixed.mimeType);
  }
  const matched = findTemplate(host, uri);
  if (!matched) throw notFound(uri, request);
  const [template, vars] = matched;
  const args = coerceArguments(template.method.info.inputSchema, vars);
  const value = await run(host, template.method.name, template.method.info, args);
  return resourceContents(value, uri, template.mimeType);
}

export async function resourcesSubscribe(
  params: Record<string, unknown>,
  host: McpHost,
  request: McpRequest,
): Promise<unknown> {
  const uri = uriParam(params);
  const known = host.photon.resources.some((r) => r.uri === uri) || findTemplate(host, uri) !== null;
  if (!known) throw notFound(uri, request);
  await host.updateSubscriptions((set) => set.add(uri));
  return {};
}

export async function resourcesUnsubscribe(params: Record<string, unknown>, host: McpHost): Promise<unknown> {
  const uri = uriParam(params);
  await host.updateSubscriptions((set) => set.delete(uri));
  return {};
}
