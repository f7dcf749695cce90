/**
 * The gallery: a webview view in the Vasculature Explorer side bar with a virtualised grid of
 * thumbnails and outline overlays, following the shared tile filter. Thumbnails come from the core
 * thumbnail cache (on disk in the extension's global storage, keyed by file size + mtime, bounded).
 */
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { describeFilter, queryTiles, type TileQuery } from '../../core/dataset';
import type { DatasetIndex } from '../../core/types';
import { packItems, validateFromGallery, type FromGallery, type GalleryItem, type GalleryRequest, type GallerySnapshot, type GalleryThumb, type ToGallery } from '../../shared/galleryProtocol';
import { RequestReply } from '../../shared/requestReply';
import { Disposable } from '../common/disposable';
import { log } from '../common/log';
import { thumbJob, type ThumbJob } from './galleryThumbs';
import { GalleryThumbService } from './galleryThumbService';
import { webviewShellHtml, webviewOptions } from '../common/webviewShell';

export const GALLERY_VIEW_ID = 'vasculatureExplorer.gallery';
/** Thumbnail size in px (longest side). */
export const THUMB_SIZE = 128;
/** Bytes the on-disk cache may hold. */
export const THUMB_CACHE_BYTES = 256 << 20;
/** Cells sent with a list before the webview has ever reported its screen, and the most ever sent unasked. */
const FIRST_SCREEN_GUESS = 24;
const MAX_FIRST_SCREEN = 120;

export interface GalleryDeps {
  extensionUri: vscode.Uri;
  cacheDir: string;
  index(): DatasetIndex | undefined;
  query(): TileQuery;
  onDidChange: vscode.Event<unknown>;
}

/** Host-side times (ms) of one list's first screenful, from the list posted: the bench shows where time goes. */
export interface GalleryPhases { firstRequestMs?: number; firstReplyMs?: number; paintedMs?: number }
/** One finished screenful, for tests and the bench. */
export interface GalleryPaint { first: number; count: number; ms: number; phases?: GalleryPhases }

export class GalleryProvider extends Disposable implements vscode.WebviewViewProvider {
  private view: vscode.WebviewView | undefined;
  private generation = 0;
  private requests: RequestReply<GalleryRequest> | undefined;
  /** When the current list was posted, and its phases so far. */
  private listedAt = 0;
  private phases: GalleryPhases = {};
  private readonly thumbs: GalleryThumbService;
  /** The screen the webview showed last (first cell, cells): the next list's first screenful is sent before it asks. */
  private lastScreen = { first: 0, count: FIRST_SCREEN_GUESS };
  private readonly painted = this._register(new vscode.EventEmitter<GalleryPaint>());
  /** Fires when the webview reports a screenful drawn. */
  readonly onDidPaint = this.painted.event;

  constructor(private readonly deps: GalleryDeps) {
    super();
    const data = { cacheDir: deps.cacheDir, maxBytes: THUMB_CACHE_BYTES, size: THUMB_SIZE, concurrency: Math.max(2, os.availableParallelism()) };
    this.thumbs = new GalleryThumbService(data, (generation, thumbs) => {
      if (generation !== this.generation) return;
      this.phases.firstReplyMs ??= performance.now() - this.listedAt;
      this.post({ type: 'thumbs', generation, thumbs });
    }, (message) => log().warn(message));
    this._register({ dispose: () => this.thumbs.dispose() });
    this._register(vscode.window.registerWebviewViewProvider(GALLERY_VIEW_ID, this));
    this._register(deps.onDidChange(() => this.sendItems()));
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    view.webview.options = webviewOptions(this.deps.extensionUri);
    view.webview.html = webviewShellHtml(view.webview, this.deps.extensionUri, { script: 'gallery', title: 'Tile gallery' });
    const requests = new RequestReply<GalleryRequest>((m) => void view.webview.postMessage(m));
    this.requests = requests;
    view.onDidDispose(() => {
      requests.dispose();
      if (this.view === view) { this.view = undefined; this.requests = undefined; this.thumbs.reset(++this.generation); }
    });
    view.webview.onDidReceiveMessage((raw: unknown) => {
      const v = validateFromGallery(raw);
      if (!v.ok) log().warn(`Gallery: ignored a message from the webview: ${v.error}`);
      else void this.handle(v.message);
    });
  }

  /** Whether the view has been shown. */
  get resolved(): boolean {
    return this.view !== undefined;
  }

  /** Asks the webview (snapshot, scroll, click through its own click path). */
  request<T>(r: GalleryRequest): Promise<T> {
    if (!this.requests) return Promise.reject(new Error('the gallery view is not open'));
    return this.requests.request<T>(r);
  }

  snapshot(): Promise<GallerySnapshot> {
    return this.request<GallerySnapshot>({ kind: 'snapshot' });
  }

  private post(m: ToGallery): void {
    void this.view?.webview.postMessage(m);
  }

  private sendItems(): void {
    if (!this.view) return;
    const index = this.deps.index();
    const q = this.deps.query();
    const matching = index ? queryTiles(index.tiles.values(), q) : [];
    // A partial download lists thousands of tiles without images: a gallery of empty frames helps no one,
    // so they are left out unless the filter asks for them ("Image missing").
    const shown = q.filter.hasImage === false ? matching : matching.filter((t) => t.image !== undefined);
    const items: GalleryItem[] = shown.map((t) => ({ id: t.id, hasImage: t.image !== undefined, counts: [t.counts.blood_vessel, t.counts.glomerulus, t.counts.unsure] }));
    const hidden = matching.length - shown.length;
    const what = [describeFilter(q.filter), hidden > 0 ? `${hidden.toLocaleString('en-US')} without image not shown` : ''].filter(Boolean).join(' · ');
    this.listedAt = performance.now();
    this.phases = {};
    const generation = ++this.generation;
    this.thumbs.reset(generation);
    // The first screenful is built now and sent unasked: the webview's request would arrive a round trip (and,
    // right after a re-index, a busy extension host) later. It marks these ids as coming and does not ask for them.
    const { first, count } = this.lastScreen;
    const from = first < items.length ? first : 0;
    const sending = items.slice(from, from + count).map((it) => it.id);
    this.post({ type: 'items', generation, items: packItems(items), filter: what, thumbSize: THUMB_SIZE, sending });
    this.sendThumbs(generation, sending);
  }

  private async handle(m: FromGallery): Promise<void> {
    switch (m.type) {
      case 'ready':
        this.sendItems();
        return;
      case 'needThumbs':
        if (m.generation === this.generation) this.phases.firstRequestMs ??= performance.now() - this.listedAt;
        if (m.retry) log().warn(`Gallery: the webview asked again for ${m.ids.length} thumbnails not answered in time (${m.ids.slice(0, 3).join(', ')}…)`);
        this.sendThumbs(m.generation, m.ids);
        return;
      case 'open':
        await vscode.commands.executeCommand('vasculatureExplorer.openTile', m.id);
        return;
      case 'painted':
        log().debug(`Gallery: screen at ${m.first} (${m.count} cells) drawn in ${m.ms.toFixed(0)} ms (generation ${m.generation} of ${this.generation})`);
        if (m.generation === this.generation && m.count > 0) {
          this.lastScreen = { first: m.first, count: Math.min(m.count, MAX_FIRST_SCREEN) };
          const phases = this.phases.paintedMs === undefined ? { ...this.phases, paintedMs: performance.now() - this.listedAt } : undefined;
          if (phases) this.phases.paintedMs = phases.paintedMs;
          this.painted.fire({ first: m.first, count: m.count, ms: m.ms, phases });
        }
        return;
      case 'response':
        this.requests?.handleResponse(m);
        return;
    }
  }

  /** Queues the thumbnails of these ids (the visible cells first) ahead of earlier requests; an unknown id is still answered. */
  private sendThumbs(generation: number, ids: string[]): void {
    if (generation !== this.generation) return;
    const index = this.deps.index();
    const jobs = ids.map((id): ThumbJob => {
      const t = index?.tiles.get(id);
      return index && t ? thumbJob(index, t) : { id };
    });
    this.thumbs.request(generation, jobs);
  }
}
