/**
 * Tune Post-processing in the extension: the command (grid, folds file, progress with cancel),
 * the model-output cache in the extension's storage (size shown, Clear command, size cap
 * setting), the last sweep for the Dataset Overview, and applying a cell to the workspace Predict
 * settings with Undo (or copying it as CLI flags).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DEFAULT_GRID, gridSpecText, GridSpecError, OutputCache, parseFoldsCsv, parseGridSpec, tuneDataset, tuningTiles, type CellParams, type SweepGrid, type TuneResult } from '../../core/tuning';
import type { InferenceClient } from '../../inference/client';
import type { TuningView } from '../../shared/tuningView';
import { Disposable } from '../common/disposable';
import { log } from '../common/log';
import type { DatasetService } from '../dataset/datasetService';
import { readPredictSettings } from '../predict/predictSettings';
import { toTuningView } from './tuningView';

export const TUNE_COMMAND = 'vasculatureExplorer.tunePostprocessing';
export const CLEAR_TUNING_CACHE = 'vasculatureExplorer.clearTuningCache';

/** Options a caller (a test, another command) may pass instead of the prompts. */
export interface TuneCommandArgs {
  grid?: string;
  /** A folds CSV path, or '' for none. */
  folds?: string;
  /** The datasets whose annotated tiles are swept (absent: asked, dataset 1 first). */
  datasets?: number[] | 'all';
  modelPath?: string;
}

/** The Predict settings keys a cell writes, with the values they had before (for Undo). */
type Previous = { key: string; value: unknown }[];

export class TuningService extends Disposable {
  private client?: InferenceClient;
  private last?: TuningView;
  private lastResult?: TuneResult;
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  /** Fires when a new sweep is there. */
  readonly onDidChange = this.changed.event;
  private undoStack: Previous[] = [];

  constructor(private readonly extensionPath: string, private readonly storageDir: string, private readonly service: DatasetService) {
    super();
    this._register({ dispose: () => void this.client?.dispose() });
  }

  /** The cache in the extension's storage, capped by vasculatureExplorer.tuning.cacheSizeLimitMB. */
  cache(): OutputCache {
    const mb = vscode.workspace.getConfiguration('vasculatureExplorer').get<number>('tuning.cacheSizeLimitMB', 4096);
    return new OutputCache(path.join(this.storageDir, 'model-outputs'), typeof mb === 'number' && mb > 0 ? mb * 1048576 : 0);
  }

  /** The last sweep's view (undefined before any). */
  view(): TuningView | undefined {
    return this.last;
  }

  private inference(): InferenceClient {
    if (!this.client) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { InferenceClient } = require('../../inference/client') as typeof import('../../inference/client');
      this.client = new InferenceClient({ log: (level, m) => log()[level](m) });
    }
    return this.client;
  }

  /** The folds file of the last sweep (undefined: none was used). */
  lastFoldsFile: string | undefined;

  /** Asks for the grid, the folds file and the datasets (unless args give them), then runs the sweep with progress and cancel. */
  async run(args: TuneCommandArgs = {}): Promise<TuningView | undefined> {
    const index = this.service.index;
    if (!index) {
      void vscode.window.showInformationMessage('Open a dataset folder first ("Vasculature: Open Dataset Folder…"); the sweep scores its annotated tiles.');
      return undefined;
    }
    let grid: SweepGrid;
    const spec = args.grid ?? (await vscode.window.showInputBox({
      title: 'Tune Post-processing: grid',
      prompt: 'Values to sweep (start:end:step or comma lists); parameters left out keep their defaults',
      value: gridSpecText(DEFAULT_GRID),
      validateInput: (v) => { try { parseGridSpec(v); return undefined; } catch (e) { return (e as Error).message; } },
    }));
    if (spec === undefined) return undefined;
    try {
      grid = parseGridSpec(spec);
    } catch (e) {
      void vscode.window.showErrorMessage(e instanceof GridSpecError ? e.message : String(e));
      return undefined;
    }
    let foldsFile = args.folds;
    if (foldsFile === undefined) {
      const guess = [path.join(index.root, 'folds.csv'), ...(vscode.workspace.workspaceFolders ?? []).map((f) => path.join(f.uri.fsPath, 'folds.csv'))].find((f) => fs.existsSync(f));
      const pick = await vscode.window.showQuickPick([
        ...(guess ? [{ label: `$(file) ${path.basename(guess)}`, description: guess, file: guess }] : []),
        { label: '$(folder-opened) Pick a folds CSV (id,fold)…', file: '?' },
        { label: 'No folds: robustness per WSI', file: '' },
      ], { title: 'Tune Post-processing: folds' });
      if (!pick) return undefined;
      foldsFile = pick.file;
      if (foldsFile === '?') {
        const uri = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { CSV: ['csv'] }, title: 'Folds CSV (id,fold)' });
        if (!uri?.[0]) return undefined;
        foldsFile = uri[0].fsPath;
      }
    }
    let datasets = args.datasets;
    if (datasets === undefined) {
      const count = (d: number[]) => `${tuningTiles(index, d).length} annotated tiles with images`;
      const pick = await vscode.window.showQuickPick([
        { label: 'Dataset 1', description: `${count([1])} (the competition's test tiles are dataset 1)`, datasets: [1] },
        { label: 'Dataset 2', description: count([2]), datasets: [2] },
        { label: 'Datasets 1 and 2', description: count([1, 2]), datasets: [1, 2] },
      ], { title: 'Tune Post-processing: tiles to sweep' });
      if (!pick) return undefined;
      datasets = pick.datasets;
    }
    let folds: Map<string, number> | undefined;
    // The submissions log scores later submissions per fold with the folds file of the last sweep.
    this.lastFoldsFile = foldsFile || undefined;
    if (foldsFile) {
      const parsed = parseFoldsCsv(fs.readFileSync(foldsFile, 'utf8'), foldsFile, new Set(index.tiles.keys()));
      for (const p of parsed.problems) log().warn(`Tune Post-processing: ${p.message}`);
      if (parsed.problems.length) void vscode.window.showWarningMessage(`${path.basename(foldsFile)}: ${parsed.problems.length} line(s) left out (first: ${parsed.problems[0].message}). See the Vasculature Explorer log.`);
      if (parsed.folds.size) folds = parsed.folds;
    }
    const s = readPredictSettings(this.extensionPath);
    const modelPath = args.modelPath ?? s.modelPath;
    const cache = this.cache();
    const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Tune Post-processing', cancellable: true }, async (progress, token) => {
      const ac = new AbortController();
      const sub = token.onCancellationRequested(() => ac.abort());
      let last = 0;
      try {
        return await tuneDataset(index, this.inference(), {
          modelPath, provider: s.provider, threads: s.threads, grid, ignoreMode: s.ignoreMode, datasets, ...(folds ? { folds } : {}), cache, signal: ac.signal,
          onProgress: (p) => {
            const pct = Math.floor((p.done / p.total) * 100);
            progress.report({ message: `${p.phase === 'model' ? 'running the model (cached once)' : `sweeping ${grid.threshold.length * grid.dilation.length * grid.minArea.length * grid.tta.length * grid.glomerulus.length} cells`}: ${p.done}/${p.total}`, increment: p.phase === 'model' ? (pct - last) / 2 : 0 });
            last = p.phase === 'model' ? pct : last;
          },
        });
      } finally {
        sub.dispose();
      }
    }).then((r) => r, (e: unknown) => {
      void vscode.window.showErrorMessage(`Tune Post-processing failed: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    });
    if (!result) return undefined;
    if (result.cancelled) {
      void vscode.window.showInformationMessage('Tune Post-processing cancelled; the model outputs cached so far are kept.');
      return undefined;
    }
    for (const l of result.leftOut) log().warn(`Tune Post-processing: left out ${l.tileId}: ${l.reason}`);
    const bytes = cache.sizeBytes();
    this.lastResult = result;
    this.last = toTuningView(result, bytes, path.basename(modelPath));
    log().info(`Tune Post-processing: ${result.cells.length} cells over ${result.tiles} tiles; model ran ${result.fill.ran}x, ${result.fill.reused} reused; sweep ${(result.timings.sweepMs / 1000).toFixed(1)} s; cache ${(bytes / 1048576).toFixed(1)} MB`);
    this.changed.fire();
    await vscode.commands.executeCommand('vasculatureExplorer.showDashboard');
    return this.last;
  }

  /** Writes a cell's values to the workspace Predict settings; offers Undo. */
  async apply(index: number): Promise<void> {
    const r = this.lastResult;
    const cell = r?.cells[index];
    if (!r || !cell) return;
    const c = vscode.workspace.getConfiguration('vasculatureExplorer');
    const values = settingsOf(cell.params, r.model.outputKind);
    const prev: Previous = values.map(([key]) => ({ key, value: c.inspect(key)?.workspaceValue }));
    for (const [key, value] of values) await c.update(key, value, vscode.ConfigurationTarget.Workspace);
    this.undoStack.push(prev);
    const msg = `Predict settings (workspace) set to ${values.map(([k, v]) => `${k.replace('predict.', '')} ${String(v)}`).join(', ')}.`;
    log().info(`Tune Post-processing: ${msg}`);
    void vscode.window.showInformationMessage(msg, 'Undo').then((a) => (a === 'Undo' ? this.undo() : undefined));
  }

  /** Restores the Predict settings the last apply changed. */
  async undo(): Promise<boolean> {
    const prev = this.undoStack.pop();
    if (!prev) return false;
    const c = vscode.workspace.getConfiguration('vasculatureExplorer');
    for (const { key, value } of prev) await c.update(key, value, vscode.ConfigurationTarget.Workspace);
    log().info('Tune Post-processing: Predict settings restored.');
    return true;
  }

  /** Copies a cell's `vasculature-explorer predict` flags. */
  async copy(index: number): Promise<string | undefined> {
    const cell = this.last?.cells[index];
    if (!cell) return undefined;
    await vscode.env.clipboard.writeText(cell.cliFlags);
    void vscode.window.showInformationMessage(`Copied: ${cell.cliFlags}`);
    return cell.cliFlags;
  }

  /** Shows the cache size and clears it after confirmation (or at once with force). */
  async clearCache(force = false): Promise<boolean> {
    const cache = this.cache();
    const mb = (cache.sizeBytes() / 1048576).toFixed(1);
    if (!force) {
      const ok = await vscode.window.showWarningMessage(`The tuning cache holds ${cache.entries()} model outputs (${mb} MB) in ${cache.dir}. Clear it? The next sweep runs the model again.`, { modal: true }, 'Clear');
      if (ok !== 'Clear') return false;
    }
    cache.clear();
    log().info(`Tune Post-processing: cache cleared (${mb} MB).`);
    return true;
  }
}

/** The Predict setting keys and values of a cell. */
export function settingsOf(p: CellParams, kind: string): [string, number | boolean | string][] {
  return [
    // The grid's threshold is the pixel probability of a semantic model, the detection score of an instance one.
    [kind === 'semantic' ? 'predict.threshold' : 'predict.scoreThreshold', p.threshold],
    ['predict.minArea', p.minArea],
    ['predict.dilation', p.dilation],
    // The cell's TTA variant by name ("none", "flip", "rot4"); predict.tta also reads true / false.
    ['predict.tta', p.tta],
    ['predict.removeInsideGlomerulus', p.glomerulus === 'remove'],
  ];
}
