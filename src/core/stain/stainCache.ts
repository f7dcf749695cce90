/**
 * Caches per-tile colour statistics beside the dataset index, keyed the same way (the size and
 * mtime of every index input, core/dataset/indexCache.ts); entries are per tile (id, image path,
 * spaces), so any subset of already-measured tiles is served from one file read, and only new
 * tiles are measured.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as crypto from 'node:crypto';
import { inputSignature, type InputSignature } from '../dataset';
import type { TileRecord } from '../types';
import type { StainSpace, TileStainStats } from './tileStats';

/** Bump when the statistics or their shape change. */
export const STAIN_CACHE_VERSION = 1;

/** One tile's statistics and the image path they were measured from. */
export interface CachedTile {
  image: string;
  stats: TileStainStats;
}

interface StainCacheFile {
  version: number;
  root: string;
  signature: InputSignature;
  tiles: CachedTile[];
}

/** The cache file for a dataset root (one per root, beside index-<hash>.json). */
export function stainCacheFileFor(storageDir: string, root: string): string {
  const h = crypto.createHash('sha1').update(path.resolve(root)).digest('hex').slice(0, 16);
  return path.join(storageDir, `stain-${h}.json`);
}

/** The cached tiles (by id, with the image path and spaces they were measured from) when the inputs are unchanged; else an empty map. */
export async function loadStainCache(storageDir: string, root: string): Promise<Map<string, CachedTile>> {
  let c: StainCacheFile;
  try {
    c = JSON.parse(await fs.promises.readFile(stainCacheFileFor(storageDir, root), 'utf8')) as StainCacheFile;
  } catch {
    return new Map();
  }
  if (c.version !== STAIN_CACHE_VERSION || c.root !== path.resolve(root)) return new Map();
  const sig = await inputSignature(root);
  const keys = new Set([...Object.keys(sig), ...Object.keys(c.signature)]);
  for (const k of keys) if (JSON.stringify(sig[k] ?? null) !== JSON.stringify(c.signature[k] ?? null)) return new Map();
  return new Map(c.tiles.map((t) => [t.stats.id, t]));
}

/** A cache entry is usable for a tile when it was measured from the same image path in every wanted space (or skipped). */
export function cacheHit(e: CachedTile | undefined, t: TileRecord, spaces: readonly StainSpace[]): boolean {
  if (!e || e.image !== (t.image ?? '')) return false;
  return !!e.stats.skipped || spaces.every((s) => e.stats.spaces?.[s]);
}

/** Writes the entries with the signature taken before measuring (edits during the run invalidate it). */
export async function saveStainCache(storageDir: string, root: string, entries: Iterable<CachedTile>, signature: InputSignature): Promise<void> {
  await fs.promises.mkdir(storageDir, { recursive: true });
  const c: StainCacheFile = { version: STAIN_CACHE_VERSION, root: path.resolve(root), signature, tiles: [...entries] };
  const file = stainCacheFileFor(storageDir, root);
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.promises.writeFile(tmp, JSON.stringify(c));
  await fs.promises.rename(tmp, file);
}
