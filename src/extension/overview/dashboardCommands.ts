/** Wires the Dataset Overview: its command, a status bar entry once a dataset is open, and the model computed once per index (started in the background after indexing). */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { computeDashboard, type DashboardModel } from '../../core/overview';
import type { DashboardScore } from '../../shared/scoreTable';
import type { DatasetIndex } from '../../core/types';
import type { DashboardSnapshot, WebviewRequest } from '../../shared/dashboardProtocol';
import { DASHBOARD_VIEW_TYPE, DashboardPanel, type DashboardDeps, type DashboardPhases } from './dashboardPanel';
import type { DatasetService } from '../dataset/datasetService';
import { log } from '../common/log';
import type { PredictionStore } from '../predict/predictionStore';
import type { TileFilterState } from '../tree/tileFilterState';
import type { TuningDashboardHooks } from '../tuning/tuningRegistration';
import type { FoldsOverview } from '../../core/folds';

export const SHOW_DASHBOARD = 'vasculatureExplorer.showDashboard';

/** What the tests reach through the extension API. */
export interface DashboardTestHooks {
  /** Open the panel; resolves with command-to-drawn ms once the webview drew. */
  show(): Promise<number>;
  snapshot(): Promise<DashboardSnapshot | undefined>;
  click(req: WebviewRequest): Promise<unknown>;
  /** The score the open panel last posted to its webview (store.onDidChangeBatch or a refresh). */
  postedScore(): DashboardScore | undefined;
  /** Where the open panel's last command-to-drawn time went. */
  phases(): DashboardPhases | undefined;
}

/** One model per index object: its polygon numbers come from the index (computed in the index's one pass over polygons.jsonl). */
class DashboardModels {
  private key: DatasetIndex | undefined;
  private pending: Promise<DashboardModel> | undefined;

  constructor(private readonly storageDir: string | undefined) {}

  get(index: DatasetIndex): Promise<DashboardModel> {
    if (this.key !== index || !this.pending) {
      this.key = index;
      const t0 = performance.now();
      this.pending = computeDashboard(index);
      void this.pending.then(
        (m) => log().info(`Dataset Overview data: polygon numbers from the index ${m.pass.ms.toFixed(0)} ms, aggregates ${m.data.timing.aggregateMs.toFixed(0)} ms (${(performance.now() - t0).toFixed(0)} ms in all).`),
        (e: unknown) => log().error(`Dataset Overview: could not build the data of ${index.root}: ${e instanceof Error ? e.message : String(e)}`),
      );
    }
    return this.pending;
  }
}

/** Register the command and status bar entry; returns disposables and the test hooks. */
export function registerDashboard(deps: { extensionUri: vscode.Uri; service: DatasetService; filter: TileFilterState; storageDir?: string; batches?: Pick<PredictionStore, 'lastBatch' | 'onDidChangeBatch'>; folds?: () => FoldsOverview | undefined; onDidChangeFolds?: vscode.Event<void>; tuning?: TuningDashboardHooks; stain?: DashboardDeps['stain']; memento?: vscode.Memento }): { disposables: vscode.Disposable[]; hooks: DashboardTestHooks } {
  const models = new DashboardModels(deps.storageDir);
  const status = vscode.window.createStatusBarItem('vasculatureExplorer.overview', vscode.StatusBarAlignment.Left, 49);
  status.name = 'Vasculature Explorer: Dataset Overview';
  status.text = '$(graph) Overview';
  status.tooltip = 'Show the Dataset Overview: tiles per WSI, class balance, distributions, slide map and data quality.';
  status.command = SHOW_DASHBOARD;
  const panelDeps = {
    extensionUri: deps.extensionUri,
    filter: deps.filter,
    batches: deps.batches,
    stain: deps.stain,
    tuning: deps.tuning,
    folds: deps.folds,
    onDidChangeFolds: deps.onDidChangeFolds,
    memento: deps.memento,
    exportDir: deps.storageDir ? path.join(deps.storageDir, 'exports') : undefined,
    model: async () => {
      const index = deps.service.index;
      return index ? models.get(index) : undefined;
    },
  };
  const show = () => {
    if (!deps.service.index) {
      void vscode.window.showInformationMessage('No dataset is open yet. Run "Vasculature: Open Dataset Folder…" (a folder with polygons.jsonl and tile_meta.csv), then show the overview.');
      return undefined;
    }
    return DashboardPanel.show(panelDeps);
  };
  const disposables: vscode.Disposable[] = [
    status,
    vscode.commands.registerCommand(SHOW_DASHBOARD, () => {
      show();
    }),
    deps.service.onDidIndex(({ index }) => {
      status.show();
      void models.get(index).catch(() => undefined);
      void DashboardPanel.open?.refresh();
    }),
    { dispose: () => DashboardPanel.open?.dispose() },
    // After a window reload VS Code hands back the Dataset Overview tab; it draws again once the dataset is indexed.
    vscode.window.registerWebviewPanelSerializer(DASHBOARD_VIEW_TYPE, { deserializeWebviewPanel: async (panel) => DashboardPanel.revive(panel, panelDeps) }),
  ];
  if (deps.service.index) status.show();
  const hooks: DashboardTestHooks = {
    async show() {
      const p = show();
      if (!p) throw new Error('no dataset open');
      return p.whenRendered();
    },
    snapshot: async () => DashboardPanel.open?.snapshot(),
    postedScore: () => DashboardPanel.open?.lastPostedScore,
    phases: () => DashboardPanel.open && { ...DashboardPanel.open.lastPhases },
    click: async (req) => {
      const p = DashboardPanel.open;
      if (!p) throw new Error('the Dataset Overview is not open');
      return p.click(req);
    },
  };
  return { disposables, hooks };
}
