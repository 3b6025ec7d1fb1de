// Named locks of one photon instance, the single table behind both `@locked` methods and the photon-core base class's `this.withLock`.
// A Durable Object instance is the only writer of its state, so an in-memory queue per lock name
// gives the mutual exclusion the local daemon's lock gives, across awaits, which is what photons
// use it for. Both ways of taking a lock must find the same table, or a `@locked x` method and
// `this.withLock('x', ...)` would run side by side: the Durable Object creates the table and
// shares it with its photon object (`shareLocks`); the base class finds it through `locksOf`.

/** FIFO locks by name: `run` waits for every earlier holder of the same name. */
export class LockTable {
  #tails = new Map<string, Promise<void>>();

  async run<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(name) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => mine);
    this.#tails.set(name, tail);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      // The last waiter removes its entry, so lock names do not accumulate.
      if (this.#tails.get(name) === tail) this.#tails.delete(name);
    }
  }
}

// Kept off the photon object, so `Object.keys(photon)` and JSON views of it stay what the photon set.
const tables = new WeakMap<object, LockTable>();

/** Makes `table` the lock table `locksOf(owner)` returns. */
export function shareLocks(owner: object, table: LockTable): void {
  tables.set(owner, table);
}

/** The lock table of `owner`: the one shared with it, else its own, created on first use. */
export function locksOf(owner: object): LockTable {
  let table = tables.get(owner);
  if (!table) {
    table = new LockTable();
    tables.set(owner, table);
  }
  return table;
}
