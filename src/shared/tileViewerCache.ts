/**
 * The tiles the viewer webview keeps for instant next/previous: a small LRU by key. The webview
 * holds the payloads; the host keeps a mirror of the keys (same class, same capacity, the same
 * steps in the same message order), so it knows which tiles it need not send again.
 */

/** Tiles the webview keeps: the one shown, its next and previous, and one spare. */
export const VIEWER_CACHE_TILES = 4;

/** A least-recently-used map with a fixed capacity; put and get both count as a use. */
export class RecentTiles<V> {
  private readonly entries = new Map<string, V>();

  constructor(readonly capacity = VIEWER_CACHE_TILES) {}

  /** Stores (or refreshes) key; returns the entries evicted to stay within capacity, oldest first. */
  put(key: string, value: V): [string, V][] {
    this.entries.delete(key);
    this.entries.set(key, value);
    const evicted: [string, V][] = [];
    while (this.entries.size > this.capacity) {
      const [oldest, v] = this.entries.entries().next().value as [string, V];
      this.entries.delete(oldest);
      evicted.push([oldest, v]);
    }
    return evicted;
  }

  /** The value of key (now the most recently used), or undefined. */
  get(key: string): V | undefined {
    const v = this.entries.get(key);
    if (v === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, v);
    return v;
  }

  /** Whether key is held; does not count as a use. */
  has(key: string): boolean {
    return this.entries.has(key);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  /** Keys, least recently used first. */
  keys(): string[] {
    return [...this.entries.keys()];
  }
}
