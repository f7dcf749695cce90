/** Commands of Predict: predictTile, predictBatch, exportSubmission, openSubmission, selectModel. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { imageId } from '../../core/dataset';
import { scoringConvention } from '../../core/predict';
import { apText, batchScoreMarkdown } from '../../core/predict';
import { parseSubmissionCsv, readSubmissionFile, writeSubmissionCsv } from '../../core/metric';
import { escapeNotification } from '../../core/text';
import { submissionSettings } from '../../core/tuning';
import { scoreSubmission } from '../../core/predict';
import { loadImageTile, loadIndexedTile, tileAnnotations, tileGroup } from '../../core/predict';
import type { DatasetIndex, Problem, TileRecord } from '../../core/types';
import type { DatasetService } from '../dataset/datasetService';
import type { PredictionStore } from './predictionStore';
import { bundledModel } from './predictSettings';
import type { PredictService } from './predictService';
import { activeResource, tileIdOfUri } from '../tree/tileCommands';
import type { TileNode } from '../tree/tileTree';
import { isTileNode } from '../tree/commandArgs';
import { log } from '../common/log';

export interface PredictCommandDeps {
  predict: PredictService;
  store: PredictionStore;
  service: DatasetService;
  /** Tiles in the shared filter's order, and the filter in words. */
  ordered: () => readonly TileRecord[];
  filterText: () => string;
  /** Where reports are written. */
  storageDir: string;
  extensionPath: string;
}

/** What predictTile returns (the test API and scripts read it). */
export interface PredictTileSummary {
  tileId: string;
  vessels: number;
  tp: number;
  fp: number;
  fn: number;
  ap: number | null;
  provider: string;
  latencyMs: number;
}

/** A tile to predict on, resolved from any of the ways the command is invoked. */
interface Target {
  tileId: string;
  /** A loose image (not a tile of the open dataset): the viewer opens this file. */
  file?: vscode.Uri;
  load: () => Promise<import('../../core/predict').TileInput>;
}

function targetOf(arg: unknown, index: DatasetIndex | undefined, root: string | undefined): Target | string {
  if (typeof arg === 'string') {
    if (!index?.tiles.get(arg)?.image) return `No tile "${arg}" with an image in the open dataset.`;
    return { tileId: arg, load: () => loadIndexedTile(index, arg) };
  }
  if (arg && typeof arg === 'object' && (arg as TileNode).kind === 'tile') {
    const t = (arg as Extract<TileNode, { kind: 'tile' }>).tile;
    if (!index || !t.image) return `Tile ${t.id} has no image on disk; nothing to predict on.`;
    return { tileId: t.id, load: () => loadIndexedTile(index, t.id) };
  }
  // A webview panel's title button passes its own webview-panel: URI: the tile viewer panel's tile is the active resource.
  const uri = arg instanceof vscode.Uri && arg.scheme === 'file' ? arg : activeResource();
  if (!uri || uri.scheme !== 'file') return 'Open a tile (or right-click a .tif/.png in the Explorer or the tile browser) to Predict on it.';
  const id = tileIdOfUri(uri, root);
  if (id && index?.tiles.get(id)?.image) return { tileId: id, load: () => loadIndexedTile(index, id) };
  const name = path.basename(uri.fsPath);
  const loose = imageId(name) ?? path.parse(name).name;
  return { tileId: loose, file: uri, load: () => loadImageTile(uri.fsPath, loose) };
}

function toDiagnostics(problems: readonly Problem[], file: vscode.Uri): vscode.Diagnostic[] {
  return problems.map((p) => {
    const line = Math.max(0, p.line - 1);
    const range = new vscode.Range(line, Math.max(0, (p.column ?? 1) - 1), line, Math.max(0, (p.endColumn ?? p.column ?? 1) - 1) || 1000);
    const d = new vscode.Diagnostic(range, p.message, p.severity === 'error' ? vscode.DiagnosticSeverity.Error : p.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information);
    d.code = p.code;
    d.source = 'Vasculature Explorer';
    void file;
    return d;
  });
}

const OPEN_SUBMISSION = 'Open submission.csv';

export function registerPredictCommands(d: PredictCommandDeps): vscode.Disposable[] {
  const { predict, store, service } = d;
  const submissionProblems = vscode.languages.createDiagnosticCollection('vasculatureExplorer.submission');

  const showReport = async (markdown: string, name: string) => {
    fs.mkdirSync(d.storageDir, { recursive: true });
    const file = vscode.Uri.file(path.join(d.storageDir, name));
    fs.writeFileSync(file.fsPath, markdown);
    await vscode.commands.executeCommand('markdown.showPreview', file).then(undefined, () => vscode.window.showTextDocument(file));
    return file;
  };

  /** Opens (or reveals) the predicted tile in the tile viewer, unless the active viewer shows it already. */
  const showInViewer = async (target: Target) => {
    const active = activeResource();
    if (target.file ? active?.fsPath === target.file.fsPath : tileIdOfUri(active, service.root) === target.tileId) return;
    if (target.file) await vscode.commands.executeCommand('vscode.openWith', target.file, 'vasculatureExplorer.tileViewer', { preview: true });
    else await vscode.commands.executeCommand('vasculatureExplorer.openTile', target.tileId);
  };

  const predictTileCmd = async (arg?: unknown): Promise<PredictTileSummary | undefined> => {
    // "Predict" on a WSI or dataset row of the tile browser: a batch over that row's tiles.
    if (isTileNode(arg) && (arg.kind === 'wsi' || arg.kind === 'dataset')) {
      const what = arg.kind === 'wsi' ? (arg.wsi === undefined ? 'tiles without a WSI' : `WSI ${arg.wsi}`) : `WSI ${arg.wsi ?? '—'} · dataset ${arg.dataset ?? '—'}`;
      return (await predictBatchCmd({ scope: what, tiles: arg.tiles.filter((t) => t.image).map((t) => t.id) })) as undefined;
    }
    const target = targetOf(arg, service.index, service.root);
    if (typeof target === 'string') {
      void vscode.window.showWarningMessage(target);
      return undefined;
    }
    try {
      const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Predict on ${target.tileId}`, cancellable: true }, async (_p, token) => predict.predictOne(await target.load(), token));
      const conv = r.ignoreMode === 'ignore' ? 'unsure/glomerulus ignored' : 'unsure/glomerulus count as background';
      // The result where a person looks: the tile in the viewer with its prediction layer on, and a notification.
      await showInViewer(target);
      const mean = r.vessels.length ? r.vessels.reduce((a, v) => a + v.confidence, 0) / r.vessels.length : undefined;
      const found = `Predict ${r.tileId}: ${r.vessels.length} vessel instance${r.vessels.length === 1 ? '' : 's'}${mean === undefined ? '' : `, mean confidence ${mean.toFixed(2)}`}, ${r.inferenceMs.toFixed(0)} ms on ${r.provider}`;
      const scored = r.annotated ? ` · TP ${r.tp} FP ${r.fp} FN ${r.fn} · AP@0.6 ${apText(r.ap)} (${conv})` : ' · not annotated (no score)';
      vscode.window.setStatusBarMessage(`$(check) ${found}${scored}`, 15_000);
      void vscode.window.showInformationMessage(`${found}${scored}.`, 'Show Log').then((p) => p && log().show());
      return { tileId: r.tileId, vessels: r.vessels.length, tp: r.tp, fp: r.fp, fn: r.fn, ap: r.ap ?? null, provider: r.provider, latencyMs: r.inferenceMs };
    } catch (e) {
      // PredictService has shown the message with its actions; a tile that does not decode lands here too.
      if (!predict.lastError()) void vscode.window.showErrorMessage(`Predict on ${target.tileId}: ${e instanceof Error ? e.message : String(e)}`, 'Show Log').then((p) => p && vscode.commands.executeCommand('vasculatureExplorer.showLog'));
      return undefined;
    }
  };

  /** Scope arg: 'filter' | 'all' | 'wsi:<n>' | 'dataset:<n>' | string[] of tile ids; asked with a quick pick when absent. */
  const pickScope = async (arg: unknown): Promise<{ scope: string; tiles: string[] } | undefined> => {
    const index = service.index;
    if (!index) {
      void vscode.window.showWarningMessage('No dataset is open. Run "Vasculature: Open Dataset Folder…" first.');
      return undefined;
    }
    const withImage = (ts: Iterable<TileRecord>) => [...ts].filter((t) => t.image).map((t) => t.id);
    const all = [...index.tiles.values()];
    const scopes = new Map<string, { label: string; tiles: string[] }>();
    scopes.set('filter', { label: `Current filter: ${d.filterText() || 'none'}`, tiles: withImage(d.ordered()) });
    for (const w of [...new Set(all.map((t) => t.wsi).filter((w): w is number => w !== undefined))].sort((a, b) => a - b)) scopes.set(`wsi:${w}`, { label: `WSI ${w}`, tiles: withImage(all.filter((t) => t.wsi === w)) });
    for (const ds of [...new Set(all.map((t) => t.dataset).filter((x): x is number => x !== undefined))].sort()) scopes.set(`dataset:${ds}`, { label: `Dataset ${ds}`, tiles: withImage(all.filter((t) => t.dataset === ds)) });
    scopes.set('all', { label: 'All tiles with images', tiles: withImage(all) });
    if (Array.isArray(arg)) return { scope: `${arg.length} tiles`, tiles: arg.filter((x): x is string => typeof x === 'string' && !!index.tiles.get(x)?.image) };
    const named = arg as { scope?: unknown; tiles?: unknown } | undefined;
    if (named && typeof named === 'object' && typeof named.scope === 'string' && Array.isArray(named.tiles)) return { scope: named.scope, tiles: named.tiles.filter((x): x is string => typeof x === 'string' && !!index.tiles.get(x)?.image) };
    let key = typeof arg === 'string' ? arg : undefined;
    if (!key) {
      const items = [...scopes].filter(([, s]) => s.tiles.length > 0).map(([k, s]) => ({ label: s.label, description: `${s.tiles.length} tiles with images`, key: k }));
      key = (await vscode.window.showQuickPick(items, { title: 'Predict on which tiles?', placeHolder: `Same settings as single-tile Predict; ${scoringConvention(predict.settings().ignoreMode)}` }))?.key;
    }
    const s = key ? scopes.get(key) : undefined;
    if (key && !s) void vscode.window.showWarningMessage(`Unknown Predict scope "${key}": use filter, all, wsi:<n> or dataset:<n>.`);
    return s ? { scope: s.label, tiles: s.tiles } : undefined;
  };

  const predictBatchCmd = async (arg?: unknown) => {
    const picked = await pickScope(arg);
    if (!picked || !service.index) return undefined;
    const index = service.index;
    if (picked.tiles.length === 0) {
      void vscode.window.showInformationMessage(`${picked.scope}: no tiles with images to predict on.`);
      return undefined;
    }
    const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Predict: ${picked.scope}`, cancellable: true }, (progress, token) =>
      predict.predictMany(picked.tiles, (id) => loadIndexedTile(index, id), picked.scope, token, (p) => progress.report({ increment: 100 / p.total, message: `${p.done}/${p.total} tiles` })));
    if (result.tiles.length > 0) {
      void vscode.commands.executeCommand('setContext', 'vasculatureExplorer.hasPredictBatch', true);
      const s = predict.settings();
      const extra = [
        `Model \`${s.modelPath}\` on ${result.tiles[0].provider}; threshold ${s.threshold}, min area ${s.minArea} px, dilation ${s.dilation} px, TTA ${s.tta.length > 1 ? s.tta.join('+') : 'off'}, glomerulus removal ${s.removeInsideGlomerulus ? 'on' : 'off'}. ${(result.tiles.length / (result.ms / 1000)).toFixed(2)} tiles/s.`,
        ...(result.cancelled ? [`Cancelled after ${result.tiles.length} of ${picked.tiles.length} tiles: the numbers cover those only.`] : []),
        ...(result.failures.length ? [`${result.failures.length} tile(s) failed (see the log): ${result.failures.slice(0, 3).map((f) => f.tileId).join(', ')}.`] : []),
      ];
      await showReport(batchScoreMarkdown(result.score, `Predict: ${picked.scope}`, extra), 'predict-report.md');
      const summary = `Predict ${picked.scope}: ${result.tiles.length} of ${picked.tiles.length} tiles${result.cancelled ? ' (cancelled)' : ''}, ${result.tiles.reduce((a, t) => a + t.vessels.length, 0)} vessel instances, AP@0.6 ${apText(result.score.ap)} (TP ${result.score.tp} FP ${result.score.fp} FN ${result.score.fn}), ${(result.ms / 1000).toFixed(1)} s on ${result.tiles[0].provider}${result.failures.length ? `; ${result.failures.length} failed` : ''}.`;
      void vscode.window.showInformationMessage(summary, OPEN_SUBMISSION, 'Show Log').then(async (pick) => {
        if (pick === 'Show Log') log().show();
        if (pick === OPEN_SUBMISSION) await openBatchSubmission();
      });
    }
    return { tiles: result.tiles.length, failures: result.failures.length, cancelled: result.cancelled, ap: result.score.ap ?? null, tp: result.score.tp, fp: result.score.fp, fn: result.score.fn, perWsi: result.score.perWsi };
  };

  /** Writes the last batch as submission.csv in the extension's storage and opens it. */
  const openBatchSubmission = async () => {
    const tiles = store.lastBatch()?.result?.tiles;
    if (!tiles?.length) return undefined;
    fs.mkdirSync(d.storageDir, { recursive: true });
    const file = vscode.Uri.file(path.join(d.storageDir, 'submission.csv'));
    fs.writeFileSync(file.fsPath, writeSubmissionCsv(tiles.map((t) => ({ id: t.tileId, height: t.height, width: t.width, predictions: t.vessels }))));
    await vscode.window.showTextDocument(file, { preview: true });
    return file.fsPath;
  };

  const exportSubmission = async (arg?: unknown) => {
    const batch = store.lastBatch();
    const tiles = batch?.source === 'predict' ? batch.result?.tiles : undefined;
    if (!tiles || tiles.length === 0) {
      void vscode.window.showWarningMessage('No batch Predict to export yet: run "Vasculature: Predict on Tiles…" first.');
      return undefined;
    }
    const target = typeof arg === 'string' ? vscode.Uri.file(arg) : (arg instanceof vscode.Uri && arg.scheme === 'file' ? arg : undefined) ?? (await vscode.window.showSaveDialog({ title: 'Export submission.csv', defaultUri: vscode.Uri.file(path.join(service.root ?? d.storageDir, 'submission.csv')), filters: { CSV: ['csv'] } }));
    if (!target) return undefined;
    const skipped: string[] = [];
    fs.writeFileSync(target.fsPath, writeSubmissionCsv(tiles.map((t) => ({ id: t.tileId, height: t.height, width: t.width, predictions: t.vessels })), skipped));
    const left = skipped.length ? ` ${skipped.length} tile(s) whose id is not a tile id were left out (e.g. "${escapeNotification(skipped[0].slice(0, 40))}").` : '';
    void vscode.window.showInformationMessage(`Wrote ${tiles.length - skipped.length} rows to ${target.fsPath} (Kaggle submission format).${left}`);
    // The submissions log (CV vs leaderboard, Tune Post-processing) records every exported submission.
    void vscode.commands.executeCommand('vasculatureExplorer.recordSubmission', { path: target.fsPath, localAp: batch!.score.numGt > 0 ? batch!.score.ap ?? null : null, perWsi: Object.fromEntries(batch!.score.perWsi.map((w) => [w.group, w.ap ?? null])), model: batch!.settings?.modelPath ?? batch!.label, tiles, ignoreMode: batch!.score.ignoreMode, ...(batch!.settings ? { settings: submissionSettings(batch!.settings) } : {}) }).then(undefined, () => undefined);
    return target.fsPath;
  };

  const openSubmission = async (arg?: unknown) => {
    const uri = typeof arg === 'string' ? vscode.Uri.file(arg) : (arg instanceof vscode.Uri && arg.scheme === 'file' ? arg : undefined) ?? (await vscode.window.showOpenDialog({ title: 'Open a submission.csv to draw and score', filters: { CSV: ['csv'] }, canSelectMany: false }))?.[0];
    if (!uri) return undefined;
    const index = service.index;
    const shown = path.basename(uri.fsPath);
    const read = readSubmissionFile(uri.fsPath, shown);
    if ('problem' in read) {
      submissionProblems.set(uri, toDiagnostics([read.problem], uri));
      void vscode.window.showErrorMessage(read.problem.message);
      return { ap: null, tp: 0, fp: 0, fn: 0, rows: 0, problems: [{ file: read.problem.file, line: 0, severity: read.problem.severity, code: read.problem.code, message: read.problem.message }] };
    }
    const text = read.text;
    const parse = parseSubmissionCsv(text, { file: shown, ...(index ? { knownIds: new Set(index.tiles.keys()) } : {}) });
    const ignoreMode = predict.settings().ignoreMode;
    const good = parse.rows.filter((r) => r.ok);
    const scored = await scoreSubmission(good, async (id) => ({ annotations: index ? await tileAnnotations(index, id) : undefined, group: tileGroup(index, id) }), ignoreMode, { file: shown, ...(index ? { annotatedIds: [...index.tiles.values()].filter((t) => t.polygonsLine !== undefined).map((t) => t.id) } : {}) });
    const problems = [...parse.problems, ...scored.problems];
    submissionProblems.set(uri, toDiagnostics(problems.filter((p) => p.line > 0 || p.severity !== 'info'), uri));
    const convention = scoringConvention(ignoreMode);
    const errorList = problems.filter((p) => p.severity === 'error');
    const errors = errorList.length;
    // A submission with errors is not a score: the last good one stays on the dashboard, the errors beside it.
    if (errors > 0) store.setRejected({ label: shown, errors, first: errorList.slice(0, 5).map((p) => ({ line: p.line, message: p.message })), rows: parse.rows.length, at: Date.now() });
    else {
      store.setMany(scored.tiles.map((t) => ({ source: 'submission' as const, label: shown, tile: t, convention, at: Date.now() })), { source: 'submission', label: shown, scope: shown, score: scored.score, tileIds: scored.tiles.map((t) => t.tileId), at: Date.now() }, true);
      // The submissions log (CV vs leaderboard, Tune Post-processing) records every scored submission.
      void vscode.commands.executeCommand('vasculatureExplorer.recordSubmission', { path: uri.fsPath, localAp: scored.score.numGt > 0 ? scored.score.ap ?? null : null, perWsi: Object.fromEntries(scored.score.perWsi.map((w) => [w.group, w.ap ?? null])), tiles: scored.tiles, ignoreMode, settings: { ignoreMode } }).then(undefined, () => undefined);
    }
    if (errors > 0) void vscode.window.showWarningMessage(`${shown}: ${errors} error(s) at their lines in the Problems panel; ${parse.rows.length - good.length} of ${parse.rows.length} rows are left out of the score.`, 'Show Problems').then((p) => p && vscode.commands.executeCommand('workbench.actions.view.problems'));
    if (index) await showReport(batchScoreMarkdown(scored.score, `Submission ${shown}`, [`${good.length} of ${parse.rows.length} rows scored against ${index.root}.`]), 'submission-report.md');
    return { ap: scored.score.ap ?? null, tp: scored.score.tp, fp: scored.score.fp, fn: scored.score.fn, rows: parse.rows.length, problems: problems.map((p) => ({ file: p.file, line: p.line, severity: p.severity, code: p.code, message: p.message })) };
  };

  const selectModel = async (arg?: string) => {
    let file = typeof arg === 'string' ? arg : undefined;
    if (file === undefined) {
      const items = [
        { label: '$(folder-opened) Choose an .onnx file…', value: 'browse' },
        { label: '$(package) Bundled demo model', description: path.basename(bundledModel(d.extensionPath)), value: '' },
      ];
      const pick = await vscode.window.showQuickPick(items, { title: 'Model for Predict', placeHolder: `Now: ${predict.settings().modelPath}` });
      if (!pick) return undefined;
      if (pick.value === 'browse') {
        const chosen = await vscode.window.showOpenDialog({ title: 'Select an ONNX model', filters: { 'ONNX model': ['onnx'] }, canSelectMany: false });
        if (!chosen?.[0]) return undefined;
        file = chosen[0].fsPath;
      } else file = '';
    }
    const target = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
    await vscode.workspace.getConfiguration('vasculatureExplorer').update('modelPath', file, target);
    predict.log('info', `Predict model set to ${file || 'the bundled demo model'}`);
    return predict.settings().modelPath;
  };

  return [
    submissionProblems,
    vscode.commands.registerCommand('vasculatureExplorer.predictTile', predictTileCmd),
    vscode.commands.registerCommand('vasculatureExplorer.predictBatch', predictBatchCmd),
    vscode.commands.registerCommand('vasculatureExplorer.exportSubmission', exportSubmission),
    vscode.commands.registerCommand('vasculatureExplorer.openSubmission', openSubmission),
    vscode.commands.registerCommand('vasculatureExplorer.selectModel', selectModel),
  ];
}
