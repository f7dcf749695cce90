/** The colour-statistics worker thread: measures the tiles it is given and posts progress, then the result. */
import { parentPort, workerData } from 'node:worker_threads';
import { computeDatasetStats } from './datasetStats';
import type { StatsWorkerData, FromStatsWorker } from './statsInWorker';

const data = workerData as StatsWorkerData;
const port = parentPort;
if (port) {
  let cancelled = false;
  port.on('message', (m: { type: 'cancel' }) => {
    if (m.type === 'cancel') cancelled = true;
  });
  let last = 0;
  computeDatasetStats(data.root, data.tiles, {
    spaces: data.spaces,
    concurrency: data.concurrency,
    isCancelled: () => cancelled,
    onProgress: (done, total) => {
      const now = Date.now();
      if (now - last > 100 || done === total) {
        last = now;
        port.postMessage({ type: 'progress', done, total } satisfies FromStatsWorker);
      }
    },
  }).then(
    (r) => port.postMessage({ type: 'done', result: r } satisfies FromStatsWorker),
    (e: unknown) => port.postMessage({ type: 'error', message: e instanceof Error ? e.message : String(e) } satisfies FromStatsWorker),
  );
}
