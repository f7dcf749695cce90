/**
 * "Train Baseline Model…": picks a labels folder (the output of Prepare Training Data / the labels
 * CLI), a fold and an output folder, finds a Python with torch, runs training/train.py with a
 * cancellable progress notification (device, epoch, loss, validation AP), logs to the output
 * channel, and on finish offers "Use for Predict" and "Tune post-processing". Trusted workspaces
 * only (it runs code); never writes inside the dataset folder.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { describeTrainEvent, findPythonWithTorch, NoTorchError, runTraining, TrainingCancelledError, type TrainArgs, type TrainDoneEvent, type TrainEvent } from '../../core/training';
import { log } from '../common/log';

export const TRAIN_COMMAND = 'vasculatureExplorer.trainBaseline';
/** The tuning sweep's command (another feature); offered only when it is registered. */
export const TUNE_COMMAND = 'vasculatureExplorer.tunePostprocessing';

/** What a caller (a script, a test, a menu) may pass instead of answering the pickers. */
export interface TrainRequest {
  labels: string;
  out?: string;
  fold?: string;
  epochs?: number;
  steps?: number;
  size?: number;
  batch?: number;
  width?: number;
  valTiles?: number;
  threads?: number;
}

/** The outcome of one run, kept for tests. */
export interface TrainOutcome {
  state: 'running' | 'done' | 'cancelled' | 'failed' | 'refused';
  message: string;
  events: TrainEvent[];
  done?: TrainDoneEvent;
  /** Progress messages shown in the notification, in order. */
  progress: string[];
}

/** Training's part of the test API. */
export interface TrainingTestHooks {
  /** Cancels the running job as the notification's Cancel button does (it aborts the same controller). */
  cancelTraining(): boolean;
  /** The running job (state 'running', events and progress growing) or the last one. */
  lastTraining(): TrainOutcome | undefined;
  isTraining(): boolean;
}

/** The folds of a labels folder's folds.csv (fold numbers >= 0), or [] when unreadable. */
export function foldsOf(labels: string): string[] {
  try {
    const rows = fs.readFileSync(path.join(labels, 'folds.csv'), 'utf8').split(/\r?\n/).slice(1);
    return [...new Set(rows.map((r) => Number(r.split(',')[1])).filter((f) => Number.isInteger(f) && f >= 0))].sort((a, b) => a - b).map(String);
  } catch {
    return [];
  }
}

const inside = (child: string, parent: string) => {
  const rel = path.relative(path.resolve(parent), path.resolve(child));
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
};

/** Registers the command; datasetRoot() is the open dataset (never written into). */
export function registerTraining(d: { context: vscode.ExtensionContext; datasetRoot: () => string | undefined }): { disposables: vscode.Disposable[]; hooks: TrainingTestHooks } {
  const ext = d.context.extensionUri.fsPath;
  let running: AbortController | undefined;
  let last: TrainOutcome | undefined;

  async function ask(arg: unknown): Promise<TrainRequest | undefined> {
    if (arg && typeof arg === 'object' && typeof (arg as TrainRequest).labels === 'string') return arg as TrainRequest;
    let labels = arg instanceof vscode.Uri ? arg.fsPath : undefined;
    if (!labels) {
      const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Train on this labels folder', title: 'Labels folder (output of Prepare Training Data)' });
      labels = picked?.[0]?.fsPath;
    }
    if (!labels) return undefined;
    const folds = foldsOf(labels);
    const fold = await vscode.window.showQuickPick([...folds.map((f) => ({ label: `fold ${f}`, value: f, description: 'validate on it, train on the rest' })), { label: 'all', value: 'all', description: 'train on every tile (no validation number)' }], { title: 'Validation fold' });
    if (!fold) return undefined;
    return { labels, fold: fold.value };
  }

  async function train(arg?: unknown): Promise<TrainOutcome | undefined> {
    const outcome = (state: TrainOutcome['state'], message: string, extra: Partial<TrainOutcome> = {}): TrainOutcome => (last = { state, message, events: [], progress: [], ...extra });
    if (!vscode.workspace.isTrusted) {
      const m = 'Train Baseline Model runs Python code: trust this workspace first (Manage Workspace Trust).';
      void vscode.window.showErrorMessage(m);
      return outcome('refused', m);
    }
    if (running) {
      void vscode.window.showWarningMessage('A training run is already going; cancel it from its notification first.');
      return outcome('refused', 'already running');
    }
    const req = await ask(arg);
    if (!req) return undefined;
    const labels = path.resolve(req.labels);
    const out = path.resolve(req.out ?? `${labels.replace(/[\\/]+$/, '')}-model`);
    const dataset = d.datasetRoot();
    if (dataset && inside(out, dataset)) {
      const m = `The model folder ${out} is inside the dataset folder ${dataset}; training never writes there. Choose a labels folder (and so a model folder) outside the dataset.`;
      void vscode.window.showErrorMessage(m);
      return outcome('refused', m);
    }
    const c = vscode.workspace.getConfiguration('vasculatureExplorer');
    const setting = c.get<string>('python', '');
    let py;
    try {
      py = await findPythonWithTorch(setting, path.join(ext, 'training', 'requirements.txt'));
    } catch (e) {
      const m = (e as Error).message;
      log().error(`train: ${m}`);
      if (e instanceof NoTorchError) {
        void vscode.window.showErrorMessage(m, 'Open Settings').then((a) => a && vscode.commands.executeCommand('workbench.action.openSettings', 'vasculatureExplorer.python'));
      } else void vscode.window.showErrorMessage(m);
      return outcome('refused', m);
    }
    const t = (k: string, fallback: number) => c.get<number>(`training.${k}`, fallback);
    const args: TrainArgs = {
      labels, out, fold: req.fold ?? '0', epochs: req.epochs ?? t('epochs', 3), steps: req.steps ?? t('steps', 50), size: req.size ?? t('imageSize', 256),
      batch: req.batch ?? t('batch', 4), ...(req.width ? { width: req.width } : {}), ...(req.valTiles ? { valTiles: req.valTiles } : {}),
      ...(req.threads ? { threads: req.threads } : {}),
    };
    log().info(`train: ${py.python} (torch ${py.torch}${py.cuda ? ', CUDA' : ', CPU only'}) ${path.join(ext, 'training', 'train.py')} --labels ${labels} --out ${out} --fold ${args.fold}`);
    const events: TrainEvent[] = [];
    const progress: string[] = [];
    const ac = new AbortController();
    running = ac;
    last = { state: 'running', message: '', events, progress };
    try {
      const done = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Training baseline model', cancellable: true }, async (p, token) => {
        token.onCancellationRequested(() => ac.abort());
        let device = '';
        const total = (args.epochs ?? 1) * (args.steps ?? 1);
        let lastStep = 0;
        return runTraining({
          python: py.python, script: path.join(ext, 'training', 'train.py'), args,
          // The product's scorer (dist/scoreMaps.js, shipped in the VSIX) with the editor's own Node (ELECTRON_RUN_AS_NODE makes it plain Node).
          scorer: [process.execPath, path.join(ext, 'dist', 'scoreMaps.js')], env: { ELECTRON_RUN_AS_NODE: '1' }, signal: ac.signal,
          onLog: (l) => log().info(`train: ${l}`),
          onEvent: (e) => {
            events.push(e);
            log().info(`train: ${JSON.stringify(e)}`);
            if (e.event === 'start') device = e.device;
            let increment = 0;
            if (e.event === 'step') {
              const at = (e.epoch - 1) * e.steps + e.step;
              increment = ((at - lastStep) / total) * 100;
              lastStep = at;
            }
            const message = `${device ? `${device} · ` : ''}${describeTrainEvent(e)}`;
            progress.push(message);
            p.report({ message, ...(increment > 0 ? { increment } : {}) });
          },
        });
      });
      last = { state: 'done', message: describeTrainEvent(done), events, done, progress };
      void offer(done);
      return last;
    } catch (e) {
      if (e instanceof TrainingCancelledError) {
        log().info(`train: ${e.message}`);
        void vscode.window.showInformationMessage(`Training cancelled: no model was written; the previous model is untouched.`);
        return (last = { state: 'cancelled', message: e.message, events, progress });
      }
      const m = (e as Error).message;
      log().error(`train: ${m}`);
      void vscode.window.showErrorMessage(`Training failed: ${m}`, 'Show Log').then((a) => a && log().show());
      return (last = { state: 'failed', message: m, events, progress });
    } finally {
      running = undefined;
    }
  }

  /** The labels folder a finished run trained on (from its metrics.json). */
  const labelsOf = (done: TrainDoneEvent): string => {
    try {
      return String((JSON.parse(fs.readFileSync(done.metrics, 'utf8')) as { labels: string }).labels);
    } catch {
      return path.dirname(done.model);
    }
  };

  async function offer(done: TrainDoneEvent): Promise<void> {
    const tuneCommand = (await vscode.commands.getCommands(true)).includes(TUNE_COMMAND);
    const dataset = d.datasetRoot();
    const actions = ['Use for Predict', ...(tuneCommand || dataset ? ['Tune post-processing'] : []), 'Open Model Card'];
    const a = await vscode.window.showInformationMessage(`Baseline model trained: ${done.model}${done.valAP60 !== undefined ? ` (validation AP@0.6 ${done.valAP60.toFixed(3)}, Dice ${done.valDice?.toFixed(3)})` : ''}.`, ...actions);
    if (a === 'Use for Predict') {
      const target = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
      await vscode.workspace.getConfiguration('vasculatureExplorer').update('modelPath', done.model, target);
    } else if (a === 'Tune post-processing' && tuneCommand) {
      // The sweep on the new model, scored per fold of the run's folds.csv (the held-out fold among them).
      await vscode.commands.executeCommand(TUNE_COMMAND, { modelPath: done.model, folds: path.join(labelsOf(done), 'folds.csv') });
    } else if (a === 'Tune post-processing' && dataset) {
      // The sweep of the CLI on the run's folds (the held-out fold is scored per fold), in a terminal the person sees.
      const q = (v: string) => `'${v.replace(/'/g, `'\\''`)}'`;
      const term = vscode.window.createTerminal({ name: 'Vasculature: tune', env: { ELECTRON_RUN_AS_NODE: '1' } });
      term.show();
      term.sendText(`${q(process.execPath)} ${q(path.join(ext, 'bin', 'vasculature-explorer.js'))} tune ${q(dataset)} --model ${q(done.model)} --folds ${q(path.join(labelsOf(done), 'folds.csv'))}`);
    } else if (a === 'Open Model Card') {
      await vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.file(done.card));
    }
  }

  return {
    disposables: [
      vscode.commands.registerCommand(TRAIN_COMMAND, train),
      { dispose: () => running?.abort() },
    ],
    hooks: {
      cancelTraining: () => {
        if (!running) return false;
        running.abort();
        return true;
      },
      lastTraining: () => last,
      isTraining: () => running !== undefined,
    },
  };
}
