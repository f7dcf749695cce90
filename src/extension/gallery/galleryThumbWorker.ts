/**
 * The gallery's thumbnail worker thread: owns the thumbnail cache and the work queue, so thumbnails
 * are built on their own event loop (the extension host's is busy for seconds right after a re-index:
 * indexing, the dashboard's polygon pass) and posted back in batches, bytes transferred.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ThumbnailCache } from '../../core/image';
import { GalleryThumbQueue } from './galleryThumbQueue';
import { buildThumb, type ThumbJob } from './galleryThumbs';
import type { ThumbWorkerData, ToThumbWorker } from './galleryThumbService';

const data = workerData as ThumbWorkerData;
const port = parentPort;
if (port) {
  const cache = new ThumbnailCache(data.cacheDir, data.maxBytes);
  const queue = new GalleryThumbQueue<ThumbJob>((job) => buildThumb(job, cache, data.size), (generation, thumbs) => {
    const transfer = thumbs.flatMap((t) => (t.bytes ? [t.bytes.buffer as ArrayBuffer] : []));
    port.postMessage({ generation, thumbs }, transfer);
  }, { concurrency: data.concurrency });
  port.on('message', (m: ToThumbWorker) => {
    if (m.type === 'reset') queue.reset(m.generation);
    else queue.request(m.generation, m.jobs);
  });
}
