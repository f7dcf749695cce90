/**
 * Tune Post-processing in a real VS Code on the sample with the demo model: the command sweeps a
 * 3 x 2 grid, the Dataset Overview's heatmap has one cell per combination with the sweep's APs,
 * clicking a cell and Apply writes its values to the workspace Predict settings, Undo restores them.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { VasculatureExplorerApi } from '../../../src/extension/common/api';
import type { TuningView } from '../../../src/shared/tuningView';
import { until } from '../wait';

const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { name: string; publisher: string };
const sample = path.resolve(repoRoot, '..', 'shared', 'data', 'hhv-sample');
const GRID = 'threshold=0.3,0.5,0.7 dilation=0,1 min-area=10 tta=none glomerulus=remove';
const config = () => vscode.workspace.getConfiguration('vasculatureExplorer');

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
    assert.equal(config().inspect('predict.tta')?.workspaceValue, false);
    const snap = await a.dashboard.snapshot();
    assert.equal(snap?.tuning?.selected, target.index);
    assert.equal(await a.tuning.undo(), true);
    assert.equal(config().inspect('predict.threshold')?.workspaceValue, undefined);
    assert.equal(config().inspect('predict.dilation')?.workspaceValue, undefined);
    assert.equal(config().inspect('predict.removeInsideGlomerulus')?.workspaceValue, undefined);
  });
});
