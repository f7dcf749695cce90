/**
 * The Stain panel: a webview beside the tile viewer that follows its tile and shows it as it is,
 * Reinhard- and Macenko-normalised and as N RandStainNA samples, each with the overlays. Pictures
 * are computed here (host) and cached per tile and settings; the webview only draws.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { decodeTile } from '../../core/image';
import { safeFileName } from '../../core/text';
import type { DatasetIndex } from '../../core/types';
import { RequestReply } from '../../shared/requestReply';
import { DEFAULT_STAIN_SETTINGS, validateFromStain, type StainRequest, type StainSettings, type StainSnapshot, type ToStainWebview, type StainResultMessage } from '../../shared/stainProtocol';
import type { OverlayPolygon } from '../../shared/tileViewerProtocol';
import { log } from '../common/log';
import { loadTilePayload } from '../viewer/tileViewerData';
import { webviewShellHtml, webviewOptions } from '../common/webviewShell';
import { normalisationPart, samplesPart, type GridPart } from './stainGrid';
import type { StainStatsService } from './stainStatsService';
import type { RgbPixels, StainResult } from '../../core/stain';

export const STAIN_PANEL_VIEW_TYPE = 'vasculatureExplorer.stainPanel';

/** One shown grid's timing, as the webview measured it. */
export interface StainShownReport { seq: number; ms: number; floorMs: number; hostMs: number; cached: boolean }

interface Computed { msg: Omit<StainResultMessage, 'seq'>; full: { label: string; result: StainResult }[] }

export class StainPanel implements vscode.Disposable {
  private readonly panel: vscode.WebviewPanel;
  private readonly rr: RequestReply<StainRequest>;
  private tileId: string | undefined;
  private settings: StainSettings = { ...DEFAULT_STAIN_SETTINGS };
  private readonly cache = new Map<string, Computed>();
  private lastHost = new Map<number, { hostMs: number; cached: boolean }>();
  readonly shown: StainShownReport[] = [];
  private readonly shownEmitter = new vscode.EventEmitter<StainShownReport>();
  readonly onDidShow = this.shownEmitter.event;
  private readonly disposables: vscode.Disposable[] = [];
  isClosed = false;

  constructor(private readonly extensionUri: vscode.Uri, private readonly index: () => DatasetIndex | undefined, private readonly stats: StainStatsService, onClose: () => void) {
    this.panel = vscode.window.createWebviewPanel(STAIN_PANEL_VIEW_TYPE, 'Stain', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, { ...webviewOptions(extensionUri), retainContextWhenHidden: false });
    this.panel.webview.html = webviewShellHtml(this.panel.webview, extensionUri, { script: 'stain', title: 'Stain' });
    this.rr = new RequestReply<StainRequest>((m) => void this.post(m), 60_000);
    this.disposables.push(
      this.panel.onDidDispose(() => {
        this.isClosed = true;
        this.rr.dispose();
        onClose();
        this.dispose();
      }),
      this.panel.webview.onDidReceiveMessage((raw) => void this.onMessage(raw)),
      stats.onDidChange(() => {
        this.cache.clear();
        this.parts.clear();
        this.postState();
      }),
    );
  }

  private post(m: ToStainWebview): Thenable<boolean> {
    return this.panel.webview.postMessage(m);
  }

  /** Follow this tile. */
  show(tileId: string): void {
    this.tileId = tileId;
    this.panel.title = `Stain: ${tileId}`;
    this.postState();
  }

  reveal(): void {
    this.panel.reveal(vscode.ViewColumn.Beside, true);
  }

  /** Ask the webview (tests). */
  request<T>(r: StainRequest): Promise<T> {
    return this.rr.request<T>(r);
  }

  snapshot(): Promise<StainSnapshot> {
    return this.request<StainSnapshot>({ kind: 'snapshot' });
  }

  private postState(message?: string): void {
    const index = this.index();
    const t = this.tileId ? index?.tiles.get(this.tileId) : undefined;
    const wsis = index ? [...new Set([...index.tiles.values()].map((x) => x.wsi).filter((w): w is number => w !== undefined))].sort((a, b) => a - b) : [];
    void this.post({ type: 'state', ...(t ? { tile: { id: t.id, ...(t.wsi !== undefined ? { wsi: t.wsi } : {}), width: 512, height: 512 } } : {}), wsis, statsTiles: this.stats.current?.filter((x) => !x.skipped).length ?? 0, settings: this.settings, ...(message ? { message } : {}) });
  }

  private async pixelsOf(id: string) {
    const index = this.index();
    const t = index?.tiles.get(id);
    if (!index || !t?.image) throw new Error(`tile ${id} has no image in the open dataset`);
    return decodeTile(path.join(index.root, t.image));
  }

  private readonly tiles = new Map<string, { px: RgbPixels; polygons: OverlayPolygon[]; width: number; height: number; wsi?: number }>();
  private readonly parts = new Map<string, GridPart>();

  private remember<K, V>(m: Map<K, V>, k: K, v: V, max: number): V {
    m.set(k, v);
    while (m.size > max) m.delete(m.keys().next().value as K);
    return v;
  }

  /** The grid for the followed tile: its decoded pixels, the normalisation part and the samples part are each cached. */
  private async compute(settings: StainSettings): Promise<Computed> {
    const index = this.index();
    const id = this.tileId;
    const t = id ? index?.tiles.get(id) : undefined;
    if (!index || !id || !t?.image) throw new Error(id ? `tile ${id} has no image in the open dataset` : 'no tile: open one in the tile viewer first');
    const key = `${id}|${JSON.stringify(settings)}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const stats = this.stats.current ?? (await this.stats.ensure());
    const t0 = performance.now();
    let tile = this.tiles.get(id);
    if (!tile) {
      const payload = await loadTilePayload(path.join(index.root, t.image), index, t);
      tile = this.remember(this.tiles, id, { px: { width: payload.pixelsWidth, height: payload.pixelsHeight, channels: 4, data: payload.rgba }, polygons: payload.polygons, width: payload.width, height: payload.height, wsi: t.wsi }, 4);
    }
    const nKey = `${id}|${settings.reinhard}|${settings.macenko}`;
    const norm = this.parts.get(nKey) ?? this.remember(this.parts, nKey, await normalisationPart({ id, wsi: tile.wsi, px: tile.px }, settings, { stats, loadTile: (x) => this.pixelsOf(x) }), 24);
    const sKey = `${id}|${settings.space}|${settings.stdHyper}|${settings.distribution}|${settings.seed}|${settings.n}`;
    const samples = this.parts.get(sKey) ?? this.remember(this.parts, sKey, samplesPart(tile.px, settings, stats), 24);
    const c: Computed = { msg: { type: 'result', tileId: id, tileWidth: tile.width, tileHeight: tile.height, cells: [...norm.cells, ...samples.cells], polygons: tile.polygons, hostMs: performance.now() - t0, cached: false }, full: [...norm.full, ...samples.full] };
    return this.remember(this.cache, key, c, 12);
  }

  private async onMessage(raw: unknown): Promise<void> {
    const v = validateFromStain(raw);
    if (!v.ok) {
      log().warn(`Stain panel: ignored a message: ${v.error}`);
      return;
    }
    const m = v.message;
    if (m.type === 'response') this.rr.handleResponse(m);
    else if (m.type === 'ready') this.postState();
    else if (m.type === 'ping') void this.post({ type: 'pong', id: m.id });
    else if (m.type === 'shown') {
      const h = this.lastHost.get(m.seq);
      const r: StainShownReport = { seq: m.seq, ms: m.ms, floorMs: m.floorMs, hostMs: h?.hostMs ?? NaN, cached: h?.cached ?? false };
      this.shown.push(r);
      this.shownEmitter.fire(r);
    } else if (m.type === 'compute') {
      this.settings = m.settings;
      try {
        const had = this.cache.has(`${this.tileId}|${JSON.stringify(m.settings)}`);
        const t0 = performance.now();
        const c = await this.compute(m.settings);
        this.lastHost.set(m.seq, { hostMs: performance.now() - t0, cached: had });
        void this.post({ ...c.msg, seq: m.seq, cached: had, hostMs: performance.now() - t0 });
      } catch (e) {
        void this.post({ type: 'error', seq: m.seq, message: e instanceof Error ? e.message : String(e) });
      }
    } else if (m.type === 'export') await this.exportPngs(m.settings);
  }

  /** Writes every picture of the grid at full resolution as PNG into a chosen folder. */
  async exportPngs(settings: StainSettings, folder?: string): Promise<string[]> {
    const c = await this.compute(settings);
    let dir = folder;
    if (!dir) {
      const pick = await vscode.window.showOpenDialog({ canSelectFiles: false, canSelectFolders: true, canSelectMany: false, openLabel: 'Export stain tiles here' });
      if (!pick?.[0]) return [];
      dir = pick[0].fsPath;
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const sharp = require('sharp') as typeof import('sharp');
    fs.mkdirSync(dir, { recursive: true });
    const written: string[] = [];
    let k = 0;
    for (const { label, result } of c.full) {
      const slug = label.replace(/[^A-Za-z0-9#.-]+/g, '_').replace(/#/g, 'n').slice(0, 60);
      // safeFileName: a tile id from a data file never reaches a file name as it is.
      const file = path.join(dir, `${safeFileName(c.msg.tileId)}_${String(k++).padStart(2, '0')}_${slug}.png`);
      await sharp(Buffer.from(result.data.buffer, result.data.byteOffset, result.data.byteLength), { raw: { width: result.width, height: result.height, channels: 4 } }).png().toFile(file);
      written.push(file);
    }
    if (!folder) void vscode.window.showInformationMessage(`Vasculature: exported ${written.length} stain tiles to ${dir}.`);
    return written;
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
    this.shownEmitter.dispose();
    if (!this.isClosed) this.panel.dispose();
  }
}
