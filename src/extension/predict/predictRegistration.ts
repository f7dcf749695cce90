/** Wires Predict into activate(): the PredictionStore (for the viewer and dashboard), the service, its commands and test hooks. */
import * as vscode from 'vscode';
import type { PredictionLayer } from '../../core/predict';
import type { GroupScore } from '../../core/predict';
import type { TileRecord } from '../../core/types';
import type { DatasetService } from '../dataset/datasetService';
import { registerPredictCommands } from './predictCommands';
import { PredictionStore } from './predictionStore';
import { PredictService, type PredictFailure } from './predictService';

/** Predict's part of the test API. */
export interface PredictTestHooks {
  /** The most recent single-tile prediction: counts, AP, provider, latency and its drawable layer. */
  lastPrediction(): { tileId: string; source: string; vessels: number; tp: number; fp: number; fn: number; ap: number | null; provider?: string; fallbackReasons: string[]; latencyMs?: number; layer: PredictionLayer } | undefined;
  /** The drawable layer stored for a tile (model run first, else submission). */
  predictionLayer(tileId: string, source?: 'predict' | 'submission'): PredictionLayer | undefined;
  /** The last batch / opened submission metric. */
  lastBatch(): { source: string; scope: string; ap: number | null; tp: number; fp: number; fn: number; perWsi: GroupScore[]; convention: string } | undefined;
  /** The last Predict failure (cleared by a good run). */
  lastPredictError(): PredictFailure | undefined;
  /** Lines Predict wrote to the log channel. */
  predictLog(): string[];
  /** The Predict status bar text. */
  predictStatusText(): string;
}

export interface PredictDeps {
  context: vscode.ExtensionContext;
  service: DatasetService;
  ordered: () => readonly TileRecord[];
  filterText: () => string;
}

/** Creates the store, the service and the commands; returns what activate() keeps. */
export function registerPredict(d: PredictDeps): { disposables: vscode.Disposable[]; store: PredictionStore; service: PredictService; hooks: PredictTestHooks } {
  const store = new PredictionStore();
  const predict = new PredictService(d.context.extensionUri.fsPath, store);
  const storageDir = (d.context.storageUri ?? d.context.globalStorageUri).fsPath;
  let root: string | undefined;
  const disposables: vscode.Disposable[] = [
    // Predictions belong to the dataset they were made on.
    d.service.onDidIndex(({ index }) => {
      if (root !== undefined && root !== index.root) store.clear();
      root = index.root;
    }),
    store,
    predict,
    ...registerPredictCommands({ predict, store, service: d.service, ordered: d.ordered, filterText: d.filterText, storageDir, extensionPath: d.context.extensionUri.fsPath }),
  ];
  const hooks: PredictTestHooks = {
    lastPrediction: () => {
      const p = store.last();
      if (!p) return undefined;
      const t = p.tile;
      return { tileId: t.tileId, source: p.source, vessels: t.vessels.length, tp: t.tp, fp: t.fp, fn: t.fn, ap: t.ap ?? null, provider: p.run?.provider, fallbackReasons: p.run?.fallbackReasons ?? [], latencyMs: p.run?.inferenceMs, layer: store.layer(t.tileId, p.source)! };
    },
    predictionLayer: (id, source) => store.layer(id, source),
    lastBatch: () => {
      const b = store.lastBatch();
      return b ? { source: b.source, scope: b.scope, ap: b.score.ap ?? null, tp: b.score.tp, fp: b.score.fp, fn: b.score.fn, perWsi: b.score.perWsi, convention: b.score.convention } : undefined;
    },
    lastPredictError: () => predict.lastError(),
    predictLog: () => predict.logged(),
    predictStatusText: () => predict.status.text,
  };
  return { disposables, store, service: predict, hooks };
}
