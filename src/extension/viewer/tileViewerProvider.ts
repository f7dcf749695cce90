/**
 * The tile viewer, in two kinds of tab:
 * - the custom editor (viewType vasculatureExplorer.tileViewer), the default editor for
 *   *.tif/*.tiff/*.png inside a train/ or test/ folder: opening a file from the Explorer shows it
 *   there; its tab is named after that file, so it always shows that file;
 * - one reusable WebviewPanel (like the Markdown preview) for tiles opened from inside the product
 *   (tile tree, gallery, dashboard, Go to Tile, next/previous, slide context clicks): its tab title
 *   follows the tile shown, and the next open re-targets it (no new webview).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CLASS_NAMES, type ClassName, type DatasetIndex, type TileRecord } from '../../core/types';
import type { ViewerSnapshot } from '../../shared/tileViewerProtocol';
import { Disposable } from '../common/disposable';
import { log } from '../common/log';
import type { PredictionStore } from '../predict/predictionStore';
import { TilePayloadCache } from './tileViewerData';
import { webviewOptions } from '../common/webviewShell';
import { TileViewerPanel, type PaintReport, type ViewerHost } from './tileViewerPanel';
import { setTilePanelFile, TILE_PANEL_TYPE } from './tileViewerTabs';

export const TILE_VIEWER_TYPE = 'vasculatureExplorer.tileViewer';

export interface TileViewerDeps {
  extensionUri: vscode.Uri;
  index(): DatasetIndex | undefined;
  ordered(): TileRecord[];
  /** Predictions per tile, drawn as the viewer's Prediction layer. */
  predictions?: Pick<PredictionStore, 'layer' | 'onDidChange'>;
  /** The dataset index once there is one (undefined when none comes within timeoutMs). */
  indexed(timeoutMs: number): Promise<DatasetIndex | undefined>;
}

export class TileViewerProvider extends Disposable implements vscode.CustomReadonlyEditorProvider {
  private readonly panels = new Set<TileViewerPanel>();
  private activePanel: TileViewerPanel | undefined;
  /** The reusable panel (tiles opened from inside the product), while open. */
  private browser: TileViewerPanel | undefined;
  private readonly cache = new TilePayloadCache(12);
  private readonly paints: PaintReport[] = [];
  private readonly painted = this._register(new vscode.EventEmitter<PaintReport>());
  /** Fires after every full paint of a tile. */
  readonly onDidPaint = this.painted.event;

  private readonly shown = this._register(new vscode.EventEmitter<string>());
  /** The reusable tile viewer panel shows another tile (its id): the tile browser follows it. */
  readonly onDidShowTile = this.shown.event;

  constructor(private readonly deps: TileViewerDeps) {
    super();
    // retainContextWhenHidden: a hidden viewer keeps its webview, so showing its tab again paints at
    // once instead of starting a new webview (docs/webview-startup.md; its memory is in the bench).
    this._register(vscode.window.registerCustomEditorProvider(TILE_VIEWER_TYPE, this, { supportsMultipleEditorsPerDocument: true, webviewOptions: { retainContextWhenHidden: true } }));
    this._register({ dispose: () => { for (const p of [...this.panels]) p.dispose(); } });
    // After a window reload VS Code hands back the reusable panel's tab; it shows the tile it showed.
    this._register(vscode.window.registerWebviewPanelSerializer(TILE_PANEL_TYPE, { deserializeWebviewPanel: (panel, state: unknown) => this.restore(panel, state) }));
    this._register(setTilePanelFile(() => (this.browser && !this.browser.isClosed ? vscode.Uri.file(this.browser.current.file) : undefined)));
  }

  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => undefined };
  }

  resolveCustomEditor(doc: vscode.CustomDocument, panel: vscode.WebviewPanel): void {
    this.panels.add(new TileViewerPanel(panel, doc.uri, this.viewerHost(), true));
  }

  private viewerHost(): ViewerHost {
    return {
      extensionUri: this.deps.extensionUri,
      index: () => this.deps.index(),
      ordered: () => this.deps.ordered(),
      cache: this.cache,
      predictions: this.deps.predictions,
      onPainted: (r) => {
        this.paints.push(r);
        if (this.paints.length > 1000) this.paints.shift();
        this.painted.fire(r);
      },
      onActive: (x) => (this.activePanel = x),
      onShown: (x) => {
        const id = x.current.id;
        if (x === this.browser && id) this.shown.fire(id);
      },
      onDisposed: (x) => {
        this.panels.delete(x);
        if (this.browser === x) this.browser = undefined;
        if (this.activePanel === x) this.activePanel = [...this.panels].pop();
      },
      browse: (id) => void this.showInPreview(id),
    };
  }

  /** The viewer that has (or last had) focus. */
  get active(): TileViewerPanel | undefined {
    return this.activePanel;
  }

  /** Paint reports, oldest first (at most 1000). */
  get paintReports(): readonly PaintReport[] {
    return this.paints;
  }

  /** Forget cached tiles (after a re-index), here and in every viewer webview. */
  clearCache(): void {
    this.cache.clear();
    for (const p of this.panels) p.dropWebviewCache();
  }

  /** The Tiles order changed (filter, sort, re-index): each viewer re-sends its next/previous roles. */
  orderChanged(): void {
    for (const p of this.panels) p.orderChanged();
  }

  /**
   * Shows tile id in the reusable tile viewer panel: re-targets and reveals it when open (its
   * webview stays), else creates it in the active editor group. False when the tile has no image.
   */
  showInPreview(id: string): boolean {
    const index = this.deps.index();
    const t = index?.tiles.get(id);
    if (!index || !t?.image) return false;
    const file = path.join(index.root, t.image);
    const p = this.browser;
    if (p && !p.isClosed) {
      if (!p.panel.active) p.panel.reveal(p.panel.viewColumn, false);
      void p.show(file, t);
      return true;
    }
    const panel = vscode.window.createWebviewPanel(TILE_PANEL_TYPE, path.basename(file), { viewColumn: vscode.ViewColumn.Active, preserveFocus: false }, { ...webviewOptions(this.deps.extensionUri), retainContextWhenHidden: true });
    panel.iconPath = vscode.Uri.joinPath(this.deps.extensionUri, 'media', 'logo.png');
    this.browser = new TileViewerPanel(panel, vscode.Uri.file(file), this.viewerHost(), false);
    this.panels.add(this.browser);
    return true;
  }

  /**
   * A reusable panel VS Code restored (window reload): it shows again the tile its webview state
   * names, once the dataset is indexed. Without one (another dataset, no index within 60 s, the
   * tile gone, or a reusable panel already open) the restored tab is closed, with a line in the log.
   */
  private async restore(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const id = state && typeof state === 'object' && typeof (state as { tileId?: unknown }).tileId === 'string' ? (state as { tileId: string }).tileId : undefined;
    const index = id ? await this.deps.indexed(60_000) : undefined;
    const t = id ? index?.tiles.get(id) : undefined;
    if (!index || !t?.image || (this.browser && !this.browser.isClosed)) {
      log().info(`Tile viewer: the restored tile viewer tab was closed (${!id ? 'it named no tile' : !index ? 'no dataset index' : !t?.image ? `tile ${id} has no image in ${index.root}` : 'a tile viewer panel is already open'}).`);
      panel.dispose();
      return;
    }
    const file = path.join(index.root, t.image);
    panel.webview.options = webviewOptions(this.deps.extensionUri);
    panel.iconPath = vscode.Uri.joinPath(this.deps.extensionUri, 'media', 'logo.png');
    this.browser = new TileViewerPanel(panel, vscode.Uri.file(file), this.viewerHost(), false);
    this.panels.add(this.browser);
  }

  /** The reusable panel, while open (for tests). */
  get reusablePanel(): TileViewerPanel | undefined {
    return this.browser;
  }

  /** Resolves at the next paint of tile id (any tile when id is undefined). */
  nextPaint(id?: string, timeoutMs = 20_000): Promise<PaintReport> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { sub.dispose(); reject(new Error(`no paint of ${id ?? 'a tile'} within ${timeoutMs} ms`)); }, timeoutMs);
      const sub = this.onDidPaint((r) => {
        if (id && r.id !== id) return;
        clearTimeout(timer);
        sub.dispose();
        resolve(r);
      });
    });
  }

  /** The commands that act on the active viewer. */
  registerCommands(): vscode.Disposable[] {
    const need = () => {
      if (!this.activePanel) void vscode.window.showInformationMessage('No tile viewer is open: open a tile from the Tiles view first.');
      return this.activePanel;
    };
    return [
      // Internal (not in the palette): the tile browser's Open Tile asks this first.
      vscode.commands.registerCommand('vasculatureExplorer.showTileInPreviewViewer', (id: unknown) => typeof id === 'string' && this.showInPreview(id)),
      vscode.commands.registerCommand('vasculatureExplorer.nextTile', () => need()?.navigate(1)),
      vscode.commands.registerCommand('vasculatureExplorer.previousTile', () => need()?.navigate(-1)),
      // Internal (tests, bench): runs the viewer's own n/p/]/[ key handler in the webview; answers its snapshot after the frame.
      vscode.commands.registerCommand('vasculatureExplorer.tileViewerPress', (key: unknown) => (key === 'n' || key === 'p' || key === ']' || key === '[' ? need()?.request<ViewerSnapshot>({ kind: 'press', key }) : undefined)),
      vscode.commands.registerCommand('vasculatureExplorer.toggleSlideContext', (on?: boolean) => need()?.request({ kind: 'setContext', on: typeof on === 'boolean' ? on : !this.lastContext }).then((s) => (this.lastContext = (s as ViewerSnapshot).context))),
      vscode.commands.registerCommand('vasculatureExplorer.togglePredictionLayer', (visible?: boolean) => need()?.request<ViewerSnapshot>({ kind: 'togglePrediction', visible: typeof visible === 'boolean' ? visible : undefined })),
      vscode.commands.registerCommand('vasculatureExplorer.toggleOverlayClass', async (cls?: ClassName, visible?: boolean) => {
        const p = need();
        if (!p) return undefined;
        if (!cls || !CLASS_NAMES.includes(cls)) {
          cls = (await vscode.window.showQuickPick(CLASS_NAMES.map((c) => c), { title: 'Show or hide overlays of a class' })) as ClassName | undefined;
        }
        return cls ? p.request<ViewerSnapshot>({ kind: 'toggleClass', cls, visible: typeof visible === 'boolean' ? visible : undefined }) : undefined;
      }),
    ];
  }

  private lastContext = false;
}
