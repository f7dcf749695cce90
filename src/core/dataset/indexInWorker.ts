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
import { inputSignature, saveCachedIndex } from './indexCache';
import type { DatasetIndex } from '../types';

/** What the worker is started with. */
export interface IndexWorkerData {
  root: string;
  /** Write the index cache here too (signature taken before the read), so its JSON is not built on the caller's thread. */
  cacheDir?: string;
}

/** Messages from the worker. */
export type FromIndexWorker = { type: 'done'; index: DatasetIndex; cacheError?: string } | { type: 'error'; message: string; name: string };

/** An indexed dataset, where the pass ran ('worker thread', or 'main thread' and why), and why the cache could not be written, if it could not. */
export interface IndexRun {
  index: DatasetIndex;
  ranIn: string;
  cacheError?: string;
}

/** Index root and, given cacheDir, write the cache (the worker's body; also the fallback on the caller's thread). */
export async function indexAndCache(root: string, cacheDir: string | undefined, signal?: AbortSignal): Promise<{ index: DatasetIndex; cacheError?: string }> {
  const sig = cacheDir ? await inputSignature(root) : undefined;
  const index = await indexDataset(root, { signal });
  if (!cacheDir || !sig) return { index };
  try {
    await saveCachedIndex(cacheDir, index, sig);
    return { index };
  } catch (e) {
    return { index, cacheError: e instanceof Error ? e.message : String(e) };
  }
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
export function indexInWorker(root: string, opts: { signal?: AbortSignal; workerFile?: string; cacheDir?: string; onCacheError?: (message: string) => void } = {}): Promise<DatasetIndex> {
  const file = opts.workerFile ?? indexWorkerFile();
  if (!file) return Promise.reject(new Error('datasetIndexWorker.js not found beside indexInWorker.js; rebuild the extension (npm run build).'));
  if (opts.signal?.aborted) return Promise.reject(abortError());
  return new Promise((resolve, reject) => {
    const w = new Worker(file, { workerData: { root, ...(opts.cacheDir ? { cacheDir: opts.cacheDir } : {}) } satisfies IndexWorkerData });
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
      if (m.type === 'done') {
        if (m.cacheError) opts.onCacheError?.(m.cacheError);
        finish(m.index);
      }
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

/** Index root (and write the cache to cacheDir) off this thread when the worker file is there, else here (ranIn says which, for the log). */
export async function indexOffThread(root: string, opts: { signal?: AbortSignal; cacheDir?: string } = {}): Promise<IndexRun> {
  if (indexWorkerFile()) {
    let cacheError: string | undefined;
    const index = await indexInWorker(root, { ...opts, onCacheError: (m) => { cacheError = m; } });
    return { index, ranIn: 'worker thread', ...(cacheError ? { cacheError } : {}) };
  }
  return { ...(await indexAndCache(root, opts.cacheDir, opts.signal)), ranIn: 'main thread (datasetIndexWorker.js missing)' };
}
