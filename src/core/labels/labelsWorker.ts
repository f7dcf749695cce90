/**
 * Worker-thread entry of a run (dist/labelsWorker.js, or beside this file under out/): writes the
 * tiles it is sent with writeTile, posts each outcome, and stops at 'abort'.
 */
import * as fs from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { WrittenFiles } from './outputFolder';
import { writeTile, type TileJob, type TileOutcome, type TileWriterSetup } from './tileWriter';

/** Messages to the worker. */
export type ToLabelsWorker = { type: 'abort' };
/** Messages from the worker: one per tile, then done (with every file written, for an undo). */
export type FromLabelsWorker = { type: 'tile'; outcome: TileOutcome } | { type: 'done'; files: string[]; error?: string };

/** What the worker starts with. */
export interface LabelsWorkerData { setup: TileWriterSetup; jobs: TileJob[]; concurrency: number }

async function main(): Promise<void> {
  const { setup, jobs, concurrency } = workerData as LabelsWorkerData;
  const port = parentPort!;
  let aborted = false;
  port.on('message', (m: ToLabelsWorker) => { if (m.type === 'abort') aborted = true; });
  const written = new WrittenFiles(setup.out);
  const fh = await fs.open(setup.polygons, 'r');
  let next = 0;
  let error: string | undefined;
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, async () => {
      while (next < jobs.length && !aborted && error === undefined) {
        const t = jobs[next++];
        try {
          port.postMessage({ type: 'tile', outcome: await writeTile(setup, t, fh, written) } satisfies FromLabelsWorker);
        } catch (e) {
          error ??= `${t.id}: ${e instanceof Error ? e.message : String(e)}`;
        }
      }
    }));
  } finally {
    await fh.close();
  }
  port.postMessage({ type: 'done', files: written.paths(), ...(error ? { error } : {}) } satisfies FromLabelsWorker);
}

void main();
