/** The "Dataset Overview" webview panel: strict CSP, validated messages, chart clicks into the shared tile filter, PNG/CSV export. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { dashboardCsv } from '../../core/overview';
import type { DashboardModel } from '../../core/overview';
import { scoreCsv, toDashboardScore, type DashboardScore } from '../../shared/scoreTable';
import type { DashboardStain } from '../../core/stain';
import { qualityFilter, selectionFilter } from '../../core/overview';
import { describeFilter, isEmptyFilter, tilePredicate } from '../../core/dataset';
import { RequestTracker, validateFromWebview, type DashboardSnapshot, type FromWebview, type ToWebview, type WebviewRequest } from '../../shared/dashboardProtocol';
import { Disposable } from '../common/disposable';
import { webviewShellHtml } from '../common/webviewShell';
import { log } from '../common/log';
import type { PredictionStore } from '../predict/predictionStore';
import type { TuningDashboardHooks } from '../tuning/tuningRegistration';
import type { TileFilterState } from '../tree/tileFilterState';
import type { FoldsOverview } from '../../core/folds';

export const DASHBOARD_VIEW_TYPE = 'vasculatureExplorer.dashboard';
/** The workspaceState key of the folder the last Dataset Overview export went to. */
export const LAST_EXPORT_DIR_KEY = 'vasculatureExplorer.lastExportDir';

/** The page: the bundled script and media/dashboard.css written in, under a nonce'd CSP (../common/webviewShell.ts says why inline). */
export function dashboardHtml(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  return webviewShellHtml(webview, extensionUri, { script: 'dashboard', css: 'dashboard', title: 'Dataset Overview', body: '<div id="app" data-state="loading">Computing the dataset overview…</div>' });
}

/** Scripts on, resources only from the extension's dist/ and media/. */
export function dashboardWebviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')] };
}

export interface DashboardDeps {
  extensionUri: vscode.Uri;
  filter: TileFilterState;
  /** The current model (computed or cached for the open index). */
  model: () => Promise<DashboardModel | undefined>;
  /** The last batch Predict / opened submission and its change event (the PredictionStore). */
  batches?: Pick<PredictionStore, 'lastBatch' | 'onDidChangeBatch'> & Partial<Pick<PredictionStore, 'lastRejected'>>;
  /** The stain section's data and its change event (src/extension/stain). */
  stain?: { data(): DashboardStain | undefined; onDidChange: vscode.Event<unknown> };
  /** The last post-processing sweep, and Apply / Copy of its cells. */
  tuning?: TuningDashboardHooks;
  /** The folds section's data and when it changes (the labels feature). */
  folds?: () => FoldsOverview | undefined;
  onDidChangeFolds?: vscode.Event<void>;
  /** Where exports are offered first (the workspace's storage), until the user picks another folder. */
  exportDir?: string;
  /** The workspace's state: the last export folder is kept there, so it survives a reload. */
  memento?: vscode.Memento;
}

/** Milestones of one command-to-drawn, ms after the command. */
export interface DashboardPhases {
  /** The webview's script said 'ready' (a new panel only). */
  readyMs?: number;
  /** The model was there (computed, awaited or cached). */
  modelMs?: number;
  /** The data message was posted. */
  postedMs?: number;
  /** The webview's own time to draw the data. */
  webviewDrawMs?: number;
}

export class DashboardPanel extends Disposable {
  private static current: DashboardPanel | undefined;
  private readonly panel: vscode.WebviewPanel;
  private readonly requests: RequestTracker<WebviewRequest>;
  private model: DashboardModel | undefined;
  private shownAt = performance.now();
  private renderedCb: ((ms: number) => void)[] = [];
  /** Command-to-drawn time of the last render, ms. */
  lastDrawMs: number | undefined;
  /** Where the last command-to-drawn time went, ms after the command (webviewDrawMs: the webview's own render time). */
  lastPhases: DashboardPhases = {};

  /** Show the panel (creating it once); resolves when the webview reports it drew the data. */
  static show(deps: DashboardDeps): DashboardPanel {
    if (DashboardPanel.current) {
      DashboardPanel.current.shownAt = performance.now();
      DashboardPanel.current.lastPhases = {};
      DashboardPanel.current.panel.reveal(vscode.ViewColumn.Active);
      void DashboardPanel.current.refresh();
      return DashboardPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(DASHBOARD_VIEW_TYPE, 'Dataset Overview', vscode.ViewColumn.Active, {
      ...dashboardWebviewOptions(deps.extensionUri),
      // Hidden, the webview keeps its document: showing the tab again paints at once instead of
      // starting a new webview (docs/webview-startup.md; its memory is measured in the bench).
      retainContextWhenHidden: true,
    });
    DashboardPanel.current = new DashboardPanel(panel, deps);
    return DashboardPanel.current;
  }

  /** A Dataset Overview tab VS Code restored after a reload: it draws again from the open index (or closes when one is already open). */
  static revive(panel: vscode.WebviewPanel, deps: DashboardDeps): void {
    if (DashboardPanel.current) {
      panel.dispose();
      return;
    }
    panel.webview.options = dashboardWebviewOptions(deps.extensionUri);
    DashboardPanel.current = new DashboardPanel(panel, deps);
  }

  /** The open panel, if any. */
  static get open(): DashboardPanel | undefined {
    return DashboardPanel.current;
  }

  private constructor(panel: vscode.WebviewPanel, private readonly deps: DashboardDeps) {
    super();
    this.panel = this._register(panel);
    this.requests = new RequestTracker<WebviewRequest>((m) => void this.post(m));
    this._register({ dispose: () => this.requests.dispose() });
    // A tab icon is drawn as an image (currentColor is black there): one variant per theme kind (high contrast uses dark/light too).
    panel.iconPath = { light: vscode.Uri.joinPath(deps.extensionUri, 'media', 'activity-light.svg'), dark: vscode.Uri.joinPath(deps.extensionUri, 'media', 'activity-dark.svg') };
    panel.webview.html = dashboardHtml(panel.webview, deps.extensionUri);
    this._register(panel.onDidDispose(() => {
      if (DashboardPanel.current === this) DashboardPanel.current = undefined;
      this.dispose();
    }));
    this._register(panel.webview.onDidReceiveMessage((raw: unknown) => {
      const v = validateFromWebview(raw);
      if (!v.ok) {
        log().warn(`Dataset Overview: rejected a message from the webview (${v.error}).`);
        return;
      }
      void this.handle(v.message).catch((e: unknown) => log().error(`Dataset Overview: ${e instanceof Error ? e.stack ?? e.message : String(e)}`));
    }));
    this._register(deps.filter.onDidChange(() => void this.postFilter()));
    if (deps.batches) this._register(deps.batches.onDidChangeBatch(() => void this.postScore()));
    if (deps.stain) this._register(deps.stain.onDidChange(() => void this.post({ type: 'stain', stain: deps.stain?.data() })));
    if (deps.tuning) this._register(deps.tuning.onDidChange(() => void this.postTuning()));
    if (deps.onDidChangeFolds) this._register(deps.onDidChangeFolds(() => void this.postFolds()));
  }

  /** Recompute (or reuse) the model and send it. */
  async refresh(): Promise<void> {
    this.model = await this.deps.model();
    this.lastPhases.modelMs = performance.now() - this.shownAt;
    // The score goes first: once the webview reports 'rendered' for the data, it already holds the score.
    await this.postScore();
    if (this.deps.stain) await this.post({ type: 'stain', stain: this.deps.stain.data() });
    await this.postTuning();
    await this.postFolds();
    if (this.model) await this.post({ type: 'data', data: this.model.data });
    this.lastPhases.postedMs = performance.now() - this.shownAt;
    await this.postFilter();
  }

  /** The score the panel shows: the store's last batch, curve thinned. */
  private score() {
    const b = this.deps.batches?.lastBatch();
    return b ? toDashboardScore(b) : undefined;
  }

  /** The score last posted to the webview (tests). */
  lastPostedScore: DashboardScore | undefined;

  private postScore(): Thenable<boolean> {
    this.lastPostedScore = this.score();
    const r = this.deps.batches?.lastRejected?.();
    return this.post({ type: 'score', score: this.lastPostedScore, ...(r ? { rejected: { label: r.label, errors: r.errors, first: r.first, rows: r.rows } } : {}) });
  }

  private postTuning(): Thenable<boolean> {
    if (!this.deps.tuning) return Promise.resolve(true);
    const submissions = this.deps.tuning.submissions();
    return this.post({ type: 'tuning', view: this.deps.tuning.view(), ...(submissions ? { submissions } : {}) });
  }

  /** Resolves with the command-to-drawn time at the webview's next 'rendered' message. */
  whenRendered(): Promise<number> {
    return new Promise((resolve) => this.renderedCb.push(resolve));
  }

  /** Ask the webview what it drew (tests). */
  snapshot(): Promise<DashboardSnapshot> {
    return this.requests.request<DashboardSnapshot>({ kind: 'snapshot' });
  }

  /** Click through the webview's own click path (tests). */
  click(req: WebviewRequest): Promise<unknown> {
    return this.requests.request(req);
  }

  private post(m: ToWebview): Thenable<boolean> {
    return this.panel.webview.postMessage(m);
  }

  private postFolds(): Thenable<boolean> {
    return this.post({ type: 'folds', folds: this.deps.folds?.() });
  }

  private postFilter(): Thenable<boolean> {
    const f = this.deps.filter.current.filter;
    // The kept tiles' ids, for the slide map's highlight (only with a filter: no filter, nothing dimmed).
    let ids: string[] | undefined;
    if (!isEmptyFilter(f) && this.model) {
      const keep = tilePredicate(f);
      ids = [];
      for (const t of this.model.index.tiles.values()) if (keep(t)) ids.push(t.id);
    }
    return this.post({ type: 'filter', description: describeFilter(f), ...(ids ? { ids } : {}) });
  }

  private async handle(m: FromWebview): Promise<void> {
    switch (m.type) {
      case 'ready':
        this.lastPhases.readyMs = performance.now() - this.shownAt;
        return this.refresh();
      case 'rendered': {
        const ms = performance.now() - this.shownAt;
        this.lastDrawMs = ms;
        this.lastPhases.webviewDrawMs = m.ms;
        log().info(`Dataset Overview drawn: ${m.charts} charts in ${m.ms.toFixed(0)} ms in the webview, ${ms.toFixed(0)} ms from the command.`);
        for (const cb of this.renderedCb.splice(0)) cb(ms);
        return;
      }
      case 'response':
        this.requests.handleResponse(m);
        return;
      case 'tuningApply':
        await this.deps.tuning?.apply(m.index);
        return;
      case 'tuningCopy':
        await this.deps.tuning?.copy(m.index);
        return;
      case 'runTuning':
        await vscode.commands.executeCommand('vasculatureExplorer.tunePostprocessing');
        return;
      case 'select': {
        const f = this.model && selectionFilter(this.model, m);
        if (f) this.deps.filter.setFilter(f);
        return;
      }
      case 'selectQuality':
        if (this.model) this.deps.filter.setFilter(qualityFilter(this.model, m.key));
        return;
      case 'clearFilter':
        this.deps.filter.clear();
        return;
      case 'prepareTrainingData':
        await vscode.commands.executeCommand('vasculatureExplorer.prepareTrainingData');
        return;
      case 'trainBaseline':
        await vscode.commands.executeCommand('vasculatureExplorer.trainBaseline');
        return;
      case 'openTile':
        if (!this.model?.index.tiles.has(m.id)) return;
        await vscode.commands.executeCommand('vasculatureExplorer.openTile', m.id);
        return;
      case 'stainSelect': {
        const ids = m.ids.filter((id) => this.model?.index.tiles.has(id));
        if (ids.length) this.deps.filter.setFilter({ ids, idsLabel: m.label });
        return;
      }
      case 'openProblems':
        await vscode.commands.executeCommand('workbench.actions.view.problems');
        return;
      case 'exportCsv': {
        const sc = this.score();
        const csv = m.table === 'prCurve' || m.table === 'scoreWsi' ? sc && scoreCsv(sc, m.table) : this.model && dashboardCsv(this.model.data, m.table);
        if (csv !== undefined) await this.save(`${m.table}.csv`, Buffer.from(csv, 'utf8'), { CSV: ['csv'] });
        return;
      }
      case 'exportPng': {
        const png = Buffer.from(m.dataUrl.slice('data:image/png;base64,'.length), 'base64');
        if (png.subarray(0, 8).toString('hex') !== '89504e470d0a1a0a') {
          log().warn('Dataset Overview: the exported chart is not a PNG; nothing saved.');
          return;
        }
        await this.save(`${m.chart}.png`, png, { PNG: ['png'] });
        return;
      }
    }
  }

  /** The folder the last export went to, the next save dialog's default: in the workspace's state (kept across reloads), else this session's. */
  private static sessionExportDir: string | undefined;
  private get lastExportDir(): string | undefined {
    const kept = this.deps.memento?.get<unknown>(LAST_EXPORT_DIR_KEY);
    return typeof kept === 'string' && kept ? kept : DashboardPanel.sessionExportDir;
  }
  /** The last file an export wrote (tests). */
  lastSaved: string | undefined;

  /**
   * Asks where to save (default: the last folder used, else the workspace's storage; never the
   * dataset folder), writes, and confirms with a notification that names the file and opens or reveals it.
   */
  private async save(name: string, bytes: Buffer, filters: Record<string, string[]>): Promise<void> {
    const dir = this.lastExportDir ?? this.deps.exportDir;
    if (dir) await fs.promises.mkdir(dir, { recursive: true }).catch(() => undefined);
    const uri = await vscode.window.showSaveDialog({ defaultUri: dir ? vscode.Uri.file(path.join(dir, name)) : undefined, filters, title: `Save ${name}` });
    if (!uri) return;
    await vscode.workspace.fs.writeFile(uri, bytes);
    DashboardPanel.sessionExportDir = path.dirname(uri.fsPath);
    await this.deps.memento?.update(LAST_EXPORT_DIR_KEY, DashboardPanel.sessionExportDir);
    this.lastSaved = uri.fsPath;
    log().info(`Dataset Overview: saved ${uri.fsPath} (${bytes.length} bytes)`);
    void vscode.window.showInformationMessage(`Saved ${path.basename(uri.fsPath)} (${(bytes.length / 1024).toFixed(1)} KB) in ${path.dirname(uri.fsPath)}.`, 'Open', 'Reveal').then((pick) => {
      if (pick === 'Open') void vscode.commands.executeCommand('vscode.open', uri);
      // The OS file manager where there is one (desktop), else the file itself.
      if (pick === 'Reveal') void vscode.commands.executeCommand('revealFileInOS', uri).then(undefined, () => vscode.commands.executeCommand('vscode.open', uri));
    });
  }
}
