// `completion/complete` for prompt arguments and resource-template variables: candidates from the parameter's enum / `{@choice}` values and from `{@choice-from method[.field]}`, filtered by the typed prefix.
// `{@choice-from m[.field]}` (the local runtime's tag for values a tool provides) names a method
// of the photon's dispatch table, called with no arguments; an array result gives the
// candidates (each item, or its `field`). The answer holds at most 100 values (MCP's cap) with
// `total` and `hasMore`.

import type { McpHost } from "./mcp";
import { INVALID_PARAMS, RpcError } from "./mcp";
import { isObject } from "./routing";
import { shortPath } from "./safe-json";

const MAX_VALUES = 100;

async function fromMethod(host: McpHost, source: string): Promise<string[]> {
  const dot = source.indexOf(".");
  const name = dot < 0 ? source : source.slice(0, dot);
  const field = dot < 0 ? null : source.slice(dot + 1);
  if (!Object.hasOwn(host.photon.methods, name)) return [];
  let value: unknown;
  try {
    value = await host.invoke(name, host.photon.methods[name], {});
  } catch (e) {
    console.error(`completion: ${name} failed: ${e instanceof Error ? e.message : String(e)}`);
    return [];
  }
  if (!Array.isArray(value)) return [];
  return value
    .map((item) => (field !== null && isObject(item) ? item[field] : item))
    .filter((v) => typeof v === "string" || typeof v === "number")
    .map(String);
}

export async function completionComplete(params: Record<string, unknown>, host: McpHost): Promise<unknown> {
  const ref = params.ref;
  const argument = params.argument;
  if (!isObject(ref) || !isObject(argument) || typeof argument.name !== "string") {
    throw new RpcError(INVALID_PARAMS, "Invalid params: expected 'ref' and 'argument' {name, value}");
  }
  const typed = typeof argument.value === "string" ? argument.value : "";
  let name: string;
  if (ref.type === "ref/prompt" && typeof ref.name === "string") {
    name = ref.name;
    if (!host.photon.prompts.some((p) => p.name === name))
      throw new RpcError(INVALID_PARAMS, `Unknown prompt: ${shortPath(name)}`);
  } else if (ref.type === "ref/resource" && typeof ref.uri === "string") {
    name = ref.uri;
    if (!host.photon.resourceTemplates.some((t) => t.uriTemplate === name))
      throw new RpcError(INVALID_PARAMS, `Unknown resource template: ${shortPath(name)}`);
  } else {
    throw new RpcError(INVALID_PARAMS, "Invalid params: 'ref' must be a ref/prompt {name} or ref/resource {uri}");
  }
  const candidates: string[] = [];
  for (const source of host.photon.completions) {
    if (source.ref !== ref.type || source.name !== name || source.argument !== argument.name) continue;
    // Appended one by one: a method may return any number of candidates.
    for (const v of source.values ?? []) candidates.push(v);
    if (source.from) for (const v of await fromMethod(host, source.from)) candidates.push(v);
  }
  const prefix = typed.toLowerCase();
  const matching = [...new Set(candidates)].filter((v) => v.toLowerCase().startsWith(prefix));
  return {
    completion: {
      values: matching.slice(0, MAX_VALUES),
      total: matching.length,
      hasMore: matching.length > MAX_VALUES,
    },
  };
}
