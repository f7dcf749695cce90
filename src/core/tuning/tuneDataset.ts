/**
 * A whole tuning run over an indexed dataset: pick the annotated tiles (dataset 1 by default),
 * run the model once per tile/transform into the cache, sweep every grid cell on worker threads
 * from the cached outputs, score per cell overall / per WSI / per fold, and rank the cells.
 */
import * as path from 'node:path';
import type { IgnoreMode } from '../metric';
import type { ModelContract, ProviderSetting, TtaTransform } from '../model';
import { loadImageTile, scoringConvention, tileAnnotations } from '../predict';
import type { DatasetIndex } from '../types';
import { cacheKey, fillOutputCache, type FillResult, type OutputRunner } from './cacheFill';
import { cellCount, cellLabel, TTA_VARIANTS, type SweepGrid } from './gridSpec';
import { modelFileHash, type OutputCache } from './outputCache';
import type { SweepJob } from './sweepJob';
import { runSweepPool } from './sweepPool';
import { bestCells, scoreSweep, type BestCells, type CellResult, type TileGroups } from './sweepScore';
import type { TileSweep } from './sweepTile';

/** A runner that can also describe a model (InferenceClient fits). */
export interface TuneRunner extends OutputRunner {
  describe(spec: { modelPath: string; provider?: ProviderSetting; threads?: number }): Promise<{ contract: ModelContract }>;
}

/** What to tune and how. */
export interface TuneOptions {
  modelPath: string;
  provider: ProviderSetting;
  threads: number;
  grid: SweepGrid;
  ignoreMode: IgnoreMode;
  /** Datasets (tile_meta "dataset") whose annotated tiles are swept; 'all' = every annotated tile. */
  datasets: readonly number[] | 'all';
  /** Fold per tile id (a folds.csv). */
  folds?: ReadonlyMap<string, number>;
  cache: OutputCache;
  /** Sweep threads (default: all cores); 0 = in this thread. */
  workers?: number;
  /** Sweep at most this many tiles (first in index order). */
  limit?: number;
  signal?: AbortSignal;
  onProgress?: (p: { phase: 'model' | 'sweep'; done: number; total: number; tileId?: string }) => void;
}

/** A finished (or cancelled) tuning run. */
export interface TuneResult {
  model: { path: string; hash: string; outputKind: ModelContract['outputKind']; provider: string };
  grid: SweepGrid;
  ignoreMode: IgnoreMode;
  convention: string;
  cells: CellResult[];
  best?: BestCells;
  /** Tiles scored in every cell. */
  tiles: number;
  /** Tiles left out of the sweep, with why. */
  leftOut: { tileId: string; reason: string }[];
  /** Swept tiles that no fold names (they count overall and per WSI only). */
  withoutFold: number;
  fill: FillResult;
  timings: { modelMs: number; sweepMs: number; scoreMs: number };
  cancelled: boolean;
}

/** The annotated tiles with an image in the chosen datasets, in index order. */
export function tuningTiles(index: DatasetIndex, datasets: readonly number[] | 'all'): string[] {
  return [...index.tiles.values()].filter((t) => t.image && t.polygonsLine !== undefined && (datasets === 'all' || (t.dataset !== undefined && datasets.includes(t.dataset)))).map((t) => t.id);
}

/** Runs the model (once, cached) and the sweep over the dataset. */
export async function tuneDataset(index: DatasetIndex, runner: TuneRunner, o: TuneOptions): Promise<TuneResult> {
  const ids = tuningTiles(index, o.datasets).slice(0, o.limit ?? Infinity);
  if (ids.length === 0) throw new Error(`no annotated tiles with images in dataset ${o.datasets === 'all' ? '1-3' : o.datasets.join(', ')} of ${index.root}; pick other datasets (--datasets all)`);
  const hash = modelFileHash(o.modelPath);
  const { contract } = await runner.describe({ modelPath: o.modelPath, provider: o.provider, threads: o.threads });
  const kind = contract.outputKind;
  const transforms: TtaTransform[] = kind === 'semantic' ? [...new Set(o.grid.tta.flatMap((v) => [...TTA_VARIANTS[v]]))] : ['identity'];
  const spec = { modelPath: o.modelPath, modelHash: hash, provider: o.provider, threads: o.threads, transforms, floor: Math.min(...o.grid.threshold) };
  const fill = await fillOutputCache(runner, o.cache, ids.map((id) => ({ tileId: id, load: async () => (await loadImageTile(path.join(index.root, index.tiles.get(id)!.image!), id)).image })), spec, {
    outputKind: kind, signal: o.signal, onProgress: (done, total, tileId) => o.onProgress?.({ phase: 'model', done, total, tileId }),
  });
  const failed = new Map(fill.failures.map((f) => [f.tileId, f.message]));
  const leftOut: TuneResult['leftOut'] = [];
  const jobs: SweepJob[] = [];
  const result = (cells: CellResult[], tiles: number, best: BestCells | undefined, withoutFold: number, sweepMs: number, scoreMs: number, cancelled: boolean): TuneResult => ({
    model: { path: o.modelPath, hash, outputKind: kind, provider: fill.provider ?? o.provider }, grid: o.grid, ignoreMode: o.ignoreMode, convention: scoringConvention(o.ignoreMode),
    cells, ...(best ? { best } : {}), tiles, leftOut, withoutFold, fill, timings: { modelMs: fill.ms, sweepMs, scoreMs }, cancelled,
  });
  if (fill.cancelled) return result([], 0, undefined, 0, 0, 0, true);
  for (const id of ids) {
    if (failed.has(id)) {
      leftOut.push({ tileId: id, reason: `the model failed: ${failed.get(id)}` });
      continue;
    }
    const files: SweepJob['files'] = {};
    let missing: string | undefined;
    for (const t of transforms) {
      const k = cacheKey(spec, id, t);
      if (!o.cache.has(k)) missing = t;
      files[t] = o.cache.pathOf(k);
    }
    if (missing) {
      leftOut.push({ tileId: id, reason: `no cached output for ${missing} (the model did not run on it${fill.failures.length ? ' after an earlier failure' : ''})` });
      continue;
    }
    const annotations = await tileAnnotations(index, id);
    if (!annotations) {
      leftOut.push({ tileId: id, reason: 'its polygons could not be read' });
      continue;
    }
    jobs.push({ tileId: id, annotations, files });
  }
  const ts = performance.now();
  const pool = await runSweepPool(jobs, o.grid, o.ignoreMode, { ...(o.workers !== undefined ? { workers: o.workers } : {}), signal: o.signal, onProgress: (done, total) => o.onProgress?.({ phase: 'sweep', done, total }) });
  const sweepMs = performance.now() - ts;
  for (const f of pool.failures) leftOut.push({ tileId: f.tileId, reason: f.message });
  if (pool.cancelled) return result([], 0, undefined, 0, sweepMs, 0, true);
  const tiles: TileSweep[] = [], groups: TileGroups[] = [];
  let withoutFold = 0;
  pool.sweeps.forEach((s, k) => {
    if (!s) return;
    const id = jobs[k].tileId, t = index.tiles.get(id)!;
    const fold = o.folds?.get(id);
    if (o.folds && fold === undefined) withoutFold++;
    tiles.push(s);
    groups.push({ wsi: t.wsi === undefined ? '' : String(t.wsi), ...(fold !== undefined ? { fold: String(fold) } : {}) });
  });
  const tsc = performance.now();
  const cells = scoreSweep(o.grid, tiles, groups);
  const best = cells.length > 0 && cellCount(o.grid) > 0 ? bestCells(cells, groups.some((g) => g.fold !== undefined), cellLabel) : undefined;
  return result(cells, tiles.length, best, withoutFold, sweepMs, performance.now() - tsc, false);
}
