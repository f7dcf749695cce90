/**
 * The tile viewer custom editor (viewType vasculatureExplorer.tileViewer) and its commands.
 * It is the default editor for *.tif/*.tiff/*.png inside a train/ or test/ folder (the dataset
 * layout), so opening a tile from the Explorer shows it here; any other image stays with VS Code's
 * own editors unless opened with "Open With…".
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CLASS_NAMES, type ClassName, type DatasetIndex, type TileRecord } from '../core/types';
import type { ViewerSnapshot } from '../shared/tileViewerProtocol';
import { Disposable } from './disposable';
import type { PredictionStore } from './predictionStore';
import { TilePayloadCache } from './tileViewerData';
import { TileViewerPanel, type PaintReport } from './tileViewerPanel';

export const TILE_VIEWER_TYPE = 'vasculatureExplorer.tileViewer';

export interface TileViewerDeps {
  extensionUri: vscode.Uri;
  index(): DatasetIndex | undefined;
  ordered(): TileRecord[];
  /** Predictions per tile, drawn as the viewer's Prediction layer. */
  predictions?: Pick<PredictionStore, 'layer' | 'onDidChange'>;
}

export class TileViewerProvider extends Disposable implements vscode.CustomReadonlyEditorProvider {
  private readonly panels = new Set<TileViewerPanel>();
  private activePanel: TileViewerPanel | undefined;
  private readonly cache = new TilePayloadCache(12);
  private readonly paints: PaintReport[] = [];
  private readonly painted = this._register(new vscode.EventEmitter<PaintReport>());
  /** Fires after every full paint of a tile. */
  readonly onDidPaint = this.painted.event;

  constructor(private readonly deps: TileViewerDeps) {
    super();
    this._register(vscode.window.registerCustomEditorProvider(TILE_VIEWER_TYPE, this, { supportsMultipleEditorsPerDocument: true }));
    this._register({ dispose: () => { for (const p of [...this.panels]) p.dispose(); } });
  }

  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => undefined };
  }

  resolveCustomEditor(doc: vscode.CustomDocument, panel: vscode.WebviewPanel): void {
    const p = new TileViewerPanel(panel, doc.uri, {
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
      onDisposed: (x) => {
        this.panels.delete(x);
        if (this.activePanel === x) this.activePanel = [...this.panels].pop();
      },
    });
    this.panels.add(p);
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

  /**
   * Like VS Code's preview editors: when the active viewer's tab is a preview tab in the active
   * group, shows tile id there (its webview stays; no new editor) and returns true; otherwise
   * false, and the caller opens a new editor. A pinned viewer is never replaced.
   */
  showInPreview(id: string): boolean {
    const p = this.activePanel;
    const index = this.deps.index();
    const t = index?.tiles.get(id);
    if (!p || p.isClosed || !index || !t?.image || !this.isPreviewTab(p)) return false;
    if (!p.panel.active) p.panel.reveal(p.panel.viewColumn, false);
    void p.show(path.join(index.root, t.image), t);
    return true;
  }

  private isPreviewTab(p: TileViewerPanel): boolean {
    const group = vscode.window.tabGroups.activeTabGroup;
    if (group.viewColumn !== p.panel.viewColumn) return false;
    return group.tabs.some((tab) => tab.isPreview && tab.input instanceof vscode.TabInputCustom && tab.input.viewType === TILE_VIEWER_TYPE && tab.input.uri.toString() === p.resource.toString());
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
