// The `io` yield factories (`io.emit.*`, `io.ask.*`) a generator tool yields, and the yield shapes the runtime drives.

export type EmitYield = { emit: string; [key: string]: unknown };
export type AskYield = { ask: string; message: string; [key: string]: unknown };

type Options = Record<string, unknown> | undefined;

/** `fields` without its undefined entries, so optional arguments leave no `key: undefined`. */
export const defined = (fields: Record<string, unknown>): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) out[key] = value;
  return out;
};

export const emitYield = (kind: string, fields: Record<string, unknown>): EmitYield =>
  ({ emit: kind, ...defined(fields) }) as EmitYield;
export const askYield = (kind: string, message: string, fields: Options): AskYield =>
  ({ ask: kind, message, ...(fields ?? {}) }) as AskYield;

export const io = {
  emit: {
    status: (message: string, type?: string) => emitYield("status", { message, type }),
    progress: (value: number, message?: string, meta?: Record<string, unknown>) =>
      emitYield("progress", { value, message, meta }),
    stream: (data: unknown, final?: boolean, contentType?: string) => emitYield("stream", { data, final, contentType }),
    log: (message: string, level?: string, data?: Record<string, unknown>) =>
      emitYield("log", { message, level, data }),
    toast: (message: string, type?: string, duration?: number) => emitYield("toast", { message, type, duration }),
    thinking: (active: boolean) => emitYield("thinking", { active }),
    artifact: (type: string, options?: Record<string, unknown>) => emitYield("artifact", { type, ...(options ?? {}) }),
    ui: (id: string | null, options?: Record<string, unknown>) =>
      emitYield("ui", { id: id ?? undefined, ...(options ?? {}) }),
  },
  ask: {
    text: (message: string, options?: Options) => askYield("text", message, options),
    password: (message: string, options?: Options) => askYield("password", message, options),
    confirm: (message: string, options?: Options) => askYield("confirm", message, options),
    select: (message: string, options: unknown[], config?: Options) =>
      askYield("select", message, { options, ...(config ?? {}) }),
    number: (message: string, options?: Options) => askYield("number", message, options),
    file: (message: string, options?: Options) => askYield("file", message, options),
    date: (message: string, options?: Options) => askYield("date", message, options),
    form: (message: string, schema: unknown, options?: Options) =>
      askYield("form", message, { schema, ...(options ?? {}) }),
    url: (message: string, url: string, options?: Options) => askYield("url", message, { url, ...(options ?? {}) }),
  },
} as const;
export const emit = io.emit;
export const ask = io.ask;
