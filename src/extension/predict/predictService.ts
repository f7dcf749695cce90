/**
 * Predict in the extension: one InferenceClient (child process) for the session, created on first
 * use and disposed with the extension; runs core's predictTile/predictBatch with the settings,
 * stores results in the PredictionStore, updates the status bar, logs fallbacks, and turns every
 * failure into a message that says what is wrong and offers the way out.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { predictBatch, type BatchProgress, type BatchResult } from '../../core/predict';
import { predictTile, scoringConvention, type PredictSettings, type TileInput, type TilePrediction } from '../../core/predict';
import type { InferenceClient } from '../../inference/client';
import { Disposable } from '../common/disposable';
import { log } from '../common/log';
import type { PredictionStore, StoredPrediction } from './predictionStore';
import { readPredictSettings, untrustedModelError } from './predictSettings';
import { PredictStatusBar } from './predictStatusBar';

/** A failure as shown to the person. */
export interface PredictFailure {
  kind: 'model-not-found' | 'model-load-failed' | 'contract' | 'crash' | 'timeout' | 'cancelled' | 'other';
  message: string;
}

/** Classifies an error of the inference client or the pipeline (by class name and code, so the client loads lazily). */
export function classifyPredictError(e: unknown, modelPath: string): PredictFailure {
  const err = e instanceof Error ? e : new Error(String(e));
  const code = (err as { code?: string }).code ?? '';
  switch (err.name) {
    case 'InferenceCancelledError':
      return { kind: 'cancelled', message: 'Predict was cancelled.' };
    case 'InferenceTimeoutError':
      return { kind: 'timeout', message: `Predict timed out on ${path.basename(modelPath)}: ${err.message} The limit is the setting vasculatureExplorer.predict.timeoutSeconds.` };
    case 'InferenceCrashError':
      return { kind: 'crash', message: `The inference process crashed while running ${path.basename(modelPath)}; it restarts on the next Predict. ${err.message}` };
  }
  if (code === 'model-not-found') return { kind: 'model-not-found', message: err.message };
  if (code === 'model-load-failed') return { kind: 'model-load-failed', message: `Cannot load the model: ${err.message} Select another model or fix vasculatureExplorer.modelPath.` };
  if (code === 'contract') return { kind: 'contract', message: `The model does not fit a supported layout: ${err.message}` };
  return { kind: 'other', message: `Predict failed: ${err.message}` };
}

/** Lines Predict logged, kept for the test API. */
const LOG_KEEP = 200;

export class PredictService extends Disposable {
  private client?: InferenceClient;
  readonly status = this._register(new PredictStatusBar());
  private readonly logLines: string[] = [];
  private lastFailure?: PredictFailure;

  constructor(private readonly extensionPath: string, readonly store: PredictionStore) {
    super();
    this._register({ dispose: () => void this.client?.dispose() });
    this._register(vscode.workspace.onDidChangeConfiguration((e) => {
      // A new model or provider: drop the cached sessions so the next Predict loads afresh.
      if (!e.affectsConfiguration('vasculatureExplorer.modelPath') && !e.affectsConfiguration('vasculatureExplorer.predict')) return;
      if (this.client) void this.client.release().catch(() => undefined);
      if (e.affectsConfiguration('vasculatureExplorer.modelPath')) this.status.idle(this.settings().modelPath);
    }));
    this.status.idle(this.settings().modelPath);
  }

  /** Current settings. */
  settings(): PredictSettings {
    return readPredictSettings(this.extensionPath);
  }

  /** Per-tile limit of a model run (all TTA passes share nothing: each call gets it), ms. */
  private timeoutMs(): number {
    const s = vscode.workspace.getConfiguration('vasculatureExplorer').get<number>('predict.timeoutSeconds', 30);
    return (typeof s === "number" && s > 0 ? s : 30) * 1000;
  }

  /** The session's inference client, started on first use. */
  private inference(): InferenceClient {
    if (!this.client) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { InferenceClient } = require('../../inference/client') as typeof import('../../inference/client');
      this.client = new InferenceClient({ log: (level, m) => this.log(level, m) });
    }
    return this.client;
  }

  /** Logs to the channel and keeps the line for the test API. */
  log(level: 'info' | 'warn' | 'error', message: string): void {
    this.logLines.push(`${level} ${message}`);
    if (this.logLines.length > LOG_KEEP) this.logLines.splice(0, this.logLines.length - LOG_KEEP);
    log()[level](message);
  }

  /** Predicts one tile, stores the result and updates the status bar; failures are shown and rethrown. */
  async predictOne(input: TileInput, token?: vscode.CancellationToken): Promise<TilePrediction> {
    const s = this.settings();
    const ac = new AbortController();
    const sub = token?.onCancellationRequested(() => ac.abort());
    try {
      const untrusted = untrustedModelError(s.modelPath);
      if (untrusted) throw untrusted;
      const r = await predictTile(this.inference(), input, s, { signal: ac.signal, timeoutMs: this.timeoutMs() });
      this.noteRun(r, s);
      this.store.set(this.stored(r, s));
      this.log('info', `Predict ${r.tileId}: ${r.vessels.length} vessels${r.annotated ? `, TP ${r.tp} FP ${r.fp} FN ${r.fn}, AP@0.6 ${r.ap === undefined ? '— (no GT)' : r.ap.toFixed(3)} [${s.ignoreMode}]` : ', not annotated'}; ${r.provider}, ${r.inferenceMs.toFixed(0)} ms (run ${r.runMs.toFixed(0)}, post ${r.postprocessMs.toFixed(1)}, match ${r.matchMs.toFixed(1)})`);
      this.lastFailure = undefined;
      return r;
    } catch (e) {
      this.fail(e, s.modelPath);
      throw e;
    } finally {
      sub?.dispose();
    }
  }

  /** Predicts many tiles with progress; stores every tile and the batch. */
  async predictMany(tileIds: readonly string[], load: (id: string) => Promise<TileInput>, scope: string, token: vscode.CancellationToken, onProgress: (p: BatchProgress) => void): Promise<BatchResult> {
    const s = this.settings();
    const ac = new AbortController();
    const sub = token.onCancellationRequested(() => ac.abort());
    try {
      const untrusted = untrustedModelError(s.modelPath);
      if (untrusted) {
        this.fail(untrusted, s.modelPath);
        throw untrusted;
      }
      const result = await predictBatch(this.inference(), tileIds, load, s, { signal: ac.signal, timeoutMs: this.timeoutMs(), onProgress, onTile: (t) => this.noteRun(t, s) });
      this.store.setMany(result.tiles.map((t) => this.stored(t, s)), { source: 'predict', label: path.basename(s.modelPath), scope, score: result.score, tileIds: result.tiles.map((t) => t.tileId), result, settings: s, at: Date.now() });
      for (const f of result.failures) this.log('error', `Predict ${f.tileId}: ${f.message}`);
      this.log('info', `Predict batch (${scope}): ${result.tiles.length} of ${tileIds.length} tiles${result.cancelled ? ' (cancelled)' : ''}, AP@0.6 ${result.score.ap?.toFixed(3) ?? '—'} [${s.ignoreMode}], ${(result.tiles.length / (result.ms / 1000)).toFixed(2)} tiles/s`);
      if (result.failures.length > 0 && result.tiles.length === 0) this.fail(Object.assign(new Error(result.failures[0].message), { code: /Model file not found/.test(result.failures[0].message) ? 'model-not-found' : 'model-load-failed' }), s.modelPath);
      return result;
    } finally {
      sub.dispose();
    }
  }

  /** The last failure, cleared by the next good run (test API). */
  lastError(): PredictFailure | undefined {
    return this.lastFailure;
  }

  /** Lines logged by Predict (test API). */
  logged(): string[] {
    return [...this.logLines];
  }

  private noteRun(r: TilePrediction, s: PredictSettings): void {
    for (const reason of r.fallbackReasons) this.log('warn', `Predict: provider fallback (setting '${s.provider}' -> ran on ${r.provider}): ${reason}`);
    for (const n of r.notes) this.log('info', `Predict ${r.tileId}: ${n}`);
    this.status.update(s.modelPath, r.provider, r.inferenceMs, r.fallbackReasons);
  }

  private stored(r: TilePrediction, s: PredictSettings): StoredPrediction {
    return {
      source: 'predict', label: path.basename(s.modelPath), tile: r, convention: scoringConvention(s.ignoreMode), at: Date.now(),
      run: { provider: r.provider, fallbackReasons: r.fallbackReasons, inferenceMs: r.inferenceMs, runMs: r.runMs, postprocessMs: r.postprocessMs, matchMs: r.matchMs, modelPath: r.modelPath, outputKind: r.outputKind, tta: r.tta, notes: r.notes },
    };
  }

  private fail(e: unknown, modelPath: string): void {
    const f = classifyPredictError(e, modelPath);
    this.lastFailure = f;
    if (f.kind === 'cancelled') {
      this.log('info', f.message);
      return;
    }
    this.log('error', f.message);
    this.status.failed(modelPath, f.message);
    const actions = f.kind === 'crash' || f.kind === 'other' ? ['Show Log', 'Open Settings'] : ['Open Settings', 'Select Model…', 'Show Log'];
    void vscode.window.showErrorMessage(f.message, ...actions).then((pick) => {
      if (pick === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', f.kind === 'timeout' || f.kind === 'crash' ? 'vasculatureExplorer.predict' : 'vasculatureExplorer.modelPath');
      else if (pick === 'Select Model…') void vscode.commands.executeCommand('vasculatureExplorer.selectModel');
      else if (pick === 'Show Log') log().show(true);
    });
  }
}
