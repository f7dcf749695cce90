/** The indexing worker thread: indexes the folder it is started with, writes the index cache when asked, and posts the index (Maps travel by structured clone). */
import { parentPort, workerData } from 'node:worker_threads';
import { indexAndCache, type FromIndexWorker, type IndexWorkerData } from './indexInWorker';

const data = workerData as IndexWorkerData;
const port = parentPort;
if (port) {
  indexAndCache(data.root, data.cacheDir).then(
    (r) => port.postMessage({ type: 'done', index: r.index, ...(r.cacheError ? { cacheError: r.cacheError } : {}) } satisfies FromIndexWorker),
    (e: unknown) => port.postMessage({ type: 'error', message: e instanceof Error ? e.message : String(e), name: e instanceof Error ? e.name : 'Error' } satisfies FromIndexWorker),
  );
}
