/** Wires Tune Post-processing: its commands, the service, the Dataset Overview hooks and the test hooks. */
import * as vscode from 'vscode';
import type { SubmissionsView, TuningView } from '../../shared/tuningView';
import { recordInLog, recordLeaderboard, resolveFoldsFile, submissionsView, type RecordArgs } from './submissionsLogService';
import type { DatasetService } from '../dataset/datasetService';
import { CLEAR_TUNING_CACHE, TUNE_COMMAND, TuningService, type TuneCommandArgs } from './tuningService';

/** What the Dataset Overview panel needs from tuning. */
export interface TuningDashboardHooks {
  view(): TuningView | undefined;
  /** The submissions log's CV vs LB view. */
  submissions(): SubmissionsView | undefined;
  /** A new sweep or a change of the submissions log. */
  onDidChange: vscode.Event<void>;
  apply(index: number): Promise<void>;
  copy(index: number): Promise<unknown>;
}

/** What the integration tests reach. */
export interface TuningTestHooks {
  run(args: TuneCommandArgs): Promise<TuningView | undefined>;
  view(): TuningView | undefined;
  undo(): Promise<boolean>;
  cacheBytes(): number;
  clearCache(): Promise<boolean>;
}

/** Registers the commands; returns disposables, the dashboard hooks and the test hooks. */
export function registerTuning(deps: { context: vscode.ExtensionContext; service: DatasetService }): { disposables: vscode.Disposable[]; dashboard: TuningDashboardHooks; hooks: TuningTestHooks } {
  const storage = deps.context.globalStorageUri.fsPath;
  const svc = new TuningService(deps.context.extensionPath, storage, deps.service);
  const logChanged = new vscode.EventEmitter<void>();
  const changed = new vscode.EventEmitter<void>();
  return {
    disposables: [
      svc,
      vscode.commands.registerCommand(TUNE_COMMAND, (args?: TuneCommandArgs) => svc.run(args && typeof args === 'object' && !(args instanceof vscode.Uri) ? args : {})),
      vscode.commands.registerCommand(CLEAR_TUNING_CACHE, () => svc.clearCache()),
      logChanged, changed, svc.onDidChange(() => changed.fire()), logChanged.event(() => changed.fire()),
      vscode.commands.registerCommand('vasculatureExplorer.recordSubmission', (a?: RecordArgs) => {
        if (!a || typeof a.path !== 'string') return undefined;
        const e = recordInLog(a, resolveFoldsFile(svc.lastFoldsFile, deps.service.index?.root));
        if (e) logChanged.fire();
        return e;
      }),
      vscode.commands.registerCommand('vasculatureExplorer.recordLeaderboardScore', async (a?: { hash?: string; publicLb?: number; privateLb?: number }) => {
        const ok = await recordLeaderboard(a && typeof a === 'object' && !(a instanceof vscode.Uri) ? a : undefined);
        if (ok) logChanged.fire();
        return ok;
      }),
    ],
    dashboard: { view: () => svc.view(), submissions: () => submissionsView(), onDidChange: changed.event, apply: (i) => svc.apply(i), copy: (i) => svc.copy(i) },
    hooks: { run: (a) => svc.run(a), view: () => svc.view(), undo: () => svc.undo(), cacheBytes: () => svc.cache().sizeBytes(), clearCache: () => svc.clearCache(true) },
  };
}
