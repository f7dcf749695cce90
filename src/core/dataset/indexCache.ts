/** Caches a dataset index on disk, keyed by the size and mtime of every input, so reopening a large dataset is instant. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as crypto from 'node:crypto';
import { POLYGONS_FILE, SPLITS, TILE_META_FILE, WSI_META_FILE } from './datasetLayout';
import { nodeFileReader, type FileReader } from './fileReader';
import type { DatasetIndex, TileRecord, WsiMeta } from '../types';

/** Bump when the index's shape or the validation rules change, so old caches are ignored. */
// 5: polygonsLength is the line's byte length past the reader's first chunk too (older caches hold wrong lengths there).
export const CACHE_VERSION = 5;

/** Size and mtime of each input file and folder; any change invalidates the cache. */
export type InputSignature = Record<string, [number, number] | null>;

interface CacheFile {
  version: number;
  root: string;
  signature: InputSignature;
  tiles: TileRecord[];
  problems: DatasetIndex['problems'];
  wsiMeta: WsiMeta[];
  stats: DatasetIndex['stats'];
  files: DatasetIndex['files'];
  areaHist?: DatasetIndex['areaHist'];
}

/** The signature of a dataset folder's inputs right now. */
export async function inputSignature(root: string, fr: FileReader = nodeFileReader): Promise<InputSignature> {
  const names = [POLYGONS_FILE, TILE_META_FILE, WSI_META_FILE, ...SPLITS];
  const stats = await Promise.all(names.map((n) => fr.stat(path.join(root, n))));
  const sig: InputSignature = {};
  names.forEach((n, k) => {
    const s = stats[k];
    sig[n] = s ? [s.size, s.mtimeMs] : null;
  });
  return sig;
}

/** The cache file for a dataset root inside a storage folder (one file per root). */
export function cacheFileFor(storageDir: string, root: string): string {
  const h = crypto.createHash('sha1').update(path.resolve(root)).digest('hex').slice(0, 16);
  return path.join(storageDir, `index-${h}.json`);
}

function sameSignature(a: InputSignature, b: InputSignature): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    const x = a[k], y = b[k];
    if (x === null || y === null || x === undefined || y === undefined) {
      if (x !== y) return false;
    } else if (x[0] !== y[0] || x[1] !== y[1]) return false;
  }
  return true;
}

/** Load the cached index when it exists and every input is unchanged; otherwise undefined. */
export async function loadCachedIndex(storageDir: string, root: string, fr: FileReader = nodeFileReader): Promise<DatasetIndex | undefined> {
  let raw: string;
  try {
    raw = await fs.promises.readFile(cacheFileFor(storageDir, root), 'utf8');
  } catch {
    return undefined;
  }
  let c: CacheFile;
  try {
    c = JSON.parse(raw) as CacheFile;
  } catch {
    return undefined; // a torn write: rebuild
  }
  if (c.version !== CACHE_VERSION || c.root !== path.resolve(root)) return undefined;
  if (!sameSignature(c.signature, await inputSignature(root, fr))) return undefined;
  return {
    root: c.root,
    tiles: new Map(c.tiles.map((t) => [t.id, t])),
    problems: c.problems,
    wsiMeta: new Map(c.wsiMeta.map((w) => [w.wsi, w])),
    stats: c.stats,
    files: c.files,
    ...(c.areaHist ? { areaHist: c.areaHist } : {}),
  };
}

/** Write the index to the cache with the signature taken BEFORE indexing (so edits during indexing invalidate it). */
export async function saveCachedIndex(storageDir: string, index: DatasetIndex, signature: InputSignature): Promise<void> {
  await fs.promises.mkdir(storageDir, { recursive: true });
  const c: CacheFile = {
    version: CACHE_VERSION,
    root: path.resolve(index.root),
    signature,
    tiles: [...index.tiles.values()],
    problems: index.problems,
    wsiMeta: [...index.wsiMeta.values()],
    stats: index.stats,
    files: index.files,
    areaHist: index.areaHist,
  };
  const file = cacheFileFor(storageDir, index.root);
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.promises.writeFile(tmp, JSON.stringify(c));
  await fs.promises.rename(tmp, file);
}

/** Index a folder through the cache: the cached index when inputs are unchanged, else a fresh one (then cached). */
export async function indexWithCache(
  storageDir: string,
  root: string,
  build: (root: string) => Promise<DatasetIndex>,
): Promise<{ index: DatasetIndex; fromCache: boolean }> {
  const cached = await loadCachedIndex(storageDir, root);
  if (cached) return { index: cached, fromCache: true };
  const sig = await inputSignature(root);
  const index = await build(root);
  await saveCachedIndex(storageDir, index, sig).catch(() => undefined);
  return { index, fromCache: false };
}
