/** Wires "Prepare Training Data…": the form, the run with progress and cancel, the leak Problems and the summary with Reveal. */
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { foldsOverview, leakProblems, type FoldsOverview } from '../../core/folds';
import { inspectOutput, LabelsError, prepareLabels, type PrepareResult } from '../../core/labels';
import type { LabelsFormValues } from '../../shared/labelsFormProtocol';
import type { DatasetService } from '../dataset/datasetService';
import { log } from '../common/log';
import { defaultFormValues, formPresets, optionsFromForm } from './formOptions';
import { LabelsFormPanel } from './labelsFormPanel';

export const PREPARE_TRAINING_DATA = 'vasculatureExplorer.prepareTrainingData';

/** What the tests reach through the extension API. */
export interface LabelsTestHooks {
  /** The open form: fill / submit / snapshot through its own controls. */
  form(): LabelsFormPanel | undefined;
  /** The last finished run (or error text). */
  last(): { result?: PrepareResult; error?: string } | undefined;
  /** Resolves when the next run ends. */
  nextRun(): Promise<{ result?: PrepareResult; error?: string }>;
  /** The leak Problems published for the last run. */
  leakDiagnostics(): number;
}

/** Register the command; folds() is the Dataset Overview's folds section source (last run, else a preview). */
export function registerLabels(deps: { extensionUri: vscode.Uri; service: DatasetService; version: string; /** The tile browser's filter (ids in order), when one is set. */ filter?: () => { ids: string[]; description: string } | undefined }): { disposables: vscode.Disposable[]; hooks: LabelsTestHooks; folds: () => FoldsOverview | undefined; onDidRun: vscode.Event<void> } {
  const leaks = vscode.languages.createDiagnosticCollection('vasculatureExplorer.folds');
  const ran = new vscode.EventEmitter<void>();
  let last: { result?: PrepareResult; error?: string } | undefined;
  let lastFolds: { root: string; overview: FoldsOverview } | undefined;
  const waiters: ((r: { result?: PrepareResult; error?: string }) => void)[] = [];
  const finish = (r: { result?: PrepareResult; error?: string }) => { last = r; for (const w of waiters.splice(0)) w(r); ran.fire(); };

  const defaultOut = () => {
    const cfg = vscode.workspace.getConfiguration('vasculatureExplorer').get<string>('labels.outputFolder', '');
    const root = deps.service.root;
    return cfg || path.join(os.homedir(), 'vasculature-training', root ? path.basename(root) : 'dataset');
  };

  const run = async (values: LabelsFormValues, panel: LabelsFormPanel): Promise<void> => {
    const index = deps.service.index;
    if (!index) {
      await panel.setRunState(false, 'No dataset is open: open one with "Vasculature: Open Dataset Folder…".', false);
      return finish({ error: 'no dataset' });
    }
    const out = path.resolve(values.out.trim());
    let force = false;
    try {
      const state = await inspectOutput(out);
      if (state.kind === 'other') {
        const pick = await vscode.window.showWarningMessage(`${out} holds other files (${state.otherEntries.slice(0, 3).join(', ')}${state.otherEntries.length > 3 ? ', …' : ''}). Write the training data beside them?`, { modal: true }, 'Write Beside Them');
        if (pick !== 'Write Beside Them') {
          await panel.setRunState(false, 'Not started: choose an empty folder or allow writing beside the other files.', false);
          return finish({ error: 'declined' });
        }
        force = true;
      }
    } catch (e) {
      await panel.setRunState(false, (e as Error).message, false);
      return finish({ error: (e as Error).message });
    }
    await panel.setRunState(true);
    try {
      const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Preparing training data', cancellable: true }, async (progress, token) => {
        const ac = new AbortController();
        token.onCancellationRequested(() => ac.abort());
        let shown = 0;
        return prepareLabels({
          root: index.root, out, options: optionsFromForm(values, deps.filter?.()), index, force, signal: ac.signal, tool: { name: 'vasculature-explorer', version: deps.version },
          onProgress: (done, total, message) => {
            const pct = total ? (100 * done) / total : 0;
            progress.report({ message: `${message}`, increment: Math.max(0, pct - shown) });
            shown = Math.max(shown, pct);
          },
        });
      });
      const m = result.manifest;
      // Leaks as Problems on tile_meta.csv, one per pair.
      leaks.clear();
      if (index.files.tileMeta) {
        const lines = new Map<string, number>();
        for (const t of index.tiles.values()) if (t.metaLine !== undefined) lines.set(t.id, t.metaLine);
        const probs = leakProblems(result.leaks, lines, index.files.tileMeta);
        leaks.set(vscode.Uri.file(path.join(index.root, index.files.tileMeta)), probs.map((p) => {
          const d = new vscode.Diagnostic(new vscode.Range(Math.max(0, p.line - 1), 0, Math.max(0, p.line - 1), 200), p.message, vscode.DiagnosticSeverity.Warning);
          d.code = p.code;
          d.source = 'Vasculature Explorer folds';
          return d;
        }));
      }
      const assignment = { scheme: m.folds.scheme, folds: m.folds.names.length, names: m.folds.names, fold: new Map<string, number>() };
      try {
        const csv = await vscode.workspace.fs.readFile(vscode.Uri.file(path.join(out, 'folds.csv')));
        for (const line of Buffer.from(csv).toString('utf8').split('\n').slice(1)) { const [id, f] = line.split(','); if (id) assignment.fold.set(id, Number(f)); }
        const ov = foldsOverview(index.tiles.values(), assignment, `the last Prepare Training Data run (${out})`);
        if (ov) lastFolds = { root: index.root, overview: ov };
      } catch (e) {
        log().warn(`Prepare Training Data: could not read back folds.csv (${(e as Error).message}).`);
      }
      const skipped = Object.values(m.skipped.byCode).reduce((s, n) => s + n, 0);
      const text = `${result.upToDate ? 'Up to date (same inputs and options): nothing written' : `Wrote ${m.counts.files} files`} to ${out}: ${m.counts.tiles} tiles, ${Object.entries(m.counts.instances).map(([c, n]) => `${n} ${c}`).join(', ')}; ${skipped} polygons skipped, ${m.skipped.deduplicated.exact + m.skipped.deduplicated.sameMask} de-duplicated, ${m.skipped.tilesWithoutImage.count} tiles without image; ${m.folds.names.length} folds, ${m.folds.leakage.leakingPairs} leaking tile pairs.`;
      log().info(`Prepare Training Data: ${text}`);
      await panel.setRunState(false, text, true);
      finish({ result });
      void vscode.window.showInformationMessage(text, 'Reveal Folder', 'Open README').then(async (pick) => {
        if (pick === 'Reveal Folder') await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(path.join(out, 'manifest.json')));
        if (pick === 'Open README') await vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.file(path.join(out, 'README.md')));
      });
    } catch (e) {
      const cancelled = (e as Error).name === 'AbortError';
      const text = cancelled ? 'Cancelled: the files written so far were removed.' : e instanceof LabelsError ? e.message : `Failed: ${(e as Error).message}`;
      if (!cancelled && !(e instanceof LabelsError)) log().error(`Prepare Training Data: ${(e as Error).stack ?? String(e)}`);
      await panel.setRunState(false, text, false);
      if (!cancelled) void vscode.window.showErrorMessage(`Prepare Training Data: ${text}`);
      finish({ error: text });
    }
  };

  const disposables: vscode.Disposable[] = [
    leaks,
    ran,
    vscode.commands.registerCommand(PREPARE_TRAINING_DATA, () => {
      if (!deps.service.index) {
        void vscode.window.showInformationMessage('No dataset is open yet. Run "Vasculature: Open Dataset Folder…" (a folder with polygons.jsonl and tile_meta.csv), then prepare training data.');
        return;
      }
      LabelsFormPanel.show({
        extensionUri: deps.extensionUri,
        init: () => {
          const f = deps.filter?.();
          return { values: defaultFormValues(defaultOut()), presets: formPresets(), dataset: deps.service.root ?? '', ...(f ? { filter: { description: f.description, tiles: f.ids.length } } : {}) };
        },
        run,
      });
    }),
    { dispose: () => LabelsFormPanel.open?.dispose() },
  ];
  const hooks: LabelsTestHooks = {
    form: () => LabelsFormPanel.open,
    last: () => last,
    nextRun: () => new Promise((resolve) => waiters.push(resolve)),
    leakDiagnostics: () => { let n = 0; leaks.forEach((_, d) => { n += d.length; }); return n; },
  };
  const folds = () => {
    const index = deps.service.index;
    if (!index) return undefined;
    if (lastFolds && lastFolds.root === index.root) return lastFolds.overview;
    return foldsOverview(index.tiles.values());
  };
  return { disposables, hooks, folds, onDidRun: ran.event };
}
