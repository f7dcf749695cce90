/** Sweeps many tiles on worker threads (all cores by default), in chunks, keeping tile order; cancellable. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { IgnoreMode } from '../metric';
import type { SweepGrid } from './gridSpec';
import { runSweepJob, type SweepJob } from './sweepJob';
import type { TileSweep } from './sweepTile';
import type { SweepChunk, SweepChunkDone } from './sweepWorker';

/** What a pool run gives back: one entry per job (undefined = failed), the failures, and whether it was cancelled. */
export interface PoolResult {
  sweeps: (TileSweep | undefined)[];
  failures: { tileId: string; message: string }[];
  cancelled: boolean;
  workers: number;
  /** Per worker thread: the fraction of its lifetime it was busy sweeping (event-loop utilisation; near 1 = that core was used throughout). */
  busy: number[];
}

/** The worker script: next to this file (tsc output) or the bundle's dist/tuningSweepWorker.js. */
export function sweepWorkerPath(): string {
  for (const f of [path.join(__dirname, 'sweepWorker.js'), path.join(__dirname, 'tuningSweepWorker.js')]) if (fs.existsSync(f)) return f;
  throw new Error(`the tuning sweep worker is missing next to ${__dirname} (sweepWorker.js or tuningSweepWorker.js); rebuild with npm run build`);
}

/** Runs the jobs on `workers` threads (0 = in this thread); progress after each chunk. */
export async function runSweepPool(jobs: readonly SweepJob[], grid: SweepGrid, ignoreMode: IgnoreMode, opts: { workers?: number; chunkSize?: number; signal?: AbortSignal; onProgress?: (done: number, total: number) => void; workerPath?: string } = {}): Promise<PoolResult> {
  const sweeps: (TileSweep | undefined)[] = new Array(jobs.length).fill(undefined);
  const failures: { tileId: string; message: string }[] = [];
  const nWorkers = Math.min(opts.workers ?? os.availableParallelism(), jobs.length);
  if (nWorkers <= 0) {
    for (let k = 0; k < jobs.length; k++) {
      if (opts.signal?.aborted) return { sweeps, failures, cancelled: true, workers: 0, busy: [] };
      try {
        sweeps[k] = runSweepJob(jobs[k], grid, ignoreMode);
      } catch (e) {
        failures.push({ tileId: jobs[k].tileId, message: e instanceof Error ? e.message : String(e) });
      }
      opts.onProgress?.(k + 1, jobs.length);
    }
    return { sweeps, failures, cancelled: false, workers: 0, busy: [] };
  }
  const chunkSize = opts.chunkSize ?? Math.max(1, Math.min(32, Math.ceil(jobs.length / (nWorkers * 4))));
  const chunks: { start: number; jobs: SweepJob[] }[] = [];
  for (let s = 0; s < jobs.length; s += chunkSize) chunks.push({ start: s, jobs: jobs.slice(s, s + chunkSize) });
  const script = opts.workerPath ?? sweepWorkerPath();
  const workers = Array.from({ length: nWorkers }, () => new Worker(script));
  let next = 0, done = 0, cancelled = false;
  let busy: number[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      let active = 0;
      const onAbort = () => {
        cancelled = true;
        resolve();
      };
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      const feed = (w: Worker) => {
        if (cancelled) return;
        if (next >= chunks.length) {
          if (active === 0) resolve();
          return;
        }
        const id = next++;
        active++;
        w.postMessage({ id, grid, ignoreMode, jobs: chunks[id].jobs } satisfies SweepChunk);
      };
      for (const w of workers) {
        w.on('message', (m: SweepChunkDone) => {
          active--;
          const start = chunks[m.id].start;
          m.results.forEach((r, k) => {
            if (r.ok) sweeps[start + k] = r.sweep;
            else failures.push({ tileId: r.tileId, message: r.message });
          });
          done += m.results.length;
          opts.onProgress?.(done, jobs.length);
          feed(w);
        });
        w.on('error', (e) => reject(new Error(`tuning sweep worker failed: ${e.message}`)));
        feed(w);
      }
    });
    busy = workers.map((w) => w.performance.eventLoopUtilization().utilization);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return { sweeps, failures, cancelled, workers: nWorkers, busy };
}
