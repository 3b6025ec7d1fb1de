/**
 * The photon side of the load benchmark: one tool doing one storage increment, the same work
 * as the hand-written baseline in ./baseline.
 */
export default class BenchCounter {
  /**
   * Add one to the counter and return the new value.
   */
  async increment(): Promise<number> {
    const memory = (this as any).memory;
    const count = ((await memory.get('count')) ?? 0) + 1;
    await memory.set('count', count);
    return count;
  }
}
