/**
 * On-disk thumbnail cache for the gallery: one file per (image path, size, format, mtime, file size),
 * bounded in total bytes, least recently used evicted first.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { renderThumbnail, toTileImageError, type ThumbnailFormat } from './tileImage';

/** Renders a thumbnail; injectable for tests. */
export type ThumbnailRenderer = (file: string, size: number, format: ThumbnailFormat) => Promise<Buffer>;

/** One cached thumbnail. */
export interface CachedThumbnail {
  /** Absolute path of the cached file (usable as a webview resource). */
  path: string;
  data: Buffer;
  /** True when it came from the cache, false when it was rendered now. */
  hit: boolean;
}

const EXT: Record<ThumbnailFormat, string> = { jpeg: '.jpg', webp: '.webp', png: '.png' };

/** A size-bounded LRU cache of thumbnails in one folder. */
export class ThumbnailCache {
  /** key -> bytes, in least-recently-used-first order. */
  private readonly entries = new Map<string, number>();
  private total = 0;
  private loaded: Promise<void> | undefined;
  private readonly inFlight = new Map<string, Promise<CachedThumbnail>>();

  constructor(
    readonly dir: string,
    readonly maxBytes: number,
    private readonly render: ThumbnailRenderer = renderThumbnail,
  ) {}

  /** Total bytes the cache holds now. */
  get totalBytes(): number {
    return this.total;
  }

  /** Number of cached thumbnails. */
  get size(): number {
    return this.entries.size;
  }

  /** Cache file name for an image at a given mtime and size: a hash, so any path is safe. */
  static keyFor(file: string, size: number, format: ThumbnailFormat, mtimeMs: number, bytes: number): string {
    const h = createHash('sha1').update(`${path.resolve(file)}\0${size}\0${format}\0${Math.round(mtimeMs)}\0${bytes}`).digest('hex');
    return h + EXT[format];
  }

  /** Returns the thumbnail of file, rendering and storing it on a miss. */
  async get(file: string, size: number, format: ThumbnailFormat = 'webp'): Promise<CachedThumbnail> {
    await this.load();
    let st: import('node:fs').Stats;
    try {
      st = await fs.stat(file); // an edited image gets a new key; the old one ages out
    } catch (e) {
      throw toTileImageError(file, e);
    }
    const key = ThumbnailCache.keyFor(file, size, format, st.mtimeMs, st.size);
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const p = this.getKey(key, file, size, format).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, p);
    return p;
  }

  private async getKey(key: string, file: string, size: number, format: ThumbnailFormat): Promise<CachedThumbnail> {
    const target = path.join(this.dir, key);
    if (this.entries.has(key)) {
      try {
        const data = await fs.readFile(target);
        this.touch(key, data.length);
        const now = new Date();
        await fs.utimes(target, now, now).catch(() => undefined); // mtime = last use, for the next session's LRU order
        return { path: target, data, hit: true };
      } catch {
        this.forget(key); // deleted behind our back: render again
      }
    }
    const data = await this.render(file, size, format);
    const tmp = `${target}.${process.pid}.${Date.now()}.tmp`;
    await fs.writeFile(tmp, data);
    await fs.rename(tmp, target);
    this.touch(key, data.length);
    await this.evict(key);
    return { path: target, data, hit: false };
  }

  private touch(key: string, bytes: number): void {
    const old = this.entries.get(key);
    if (old !== undefined) {
      this.total -= old;
      this.entries.delete(key);
    }
    this.entries.set(key, bytes);
    this.total += bytes;
  }

  private forget(key: string): void {
    const old = this.entries.get(key);
    if (old === undefined) return;
    this.total -= old;
    this.entries.delete(key);
  }

  /** Deletes least recently used files until the total fits; never the one just written. */
  private async evict(keep: string): Promise<void> {
    for (const [key] of this.entries) {
      if (this.total <= this.maxBytes) break;
      if (key === keep) continue;
      this.forget(key);
      await fs.rm(path.join(this.dir, key), { force: true });
    }
  }

  /** Reads what an earlier session left in the folder, oldest use first. */
  private load(): Promise<void> {
    if (!this.loaded) {
      this.loaded = (async () => {
        await fs.mkdir(this.dir, { recursive: true });
        const names = (await fs.readdir(this.dir)).filter((n) => /^[0-9a-f]{40}\.(jpg|webp|png)$/.test(n));
        const stats = await Promise.all(names.map(async (n) => ({ n, st: await fs.stat(path.join(this.dir, n)).catch(() => undefined) })));
        stats.sort((a, b) => (a.st?.mtimeMs ?? 0) - (b.st?.mtimeMs ?? 0));
        for (const { n, st } of stats) if (st) this.touch(n, st.size);
        await this.evict('');
      })();
    }
    return this.loaded;
  }
}
