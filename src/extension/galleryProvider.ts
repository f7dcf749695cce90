/**
 * The gallery: a webview view in the Vasculature Explorer side bar with a virtualised grid of
 * thumbnails and outline overlays, following the shared tile filter. Thumbnails come from the core
 * thumbnail cache (on disk in the extension's global storage, keyed by file size + mtime, bounded).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ThumbnailCache } from '../core/thumbnailCache';
import { describeFilter, queryTiles, type TileQuery } from '../core/tileQuery';
import type { DatasetIndex } from '../core/types';
import { validateFromGallery, type FromGallery, type GalleryItem, type GalleryRequest, type GallerySnapshot, type GalleryThumb, type ToGallery } from '../shared/galleryProtocol';
import { RequestReply } from '../shared/requestReply';
import { Disposable } from './disposable';
import { log } from './log';
import { buildThumb } from './galleryThumbs';
import { webviewHtml, webviewOptions } from './tileViewerHtml';

export const GALLERY_VIEW_ID = 'vasculatureExplorer.gallery';
/** Thumbnail size in px (longest side). */
export const THUMB_SIZE = 128;
/** Bytes the on-disk cache may hold. */
export const THUMB_CACHE_BYTES = 256 << 20;

export interface GalleryDeps {
  extensionUri: vscode.Uri;
  cacheDir: string;
  index(): DatasetIndex | undefined;
  query(): TileQuery;
  onDidChange: vscode.Event<unknown>;
}

/** One finished screenful, for tests and the bench. */
export interface GalleryPaint { first: number; count: number; ms: number }

export class GalleryProvider extends Disposable implements vscode.WebviewViewProvider {
  private view: vscode.WebviewView | undefined;
  private generation = 0;
  private requests: RequestReply<GalleryRequest> | undefined;
  readonly cache: ThumbnailCache;
  private readonly painted = this._register(new vscode.EventEmitter<GalleryPaint>());
  /** Fires when the webview reports a screenful drawn. */
  readonly onDidPaint = this.painted.event;

  constructor(private readonly deps: GalleryDeps) {
    super();
    this.cache = new ThumbnailCache(deps.cacheDir, THUMB_CACHE_BYTES);
    this._register(vscode.window.registerWebviewViewProvider(GALLERY_VIEW_ID, this));
    this._register(deps.onDidChange(() => this.sendItems()));
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    view.webview.options = webviewOptions(this.deps.extensionUri);
    view.webview.html = webviewHtml(view.webview, this.deps.extensionUri, 'gallery', 'Tile gallery');
    const requests = new RequestReply<GalleryRequest>((m) => void view.webview.postMessage(m));
    this.requests = requests;
    view.onDidDispose(() => {
      requests.dispose();
      if (this.view === view) { this.view = undefined; this.requests = undefined; }
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
    this.post({ type: 'items', generation: ++this.generation, items, filter: what, thumbSize: THUMB_SIZE });
  }

  private async handle(m: FromGallery): Promise<void> {
    switch (m.type) {
      case 'ready':
        this.sendItems();
        return;
      case 'needThumbs':
        await this.sendThumbs(m.generation, m.ids);
        return;
      case 'open':
        await vscode.commands.executeCommand('vasculatureExplorer.openTile', m.id);
        return;
      case 'painted':
        log().debug(`Gallery: screen at ${m.first} (${m.count} cells) drawn in ${m.ms.toFixed(0)} ms (generation ${m.generation} of ${this.generation})`);
        if (m.generation === this.generation && m.count > 0) this.painted.fire({ first: m.first, count: m.count, ms: m.ms });
        return;
      case 'response':
        this.requests?.handleResponse(m);
        return;
    }
  }

  /** Builds thumbnails a few at a time and posts them in small batches, so the first ones show early. */
  private async sendThumbs(generation: number, ids: string[]): Promise<void> {
    const index = this.deps.index();
    if (!index) return;
    let batch: GalleryThumb[] = [];
    let lastPost = performance.now();
    const flush = () => {
      if (batch.length && generation === this.generation) this.post({ type: 'thumbs', generation, thumbs: batch });
      batch = [];
      lastPost = performance.now();
    };
    let next = 0;
    const worker = async () => {
      while (next < ids.length && generation === this.generation) {
        const t = index.tiles.get(ids[next++]);
        if (!t) continue;
        try {
          batch.push(await buildThumb(index, t, this.cache, THUMB_SIZE, (f) => path.join(index.root, f)));
        } catch (e) {
          // Every asked-for id gets an answer, or the webview would wait for it forever.
          batch.push({ id: t.id, width: THUMB_SIZE, height: THUMB_SIZE, outlines: [], error: e instanceof Error ? e.message : String(e) });
        }
        if (batch.length >= 8 || performance.now() - lastPost > 50) flush();
      }
    };
    await Promise.all([worker(), worker(), worker()]);
    flush();
  }
}
