/**
 * Predictions and opened submissions per tile, for the viewer's prediction layer and the
 * dashboard: get(tileId) and onDidChange(tileId). A model run on a tile replaces that tile's
 * earlier run; an opened submission is kept beside model runs (source 'submission').
 */
import * as vscode from 'vscode';
import type { BatchResult, BatchScore } from '../../core/predict';
import type { PredictSettings, ScoredTile, TilePrediction } from '../../core/predict';
import { toPredictionLayer, type PredictionLayer } from '../../core/predict';
import { Disposable } from '../common/disposable';

/** What the store keeps for one tile and source. */
export interface StoredPrediction {
  source: 'predict' | 'submission';
  /** Model file name or submission file name. */
  label: string;
  /** Predicted vessels (InstanceMask + confidence + outcome + iou), ground truth, counts and AP. */
  tile: ScoredTile;
  /** Model runs: provider used, fallback reasons, latency. */
  run?: Pick<TilePrediction, 'provider' | 'fallbackReasons' | 'inferenceMs' | 'runMs' | 'postprocessMs' | 'matchMs' | 'modelPath' | 'outputKind' | 'tta' | 'notes'>;
  convention: string;
  /** Date.now() when stored. */
  at: number;
}

/** A batch (Predict over many tiles, or an opened submission) with its metric. */
export interface StoredBatch {
  source: 'predict' | 'submission';
  label: string;
  /** What was predicted, e.g. 'WSI 1' or 'filter: dataset 1'. */
  scope: string;
  score: BatchScore;
  tileIds: string[];
  /** The predicted tiles, for Export Submission. */
  result?: BatchResult;
  /** The settings the batch ran with (recorded in the submissions log on export). */
  settings?: PredictSettings;
  at: number;
}

/** A submission that was not scored because it has errors: the last good batch stays, these are shown beside it. */
export interface RejectedSubmission {
  label: string;
  /** Error-level problems, first few with their line. */
  errors: number;
  first: { line: number; message: string }[];
  rows: number;
  at: number;
}

export class PredictionStore extends Disposable {
  private rejected?: RejectedSubmission;
  private readonly byTile = new Map<string, Map<StoredPrediction['source'], StoredPrediction>>();
  private latest?: StoredPrediction;
  private batch?: StoredBatch;
  private readonly changed = this._register(new vscode.EventEmitter<string | undefined>());
  private readonly batchChanged = this._register(new vscode.EventEmitter<StoredBatch | undefined>());
  /** Fires with a tile id when that tile's prediction changed, or undefined when many changed at once. */
  readonly onDidChange = this.changed.event;
  /** Fires when a batch result (Predict or opened submission) arrives or is cleared. */
  readonly onDidChangeBatch = this.batchChanged.event;

  /** The tile's prediction: the model run by default, else the submission; or the given source. */
  get(tileId: string, source?: StoredPrediction['source']): StoredPrediction | undefined {
    const m = this.byTile.get(tileId);
    if (!m) return undefined;
    return source ? m.get(source) : m.get('predict') ?? m.get('submission');
  }

  /** The drawable layer of get(tileId, source): outlines coloured TP/FP/FN with IoU, AP and convention. */
  layer(tileId: string, source?: StoredPrediction['source']): PredictionLayer | undefined {
    const p = this.get(tileId, source);
    return p ? toPredictionLayer(p.tile, { source: p.source, label: p.label, convention: p.convention, ...(p.run ? { provider: p.run.provider, latencyMs: p.run.inferenceMs } : {}) }) : undefined;
  }

  /** The most recently stored single prediction. */
  last(): StoredPrediction | undefined {
    return this.latest;
  }

  /** The last batch or opened submission, with its metric (per WSI, PR curve). */
  lastBatch(): StoredBatch | undefined {
    return this.batch;
  }

  /** The last submission refused for its errors, since the last batch (undefined when the last one was good). */
  lastRejected(): RejectedSubmission | undefined {
    return this.rejected;
  }

  /** Notes a refused submission; the last good batch stays. Fires onDidChangeBatch. */
  setRejected(r: RejectedSubmission): void {
    this.rejected = r;
    this.batchChanged.fire(this.batch);
  }

  /** Stores one tile's prediction and fires onDidChange(tileId). */
  set(p: StoredPrediction, fire = true): void {
    let m = this.byTile.get(p.tile.tileId);
    if (!m) this.byTile.set(p.tile.tileId, (m = new Map()));
    m.set(p.source, p);
    this.latest = p;
    if (fire) this.changed.fire(p.tile.tileId);
  }

  /** Stores many (a batch or a submission) and fires onDidChange(undefined) once; replaces all of that source when `replace`. */
  setMany(list: readonly StoredPrediction[], batch: StoredBatch, replace = false): void {
    if (replace) for (const m of this.byTile.values()) m.delete(batch.source);
    for (const p of list) this.set(p, false);
    this.batch = batch;
    this.rejected = undefined;
    this.changed.fire(undefined);
    this.batchChanged.fire(batch);
  }

  /** Forgets everything (e.g. the dataset changed). */
  clear(): void {
    this.byTile.clear();
    this.latest = undefined;
    this.batch = undefined;
    this.rejected = undefined;
    this.changed.fire(undefined);
    this.batchChanged.fire(undefined);
  }
}
