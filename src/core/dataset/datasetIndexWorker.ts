/** The indexing worker thread: indexes the folder it is started with and posts the index (Maps travel by structured clone). */
import { parentPort, workerData } from 'node:worker_threads';
import { indexDataset } from './datasetIndex';
import type { FromIndexWorker, IndexWorkerData } from './indexInWorker';

const data = workerData as IndexWorkerData;
const port = parentPort;
if (port) {
  indexDataset(data.root).then(
    (index) => port.postMessage({ type: 'done', index } satisfies FromIndexWorker),
    (e: unknown) => port.postMessage({ type: 'error', message: e instanceof Error ? e.message : String(e), name: e instanceof Error ? e.name : 'Error' } satisfies FromIndexWorker),
  );
}
