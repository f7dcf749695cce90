/**
 * Caches per-tile colour statistics beside the dataset index, keyed the same way (the size and
 * mtime of every index input, core/dataset/indexCache.ts) plus the tile list and the spaces, so a
 * second run over an unchanged dataset reads one file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as crypto from 'node:crypto';
import { inputSignature, type InputSignature } from '../dataset';
import type { TileRecord } from '../types';
import type { StainSpace, TileStainStats } from './tileStats';

/** Bump when the statistics or their shape change. */
export const STAIN_CACHE_VERSION = 1;

interface StainCacheFile {
  version: number;
  root: string;
  signature: InputSignature;
  /** Hash of the tile ids and image paths measured, in order. */
  tilesKey: string;
  spaces: StainSpace[];
  tiles: TileStainStats[];
}

/** The cache file for a dataset root (one per root, beside index-<hash>.json). */
export function stainCacheFileFor(storageDir: string, root: string): string {
  const h = crypto.createHash('sha1').update(path.resolve(root)).digest('hex').slice(0, 16);
  return path.join(storageDir, `stain-${h}.json`);
}

/** A key for the list of tiles measured (ids and image paths, in order). */
export function tilesKey(tiles: readonly TileRecord[]): string {
  const h = crypto.createHash('sha1');
  for (const t of tiles) h.update(`${t.id}\t${t.image ?? ''}\n`);
  return h.digest('hex');
}

/** The cached statistics when the inputs, the tiles and the spaces are unchanged; else undefined. */
export async function loadStainCache(storageDir: string, root: string, tiles: readonly TileRecord[], spaces: readonly StainSpace[]): Promise<TileStainStats[] | undefined> {
  let c: StainCacheFile;
  try {
    c = JSON.parse(await fs.promises.readFile(stainCacheFileFor(storageDir, root), 'utf8')) as StainCacheFile;
  } catch {
    return undefined;
  }
  if (c.version !== STAIN_CACHE_VERSION || c.root !== path.resolve(root)) return undefined;
  if (!spaces.every((s) => c.spaces.includes(s))) return undefined;
  if (c.tilesKey !== tilesKey(tiles)) return undefined;
  const sig = await inputSignature(root);
  const keys = new Set([...Object.keys(sig), ...Object.keys(c.signature)]);
  for (const k of keys) {
    const a = sig[k], b = c.signature[k];
    if (JSON.stringify(a ?? null) !== JSON.stringify(b ?? null)) return undefined;
  }
  return c.tiles;
}

/** Writes the statistics with the signature taken before measuring (edits during the run invalidate it). */
export async function saveStainCache(storageDir: string, root: string, tiles: readonly TileRecord[], spaces: readonly StainSpace[], stats: readonly TileStainStats[], signature: InputSignature): Promise<void> {
  await fs.promises.mkdir(storageDir, { recursive: true });
  const c: StainCacheFile = { version: STAIN_CACHE_VERSION, root: path.resolve(root), signature, tilesKey: tilesKey(tiles), spaces: [...spaces], tiles: [...stats] };
  const file = stainCacheFileFor(storageDir, root);
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.promises.writeFile(tmp, JSON.stringify(c));
  await fs.promises.rename(tmp, file);
}
