// Bounded JSON handling for hostile input: nesting depth checks that never recurse, the raw text of a JSON-RPC id, result formatting whose size stays proportional to the data, and internal errors that reach the client only as a reference id.
// Why each exists:
// - V8 parses arbitrarily deep JSON without recursing, but JSON.stringify and structured clone
//   recurse, so a value nested 50 000 deep is accepted and later overflows the stack wherever it
//   is serialised. Values entering the runtime (tool arguments, memory values) are checked here,
//   with an explicit stack, against MAX_DEPTH.
// - JSON.parse turns the id 12345678901234567890 into 12345678901234567000; the JSON-RPC id must
//   come back as sent, so numeric ids are echoed from the request's own text.
// - Pretty-printing indents every line by its depth, so a reply grows with depth²; only shallow
//   values are pretty-printed.

/** The deepest nesting (objects and arrays inside one another) accepted in arguments and memory values; the schema cap too. */
export const MAX_DEPTH = 64;
/**
 * The deepest result a tool may return: room for a photon to wrap values of MAX_DEPTH in a few
 * levels of its own, far below what serialising can take.
 */
export const MAX_RESULT_DEPTH = 4 * MAX_DEPTH;
/** Results nested at most this deep are pretty-printed (2 spaces, as locally); deeper ones are compact JSON. */
export const PRETTY_MAX_DEPTH = 8;
/** A field path in an error message is cut to this many characters. */
const MAX_PATH_CHARS = 120;

function isContainer(value: unknown): value is object {
  return typeof value === "object" && value !== null;
}

/**
 * The path (dotted, from `root`) of the first place where `value` nests deeper than `max`
 * containers, or null when it does not. Iterative, and each object is walked again only when it
 * is reached deeper than before, so shared references cost no more than their depth. Objects
 * with a `toJSON` method (Date) are leaves, as JSON.stringify sees them.
 */
export function tooDeep(value: unknown, max: number = MAX_DEPTH, root = ""): string | null {
  if (!isContainer(value)) return null;
  const seen = new Map<object, number>();
  const stack: { node: object; depth: number; path: string }[] = [{ node: value, depth: 1, path: root }];
  while (stack.length > 0) {
    const top = stack.pop();
    if (top === undefined) break;
    const { node, depth, path } = top;
    if (depth > max) return shortPath(path);
    if (typeof (node as { toJSON?: unknown }).toJSON === "function") continue;
    const before = seen.get(node);
    if (before !== undefined && before >= depth) continue;
    seen.set(node, depth);
    if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i--) {
        const child = node[i];
        if (isContainer(child))
          stack.push({ node: child, depth: depth + 1, path: path === "" ? String(i) : `${path}.${i}` });
      }
    } else {
      const keys = Object.keys(node);
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i] as string;
        const child = (node as Record<string, unknown>)[key];
        if (isContainer(child))
          stack.push({ node: child, depth: depth + 1, path: path === "" ? key : `${path}.${key}` });
      }
    }
  }
  return null;
}

/** How deep `value` nests, counted up to `limit + 1` at most (so the walk stops early); shared references are walked again only when reached deeper. */
export function depthUpTo(value: unknown, limit: number): number {
  if (!isContainer(value)) return 0;
  let deepest = 0;
  const seen = new Map<object, number>();
  const stack: { node: object; depth: number }[] = [{ node: value, depth: 1 }];
  while (stack.length > 0) {
    const top = stack.pop();
    if (top === undefined) break;
    const { node, depth } = top;
    if (depth > deepest) deepest = depth;
    if (deepest > limit) return deepest;
    if (typeof (node as { toJSON?: unknown }).toJSON === "function") continue;
    const before = seen.get(node);
    if (before !== undefined && before >= depth) continue;
    seen.set(node, depth);
    const children = Array.isArray(node) ? node : Object.values(node);
    for (const child of children) if (isContainer(child)) stack.push({ node: child, depth: depth + 1 });
  }
  return deepest;
}

/** A field path cut to a readable length. */
export function shortPath(path: string): string {
  return path.length <= MAX_PATH_CHARS ? path : `${path.slice(0, MAX_PATH_CHARS)}…`;
}

/**
 * A tool result as text: pretty-printed like the local runtime when it nests at most
 * PRETTY_MAX_DEPTH levels, compact beyond, so the text is at most a small constant times the
 * compact JSON. Throws when the value nests deeper than MAX_RESULT_DEPTH (serialising it could
 * overflow the stack) or cannot be serialised at all.
 */
export function formatJson(value: unknown): string | undefined {
  const depth = depthUpTo(value, MAX_RESULT_DEPTH);
  if (depth > MAX_RESULT_DEPTH) throw new Error(`the value nests deeper than ${MAX_RESULT_DEPTH} levels`);
  return depth <= PRETTY_MAX_DEPTH ? JSON.stringify(value, null, 2) : JSON.stringify(value);
}

/**
 * The raw text of the top-level member `key` of the JSON object `text`, or null. `text` must be
 * valid JSON (JSON.parse accepted it). The last occurrence wins, as with JSON.parse. One pass,
 * no recursion.
 */
export function rawMember(text: string, key: string): string | null {
  let i = skipSpace(text, 0);
  if (text[i] !== "{") return null;
  i++;
  let found: string | null = null;
  for (;;) {
    i = skipSpace(text, i);
    if (text[i] === "}") return found;
    const keyEnd = stringEnd(text, i);
    const spelled = text.slice(i + 1, keyEnd - 1);
    const name = spelled.includes("\\") ? (JSON.parse(text.slice(i, keyEnd)) as string) : spelled;
    i = skipSpace(text, keyEnd);
    i = skipSpace(text, i + 1); // the ':'
    const valueEnd = valueEndAt(text, i);
    if (name === key) found = text.slice(i, valueEnd);
    i = skipSpace(text, valueEnd);
    if (text[i] === ",") i++;
    else return found;
  }
}

/**
 * rawMember for a member the caller knows the object has (JSON.parse found it at the top level).
 * In JSON without a backslash every key and string is spelled literally, so a `"key"` that occurs
 * once can only be that member's name, and its value is read from there without walking the
 * members around it (the params of a tools/call, say); otherwise rawMember walks them.
 */
export function rawKnownMember(text: string, key: string): string | null {
  const quoted = JSON.stringify(key);
  const at = text.indexOf(quoted);
  if (at === -1 || text.includes("\\") || text.indexOf(quoted, at + 1) !== -1) return rawMember(text, key);
  const colon = skipSpace(text, at + quoted.length);
  if (text[colon] !== ":") return rawMember(text, key);
  const start = skipSpace(text, colon + 1);
  return text.slice(start, valueEndAt(text, start));
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && (text[i] === " " || text[i] === "\t" || text[i] === "\n" || text[i] === "\r")) i++;
  return i;
}

/** The index after the string starting at `i` (a '"'). */
function stringEnd(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    const c = text[j];
    if (c === "\\") j++;
    else if (c === '"') return j + 1;
  }
  return text.length;
}

/** The index after the JSON value starting at `i`. */
function valueEndAt(text: string, i: number): number {
  const first = text[i];
  if (first === '"') return stringEnd(text, i);
  if (first === "{" || first === "[") {
    let depth = 0;
    for (let j = i; j < text.length; j++) {
      const c = text[j];
      if (c === '"') j = stringEnd(text, j) - 1;
      else if (c === "{" || c === "[") depth++;
      else if (c === "}" || c === "]") {
        depth--;
        if (depth === 0) return j + 1;
      }
    }
    return text.length;
  }
  let j = i;
  while (j < text.length && !",}] \t\n\r".includes(text.charAt(j))) j++;
  return j;
}

/**
 * An internal failure: the detail goes to the log under a fresh reference, the client gets the
 * reference only (no message, no stack).
 */
export function internalError(where: string, error: unknown): string {
  const reference = crypto.randomUUID().slice(0, 8);
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  console.error(`photon-cf internal error ${reference} (${where}): ${detail}`);
  return `Internal error (reference ${reference})`;
}
