// A bounded map for in-memory copies of store rows: the oldest entry goes when it is full, and an
// evicted entry is simply read again. Used for export rows (exports/exports-repo.ts), an export's
// child lists (exports/export-view.ts), so a poll of GET /v1/exports/{id} under load reads no
// SQLite at all, and dataset records (datasets/datasets-repo.ts).
export interface BoundedCache<V> {
  get(key: string): V | undefined;
  set(key: string, value: V): void;
  delete(key: string): void;
}

/** How many exports each exports cache holds. */
export const EXPORTS_CACHED = 2000;

/** `max` 0 caches nothing: a store other processes write too (store-db.ts isShared). */
export function boundedCache<V>(max = EXPORTS_CACHED): BoundedCache<V> {
  const map = new Map<string, V>();
  if (max === 0) return { get: () => undefined, set: () => undefined, delete: () => undefined };
  return {
    get: (key) => map.get(key),
    set(key, value) {
      if (!map.has(key) && map.size >= max) map.delete(map.keys().next().value as string);
      map.set(key, value);
    },
    delete: (key) => void map.delete(key),
  };
}
