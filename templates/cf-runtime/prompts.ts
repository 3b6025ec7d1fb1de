// MCP prompts: `prompts/list` and `prompts/get` for `@template` / `@Template` / `@prompt` methods and class-level `@prompt` files, with the local runtime's argument and result rules.
// - Arguments come from the method's parameters (names, `@param` descriptions, required when
//   not optional). MCP sends every argument as a string, so a number or boolean parameter is
//   converted before the method's own input schema validates the call.
// - A string result is one user message; a `{messages: [...]}` result is passed through; any
//   other value is one user message holding its JSON, as the local runtime formats it.
// - Prompts are not tools: tools/call never reaches them, and they are not in tools/list.

import type { McpHost } from "./mcp";
import { INTERNAL_ERROR, INVALID_PARAMS, RpcError, validateArguments } from "./mcp";
import { isObject } from "./routing";
import { formatJson, shortPath } from "./safe-json";
import type { JsonSchema, PromptEntry } from "./types";

export async function promptsList(_params: Record<string, unknown>, host: McpHost): Promise<unknown> {
  return {
    prompts: host.photon.prompts.map(({ method: _m, text: _t, ...prompt }) => prompt),
  };
}

/**
 * String arguments converted to the types the schema declares for them (`"3"` for a number
 * parameter becomes 3); anything unconvertible stays a string and fails validation by name.
 */
export function coerceArguments(schema: JsonSchema, args: Record<string, unknown>): Record<string, unknown> {
  const props = isObject(schema.properties) ? schema.properties : {};
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(args)) {
    const prop = Object.hasOwn(props, key) ? props[key] : undefined;
    const type = isObject(prop) ? prop.type : undefined;
    if (typeof value === "string" && (type === "number" || type === "integer")) {
      const n = Number(value);
      out[key] = value.trim() !== "" && Number.isFinite(n) ? n : value;
    } else if (typeof value === "string" && type === "boolean" && (value === "true" || value === "false")) {
      out[key] = value === "true";
    } else {
      out[key] = value;
    }
  }
  return out;
}

/** The local runtime's prompt result shape. */
export function promptResult(value: unknown, description?: string) {
  const head = description ? { description } : {};
  if (isObject(value) && Array.isArray(value.messages)) return { ...head, messages: value.messages };
  const text = typeof value === "string" ? value : (formatJson(value) ?? String(value));
  return { ...head, messages: [{ role: "user", content: { type: "text", text } }] };
}

export async function promptsGet(params: Record<string, unknown>, host: McpHost): Promise<unknown> {
  const name = params.name;
  if (typeof name !== "string") throw new RpcError(INVALID_PARAMS, "Invalid params: 'name' must be a string");
  const entry: PromptEntry | undefined = host.photon.prompts.find((p) => p.name === name);
  if (!entry) throw new RpcError(INVALID_PARAMS, `Unknown prompt: ${shortPath(name)}`);
  const raw = params.arguments === undefined || params.arguments === null ? {} : params.arguments;
  if (!isObject(raw)) throw new RpcError(INVALID_PARAMS, "Invalid params: 'arguments' must be an object");
  for (const arg of entry.arguments) {
    if (arg.required && raw[arg.name] === undefined) {
      throw new RpcError(
        INVALID_PARAMS,
        `Invalid arguments for prompt '${shortPath(name)}': missing required argument '${arg.name}'`,
      );
    }
  }
  if (entry.method === null) return promptResult(entry.text ?? "", entry.description);
  const args = coerceArguments(entry.method.inputSchema, raw);
  validateArguments(name, entry.method, args);
  let value: unknown;
  try {
    value = await host.invoke(name, entry.method, args);
  } catch (e) {
    // The prompt's own failure, as the local server reports it: an error with its message.
    throw new RpcError(
      INTERNAL_ERROR,
      `Prompt ${shortPath(name)} failed: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  return promptResult(value, entry.description);
}
