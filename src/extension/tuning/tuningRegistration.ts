/** Wires Tune Post-processing: its commands, the service, the Dataset Overview hooks and the test hooks. */
import * as vscode from 'vscode';
import type { TuningView } from '../../shared/tuningView';
import type { DatasetService } from '../dataset/datasetService';
import { CLEAR_TUNING_CACHE, TUNE_COMMAND, TuningService, type TuneCommandArgs } from './tuningService';

/** What the Dataset Overview panel needs from tuning. */
export interface TuningDashboardHooks {
  view(): TuningView | undefined;
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
  return {
    disposables: [
      svc,
      vscode.commands.registerCommand(TUNE_COMMAND, (args?: TuneCommandArgs) => svc.run(args && typeof args === 'object' && !(args instanceof vscode.Uri) ? args : {})),
      vscode.commands.registerCommand(CLEAR_TUNING_CACHE, () => svc.clearCache()),
    ],
    dashboard: { view: () => svc.view(), onDidChange: svc.onDidChange, apply: (i) => svc.apply(i), copy: (i) => svc.copy(i) },
    hooks: { run: (a) => svc.run(a), view: () => svc.view(), undo: () => svc.undo(), cacheBytes: () => svc.cache().sizeBytes(), clearCache: () => svc.clearCache(true) },
  };
}
