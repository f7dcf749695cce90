/**
 * Caches the Dataset Overview's polygon pass on disk beside the index cache, keyed by the same
 * input signature plus the exact polygons lines the index kept, so reopening a dataset or the
 * panel skips the second read of polygons.jsonl.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { polygonPass, type PolygonPass, type TilePolygonStats } from './polygonPass';
import { nodeFileReader, type FileReader } from '../dataset';
import { CACHE_VERSION as INDEX_CACHE_VERSION, cacheFileFor, inputSignature, type InputSignature } from '../dataset';
import type { DatasetIndex } from '../types';

/** Bump when PolygonPass's shape or any of its rules change, so old caches are ignored. */
export const DASHBOARD_CACHE_VERSION = 1;

interface DashboardCacheFile {
  version: number;
  indexVersion: number;
  root: string;
  signature: InputSignature;
  /** Hash of the (offset, tile id) pairs the index kept: the pass depends on them. */
  indexKey: string;
  pass: Omit<PolygonPass, 'tiles'> & { tiles: [string, TilePolygonStats][] };
}

/** The dashboard cache file for a dataset root inside a storage folder (beside index-<hash>.json). */
export function dashboardCacheFileFor(storageDir: string, root: string): string {
  const indexFile = cacheFileFor(storageDir, root);
  return path.join(path.dirname(indexFile), path.basename(indexFile).replace(/^index-/, 'dashboard-'));
}

/** Fingerprint of the polygons lines an index kept (offset and tile id of each). */
export function indexKey(index: DatasetIndex): string {
  const pairs: string[] = [];
  for (const t of index.tiles.values()) if (t.polygonsOffset !== undefined) pairs.push(`${t.polygonsOffset}:${t.id}`);
  pairs.sort();
  return crypto.createHash('sha1').update(`${index.files.polygons ?? ''}\n${pairs.join('\n')}`).digest('hex');
}

function sameSignature(a: InputSignature, b: InputSignature): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    const x = a[k], y = b[k];
    if (!x || !y) {
      if ((x ?? null) !== (y ?? null)) return false;
    } else if (x[0] !== y[0] || x[1] !== y[1]) return false;
  }
  return true;
}

/** The cached pass for this index when the cache exists and no input changed since; otherwise undefined. */
export async function loadCachedPass(storageDir: string, index: DatasetIndex, fr: FileReader = nodeFileReader): Promise<PolygonPass | undefined> {
  let c: DashboardCacheFile;
  try {
    c = JSON.parse(await fs.promises.readFile(dashboardCacheFileFor(storageDir, index.root), 'utf8')) as DashboardCacheFile;
  } catch {
    return undefined; // missing or torn: recompute
  }
  if (c.version !== DASHBOARD_CACHE_VERSION || c.indexVersion !== INDEX_CACHE_VERSION || c.root !== path.resolve(index.root)) return undefined;
  if (c.indexKey !== indexKey(index)) return undefined;
  if (!sameSignature(c.signature, await inputSignature(index.root, fr))) return undefined;
  return { ...c.pass, tiles: new Map(c.pass.tiles) };
}

/** Write the pass with the signature taken BEFORE the pass read polygons.jsonl (edits during the pass invalidate it). */
export async function saveCachedPass(storageDir: string, index: DatasetIndex, pass: PolygonPass, signature: InputSignature): Promise<void> {
  await fs.promises.mkdir(storageDir, { recursive: true });
  const c: DashboardCacheFile = {
    version: DASHBOARD_CACHE_VERSION,
    indexVersion: INDEX_CACHE_VERSION,
    root: path.resolve(index.root),
    signature,
    indexKey: indexKey(index),
    pass: { ...pass, tiles: [...pass.tiles] },
  };
  const file = dashboardCacheFileFor(storageDir, index.root);
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.promises.writeFile(tmp, JSON.stringify(c));
  await fs.promises.rename(tmp, file);
}

/** The polygon pass through the cache: the cached one when inputs and index are unchanged, else a fresh one (then cached). */
export async function polygonPassWithCache(
  storageDir: string,
  index: DatasetIndex,
  fr: FileReader = nodeFileReader,
): Promise<{ pass: PolygonPass; fromCache: boolean }> {
  const cached = await loadCachedPass(storageDir, index, fr).catch(() => undefined);
  if (cached) return { pass: cached, fromCache: true };
  const sig = await inputSignature(index.root, fr);
  const pass = await polygonPass(index, fr);
  await saveCachedPass(storageDir, index, pass, sig).catch(() => undefined);
  return { pass, fromCache: false };
}
