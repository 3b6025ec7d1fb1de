// An in-memory stand-in for the part of DurableObjectStorage the runtime's logic tests drive
// (get/put/delete/list and the alarm), values cloned as storage clones them, with reads counted
// (`reads.gets` per get, `reads.listed` per entry a list returns) for tests that bound them.

export function memoryStorage() {
  const data = new Map();
  let alarm = null;
  const reads = { gets: 0, listed: 0 };
  return {
    data,
    reads,
    async get(key) {
      reads.gets += 1;
      return data.has(key) ? structuredClone(data.get(key)) : undefined;
    },
    async put(key, value) {
      data.set(key, structuredClone(value));
    },
    async delete(keys) {
      if (Array.isArray(keys)) return keys.filter((k) => data.delete(k)).length;
      return data.delete(keys);
    },
    async list({ prefix = "" } = {}) {
      const found = Array.from(data.keys())
        .filter((k) => k.startsWith(prefix))
        .sort();
      reads.listed += found.length;
      return new Map(found.map((k) => [k, structuredClone(data.get(k))]));
    },
    async getAlarm() {
      return alarm;
    },
    async setAlarm(time) {
      alarm = typeof time === "number" ? time : time.getTime();
    },
    async deleteAlarm() {
      alarm = null;
    },
  };
}
