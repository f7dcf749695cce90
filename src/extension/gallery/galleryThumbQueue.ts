/**
 * The gallery's thumbnail work queue (no VS Code: unit-tested in plain Node). One list (generation)
 * at a time; the newest request goes first (the screen the person looks at now), an id already
 * queued or being built is not built twice, at most `concurrency` builds run at once, and every
 * id queued for the current list is posted exactly once, in batches.
 */
import type { GalleryThumb } from '../../shared/galleryProtocol';

/** Tuning: builds at once, how long a finished thumbnail may wait for company, batch size. */
export interface ThumbQueueOptions { concurrency: number; flushMs: number; maxBatch: number }

/** Builds and posts thumbnails for the current list, latest request first; J: what building one cell needs. */
export class GalleryThumbQueue<J extends { id: string }> {
  private generation = 0;
  /** Jobs waiting, next first. */
  private waiting: J[] = [];
  private readonly queued = new Set<string>();
  /** Ids being built, with the list they were asked for (an older list's build does not answer a newer one). */
  private readonly building = new Map<string, number>();
  /** Builds running now for the current list (an older list's last builds do not hold the new one back). */
  private running = 0;
  private batch: GalleryThumb[] = [];
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private idleWaiters: (() => void)[] = [];
  private readonly opts: ThumbQueueOptions;

  constructor(
    private readonly build: (job: J) => Promise<GalleryThumb>,
    private readonly post: (generation: number, thumbs: GalleryThumb[]) => void,
    opts: Partial<ThumbQueueOptions> = {},
  ) {
    this.opts = { concurrency: 2, flushMs: 16, maxBatch: 12, ...opts };
  }

  /** Starts a new list: work queued (and results not yet posted) for older lists is dropped. */
  reset(generation: number): void {
    this.generation = generation;
    this.waiting = [];
    this.queued.clear();
    this.batch = [];
    this.running = 0;
    this.settleIdle();
  }

  /** Queues jobs of the current list ahead of earlier requests, in the order given; other lists' requests are ignored. */
  request(generation: number, jobs: readonly J[]): void {
    if (generation !== this.generation) return;
    const fresh: J[] = [];
    const seen = new Set<string>();
    for (const j of jobs) {
      if (this.building.get(j.id) === generation || seen.has(j.id)) continue;
      seen.add(j.id);
      fresh.push(j);
    }
    if (fresh.length === 0) return;
    // Already waiting: moved to the front (asked again because it is on screen now), still built once.
    if (fresh.some((j) => this.queued.has(j.id))) this.waiting = this.waiting.filter((j) => !seen.has(j.id));
    for (const j of fresh) this.queued.add(j.id);
    this.waiting = fresh.concat(this.waiting);
    this.pump();
  }

  /** Ids waiting or being built (for tests and logs). */
  get backlog(): number {
    return this.waiting.length + this.running;
  }

  /** Resolves once nothing is waiting, building or unposted. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private isIdle(): boolean {
    return this.waiting.length === 0 && this.running === 0 && this.batch.length === 0;
  }

  private pump(): void {
    while (this.running < this.opts.concurrency && this.waiting.length > 0) {
      const job = this.waiting.shift()!;
      this.queued.delete(job.id);
      this.building.set(job.id, this.generation);
      this.running++;
      void this.run(job, this.generation);
    }
  }

  private async run(job: J, generation: number): Promise<void> {
    const id = job.id;
    let thumb: GalleryThumb;
    try {
      thumb = await this.build(job);
    } catch (e) {
      // Every asked-for id gets an answer, or the webview would wait for it forever.
      thumb = { id, width: 0, height: 0, outlines: [], error: e instanceof Error ? e.message : String(e) };
    }
    if (this.building.get(id) === generation) this.building.delete(id);
    // The result is taken only now (not before the await): a list that changed meanwhile drops it.
    if (generation !== this.generation) return;
    this.running--;
    this.add(thumb);
    this.pump();
    if (this.waiting.length === 0 && this.running === 0) this.flush();
    this.settleIdle();
  }

  private add(thumb: GalleryThumb): void {
    this.batch.push(thumb);
    if (this.batch.length >= this.opts.maxBatch) this.flush();
    else this.flushTimer ??= setTimeout(() => this.flush(), this.opts.flushMs);
  }

  private flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.batch.length === 0) return;
    const thumbs = this.batch;
    this.batch = [];
    this.post(this.generation, thumbs);
    this.settleIdle();
  }

  private settleIdle(): void {
    if (!this.isIdle() || this.idleWaiters.length === 0) return;
    for (const w of this.idleWaiters.splice(0)) w();
  }
}
