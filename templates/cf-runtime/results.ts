// Tool results that already are an MCP CallToolResult (`{content: [...]}` of typed blocks, optional `isError` and `structuredContent`) are sent as they are, once checked; an extension of the local runtime, which would send them as JSON text.
// A value that only looks like one (a `content` array with an unknown or malformed block) is
// formatted as every other value, so a photon that returns its own data named `content` keeps
// working as locally.

import { isObject } from "./routing";

const str = (v: unknown) => typeof v === "string";

function validBlock(block: unknown): boolean {
  if (!isObject(block)) return false;
  switch (block.type) {
    case "text":
      return str(block.text);
    case "image":
    case "audio":
      return str(block.data) && str(block.mimeType);
    case "resource": {
      const r = block.resource;
      return isObject(r) && str(r.uri) && (str(r.text) || str(r.blob));
    }
    case "resource_link":
      return str(block.uri) && str(block.name);
    default:
      return false;
  }
}

/** The value itself when it is a valid CallToolResult, else null. */
export function asCallToolResult(value: unknown): Record<string, unknown> | null {
  if (!isObject(value) || !Array.isArray(value.content)) return null;
  const allowed = new Set(["content", "isError", "structuredContent", "_meta"]);
  if (!Object.keys(value).every((k) => allowed.has(k))) return null;
  if (!value.content.every(validBlock)) return null;
  if (value.isError !== undefined && typeof value.isError !== "boolean") return null;
  if (value.structuredContent !== undefined && !isObject(value.structuredContent)) return null;
  if (value._meta !== undefined && !isObject(value._meta)) return null;
  return value;
}
