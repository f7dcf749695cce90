/** One tile's sweep from its cache files and annotations: what a sweep worker thread does per tile. */
import * as fs from 'node:fs';
import type { IgnoreMode } from '../metric';
import type { TtaTransform } from '../model';
import { rasterizeGroundTruth } from '../predict';
import type { Annotation } from '../types';
import type { SweepGrid } from './gridSpec';
import { decodeCachedOutput, type CachedOutput } from './outputCache';
import { sweepTile, tileOutputs, type TileSweep } from './sweepTile';

/** A tile to sweep: its id, annotations, and the cache file of each transform it needs. */
export interface SweepJob {
  tileId: string;
  annotations: Annotation[];
  files: Partial<Record<TtaTransform, string>>;
}

/** Reads the job's cached outputs, rasterises its ground truth and sweeps it. */
export function runSweepJob(job: SweepJob, grid: SweepGrid, ignoreMode: IgnoreMode): TileSweep {
  const outputs = new Map<TtaTransform, CachedOutput>();
  for (const [t, file] of Object.entries(job.files) as [TtaTransform, string][]) outputs.set(t, decodeCachedOutput(fs.readFileSync(file), file));
  const o = tileOutputs(outputs, job.tileId);
  const first = o.kind === 'semantic' ? [...o.maps.values()][0] : o.output;
  const gt = rasterizeGroundTruth(job.annotations, first.width, first.height);
  return sweepTile(job.tileId, o, gt, grid, ignoreMode);
}
