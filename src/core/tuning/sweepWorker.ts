/** worker_threads entry of the sweep pool: sweeps the chunks of tiles it is sent, one reply per chunk. */
import { parentPort } from 'node:worker_threads';
import type { IgnoreMode } from '../metric';
import type { SweepGrid } from './gridSpec';
import { runSweepJob, type SweepJob } from './sweepJob';
import type { TileSweep } from './sweepTile';

/** A chunk of work for one worker. */
export interface SweepChunk {
  id: number;
  grid: SweepGrid;
  ignoreMode: IgnoreMode;
  jobs: SweepJob[];
}

/** A worker's reply: one entry per job, a result or why it failed. */
export interface SweepChunkDone {
  id: number;
  results: ({ ok: true; sweep: TileSweep } | { ok: false; tileId: string; message: string })[];
}

parentPort?.on('message', (chunk: SweepChunk) => {
  const results: SweepChunkDone['results'] = chunk.jobs.map((job) => {
    try {
      return { ok: true as const, sweep: runSweepJob(job, chunk.grid, chunk.ignoreMode) };
    } catch (e) {
      return { ok: false as const, tileId: job.tileId, message: e instanceof Error ? e.message : String(e) };
    }
  });
  const transfer = results.flatMap((r) => (r.ok ? [r.sweep.offsets.buffer, r.sweep.confidence.buffer, r.sweep.isTp.buffer, r.sweep.counts.buffer] : [])) as ArrayBuffer[];
  parentPort!.postMessage({ id: chunk.id, results } satisfies SweepChunkDone, transfer);
});
