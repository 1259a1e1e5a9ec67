/**
 * Where the client keeps what must survive a page reload: `lastSeq` and the offline send queue.
 * Asynchronous so that IndexedDB fits; values are structured-cloneable (plain JSON).
 */
export interface GatewayStorage {
  get(key: string): Promise<unknown> | unknown;
  set(key: string, value: unknown): Promise<void> | void;
}

/** Keeps nothing across reloads: the default where IndexedDB is missing (Node, some private modes). */
export function memoryStorage(): GatewayStorage {
  const map = new Map<string, unknown>();
  return { get: (k) => map.get(k), set: (k, v) => void map.set(k, v) };
}

/**
 * IndexedDB, one object store of keys and values. Opening it can fail (private browsing, quota):
 * then it falls back to memory, so that the client still works, only without reload survival.
 */
export function indexedDbStorage(name = 'wagateway'): GatewayStorage {
  const fallback = memoryStorage();
  const db = new Promise<IDBDatabase | null>((resolve) => {
    try {
      const open = indexedDB.open(name, 1);
      open.onupgradeneeded = () => open.result.createObjectStore('kv');
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => resolve(null);
    } catch {
      resolve(null);
    }
  });
  const run = <T>(mode: IDBTransactionMode, op: (s: IDBObjectStore) => IDBRequest, alt: () => T) =>
    db.then((d) => d ? new Promise<T>((resolve, reject) => {
      const req = op(d.transaction('kv', mode).objectStore('kv'));
      req.onsuccess = () => resolve(req.result as T);
      req.onerror = () => reject(req.error);
    }) : alt());
  return {
    get: (k) => run('readonly', (s) => s.get(k), () => fallback.get(k)),
    set: (k, v) => run('readwrite', (s) => s.put(v, k), () => fallback.set(k, v)).then(() => undefined),
  };
}

export const defaultStorage = (): GatewayStorage =>
  typeof indexedDB === 'undefined' ? memoryStorage() : indexedDbStorage();
