// `Collection`: an array with query helpers (where, sortBy, groupBy, sum...) that serialises as a plain array, or as a `collection:<format>` view after `as()`.

// biome-ignore-all lint/suspicious/noExplicitAny: items are the photon's own objects, of any shape (an interface type has no index signature, so only `any` accepts it); fields are read by name and compared as upstream's Collection compares them.

type CompareOp = "=" | "!=" | ">" | "<" | ">=" | "<=" | "===";
type Key<T> = keyof T & string;

const field = (item: unknown, key: string): any => (item as Record<string, unknown> | null)?.[key];

export class Collection<T> extends Array<T> {
  // Native map/filter/slice build plain arrays: only the helpers below return Collections.
  static get [Symbol.species](): ArrayConstructor {
    return Array;
  }

  // Non-enumerable, so the array's own keys stay its items.
  declare private renderHint: { format: string; options?: Record<string, unknown> } | null;

  constructor(items?: T[] | number) {
    super();
    Object.defineProperty(this, "renderHint", { value: null, writable: true, enumerable: false });
    if (Array.isArray(items)) for (const item of items) this.push(item);
  }

  static override from<T>(items: Iterable<T> | ArrayLike<T>): Collection<T> {
    return new Collection<T>(Array.from(items));
  }

  where(key: Key<T>, opOrValue: unknown, value?: unknown): Collection<T> {
    const [op, expected] =
      value === undefined ? (["=", opOrValue] as const) : ([opOrValue as CompareOp, value] as const);
    return this.query((item) => {
      const actual = field(item, key);
      switch (op) {
        case "=":
          // biome-ignore lint/suspicious/noDoubleEquals: '=' compares loosely as upstream's where() does ('1' matches 1); '===' is the strict one.
          return actual == expected;
        case "===":
          return actual === expected;
        case "!=":
          // biome-ignore lint/suspicious/noDoubleEquals: the loose negation of '=' above.
          return actual != expected;
        case ">":
          return actual > (expected as any);
        case "<":
          return actual < (expected as any);
        case ">=":
          return actual >= (expected as any);
        case "<=":
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

  sortBy(keyOrFn: Key<T> | ((a: T, b: T) => number), direction: "asc" | "desc" = "asc"): Collection<T> {
    const items = Array.from(this);
    const sign = direction === "asc" ? 1 : -1;
    items.sort(
      typeof keyOrFn === "function"
        ? keyOrFn
        : (a, b) => (field(a, keyOrFn) < field(b, keyOrFn) ? -sign : field(a, keyOrFn) > field(b, keyOrFn) ? sign : 0),
    );
    return new Collection<T>(items);
  }

  groupBy(keyOrFn: Key<T> | ((item: T) => string)): Record<string, Collection<T>> {
    const groups: Record<string, Collection<T>> = {};
    for (const item of this) {
      const group = typeof keyOrFn === "function" ? keyOrFn(item) : String(field(item, keyOrFn));
      const bucket = groups[group] ?? new Collection<T>();
      bucket.push(item);
      groups[group] = bucket;
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
