/**
 * Worker-thread entry of a run (dist/labelsWorker.js, or beside this file under out/): writes the
 * tiles it is sent with writeTile, posts their outcomes in batches, and stops at 'abort'.
 */
import * as fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { WrittenFiles } from './outputFolder';
import { writeTile, type LineReader, type TileJob, type TileOutcome, type TileWriterSetup } from './tileWriter';

/** Messages to the worker. */
export type ToLabelsWorker = { type: 'abort' };
/** Messages from the worker: outcomes of written tiles (batched), then done (with every file written, for an undo). */
export type FromLabelsWorker = { type: 'tiles'; outcomes: TileOutcome[] } | { type: 'done'; files: string[]; error?: string };

/** What the worker starts with. */
export interface LabelsWorkerData { setup: TileWriterSetup; jobs: TileJob[]; concurrency: number }

/** Outcomes per message: one structured clone per batch instead of per tile. */
const BATCH = 16;

async function main(): Promise<void> {
  const { setup, jobs, concurrency } = workerData as LabelsWorkerData;
  const port = parentPort!;
  let aborted = false;
  port.on('message', (m: ToLabelsWorker) => { if (m.type === 'abort') aborted = true; });
  // This thread's own blocking file calls: cheaper than a libuv round trip per file, and not queued behind sharp's encodes.
  const written = new WrittenFiles(setup.out, true);
  const fd = fs.openSync(setup.polygons, 'r');
  const read: LineReader = (offset, length) => {
    const buf = Buffer.allocUnsafe(length);
    fs.readSync(fd, buf, 0, length, offset);
    return buf;
  };
  let next = 0;
  let error: string | undefined;
  let batch: TileOutcome[] = [];
  const flush = () => { if (batch.length) { port.postMessage({ type: 'tiles', outcomes: batch } satisfies FromLabelsWorker); batch = []; } };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, async () => {
      while (next < jobs.length && !aborted && error === undefined) {
        const t = jobs[next++];
        try {
          const r = await writeTile(setup, t, read, written);
          batch.push(r); // after the await: `batch` may have been flushed and replaced meanwhile
          if (batch.length >= BATCH) flush();
        } catch (e) {
          error ??= `${t.id}: ${e instanceof Error ? e.message : String(e)}`;
        }
      }
    }));
  } finally {
    fs.closeSync(fd);
  }
  flush();
  port.postMessage({ type: 'done', files: written.paths(), ...(error ? { error } : {}) } satisfies FromLabelsWorker);
}

void main();
