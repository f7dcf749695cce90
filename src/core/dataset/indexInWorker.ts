/**
 * Runs indexDataset (the one pass over tile_meta.csv, the image folders and polygons.jsonl that
 * also computes the Dataset Overview's per-tile statistics) in a worker thread
 * (datasetIndexWorker.js beside this file, where both the bundle and tsc put it), so a huge
 * polygon line never blocks the caller's event loop (the extension host). Falls back to this
 * thread, and says so, when the worker file is missing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { indexDataset } from './datasetIndex';
import type { DatasetIndex } from '../types';

/** What the worker is started with. */
export interface IndexWorkerData {
  root: string;
}

/** Messages from the worker. */
export type FromIndexWorker = { type: 'done'; index: DatasetIndex } | { type: 'error'; message: string; name: string };

/** An indexed dataset and where the pass ran ('worker thread', or 'main thread' and why). */
export interface IndexRun {
  index: DatasetIndex;
  ranIn: string;
}

/** The worker script's path, if it exists. */
export function indexWorkerFile(): string | undefined {
  const f = path.join(__dirname, 'datasetIndexWorker.js');
  return fs.existsSync(f) ? f : undefined;
}

function abortError(): Error {
  const e = new Error('Indexing was cancelled.');
  e.name = 'AbortError';
  return e;
}

/** Index root in a worker thread; aborting the signal terminates the worker and rejects with an AbortError. */
export function indexInWorker(root: string, opts: { signal?: AbortSignal; workerFile?: string } = {}): Promise<DatasetIndex> {
  const file = opts.workerFile ?? indexWorkerFile();
  if (!file) return Promise.reject(new Error('datasetIndexWorker.js not found beside indexInWorker.js; rebuild the extension (npm run build).'));
  if (opts.signal?.aborted) return Promise.reject(abortError());
  return new Promise((resolve, reject) => {
    const w = new Worker(file, { workerData: { root } satisfies IndexWorkerData });
    let settled = false;
    const onAbort = () => finish(abortError());
    const finish = (r: DatasetIndex | Error) => {
      if (settled) return;
      settled = true;
      opts.signal?.removeEventListener('abort', onAbort);
      void w.terminate();
      if (r instanceof Error) reject(r);
      else resolve(r);
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    w.on('message', (m: FromIndexWorker) => {
      if (m.type === 'done') finish(m.index);
      else {
        const e = new Error(m.message);
        e.name = m.name;
        finish(e);
      }
    });
    w.on('error', (e) => finish(e));
    w.on('exit', (code) => finish(new Error(`The indexing worker stopped (exit code ${code}) before it finished.`)));
  });
}

/** Index root off this thread when the worker file is there, else here (ranIn says which, for the log). */
export async function indexOffThread(root: string, opts: { signal?: AbortSignal } = {}): Promise<IndexRun> {
  if (indexWorkerFile()) return { index: await indexInWorker(root, opts), ranIn: 'worker thread' };
  return { index: await indexDataset(root, { signal: opts.signal }), ranIn: 'main thread (datasetIndexWorker.js missing)' };
}
