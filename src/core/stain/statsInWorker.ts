/**
 * Runs the colour statistics in a worker thread (stainStatsWorker.js beside this file, which is
 * where both the bundle and tsc put it), through the cache beside the index. Falls back to this
 * thread, and says so, when the worker file is missing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { inputSignature } from '../dataset';
import type { TileRecord } from '../types';
import { computeDatasetStats, type DatasetStats } from './datasetStats';
import { cacheHit, loadStainCache, saveStainCache, type CachedTile } from './stainCache';
import { applyMinTissue, DEFAULT_MIN_TISSUE, STAIN_SPACES, type StainSpace, type TileStainStats } from './tileStats';

/** What the worker is started with. */
export interface StatsWorkerData {
  root: string;
  tiles: TileRecord[];
  spaces: StainSpace[];
  concurrency: number;
}

/** Messages from the worker. */
export type FromStatsWorker =
  | { type: 'progress'; done: number; total: number }
  | { type: 'done'; result: DatasetStats }
  | { type: 'error'; message: string };

export interface StatsRunOptions {
  spaces?: readonly StainSpace[];
  concurrency?: number;
  /** Where the cache lives (the folder that holds the index cache); undefined = no cache. */
  storageDir?: string;
  onProgress?: (done: number, total: number) => void;
  /** Polled; true stops the run (the partial result is not cached). */
  isCancelled?: () => boolean;
  /** Least tissue share for a tile to count (default DEFAULT_MIN_TISSUE; 0 keeps all): applied after the cache, so changing it needs no new measurement. */
  minTissue?: number;
}

/** The statistics and where they came from. */
export interface StatsRun extends DatasetStats {
  fromCache: boolean;
  /** 'worker' or 'main thread' (and why), for the log. */
  ranIn: string;
}

/** The worker script's path, if it exists. */
export function statsWorkerFile(): string | undefined {
  const f = path.join(__dirname, 'stainStatsWorker.js');
  return fs.existsSync(f) ? f : undefined;
}

function slim(t: TileRecord): TileRecord {
  return { id: t.id, wsi: t.wsi, dataset: t.dataset, image: t.image, counts: t.counts, areas: t.areas };
}

/** Measures the tiles in a worker thread. */
export function computeInWorker(root: string, tiles: readonly TileRecord[], opts: StatsRunOptions = {}): Promise<DatasetStats> {
  const file = statsWorkerFile();
  if (!file) throw new Error('stainStatsWorker.js not found beside statsInWorker.js; rebuild the extension (npm run build).');
  const data: StatsWorkerData = { root, tiles: tiles.map(slim), spaces: [...(opts.spaces ?? STAIN_SPACES)], concurrency: opts.concurrency ?? 4 };
  return new Promise((resolve, reject) => {
    const w = new Worker(file, { workerData: data });
    const poll = setInterval(() => {
      if (opts.isCancelled?.()) w.postMessage({ type: 'cancel' });
    }, 100);
    const finish = () => {
      clearInterval(poll);
      void w.terminate();
    };
    w.on('message', (m: FromStatsWorker) => {
      if (m.type === 'progress') opts.onProgress?.(m.done, m.total);
      else if (m.type === 'done') {
        finish();
        resolve(m.result);
      } else {
        finish();
        reject(new Error(m.message));
      }
    });
    w.on('error', (e) => {
      finish();
      reject(e);
    });
  });
}

/** The statistics of these tiles: cached ones from the cache, the rest measured in a worker (then added to the cache); tiles under the tissue threshold become stated skips. */
export async function stainStatsWithCache(root: string, tiles: readonly TileRecord[], opts: StatsRunOptions = {}): Promise<StatsRun> {
  const spaces = opts.spaces ?? STAIN_SPACES;
  const minTissue = opts.minTissue ?? DEFAULT_MIN_TISSUE;
  const t0 = performance.now();
  const cache = opts.storageDir ? await loadStainCache(opts.storageDir, root) : new Map<string, CachedTile>();
  const todo = tiles.filter((t) => !cacheHit(cache.get(t.id), t, spaces));
  if (!todo.length) {
    return { tiles: applyMinTissue(tiles.map((t) => cache.get(t.id)!.stats), minTissue), cancelled: false, seconds: (performance.now() - t0) / 1000, fromCache: true, ranIn: 'cache' };
  }
  const sig = await inputSignature(root);
  let r: DatasetStats, ranIn = 'worker thread';
  const done = tiles.length - todo.length;
  const o = { ...opts, onProgress: opts.onProgress && ((d: number) => opts.onProgress!(done + d, tiles.length)) };
  if (statsWorkerFile()) r = await computeInWorker(root, todo, o);
  else {
    ranIn = 'main thread (stainStatsWorker.js missing)';
    r = await computeDatasetStats(root, todo, o);
  }
  const byId = new Map(r.tiles.map((t) => [t.id, t]));
  const image = new Map(tiles.map((t) => [t.id, t.image ?? '']));
  for (const t of r.tiles) cache.set(t.id, { image: image.get(t.id) ?? '', stats: t });
  if (opts.storageDir) await saveStainCache(opts.storageDir, root, cache.values(), sig).catch(() => undefined);
  const out = tiles.map((t) => byId.get(t.id) ?? (cacheHit(cache.get(t.id), t, spaces) ? cache.get(t.id)!.stats : undefined)).filter((x): x is TileStainStats => x !== undefined);
  return { tiles: applyMinTissue(out, minTissue), cancelled: r.cancelled, seconds: (performance.now() - t0) / 1000, fromCache: false, ranIn: done ? `${ranIn}, ${done} from the cache` : ranIn };
}
