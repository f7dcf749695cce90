/** One open tile viewer: shows a tile in its webview, switches tiles in place (next/previous, context clicks) and prefetches neighbours. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { TileImageError } from '../../core/image';
import type { DatasetIndex, TileRecord } from '../../core/types';
import { RequestReply } from '../../shared/requestReply';
import { RecentTiles } from '../../shared/tileViewerCache';
import { packOpaqueRgb } from '../../shared/tileViewerPixels';
import { validateFromViewer, type FromWebview, type NavigatedMessage, type NeighbourRole, type TilePayload, type ToWebview, type ViewerRequest, type ViewerSnapshot } from '../../shared/tileViewerProtocol';
import { Disposable } from '../common/disposable';
import { log } from '../common/log';
import type { PredictionStore } from '../predict/predictionStore';
import { loadContext, loadTilePayload, type TilePayloadCache } from './tileViewerData';
import { webviewShellHtml, webviewOptions } from '../common/webviewShell';

/** What a panel needs from the rest of the extension. */
export interface ViewerHost {
  extensionUri: vscode.Uri;
  index(): DatasetIndex | undefined;
  /** The tile browser's filtered, sorted tiles. */
  ordered(): TileRecord[];
  cache: TilePayloadCache;
  /** Predictions per tile: the panel sends the shown tile's layer and follows its changes. */
  predictions?: Pick<PredictionStore, 'layer' | 'onDidChange'>;
  onPainted(report: PaintReport): void;
  onActive(panel: TileViewerPanel): void;
  onDisposed(panel: TileViewerPanel): void;
  /** The panel now shows another tile (its title already names it). */
  onShown?(panel: TileViewerPanel): void;
  /**
   * Shows tile id in the reusable tile viewer panel: a viewer opened on a file (the custom editor,
   * whose tab VS Code names after that file) sends next/previous and context clicks there.
   */
  browse(id: string): void;
}

/** One completed paint, as the host saw it. */
export interface PaintReport {
  id: string;
  seq: number;
  drawn: ViewerSnapshot['drawn'];
  /** Host: from the request to show the tile to the webview's "painted" message. */
  totalMs: number;
  /** Host: decode + polygons (0 when it came from the prefetch cache). */
  loadMs: number;
  /** Webview: from the tile message's arrival to the frame after drawing. */
  paintMs: number;
  /** Host post to webview arrival (Date.now() on both sides of one machine). */
  transitMs?: number;
  prefetched: boolean;
  /** Painted from the tiles the webview keeps (a 'showCached': no pixels crossed). */
  cached: boolean;
  /** The webview switched by itself (n/p in it) and painted before telling the host: totalMs and paintMs are its handler-to-frame time. */
  local?: boolean;
  /** Epoch ms, the webview's clock (one machine), when the frame showing the tile was done: before the report's trip back. */
  paintedAt?: number;
  /** For the first paint of a new webview: when each start-up step happened (epoch ms, one machine's clock). */
  open?: OpenPhases;
}

/** Start-up of a new viewer webview, epoch ms: the panel created (resolveCustomEditor or createWebviewPanel), the webview document's start, its script's start, "ready" at the host. */
export interface OpenPhases { resolvedAt: number; documentAt?: number; scriptAt?: number; readyAt: number }

const epochNow = () => performance.timeOrigin + performance.now();

const packed = new WeakMap<TilePayload, TilePayload>();
/** The payload as it crosses to the webview: an opaque image as RGB (a quarter fewer bytes), packed once per payload. */
function onWire(p: TilePayload): TilePayload {
  let w = packed.get(p);
  if (!w) {
    const rgb = p.channels === undefined ? packOpaqueRgb(p.rgba) : undefined;
    w = rgb ? { ...p, rgba: rgb, channels: 3 } : p;
    packed.set(p, w);
  }
  return w;
}

/** The tile a file is, in the open dataset (undefined outside it). */
export function tileOfFile(index: DatasetIndex | undefined, file: string): TileRecord | undefined {
  if (!index) return undefined;
  const rel = path.relative(index.root, file).split(path.sep).join('/');
  if (rel.startsWith('..')) return undefined;
  for (const t of index.tiles.values()) if (t.image === rel) return t;
  return undefined;
}

export class TileViewerPanel extends Disposable {
  private file: string;
  private tile: TileRecord | undefined;
  private seq = 0;
  private readonly started = new Map<number, { t0: number; loadMs: number; prefetched: boolean; cached: boolean }>();
  /** Switches the webview made by itself and the host followed: its nav number -> the host's seq. */
  private readonly followed = new Map<number, number>();
  private contextOn = false;
  private ready = false;
  /** 'ready' came once: a later one is a reloaded webview document, which keeps nothing. */
  private readyOnce = false;
  /** The first tile's message, posted before the webview document started (VS Code holds it until the document has loaded). */
  private earlySeq: number | undefined;
  private readonly requests: RequestReply<ViewerRequest>;
  /** Mirror of the keys (host file paths) the webview keeps: updated at each post, in post order. */
  private readonly inWebview = new RecentTiles<true>();
  private readonly resolvedAt = epochNow();
  private openPhases: OpenPhases | undefined;
  private openReported = false;
  private gone = false;
  /** The tab title and the neighbours' prefetch of the last tile sent, done once the webview has painted that tile. */
  private afterPaint: { seq: number; run: () => void } | undefined;

  /**
   * fixedFile: the panel is a custom editor whose document is `resource` (its tab always names that
   * file), so it never shows another tile: other tiles go to the reusable panel (host.browse).
   * Otherwise it is the reusable panel, whose tab title follows the tile shown.
   */
  constructor(readonly panel: vscode.WebviewPanel, readonly resource: vscode.Uri, private readonly host: ViewerHost, readonly fixedFile = true) {
    super();
    this.file = resource.fsPath;
    this.tile = tileOfFile(host.index(), this.file);
    this.requests = new RequestReply<ViewerRequest>((m) => void this.post(m));
    panel.webview.options = webviewOptions(host.extensionUri);
    panel.webview.html = webviewShellHtml(panel.webview, host.extensionUri, { script: 'tileViewer', title: 'Tile viewer', keepEarlyMessages: true });
    this._register(panel.webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)));
    this._register(panel.onDidChangeViewState(() => panel.active && host.onActive(this)));
    this._register(panel.onDidDispose(() => this.dispose()));
    if (host.predictions) this._register(host.predictions.onDidChange((id) => { if (id === undefined || id === this.current.id) void this.sendPrediction(); }));
    this._register({ dispose: () => { this.gone = true; this.requests.dispose(); host.onDisposed(this); } });
    // Decode and post the first tile now: both overlap the webview's start-up.
    void this.show(this.file, this.tile, true);
    host.onActive(this);
  }

  /** Whether the panel was closed. */
  get isClosed(): boolean {
    return this.gone;
  }

  /** The tile on show. */
  get current(): { id: string; file: string } {
    return { id: this.tile?.id ?? path.basename(this.file).replace(/\.[^.]+$/, ''), file: this.file };
  }

  /** Asks the webview something (snapshot, toggle a class, switch the slide context). */
  request<T>(r: ViewerRequest): Promise<T> {
    return this.requests.request<T>(r);
  }

  private post(m: ToWebview): Thenable<boolean> {
    // The webview applies the same steps to its kept tiles, in this order.
    if (m.type === 'tile' || m.type === 'prefetch') this.inWebview.put(m.key, true);
    else if (m.type === 'showCached') this.inWebview.get(m.key);
    else if (m.type === 'dropCache') this.inWebview.clear();
    return this.panel.webview.postMessage(m);
  }

  /** Makes the webview forget its kept tiles (after a re-index); nothing before it is ready. */
  dropWebviewCache(): void {
    if (this.ready) void this.post({ type: 'dropCache' });
    else this.inWebview.clear();
  }

  /** Keys the webview keeps, least recently used first (for tests). */
  get webviewKeeps(): string[] {
    return this.inWebview.keys();
  }

  private prepare(file: string, tile: TileRecord | undefined) {
    return this.host.cache.get(file, () => loadTilePayload(file, this.host.index(), tile));
  }

  /**
   * Shows a tile in this panel (in place: no new editor). `early`: the panel's first tile, posted
   * before its webview is ready (VS Code delivers it once the document has loaded).
   */
  async show(file: string, tile: TileRecord | undefined, early = false): Promise<void> {
    this.file = file;
    this.tile = tile;
    const seq = ++this.seq;
    const t0 = performance.now();
    const prefetched = this.host.cache.has(file);
    if (!this.ready && !early) {
      this.retitle(); // "ready" shows it
      return;
    }
    if (early) this.earlySeq = seq;
    try {
      const order = this.withImages();
      const pos = tile ? order.findIndex((t) => t.id === tile.id) : -1;
      const place = { position: pos >= 0 ? pos + 1 : undefined, total: order.length };
      // The tile's message goes first. The tab title, the tree's reveal (both make the workbench
      // busy while the webview draws) and the neighbours' pixels follow once it is painted.
      if (this.inWebview.has(file)) {
        // The webview keeps this tile (prefetched or shown before): it paints at once from its copy.
        this.started.set(seq, { t0, loadMs: 0, prefetched: true, cached: true });
        void this.post({ type: 'showCached', seq, key: file, ...place, sentAt: Date.now() });
      } else {
        const payload = await this.prepare(file, tile);
        if (seq !== this.seq) return; // a newer switch won
        this.started.set(seq, { t0, loadMs: prefetched ? 0 : payload.loadMs, prefetched, cached: false });
        void this.post({ type: 'tile', seq, key: file, sentAt: Date.now(), tile: { ...onWire(payload), ...place } });
      }
      void this.sendPrediction();
      if (this.contextOn) void this.sendContext();
      this.afterPaint = { seq, run: () => { this.retitle(); void this.prefetchAround(order, pos, seq); } };
    } catch (e) {
      if (seq !== this.seq) return;
      this.retitle();
      const message = e instanceof TileImageError ? e.message : `${file}: the tile could not be shown (${e instanceof Error ? e.message : String(e)}).`;
      log().warn(`Tile viewer: ${message}`);
      await this.post({ type: 'error', seq, file, message });
    }
  }

  /** The tab names the tile on show (a custom editor's tab keeps its document's name); the host hears of it. */
  private retitle(): void {
    this.panel.title = path.basename(this.file);
    this.host.onShown?.(this);
  }

  /** Tiles of the shared order that have an image (next/previous skip the rest). */
  private withImages(): TileRecord[] {
    return this.host.ordered().filter((t) => t.image);
  }

  /**
   * Decodes the next and previous tiles and pushes them into the webview (next first), unless it
   * keeps them already or shows one file only; then tells it which kept tiles are next and previous.
   */
  private async prefetchAround(order: TileRecord[], pos: number, seq: number): Promise<void> {
    const index = this.host.index();
    if (!index || pos < 0) return;
    const roles: { next?: NeighbourRole; prev?: NeighbourRole } = {};
    for (const [k, role] of [[pos + 1, 'next'], [pos - 1, 'prev']] as const) {
      const t = order[k];
      if (!t?.image) continue;
      const file = path.join(index.root, t.image);
      if (!this.inWebview.has(file)) {
        const payload = await this.prepare(file, t).catch(() => undefined);
        // A newer switch prefetches its own neighbours; an unreadable neighbour shows its error when opened.
        if (!payload || seq !== this.seq || this.gone || !this.ready) return;
        if (this.fixedFile) continue; // next/previous show in the reusable panel: only the host's cache is warmed
        if (!this.inWebview.has(file)) void this.post({ type: 'prefetch', key: file, tile: onWire(payload) });
      }
      if (!this.fixedFile) roles[role] = { key: file, position: k + 1, total: order.length };
    }
    if (!this.fixedFile && seq === this.seq && !this.gone && this.ready) void this.post({ type: 'neighbours', of: this.file, ...roles, here: { position: pos + 1, total: order.length } });
  }

  /** The Tiles order changed (filter, sort, re-index): the webview's next/previous roles are re-sent for the new order. */
  orderChanged(): void {
    if (!this.ready || this.fixedFile || this.gone) return;
    const order = this.withImages();
    const pos = this.tile ? order.findIndex((t) => t.id === this.tile!.id) : -1;
    if (pos < 0) void this.post({ type: 'neighbours', of: this.file }); // no "here": the filter hides the tile
    else void this.prefetchAround(order, pos, this.seq);
  }

  /**
   * The webview switched by itself to a kept neighbour and painted it. The host is the one truth of
   * what is shown: it follows when it agrees (its tile was `from` and its neighbour is `key`);
   * otherwise it shows the tile it holds to be right (its own next in the current order, or its current tile).
   */
  private async followWebview(m: NavigatedMessage): Promise<void> {
    const index = this.host.index();
    const order = this.withImages();
    const pos = this.tile ? order.findIndex((t) => t.id === this.tile!.id) : -1;
    const next = m.from === this.file && pos >= 0 ? order[pos + m.step] : undefined;
    const nextFile = index && next?.image ? path.join(index.root, next.image) : undefined;
    this.inWebview.get(m.key); // the webview used its kept copy: the same step in the mirror of its LRU
    if (!nextFile || nextFile !== m.key || this.fixedFile) {
      log().info(`Tile viewer: the webview showed ${path.basename(m.key)}, but the Tiles order says ${nextFile ? path.basename(nextFile) : path.basename(this.file)}: showing that.`);
      if (nextFile && m.from === this.file && !this.fixedFile) await this.show(nextFile, next);
      else await this.show(this.file, this.tile);
      return;
    }
    this.file = nextFile;
    this.tile = next;
    const seq = ++this.seq;
    this.panel.title = path.basename(nextFile);
    this.host.onShown?.(this);
    this.followed.set(m.nav, seq);
    if (this.followed.size > 16) this.followed.delete(this.followed.keys().next().value as number);
    void this.sendPrediction();
    if (this.contextOn) void this.sendContext();
    void this.prefetchAround(order, pos + m.step, seq);
  }

  /** Next (+1) or previous (-1) tile in the tile browser's order; false at the end. */
  async navigate(step: 1 | -1): Promise<boolean> {
    const index = this.host.index();
    if (!index) return false;
    const order = this.withImages();
    const pos = this.tile ? order.findIndex((t) => t.id === this.tile!.id) : -1;
    const next = pos < 0 ? order[0] : order[pos + step];
    if (!next?.image) return false;
    if (this.fixedFile) {
      this.host.browse(next.id);
      return true;
    }
    await this.show(path.join(index.root, next.image), next);
    return true;
  }

  /** Shows another tile of the dataset by id (a context neighbour was clicked). */
  async openId(id: string): Promise<boolean> {
    const index = this.host.index();
    const t = index?.tiles.get(id);
    if (!index || !t?.image) return false;
    if (this.fixedFile && t !== this.tile) {
      this.host.browse(id);
      return true;
    }
    await this.show(path.join(index.root, t.image), t);
    return true;
  }

  /** Sends the shown tile's prediction layer (null when it has none); nothing before the webview is ready. */
  private async sendPrediction(): Promise<void> {
    if (!this.ready || !this.host.predictions) return;
    const tileId = this.current.id;
    await this.post({ type: 'prediction', tileId, layer: this.host.predictions.layer(tileId) ?? null });
  }

  private async sendContext(): Promise<void> {
    const index = this.host.index();
    const center = this.tile;
    if (!index || !center) {
      await this.post({ type: 'context', center: this.current.id, tiles: [] });
      return;
    }
    const tiles = await loadContext(index, center, this.host.cache);
    if (center === this.tile) await this.post({ type: 'context', center: center.id, tiles });
  }

  private receive(raw: unknown): void {
    const v = validateFromViewer(raw);
    if (!v.ok) {
      log().warn(`Tile viewer: ignored a message from the webview: ${v.error}`);
      return;
    }
    void this.handle(v.message);
  }

  private async handle(m: FromWebview): Promise<void> {
    switch (m.type) {
      case 'ready': {
        const first = !this.readyOnce;
        this.readyOnce = true;
        this.ready = true;
        if (!this.openPhases) this.openPhases = { resolvedAt: this.resolvedAt, documentAt: m.timeOrigin, scriptAt: m.timeOrigin !== undefined && m.scriptAt !== undefined ? m.timeOrigin + m.scriptAt : undefined, readyAt: epochNow() };
        const early = this.earlySeq;
        if (first && early !== undefined && early === this.seq) {
          // The first tile is on its way (posted before this document started): only what needs a ready webview follows.
          void this.sendPrediction();
          if (this.contextOn) void this.sendContext();
          // Should the document have been replaced before it loaded, the early message is lost: send the tile again.
          setTimeout(() => {
            if (!this.gone && this.seq === early && this.started.has(early)) {
              log().info(`Tile viewer: no paint of ${path.basename(this.file)} 5 s after the webview started: sending it again.`);
              this.inWebview.clear();
              void this.show(this.file, this.tile);
            }
          }, 5000);
          return;
        }
        this.inWebview.clear(); // a new (or reloaded) webview keeps nothing
        await this.show(this.file, this.tile);
        return;
      }
      case 'cacheMiss':
        // The webview lost a tile the mirror says it keeps: send the pixels (a new seq paints it).
        this.inWebview.delete(m.key);
        this.started.delete(m.seq);
        if (m.seq === this.seq && m.key === this.file) await this.show(this.file, this.tile);
        return;
      case 'navigate':
        await this.navigate(m.step);
        return;
      case 'navigated':
        await this.followWebview(m);
        return;
      case 'openTile':
        await this.openId(m.id);
        return;
      case 'context':
        this.contextOn = m.on;
        if (m.on) await this.sendContext();
        return;
      case 'painted': {
        if (m.local) {
          // A switch the webview made by itself: reported once the host followed it (paintMs is from its key handler to the frame).
          const seq = this.followed.get(m.seq);
          this.followed.delete(m.seq);
          if (seq !== undefined) this.host.onPainted({ id: m.id, seq, drawn: m.drawn, totalMs: m.paintMs, loadMs: 0, paintMs: m.paintMs, prefetched: true, cached: true, local: true, paintedAt: m.paintedAt });
          return;
        }
        const s = this.started.get(m.seq);
        this.started.delete(m.seq);
        if (this.afterPaint?.seq === m.seq) {
          this.afterPaint.run();
          this.afterPaint = undefined;
        }
        if (!s) return;
        const open = this.openPhases && !this.openReported ? this.openPhases : undefined;
        if (open) this.openReported = true;
        this.host.onPainted({ id: m.id, seq: m.seq, drawn: m.drawn, totalMs: performance.now() - s.t0, loadMs: s.loadMs, paintMs: m.paintMs, transitMs: m.transitMs, prefetched: s.prefetched, cached: m.cached === true && s.cached, paintedAt: m.paintedAt, ...(open ? { open } : {}) });
        return;
      }
      case 'export':
        await vscode.commands.executeCommand('vasculatureExplorer.exportTile', this.current.id, m.kind);
        return;
      case 'response':
        this.requests.handleResponse(m);
        return;
    }
  }
}
