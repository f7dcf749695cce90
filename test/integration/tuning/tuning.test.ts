/**
 * Tune Post-processing in a real VS Code on the sample with the demo model: the command sweeps a
 * 3 x 2 grid, the Dataset Overview's heatmap has one cell per combination with the sweep's APs,
 * clicking a cell and Apply writes its values to the workspace Predict settings, Undo restores them.
 * With a folds.csv: the "rank by" dropdown reorders the ranking, the warning names the losing WSIs,
 * the selected cell's per-fold rows and PR curve, Copy CLI flags. The datasets pick; a rot4 cell's Apply.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { VasculatureExplorerApi } from '../../../src/extension/common/api';
import type { TuningView } from '../../../src/shared/tuningView';
import { sleep, until } from '../wait';
import { settingsOf } from '../../../src/extension/tuning/tuningService';
import { readPredictSettings } from '../../../src/extension/predict/predictSettings';
import { writeSubmissionCsv } from '../../../src/core/metric';
import { rasterizeGroundTruth, tileAnnotations } from '../../../src/core/predict';

const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { name: string; publisher: string };
const sample = path.resolve(repoRoot, '..', 'shared', 'data', 'hhv-sample');
const GRID = 'threshold=0.3,0.5,0.7 dilation=0,1 min-area=10 tta=none glomerulus=remove';
const config = () => vscode.workspace.getConfiguration('vasculatureExplorer');
/** A cell's label as the section's ranking writes it. */
const cellLabel = (c: TuningView['cells'][number]) => `t ${c.params.threshold} · dil ${c.params.dilation} · min ${c.params.minArea} · tta ${c.params.tta} · glom ${c.params.glomerulus}`;
const f3 = (v: number | null | undefined) => (v === null || v === undefined ? '—' : v.toFixed(3));

describe('Tune Post-processing (real VS Code, hhv-sample, demo model)', function () {
  this.timeout(300_000);
  let a: VasculatureExplorerApi;
  let view: TuningView | undefined;

  before(async () => {
    const ext = vscode.extensions.getExtension<VasculatureExplorerApi>(`${manifest.publisher}.${manifest.name}`);
    assert.ok(ext, 'extension not loaded');
    a = await ext.activate();
    await until(() => a.index()?.root === sample && a.index(), 60_000, 'the sample to be indexed');
    await config().update('predict.executionProvider', 'cpu', vscode.ConfigurationTarget.Global);
    await a.tuning.clearCache();
  });
  after(async () => {
    await config().update('predict.executionProvider', undefined, vscode.ConfigurationTarget.Global);
    await a.tuning.clearCache();
  });

  it('the command sweeps every combination on the sample\'s annotated tiles and caches the model outputs once', async () => {
    view = (await vscode.commands.executeCommand('vasculatureExplorer.tunePostprocessing', { grid: GRID, folds: '', datasets: 'all' })) as TuningView | undefined;
    assert.ok(view, 'the sweep ran');
    assert.equal(view.cells.length, 6);
    assert.equal(view.tiles, 27);
    assert.equal(view.leftOut, 0);
    assert.ok(view.cells.some((c) => (c.ap ?? 0) > 0));
    assert.ok(a.tuning.cacheBytes() > 0 && a.tuning.cacheBytes() < 27 * 300 * 1024, `cache ${a.tuning.cacheBytes()} bytes`);
  });

  it('the Dataset Overview shows a heatmap with one cell per combination, each with its AP', async () => {
    const snap = await until(async () => {
      const s = await a.dashboard.snapshot();
      return s?.tuning?.shown && s.tuning.heatmap.length === 6 ? s : undefined;
    }, 60_000, 'the tuning heatmap to be drawn');
    const t = snap.tuning!;
    assert.deepEqual([t.x, t.y], ['threshold', 'dilation']);
    assert.deepEqual(t.heatmap.map((c) => c.index).sort(), [0, 1, 2, 3, 4, 5]);
    for (const c of t.heatmap) assert.equal(c.text, view!.cells[c.index].ap === null ? '—' : view!.cells[c.index].ap!.toFixed(3));
    assert.equal(t.selected, view!.best.byWorstFold);
    assert.ok(t.wsiRows.length >= 1, 'the selected cell\'s per-WSI AP is shown');
    assert.ok(t.ranking.length === 6);
  });

  it('clicking a cell and Apply writes its values to the workspace Predict settings; Undo restores them', async () => {
    const target = view!.cells.find((c) => c.params.threshold !== 0.5 && c.params.dilation === 1)!;
    assert.equal(config().inspect('predict.threshold')?.workspaceValue, undefined);
    await a.dashboard.click({ kind: 'tuningCell', index: target.index, action: 'apply' });
    // The five settings are written one after the other; removeInsideGlomerulus is the last.
    await until(() => config().inspect('predict.removeInsideGlomerulus')?.workspaceValue === true, 20_000, 'the Predict settings to change');
    assert.equal(config().inspect('predict.threshold')?.workspaceValue, target.params.threshold);
    assert.equal(config().inspect('predict.dilation')?.workspaceValue, 1);
    assert.equal(config().inspect('predict.minArea')?.workspaceValue, 10);
    assert.equal(config().inspect('predict.tta')?.workspaceValue, 'none');
    const snap = await a.dashboard.snapshot();
    assert.equal(snap?.tuning?.selected, target.index);
    assert.equal(await a.tuning.undo(), true);
    assert.equal(config().inspect('predict.threshold')?.workspaceValue, undefined);
    assert.equal(config().inspect('predict.dilation')?.workspaceValue, undefined);
    assert.equal(config().inspect('predict.removeInsideGlomerulus')?.workspaceValue, undefined);
  });

  it('exported or scored submissions go to the workspace submissions log; typed LB scores give the CV vs LB scatter with its line and r', async () => {
    const index = a.index()!;
    const ids = [...index.tiles.values()].filter((t) => t.polygonsLine !== undefined && t.image).map((t) => t.id);
    const gt = await Promise.all(ids.map(async (id) => ({ id, vessels: rasterizeGroundTruth((await tileAnnotations(index, id))!, 512, 512).vessels })));
    const dir = fs.mkdtempSync(path.join(require('os').tmpdir() as string, 've-subs-'));
    // Three submissions: every tile with all, half and a quarter of its ground-truth vessels (three different recalls, so local APs).
    const files = [1, 2, 4].map((k) => {
      const f = path.join(dir, `sub${k}.csv`);
      fs.writeFileSync(f, writeSubmissionCsv(gt.map((t) => ({ id: t.id, height: 512, width: 512, predictions: t.vessels.filter((_, i) => i % k === 0).map((m) => ({ mask: m, confidence: 0.9 })) }))));
      return f;
    });
    for (const f of files) await vscode.commands.executeCommand('vasculatureExplorer.openSubmission', f);
    const logFile = path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, '.vscode', 'vasculature-submissions.json');
    const log = await until(() => {
      try { const j = JSON.parse(fs.readFileSync(logFile, 'utf8')) as { submissions: { path: string; hash: string; localAp: number }[] }; return j.submissions.length === 3 ? j : undefined; } catch { return undefined; }
    }, 30_000, 'three submissions in the log');
    assert.deepEqual(log.submissions.map((s) => s.path), files);
    assert.ok(log.submissions[0].localAp > log.submissions[1].localAp && log.submissions[1].localAp > log.submissions[2].localAp, `all > half > a quarter of the vessels: ${log.submissions.map((x) => x.localAp).join(', ')}`);
    const lb = [[0.61, 0.58], [0.40, 0.43], [0.22, 0.19]];
    for (const [k, s] of log.submissions.entries()) assert.equal(await vscode.commands.executeCommand('vasculatureExplorer.recordLeaderboardScore', { hash: s.hash, publicLb: lb[k][0], privateLb: lb[k][1] }), true);
    await a.dashboard.show();
    const snap = await until(async () => {
      const t = (await a.dashboard.snapshot())?.tuning?.submissions;
      return t && t.publicPoints === 3 && t.inkPixels > 0 ? t : undefined;
    }, 30_000, 'the CV vs LB scatter to be drawn');
    assert.equal(snap.count, 3);
    assert.equal(snap.privatePoints, 3);
    assert.match(snap.fitText, /public: 3 point\(s\), LB = -?\d+\.\d\d x CV [+-] \d\.\d{3}, r = (0\.9\d|1\.00)/);
    const again = JSON.parse(fs.readFileSync(logFile, 'utf8')) as { submissions: { publicLb: number; privateLb: number }[] };
    assert.deepEqual(again.submissions.map((s) => [s.publicLb, s.privateLb]), lb);
  });
  it('an exported submission is logged with the model, its Predict settings and the local AP per fold (a folds.csv in the workspace) and per WSI', async () => {
    const index = a.index()!;
    const ids = [...index.tiles.values()].filter((t) => t.polygonsLine !== undefined && t.image).map((t) => t.id).slice(0, 6);
    const wsRoot = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const folds = path.join(wsRoot, 'folds.csv');
    fs.writeFileSync(folds, ['id,fold', ...ids.map((id, k) => `${id},${k % 2}`)].join('\n'));
    await config().update('predict.threshold', 0.45, vscode.ConfigurationTarget.Workspace);
    try {
      const r = (await vscode.commands.executeCommand('vasculatureExplorer.predictBatch', ids)) as { tiles: number; ap: number | null };
      assert.equal(r.tiles, ids.length);
      const out = path.join(fs.mkdtempSync(path.join(require('os').tmpdir() as string, 've-export-')), 'submission.csv');
      assert.equal(await vscode.commands.executeCommand('vasculatureExplorer.exportSubmission', out), out);
      const logFile = path.join(wsRoot, '.vscode', 'vasculature-submissions.json');
      type Entry = { path: string; model?: string; settings?: Record<string, unknown>; localAp: number | null; perFold?: Record<string, number | null>; perWsi?: Record<string, number | null>; foldsFile?: string };
      const entry = await until(() => {
        try { return (JSON.parse(fs.readFileSync(logFile, 'utf8')) as { submissions: Entry[] }).submissions.find((s) => s.path === out); } catch { return undefined; }
      }, 30_000, 'the exported submission in the log');
      assert.match(entry.model ?? '', /demo-unet\.onnx$/);
      const st = entry.settings ?? {};
      assert.deepEqual([st.modelPath, st.provider, st.threshold, st.tta, st.minArea, st.dilation], [entry.model, 'cpu', 0.45, [], config().get('predict.minArea'), config().get('predict.dilation')]);
      assert.deepEqual(Object.keys(st).sort(), ['dilation', 'ignoreMode', 'minArea', 'modelPath', 'provider', 'removeInsideGlomerulus', 'scoreThreshold', 'threshold', 'tta']);
      assert.equal(entry.localAp, r.ap);
      assert.equal(entry.foldsFile, folds);
      assert.deepEqual(Object.keys(entry.perFold ?? {}).sort(), ['0', '1']);
      for (const v of Object.values(entry.perFold!)) assert.ok(v === null || (v >= 0 && v <= 1), `fold AP ${v}`);
      assert.ok(Object.keys(entry.perWsi ?? {}).length >= 1);
    } finally {
      fs.rmSync(folds, { force: true });
      await config().update('predict.threshold', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });
  it('with a folds.csv (fold 0 = WSI 1, fold 1 = WSI 2, WSIs 3 and 4 in no fold): the ranking switches between worst-fold and mean, the warning names the losing WSIs, the selected cell shows its per-fold AP and PR curve; the tiles without a fold are noted', async () => {
    const index = a.index()!;
    const swept = [...index.tiles.values()].filter((t) => t.polygonsLine !== undefined && t.image);
    const named = swept.filter((t) => t.wsi === 1 || t.wsi === 2);
    assert.ok(named.length > 0 && named.length < swept.length);
    const folds = path.join(fs.mkdtempSync(path.join(require('os').tmpdir() as string, 've-folds-')), 'folds.csv');
    fs.writeFileSync(folds, ['id,fold', ...named.map((t) => `${t.id},${t.wsi! - 1}`)].join('\n'));
    const v = (await vscode.commands.executeCommand('vasculatureExplorer.tunePostprocessing', { grid: GRID, folds, datasets: 'all' })) as TuningView | undefined;
    assert.ok(v, 'the sweep ran');
    assert.equal(v.groups, 'fold');
    // The two bests, computed here from the per-fold APs (ties: mean then grid order; overall AP then grid order).
    const val = (x: number | null) => (x === null ? -Infinity : x);
    const foldAps = (c: TuningView['cells'][number]) => Object.values(c.perFold).map(val);
    const mean = (c: TuningView['cells'][number]) => foldAps(c).reduce((s, x) => s + x, 0) / foldAps(c).length;
    const worst = [...v.cells].sort((p, q) => Math.min(...foldAps(q)) - Math.min(...foldAps(p)) || mean(q) - mean(p) || p.index - q.index)[0];
    const best = [...v.cells].sort((p, q) => mean(q) - mean(p) || val(q.ap) - val(p.ap) || p.index - q.index)[0];
    assert.equal(v.best.byWorstFold, worst.index);
    assert.equal(v.best.byMean, best.index);
    assert.notEqual(best.index, worst.index, 'on this folds file the best-mean and best-worst-fold cells differ');

    const snap = await until(async () => {
      const t = (await a.dashboard.snapshot())?.tuning;
      return t?.shown && t.heatmap.length === 6 && t.foldRows.length === 2 ? t : undefined;
    }, 60_000, 'the sweep with folds to be drawn');
    // Ranked by worst fold (the default): the best-worst-fold cell first, and selected.
    assert.equal(snap.order, 'worst');
    assert.equal(snap.ranking[0], cellLabel(worst));
    assert.equal(snap.selected, worst.index);
    // Its per-fold AP rows and its PR curve.
    assert.deepEqual(snap.foldRows, [['0', f3(worst.perFold['0'])], ['1', f3(worst.perFold['1'])]]);
    assert.ok(worst.curve.length > 0);
    assert.equal(snap.curve?.points, worst.curve.length, 'the PR curve of the selected cell has its points');
    assert.ok((snap.curve?.inkPixels ?? 0) > 0, 'the PR curve is drawn');
    // The warning names both cells and every WSI where the best-mean cell scores below the best-worst-fold one.
    const losing = Object.keys(best.perWsi).filter((k) => val(best.perWsi[k]) < val(worst.perWsi[k]));
    assert.ok(losing.length > 0);
    assert.ok(snap.warning.includes(cellLabel(best)) && snap.warning.includes(cellLabel(worst)), snap.warning);
    for (const k of losing) assert.ok(snap.warning.includes(`WSI ${k} (${f3(best.perWsi[k])} vs ${f3(worst.perWsi[k])})`), `${snap.warning} names WSI ${k}`);
    for (const k of Object.keys(best.perWsi).filter((w) => !losing.includes(w))) assert.ok(!snap.warning.includes(`WSI ${k} (`), `${snap.warning} does not name WSI ${k}`);
    // The swept tiles the folds file does not name.
    assert.ok(snap.notes.some((n) => n.startsWith(`${swept.length - named.length} swept tiles have no fold`)), snap.notes.join(' | '));

    // The person picks "mean fold AP" in "rank by": the best-mean cell comes first.
    assert.equal(await a.dashboard.click({ kind: 'tuningOrder', order: 'mean' }), true);
    const byMean = await until(async () => {
      const t = (await a.dashboard.snapshot())?.tuning;
      return t?.order === 'mean' ? t : undefined;
    }, 20_000, 'the ranking by mean');
    assert.equal(byMean.ranking[0], cellLabel(best));
    assert.notEqual(byMean.ranking[0], snap.ranking[0]);
    assert.deepEqual([...byMean.ranking].sort(), [...snap.ranking].sort(), 'the same cells, reordered');

    // Clicking the best-mean cell shows its own per-fold rows and curve.
    assert.equal(await a.dashboard.click({ kind: 'tuningCell', index: best.index, action: 'select' }), true);
    const sel = await until(async () => {
      const t = (await a.dashboard.snapshot())?.tuning;
      return t?.selected === best.index ? t : undefined;
    }, 20_000, 'the best-mean cell selected');
    assert.deepEqual(sel.foldRows, [['0', f3(best.perFold['0'])], ['1', f3(best.perFold['1'])]]);
    assert.equal(sel.curve?.points, best.curve.length);

    // "Copy CLI flags" of that cell puts its predict flags on the clipboard.
    await vscode.env.clipboard.writeText('nothing copied yet');
    assert.equal(await a.dashboard.click({ kind: 'tuningCell', index: best.index, action: 'copy' }), true);
    const copied = await until(async () => { const t = await vscode.env.clipboard.readText(); return t !== 'nothing copied yet' ? t : undefined; }, 20_000, 'the clipboard to change');
    assert.equal(copied, best.cliFlags);
    assert.equal(copied, `--threshold ${best.params.threshold} --min-area 10 --dilation ${best.params.dilation}`);

    assert.equal(await a.dashboard.click({ kind: 'tuningOrder', order: 'worst' }), true);
    await until(async () => (await a.dashboard.snapshot())?.tuning?.order === 'worst', 20_000, 'the ranking by worst fold again');
    fs.rmSync(path.dirname(folds), { recursive: true, force: true });
  });

  it('without datasets given the command asks which to sweep (the person picks Dataset 2); Apply of a rot4 cell writes predict.tta "rot4", which Predict runs as the four rotations', async () => {
    const index = a.index()!;
    const inDataset = (d: number) => [...index.tiles.values()].filter((t) => t.polygonsLine !== undefined && t.image && t.dataset === d).map((t) => t.id);
    assert.ok(inDataset(2).length > 0 && inDataset(2).length !== inDataset(1).length);
    const titles: string[] = [];
    const w = vscode.window as unknown as { showQuickPick: (...x: unknown[]) => unknown };
    const real = w.showQuickPick;
    w.showQuickPick = (...x: unknown[]) => { titles.push((x[1] as { title?: string } | undefined)?.title ?? ''); return real.apply(vscode.window, x); };
    let v: TuningView | undefined;
    try {
      const running = Promise.resolve(vscode.commands.executeCommand('vasculatureExplorer.tunePostprocessing', { grid: 'threshold=0.5 dilation=0 min-area=10 tta=none,rot4 glomerulus=remove', folds: '' }));
      await until(() => titles.includes('Tune Post-processing: tiles to sweep'), 20_000, 'the datasets pick');
      await sleep(500);
      // Down once (Dataset 1 is first) and Enter, as a person would.
      await vscode.commands.executeCommand('workbench.action.quickOpenSelectNext');
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      v = (await running) as TuningView | undefined;
    } finally {
      w.showQuickPick = real;
    }
    assert.ok(v, 'the sweep ran');
    assert.equal(v.tiles, inDataset(2).length, 'the annotated tiles of dataset 2');
    const rot4 = v.cells.find((c) => c.params.tta === 'rot4')!;
    assert.ok(rot4);
    await until(async () => (await a.dashboard.snapshot())?.tuning?.heatmap.length === 2, 60_000, 'the two-cell heatmap');
    await a.dashboard.click({ kind: 'tuningCell', index: rot4.index, action: 'apply' });
    await until(() => config().inspect('predict.removeInsideGlomerulus')?.workspaceValue === true, 20_000, 'the Predict settings to change');
    const wsRoot = vscode.workspace.workspaceFolders![0].uri.fsPath;
    try {
      assert.equal(config().inspect('predict.tta')?.workspaceValue, 'rot4');
      // Predict with these settings: the exported submission's log entry records the transforms it ran.
      const ids = inDataset(2).slice(0, 1);
      const r = (await vscode.commands.executeCommand('vasculatureExplorer.predictBatch', ids)) as { tiles: number };
      assert.equal(r.tiles, 1);
      const out = path.join(fs.mkdtempSync(path.join(require('os').tmpdir() as string, 've-export-')), 'submission.csv');
      assert.equal(await vscode.commands.executeCommand('vasculatureExplorer.exportSubmission', out), out);
      const logFile = path.join(wsRoot, '.vscode', 'vasculature-submissions.json');
      const entry = await until(() => {
        try { return (JSON.parse(fs.readFileSync(logFile, 'utf8')) as { submissions: { path: string; settings?: { tta?: unknown } }[] }).submissions.find((s) => s.path === out); } catch { return undefined; }
      }, 30_000, 'the exported submission in the log');
      assert.deepEqual(entry.settings?.tta, ['identity', 'rot90', 'rot180', 'rot270']);
    } finally {
      assert.equal(await a.tuning.undo(), true);
    }
    assert.equal(config().inspect('predict.tta')?.workspaceValue, undefined);
  });

  it("an instance model's cell sets predict.scoreThreshold (not the pixel threshold), and Predict's settings read it", async () => {
    const params = { threshold: 0.4, dilation: 1, minArea: 20, tta: 'none' as const, glomerulus: 'remove' as const };
    for (const kind of ['instance', 'yolov8-seg']) {
      const keys = new Map(settingsOf(params, kind));
      assert.equal(keys.get('predict.scoreThreshold'), 0.4, kind);
      assert.equal(keys.has('predict.threshold'), false, kind);
    }
    assert.equal(new Map(settingsOf(params, 'semantic')).get('predict.threshold'), 0.4);
    const ext = vscode.extensions.getExtension(`${manifest.publisher}.${manifest.name}`)!;
    assert.equal(readPredictSettings(ext.extensionPath).scoreThreshold, 0.25, 'the default');
    await config().update('predict.scoreThreshold', 0.4, vscode.ConfigurationTarget.Workspace);
    try {
      assert.equal(readPredictSettings(ext.extensionPath).scoreThreshold, 0.4);
    } finally {
      await config().update('predict.scoreThreshold', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });
});
