//! Workers-safe stand-in for `@portel/photon-core`, the module a photon's
//! `import { PhotonMCP, io, Table } from '@portel/photon-core'` resolves to in the generated
//! project (wrangler.toml `[alias]`). The npm package's entry re-exports modules that need `fs`,
//! `path`, `child_process` and `typescript`, so it can never be bundled for a Worker; this file
//! keeps only what photons use at run time: the base class, `io` yield factories, the pure
//! data builders and `Collection`.
//!
//! The capabilities (`emit`, `memory`, `schedule`, `call`, `sample`, `confirm`, `elicit`,
//! `instanceName`, `callerCwd`, `env`, `caller`) are installed on each instance by the runtime,
//! exactly as on a plain class. The base class therefore only *declares* them for the type
//! checker (interface merging, below): it defines no property or method of those names, so the
//! runtime's `Object.defineProperty` on the instance never meets a conflicting member, and a
//! photon that defines one of them itself still wins. The emit helpers (`status`, `progress`,
//! `log`, `toast`, `thinking`, `render`) are real methods here and go through `this.emit`.

// ─── yields (`io`) ─────────────────────────────────────────────────────────────────────────

export type EmitYield = { emit: string; [key: string]: unknown };
export type AskYield = { ask: string; message: string; [key: string]: unknown };

type Options = Record<string, unknown> | undefined;

const defined = (fields: Record<string, unknown>): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) out[key] = value;
  return out;
};

const emitYield = (kind: string, fields: Record<string, unknown>): EmitYield =>
  ({ emit: kind, ...defined(fields) }) as EmitYield;
const askYield = (kind: string, message: string, fields: Options): AskYield =>
  ({ ask: kind, message, ...(fields ?? {}) }) as AskYield;

export const io = {
  emit: {
    status: (message: string, type?: string) => emitYield('status', { message, type }),
    progress: (value: number, message?: string, meta?: Record<string, unknown>) =>
      emitYield('progress', { value, message, meta }),
    stream: (data: unknown, final?: boolean, contentType?: string) =>
      emitYield('stream', { data, final, contentType }),
    log: (message: string, level?: string, data?: Record<string, unknown>) =>
      emitYield('log', { message, level, data }),
    toast: (message: string, type?: string, duration?: number) =>
      emitYield('toast', { message, type, duration }),
    thinking: (active: boolean) => emitYield('thinking', { active }),
    artifact: (type: string, options?: Record<string, unknown>) =>
      emitYield('artifact', { type, ...(options ?? {}) }),
    ui: (id: string | null, options?: Record<string, unknown>) =>
      emitYield('ui', { id: id ?? undefined, ...(options ?? {}) }),
  },
  ask: {
    text: (message: string, options?: Options) => askYield('text', message, options),
    password: (message: string, options?: Options) => askYield('password', message, options),
    confirm: (message: string, options?: Options) => askYield('confirm', message, options),
    select: (message: string, options: unknown[], config?: Options) =>
      askYield('select', message, { options, ...(config ?? {}) }),
    number: (message: string, options?: Options) => askYield('number', message, options),
    file: (message: string, options?: Options) => askYield('file', message, options),
    date: (message: string, options?: Options) => askYield('date', message, options),
    form: (message: string, schema: unknown, options?: Options) =>
      askYield('form', message, { schema, ...(options ?? {}) }),
    url: (message: string, url: string, options?: Options) =>
      askYield('url', message, { url, ...(options ?? {}) }),
  },
} as const;
export const emit = io.emit;
export const ask = io.ask;

// ─── the base class ────────────────────────────────────────────────────────────────────────

type Scope = 'photon' | 'session' | 'global' | { scope?: string; namespace?: string };

/** `this.memory` as photons call it (generic like the local MemoryProvider, for `get<T>(...)`). */
export interface PhotonMemory {
  get<T = any>(key: string, scope?: Scope): Promise<T | null>;
  set<T = any>(key: string, value: T, scope?: Scope): Promise<void>;
  delete(key: string, scope?: Scope): Promise<boolean>;
  has(key: string, scope?: Scope): Promise<boolean>;
  keys(scope?: Scope): Promise<string[]>;
  clear(scope?: Scope): Promise<void>;
  getAll<T = any>(scope?: Scope): Promise<Record<string, T>>;
  list<T = any>(prefix?: string, scope?: Scope): Promise<{ key: string; value: T }[]>;
  update<T = any>(key: string, fn: (current: T | null) => T | Promise<T>, scope?: Scope): Promise<T>;
  [other: string]: any;
}

/** `this.schedule` (the local ScheduleProvider's API). */
export interface PhotonSchedule {
  create(options: { name: string; schedule: string; method: string; params?: Record<string, unknown>; description?: string; fireOnce?: boolean; maxExecutions?: number }): Promise<any>;
  get(id: string): Promise<any | null>;
  getByName(name: string): Promise<any | null>;
  list(status?: 'active' | 'paused' | 'completed' | 'error'): Promise<any[]>;
  update(id: string, updates: Record<string, unknown>): Promise<any>;
  pause(id: string): Promise<any>;
  resume(id: string): Promise<any>;
  cancel(id: string): Promise<boolean>;
  cancelByName(name: string): Promise<boolean>;
  has(name: string): Promise<boolean>;
  cancelAll(): Promise<number>;
}

/** What the runtime installs on every photon instance (see the file comment). */
export interface Photon {
  emit(data: unknown, payload?: unknown): void;
  memory: PhotonMemory;
  schedule: PhotonSchedule;
  call(target: string, params?: Record<string, unknown>, options?: { instance?: string }): Promise<any>;
  sample(params: Record<string, unknown>): Promise<string>;
  confirm(question: string): Promise<boolean>;
  elicit<T = unknown>(ask: Record<string, unknown>): Promise<T>;
  instanceName: string;
  callerCwd: string | undefined;
  env: any;
  caller: { id: string; name?: string; anonymous: boolean; scope?: string; claims?: Record<string, unknown> };
  /** class-derived id the runtime sets; used by `getMCPName` like upstream */
  _photonName?: string;
}

/**
 * Base class of photons that `extends Photon` / `extends PhotonMCP`. Optional: a plain class
 * gets the same capabilities.
 */
export class Photon {
  /** PascalCase class name to kebab-case, a trailing `MCP` dropped (`TodoListMCP` → `todo-list`). */
  static getMCPName(): string {
    return this.name
      .replace(/MCP$/, '')
      .replace(/([A-Z])/g, '-$1')
      .toLowerCase()
      .replace(/^-/, '');
  }

  /** Public methods of the subclass chain, without lifecycle hooks or `_private` ones. */
  static getToolMethods(): string[] {
    const skip = new Set(['constructor', 'onInitialize', 'onShutdown', 'configure', 'getConfig']);
    const names: string[] = [];
    for (let proto = this.prototype; proto && proto !== Photon.prototype; proto = Object.getPrototypeOf(proto)) {
      for (const name of Object.getOwnPropertyNames(proto)) {
        const member = Object.getOwnPropertyDescriptor(proto, name)?.value;
        if (!name.startsWith('_') && !skip.has(name) && typeof member === 'function' && !names.includes(name)) {
          names.push(name);
        }
      }
    }
    return names;
  }

  /** The base class's own dispatcher: passes the arguments object as is (no spreading). */
  async executeTool(toolName: string, parameters: unknown): Promise<unknown> {
    const method = (this as any)[toolName];
    if (typeof method !== 'function') throw new Error(`Tool not found: ${toolName}`);
    return method.call(this, parameters);
  }

  protected status(message: string, value?: number): void {
    this.emit(value === undefined ? { emit: 'status', message } : { emit: 'status', message, value });
  }

  protected progress(value: number, message?: string, meta?: Record<string, unknown>): void {
    this.emit(emitYield('progress', { value, message, meta }));
  }

  protected toast(message: string, options: { type?: string; duration?: number } = {}): void {
    this.emit({ emit: 'toast', message, ...options });
  }

  protected log(message: string, options: { level?: string; data?: unknown } = {}): void {
    this.emit(emitYield('log', { message, level: options.level ?? 'info', data: options.data }));
  }

  protected thinking(active = true): void {
    this.emit({ emit: 'thinking', active });
  }

  /** No arguments clears; `status` / `progress` / `toast` go to their own events, like locally. */
  protected render(format?: string, value?: any): void {
    if (format === undefined) return this.emit({ emit: 'render:clear' });
    const shaped = (kind: string, key: string, scalar: string) =>
      typeof value === scalar ? { emit: kind, [key]: value } : { emit: kind, ...(value ?? {}) };
    if (format === 'status') return this.emit(shaped('status', 'message', 'string'));
    if (format === 'progress') return this.emit(shaped('progress', 'value', 'number'));
    if (format === 'toast') return this.emit(shaped('toast', 'message', 'string'));
    this.emit({ emit: 'render', format, value });
  }

  /** Builds an ask yield: `const x = yield this.ask('select', 'Pick one', {options})`. */
  protected ask(type: string, message: string, options?: Record<string, unknown>): AskYield {
    return askYield(type, message, options);
  }

  /** `this.mcp(name)` needs an MCP client factory, which a Worker does not have. */
  mcp(name: string): never {
    throw new Error(`this.mcp('${name}') is not available on Cloudflare Workers: there is no MCP client factory.`);
  }

  hasMCPAccess(): boolean {
    return false;
  }

  async listMCPServers(): Promise<string[]> {
    return [];
  }

  /**
   * Runs `fn` holding a lock named `name` within this instance. A Durable Object instance is the
   * only writer of its state, so an in-object queue gives the mutual exclusion the daemon's
   * socket lock gives locally (across awaits, which is what photons use it for).
   */
  protected async withLock<T>(name: string, fn: () => Promise<T>, _timeout?: number): Promise<T> {
    const locks = lockTable(this);
    const previous = locks.get(name) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => mine);
    locks.set(name, tail);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      if (locks.get(name) === tail) locks.delete(name);
    }
  }
}

// Kept off the instance so `Object.keys(photon)` and JSON views of it stay what the photon set.
const lockTables = new WeakMap<object, Map<string, Promise<void>>>();
function lockTable(owner: object): Map<string, Promise<void>> {
  let table = lockTables.get(owner);
  if (!table) lockTables.set(owner, (table = new Map()));
  return table;
}

/** The historical name of the same base class. */
export { Photon as PhotonMCP };
export default Photon;

// ─── data builders (returned from tools; serialised through toJSON) ─────────────────────────

type Row = Record<string, any>;

abstract class UIType {
  abstract readonly _photonType: string;
  protected options: Record<string, unknown> = {};
  protected set(key: string, value: unknown): this {
    this.options[key] = value;
    return this;
  }
  title(title: string): this {
    return this.set('title', title);
  }
  abstract toJSON(): Record<string, unknown>;
}

function labelOf(key: string): string {
  const spaced = key.replace(/([A-Z])/g, ' $1').replace(/[_-]/g, ' ').trim();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

/** A typed column of the field-based Table API: `{type, source, options}`. */
export interface FieldDefinition {
  type: string;
  source: string;
  options: Record<string, unknown>;
  actions?: unknown[];
}

type FieldOptions = Record<string, unknown>;
const FIELD_TYPES = [
  'text', 'email', 'url', 'phone', 'number', 'currency', 'percent', 'date', 'datetime', 'time',
  'boolean', 'image', 'avatar', 'gallery', 'file', 'badge', 'tags', 'rating', 'price', 'stock',
  'quantity', 'user', 'reference',
] as const;
type FieldType = (typeof FIELD_TYPES)[number];

/** `Field.text('name')`, `Field.badge('status', {colors})`, ...: field definitions as data. */
export const Field = Object.fromEntries(
  FIELD_TYPES.map((type) => [type, (source: string, options?: FieldOptions): FieldDefinition => ({ type, source, options: options ?? {} })]),
) as unknown as Record<FieldType, (source: string, options?: FieldOptions) => FieldDefinition>;

export class Table extends UIType {
  readonly _photonType = 'table' as const;
  private cols: Row[] = [];
  private fieldList: FieldDefinition[] = [];
  private data: Row[] = [];
  constructor(data?: Row[]) {
    super();
    if (Array.isArray(data)) this.rows(data);
  }
  column(key: string, label?: string, type = 'string', options?: Row): this {
    this.cols.push({ key, label: label ?? labelOf(key), type, ...(options ?? {}) });
    return this;
  }
  columns(columns: unknown[]): this {
    for (const column of Array.isArray(columns) ? columns : []) {
      if (Array.isArray(column)) this.column(String(column[0]), column[1] as string | undefined, column[2] as string | undefined);
      else if (column && typeof column === 'object') this.cols.push(column as Row);
    }
    return this;
  }
  rows(data: Row[]): this {
    this.data = Array.isArray(data) ? data : [];
    return this;
  }
  row(data: Row): this {
    this.data.push(data);
    return this;
  }
  fields(definitions: FieldDefinition[]): this {
    this.fieldList = Array.isArray(definitions) ? [...definitions] : [];
    return this;
  }
  field(definition: FieldDefinition): this {
    this.fieldList.push(definition);
    return this;
  }
  private typed(type: FieldType, source: string, options?: FieldOptions): this {
    return this.field({ type, source, options: options ?? {} });
  }
  text(source: string, options?: FieldOptions): this {
    return this.typed('text', source, options);
  }
  email(source: string, options?: FieldOptions): this {
    return this.typed('email', source, options);
  }
  url(source: string, options?: FieldOptions): this {
    return this.typed('url', source, options);
  }
  phone(source: string, options?: FieldOptions): this {
    return this.typed('phone', source, options);
  }
  number(source: string, options?: FieldOptions): this {
    return this.typed('number', source, options);
  }
  currency(source: string, options?: FieldOptions): this {
    return this.typed('currency', source, options);
  }
  percent(source: string, options?: FieldOptions): this {
    return this.typed('percent', source, options);
  }
  date(source: string, options?: FieldOptions): this {
    return this.typed('date', source, options);
  }
  datetime(source: string, options?: FieldOptions): this {
    return this.typed('datetime', source, options);
  }
  boolean(source: string, options?: FieldOptions): this {
    return this.typed('boolean', source, options);
  }
  image(source: string, options?: FieldOptions): this {
    return this.typed('image', source, options);
  }
  avatar(source: string, options?: FieldOptions): this {
    return this.typed('avatar', source, options);
  }
  badge(source: string, options?: FieldOptions): this {
    return this.typed('badge', source, options);
  }
  tags(source: string, options?: FieldOptions): this {
    return this.typed('tags', source, options);
  }
  rating(source: string, options?: FieldOptions): this {
    return this.typed('rating', source, options);
  }
  price(source: string, options?: FieldOptions): this {
    return this.typed('price', source, options);
  }
  stock(source: string, options?: FieldOptions): this {
    return this.typed('stock', source, options);
  }
  user(source: string, options?: FieldOptions): this {
    return this.typed('user', source, options);
  }
  reference(source: string, options?: FieldOptions): this {
    return this.typed('reference', source, options);
  }
  actions(items: unknown[], options?: FieldOptions): this {
    return this.field({ type: 'actions', source: '', options: options ?? {}, actions: Array.isArray(items) ? items : [] });
  }
  /** A render function cannot travel as JSON: the column is kept, the function is not. */
  custom(source: string, _render?: unknown, options?: FieldOptions): this {
    return this.field({ type: 'custom', source, options: options ?? {} });
  }
  searchable(on = true): this {
    return this.set('searchable', on);
  }
  sortable(on = true): this {
    return this.set('sortable', on);
  }
  paginated(pageSize = 10): this {
    return this.set('paginated', true).set('pageSize', pageSize);
  }
  selectable(on = true): this {
    return this.set('selectable', on);
  }
  striped(on = true): this {
    return this.set('striped', on);
  }
  compact(on = true): this {
    return this.set('compact', on);
  }
  get length(): number {
    return this.data.length;
  }
  get isEmpty(): boolean {
    return this.data.length === 0;
  }
  toJSON(): Record<string, unknown> {
    // Columns come from the first row when none were given, as upstream infers them.
    const first = this.data[0];
    const columns =
      this.cols.length > 0 || this.fieldList.length > 0 || !first || typeof first !== 'object'
        ? this.cols
        : Object.keys(first).map((key) => ({ key, label: labelOf(key), type: typeof first[key] === 'number' ? 'number' : 'string' }));
    return { _photonType: this._photonType, columns, fields: this.fieldList, rows: this.data, options: this.options };
  }
}

export class Chart extends UIType {
  readonly _photonType = 'chart' as const;
  private labelList: string[] = [];
  private seriesList: Row[] = [];
  private points: Row[] = [];
  constructor(private readonly chartType: string = 'line') {
    super();
  }
  subtitle(text: string): this {
    return this.set('subtitle', text);
  }
  labels(labels: string[]): this {
    this.labelList = Array.isArray(labels) ? labels : [];
    return this;
  }
  series(name: string, data: number[], color?: string): this {
    this.seriesList.push(defined({ name, data: Array.isArray(data) ? data : [], color }));
    return this;
  }
  data(points: Row[]): this {
    this.points = Array.isArray(points) ? points : [];
    return this;
  }
  legend(position: boolean | string = true): this {
    return this.set('legend', position);
  }
  stacked(on = true): this {
    return this.set('stacked', on);
  }
  grid(on = true): this {
    return this.set('showGrid', on);
  }
  showValues(on = true): this {
    return this.set('showValues', on);
  }
  animate(on = true): this {
    return this.set('animate', on);
  }
  height(pixels: number): this {
    return this.set('height', pixels);
  }
  colors(colors: string[]): this {
    return this.set('colors', colors);
  }
  xAxis(label: string): this {
    return this.set('xAxisLabel', label);
  }
  yAxis(label: string): this {
    return this.set('yAxisLabel', label);
  }
  toJSON(): Record<string, unknown> {
    return {
      _photonType: this._photonType,
      chartType: this.chartType,
      labels: this.labelList,
      series: this.seriesList,
      data: this.points,
      options: this.options,
    };
  }
}

export class Stats extends UIType {
  readonly _photonType = 'stats' as const;
  private items: Row[] = [];
  stat(label: string, value: number | string, options?: Row): this {
    this.items.push({ label, value, ...(options ?? {}) });
    return this;
  }
  currency(label: string, value: number, options: Row = {}): this {
    return this.stat(label, value, { format: 'currency', prefix: '$', ...options });
  }
  percent(label: string, value: number, options: Row = {}): this {
    return this.stat(label, value, { format: 'percent', suffix: '%', ...options });
  }
  count(label: string, value: number, options: Row = {}): this {
    return this.stat(label, value, { format: 'compact', ...options });
  }
  columns(count: number): this {
    return this.set('columns', count);
  }
  compact(on = true): this {
    return this.set('compact', on);
  }
  bordered(on = true): this {
    return this.set('bordered', on);
  }
  animated(on = true): this {
    return this.set('animated', on);
  }
  get length(): number {
    return this.items.length;
  }
  toJSON(): Record<string, unknown> {
    return { _photonType: this._photonType, stats: this.items, options: this.options };
  }
}

export class Cards extends UIType {
  readonly _photonType = 'cards' as const;
  private data: Row[] = [];
  private fields: Record<string, unknown> = {};
  constructor(items?: Row[]) {
    super();
    if (Array.isArray(items)) this.data = items;
  }
  private field(slot: string, name: string): this {
    this.fields[slot] = name;
    return this;
  }
  image(field: string): this {
    return this.field('image', field);
  }
  heading(field: string): this {
    return this.field('heading', field);
  }
  subtitle(field: string): this {
    return this.field('subtitle', field);
  }
  description(field: string): this {
    return this.field('description', field);
  }
  badge(field: string): this {
    return this.field('badge', field);
  }
  footer(field: string): this {
    return this.field('footer', field);
  }
  link(field: string): this {
    return this.field('link', field).set('clickable', true);
  }
  meta(...fields: string[]): this {
    this.fields.meta = fields;
    return this;
  }
  items(data: Row[]): this {
    this.data = Array.isArray(data) ? data : [];
    return this;
  }
  item(data: Row): this {
    this.data.push(data);
    return this;
  }
  columns(count: number): this {
    return this.set('columns', count);
  }
  compact(on = true): this {
    return this.set('compact', on);
  }
  clickable(on = true): this {
    return this.set('clickable', on);
  }
  hoverable(on = true): this {
    return this.set('hoverable', on);
  }
  bordered(on = true): this {
    return this.set('bordered', on);
  }
  aspectRatio(ratio: string): this {
    return this.set('aspectRatio', ratio);
  }
  get length(): number {
    return this.data.length;
  }
  toJSON(): Record<string, unknown> {
    return { _photonType: this._photonType, items: this.data, fields: this.fields, options: this.options };
  }
}

export class Progress extends UIType {
  readonly _photonType = 'progress' as const;
  private current = 0;
  private max = 100;
  private bars: Row[] = [];
  private steps: Row[] = [];
  constructor(valueOrStyle?: number | string) {
    super();
    if (typeof valueOrStyle === 'number') this.current = valueOrStyle;
    else if (typeof valueOrStyle === 'string') this.set('style', valueOrStyle);
  }
  value(value: number, max?: number): this {
    this.current = value;
    if (max !== undefined) this.max = max;
    return this;
  }
  label(text: string): this {
    return this.set('title', text);
  }
  bar(label: string, value: number, options: Row = {}): this {
    this.bars.push({ label, value, max: 100, showValue: true, ...options });
    return this;
  }
  step(label: string, status = 'pending', options: Row = {}): this {
    this.steps.push({ label, status, ...options });
    return this.set('style', 'steps');
  }
  color(color: string): this {
    return this.set('color', color);
  }
  size(size: string): this {
    return this.set('size', size);
  }
  striped(on = true): this {
    return this.set('striped', on);
  }
  animated(on = true): this {
    return this.set('animated', on);
  }
  showValue(on = true): this {
    return this.set('showValue', on);
  }
  circle(): this {
    return this.set('style', 'circle');
  }
  toJSON(): Record<string, unknown> {
    return {
      _photonType: this._photonType,
      value: this.current,
      max: this.max,
      bars: this.bars,
      steps: this.steps,
      options: this.options,
    };
  }
}

// ─── Collection (an array with query helpers; serialises as a plain array) ─────────────────

type CompareOp = '=' | '!=' | '>' | '<' | '>=' | '<=' | '===';
type Key<T> = keyof T & string;

const field = (item: unknown, key: string): any => (item as Record<string, unknown> | null)?.[key];

export class Collection<T> extends Array<T> {
  // Native map/filter/slice build plain arrays: only the helpers below return Collections.
  static get [Symbol.species](): ArrayConstructor {
    return Array;
  }

  // Non-enumerable, so the array's own keys stay its items.
  private declare renderHint: { format: string; options?: Record<string, unknown> } | null;

  constructor(items?: T[] | number) {
    super();
    Object.defineProperty(this, 'renderHint', { value: null, writable: true, enumerable: false });
    if (Array.isArray(items)) for (const item of items) this.push(item);
  }

  static override from<T>(items: Iterable<T> | ArrayLike<T>): Collection<T> {
    return new Collection<T>(Array.from(items));
  }

  where(key: Key<T>, opOrValue: unknown, value?: unknown): Collection<T> {
    const [op, expected] = value === undefined ? (['=', opOrValue] as const) : ([opOrValue as CompareOp, value] as const);
    return this.query((item) => {
      const actual = field(item, key);
      switch (op) {
        case '=':
          return actual == expected;
        case '===':
          return actual === expected;
        case '!=':
          return actual != expected;
        case '>':
          return actual > (expected as any);
        case '<':
          return actual < (expected as any);
        case '>=':
          return actual >= (expected as any);
        case '<=':
          return actual <= (expected as any);
        default:
          return false;
      }
    });
  }

  query(predicate: (item: T) => boolean): Collection<T> {
    return new Collection<T>(Array.prototype.filter.call(this, predicate) as T[]);
  }

  collect<U>(fn: (item: T) => U): Collection<U> {
    return new Collection<U>(Array.prototype.map.call(this, fn) as U[]);
  }

  pluck<K extends keyof T>(key: K): Collection<T[K]> {
    return this.collect((item) => item[key]);
  }

  sortBy(keyOrFn: Key<T> | ((a: T, b: T) => number), direction: 'asc' | 'desc' = 'asc'): Collection<T> {
    const items = Array.from(this);
    const sign = direction === 'asc' ? 1 : -1;
    items.sort(
      typeof keyOrFn === 'function'
        ? keyOrFn
        : (a, b) => (field(a, keyOrFn) < field(b, keyOrFn) ? -sign : field(a, keyOrFn) > field(b, keyOrFn) ? sign : 0),
    );
    return new Collection<T>(items);
  }

  groupBy(keyOrFn: Key<T> | ((item: T) => string)): Record<string, Collection<T>> {
    const groups: Record<string, Collection<T>> = {};
    for (const item of this) {
      const group = typeof keyOrFn === 'function' ? keyOrFn(item) : String(field(item, keyOrFn));
      (groups[group] ??= new Collection<T>()).push(item);
    }
    return groups;
  }

  unique(key?: Key<T>): Collection<T> {
    const seen = new Set<unknown>();
    return this.query((item) => {
      const value = key ? field(item, key) : item;
      if (seen.has(value)) return false;
      seen.add(value);
      return true;
    });
  }

  take(n: number): Collection<T> {
    return new Collection<T>(Array.prototype.slice.call(this, 0, n) as T[]);
  }

  skip(n: number): Collection<T> {
    return new Collection<T>(Array.prototype.slice.call(this, n) as T[]);
  }

  first(predicate?: (item: T) => boolean): T | undefined {
    return predicate ? this.find(predicate) : this[0];
  }

  last(predicate?: (item: T) => boolean): T | undefined {
    for (let i = this.length - 1; i >= 0; i -= 1) if (!predicate || predicate(this[i] as T)) return this[i];
    return undefined;
  }

  count(): number {
    return this.length;
  }

  isEmpty(): boolean {
    return this.length === 0;
  }

  sum(key?: Key<T>): number {
    let total = 0;
    for (const item of this) total += Number(key ? field(item, key) : item) || 0;
    return total;
  }

  avg(key?: Key<T>): number {
    return this.length === 0 ? 0 : this.sum(key) / this.length;
  }

  min(key?: Key<T>): T | undefined {
    return this.pick(key, (a, b) => a < b);
  }

  max(key?: Key<T>): T | undefined {
    return this.pick(key, (a, b) => a > b);
  }

  private pick(key: Key<T> | undefined, better: (a: any, b: any) => boolean): T | undefined {
    let best: T | undefined;
    for (const item of this) {
      if (best === undefined || better(key ? field(item, key) : item, key ? field(best, key) : best)) best = item;
    }
    return best;
  }

  aggregate<U>(fn: (acc: U, item: T) => U, initial: U): U {
    let acc = initial;
    for (const item of this) acc = fn(acc, item);
    return acc;
  }

  /** A rendering hint: the collection then serialises as `{_photonType: 'collection:<format>', ...}`. */
  as(format: string, options?: Record<string, unknown>): this {
    this.renderHint = options ? { format, options } : { format };
    return this;
  }

  toJSON(): T[] | Record<string, unknown> {
    const items = Array.from(this);
    if (!this.renderHint) return items;
    return {
      _photonType: `collection:${this.renderHint.format}`,
      items,
      count: items.length,
      ...(this.renderHint.options ? { renderOptions: this.renderHint.options } : {}),
    };
  }
}
