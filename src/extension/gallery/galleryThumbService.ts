/**
 * Where the gallery's thumbnails are built: a worker thread (dist/galleryThumbWorker.js, or
 * out/src/extension/gallery/galleryThumbWorker.js under tests), or in this thread when that cannot start.
 * Either way: one list at a time, newest request first, every queued id posted exactly once.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { ThumbnailCache } from '../../core/image';
import type { GalleryThumb } from '../../shared/galleryProtocol';
import { GalleryThumbQueue } from './galleryThumbQueue';
import { buildThumb, type ThumbJob } from './galleryThumbs';

/** What the worker is started with. */
export interface ThumbWorkerData { cacheDir: string; maxBytes: number; size: number; concurrency: number }
/** Messages to the worker: start a new list, or queue jobs of the current one. */
export type ToThumbWorker = { type: 'reset'; generation: number } | { type: 'request'; generation: number; jobs: ThumbJob[] };

/** Builds thumbnails off the extension host's event loop when it can. */
export class GalleryThumbService {
  private worker: Worker | undefined;
  private local: GalleryThumbQueue<ThumbJob> | undefined;
  private generation = 0;

  constructor(
    private readonly opts: ThumbWorkerData & { workerFile?: string },
    private readonly post: (generation: number, thumbs: GalleryThumb[]) => void,
    private readonly warn: (message: string) => void,
  ) {
    const file = opts.workerFile ?? defaultWorkerFile();
    if (!file) {
      this.useLocal(`no thumbnail worker script next to ${__dirname}`);
      return;
    }
    try {
      // sharp must be loaded by the main thread before a worker loads it (its shared libraries stay mapped).
      require('sharp');
      const { workerFile: _unused, ...data } = opts;
      const w = new Worker(file, { workerData: data });
      w.on('message', (m: { generation: number; thumbs: GalleryThumb[] }) => this.post(m.generation, m.thumbs));
      w.on('error', (e) => this.useLocal(`the thumbnail worker (${file}) failed: ${e.message}`));
      w.on('exit', (code) => { if (this.worker === w && code !== 0) this.useLocal(`the thumbnail worker (${file}) exited with code ${code}`); });
      w.unref();
      this.worker = w;
    } catch (e) {
      this.useLocal(`could not start the thumbnail worker ${file}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** Whether thumbnails are built in a worker thread. */
  get inWorker(): boolean {
    return this.worker !== undefined;
  }

  /** Starts a new list: queued work for older lists is dropped. */
  reset(generation: number): void {
    this.generation = generation;
    if (this.worker) this.worker.postMessage({ type: 'reset', generation } satisfies ToThumbWorker);
    else this.local?.reset(generation);
  }

  /** Queues jobs of the current list ahead of earlier ones. */
  request(generation: number, jobs: ThumbJob[]): void {
    if (this.worker) this.worker.postMessage({ type: 'request', generation, jobs } satisfies ToThumbWorker);
    else this.local?.request(generation, jobs);
  }

  /** Stops the worker. */
  dispose(): void {
    const w = this.worker;
    this.worker = undefined;
    void w?.terminate();
  }

  private useLocal(why: string): void {
    if (this.worker) void this.worker.terminate();
    this.worker = undefined;
    if (this.local) return;
    this.warn(`Gallery: ${why}; building thumbnails in the extension host instead (slower while it is busy). Requests in flight are asked again by the gallery after a few seconds.`);
    const cache = new ThumbnailCache(this.opts.cacheDir, this.opts.maxBytes);
    this.local = new GalleryThumbQueue<ThumbJob>((job) => buildThumb(job, cache, this.opts.size), this.post, { concurrency: this.opts.concurrency });
    this.local.reset(this.generation);
  }
}

/** dist/galleryThumbWorker.js when bundled (this file is dist/extension.js), galleryThumbWorker.js next to this file under tests. */
function defaultWorkerFile(): string | undefined {
  for (const name of ['galleryThumbWorker.js']) {
    const p = path.join(__dirname, name);
    if (fs.existsSync(p)) return p;
  }
  return undefined;
}
