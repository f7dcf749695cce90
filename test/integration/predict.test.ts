/** Predict inside a real VS Code: right-click Predict stores a prediction layer; cuda falls back to cpu with a logged reason; a corrupt model gives a message and the next Predict works. */
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { VasculatureExplorerApi } from '../../src/extension/common/api';
import { until } from './wait';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { name: string; publisher: string };
const sample = path.resolve(repoRoot, '..', 'shared', 'data', 'hhv-sample');
const TILE = '00da70813521';
const TILE2 = '1f0d3cd4b621';

async function api(): Promise<VasculatureExplorerApi> {
  const ext = vscode.extensions.getExtension<VasculatureExplorerApi>(`${manifest.publisher}.${manifest.name}`);
  assert.ok(ext);
  return ext.activate();
}


/** blood_vessel polygons of a tile, counted from polygons.jsonl here. */
function vesselCount(id: string): number {
  const line = fs.readFileSync(path.join(sample, 'polygons.jsonl'), 'utf8').split('\n').find((l) => l.includes(`"id":"${id}"`))!;
  return (JSON.parse(line) as { annotations: { type: string }[] }).annotations.filter((a) => a.type === 'blood_vessel').length;
}

// User-level settings: the sample folder is read-only shared data, so no workspace settings are written.
const config = () => vscode.workspace.getConfiguration('vasculatureExplorer');
const setting = (key: string, value: unknown) => config().update(key, value, vscode.ConfigurationTarget.Global);

describe('Predict on the real sample', function () {
  this.timeout(120_000);
  let x: VasculatureExplorerApi;
  before(async () => {
    x = await api();
    await until(() => x.index()?.root === sample && x.index(), 45_000, 'the sample to be indexed');
    await setting('predict.executionProvider', 'cpu');
    await setting('modelPath', undefined);
  });
  after(async () => {
    await setting('predict.executionProvider', undefined);
    await setting('modelPath', undefined);
  });

  it('Predict on a sample tile id stores a prediction with its TP/FP/FN layer, AP and the provider used', async () => {
    const r = (await vscode.commands.executeCommand('vasculatureExplorer.predictTile', TILE)) as { tileId: string; vessels: number } | undefined;
    assert.ok(r, `predictTile returned nothing; last error: ${JSON.stringify(x.predict.lastPredictError())}`);
    const p = x.predict.lastPrediction()!;
    assert.equal(p.tileId, TILE);
    assert.equal(p.provider, 'cpu');
    assert.ok(p.vessels > 0, 'the demo model finds vessels on this held-out tile');
    assert.equal(p.tp + p.fn, vesselCount(TILE));
    assert.equal(p.tp + p.fp, p.vessels);
    assert.ok(p.ap !== null && p.ap >= 0 && p.ap <= 1);
    const outcomes = p.layer.shapes.map((s) => s.outcome);
    assert.equal(outcomes.filter((o) => o === 'fn').length, p.fn);
    assert.equal(outcomes.filter((o) => o === 'tp').length, p.tp);
    assert.ok(p.layer.shapes.every((s) => s.rings.length > 0 && s.rings[0].length >= 2));
    assert.match(p.layer.convention, /AP@0\.6/);
    assert.match(x.predict.predictStatusText(), /demo-unet · cpu · \d+ ms/);
  });

  it('right-click Predict on the .tif in the Explorer (a file Uri) predicts that tile', async () => {
    await vscode.commands.executeCommand('vasculatureExplorer.predictTile', vscode.Uri.file(path.join(sample, 'train', `${TILE2}.tif`)));
    assert.equal(x.predict.lastPrediction()?.tileId, TILE2);
    assert.ok(x.predict.predictionLayer(TILE), 'the first tile keeps its layer');
  });

  it('Predict from the tile browser item (its context menu passes the tree node) predicts that tile', async () => {
    const tile = x.index()!.tiles.get(TILE)!;
    await vscode.commands.executeCommand('vasculatureExplorer.predictTile', { kind: 'tile', key: `tile:${TILE}`, tile, parentKey: 'ds:1/1' });
    assert.equal(x.predict.lastPrediction()?.tileId, TILE);
  });

  it('the open tile viewer draws the Predict result as its Prediction layer: TP + FP + FN outlines as stored, header with AP', async () => {
    // A third annotated tile that no earlier test predicted: the layer must arrive with Predict, not with the tile.
    const annotatedIds = new Set(fs.readFileSync(path.join(sample, 'polygons.jsonl'), 'utf8').split('\n').filter((l) => l.trim()).map((l) => (JSON.parse(l) as { id: string }).id));
    const ids = fs.readdirSync(path.join(sample, 'train')).map((n) => n.replace(/\.tif$/, '')).filter((id) => id !== TILE && id !== TILE2 && annotatedIds.has(id) && vesselCount(id) > 0).sort();
    const id = ids[0];
    assert.equal(x.predict.predictionLayer(id), undefined);
    const paint = x.viewerNextPaint(id, 45_000);
    await vscode.commands.executeCommand('vasculatureExplorer.openTile', id);
    await paint;
    const before = await x.viewerSnapshot();
    assert.equal(before?.tileId, id);
    assert.equal(before?.prediction, null, 'no layer before Predict');

    const r = (await vscode.commands.executeCommand('vasculatureExplorer.predictTile', id)) as { tp: number; fp: number; fn: number } | undefined;
    assert.ok(r, `predictTile returned nothing; last error: ${JSON.stringify(x.predict.lastPredictError())}`);
    assert.equal(r.tp + r.fn, vesselCount(id), 'every ground-truth vessel is either matched or missed');
    const snap = await until(async () => { const s = await x.viewerSnapshot(); return s?.prediction ? s : undefined; }, 15_000, 'the prediction layer in the viewer');
    type Snap = typeof snap;
    const d = snap.prediction!;
    assert.deepEqual([d.tp, d.fp, d.fn], [r.tp, r.fp, r.fn], `outlines per outcome vs the stored prediction (${JSON.stringify(d)})`);
    assert.ok(d.tp + d.fp + d.fn > 0);
    assert.equal(d.none, 0, 'an annotated tile has every prediction scored');
    assert.ok(snap.predictionVisible);
    assert.match(snap.predictionHeader, new RegExp(`^AP@0\\.6 \\d\\.\\d\\d · ${r.tp} TP / ${r.fp} FP / ${r.fn} FN`));
    assert.match(snap.predictionHeader, /demo-unet\S* on cpu, \d+ ms/);
    // The annotations are still drawn under it.
    assert.equal(snap.drawn.blood_vessel, vesselCount(id));

    // Hiding the layer draws no outlines; showing it again draws them all.
    const hidden = (await vscode.commands.executeCommand('vasculatureExplorer.togglePredictionLayer', false)) as Snap;
    assert.deepEqual([hidden.prediction!.tp, hidden.prediction!.fp, hidden.prediction!.fn], [0, 0, 0]);
    const shown = (await vscode.commands.executeCommand('vasculatureExplorer.togglePredictionLayer', true)) as Snap;
    assert.equal(shown.prediction!.tp + shown.prediction!.fp + shown.prediction!.fn, r.tp + r.fp + r.fn);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it("executionProvider 'cuda' without CUDA libraries falls back to cpu and logs why", async () => {
    await setting('predict.executionProvider', 'cuda');
    const before = x.predict.predictLog().length;
    await vscode.commands.executeCommand('vasculatureExplorer.predictTile', TILE);
    const p = x.predict.lastPrediction()!;
    assert.equal(p.provider, 'cpu');
    assert.equal(p.fallbackReasons.length, 1);
    assert.match(p.fallbackReasons[0], /^cuda: /);
    const lines = x.predict.predictLog().slice(before);
    assert.ok(lines.some((l) => /^warn Predict: provider fallback \(setting 'cuda' -> ran on cpu\): cuda: /.test(l)), JSON.stringify(lines));
    await setting('predict.executionProvider', 'cpu');
  });

  it('a corrupt model file gives an error naming the file, and the next Predict with the good model works', async () => {
    const bad = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vex-bad-model-')), 'corrupt.onnx');
    fs.writeFileSync(bad, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 131 + 7) % 256)));
    await setting('modelPath', bad);
    const r = await vscode.commands.executeCommand('vasculatureExplorer.predictTile', TILE);
    assert.equal(r, undefined);
    const err = x.predict.lastPredictError();
    assert.equal(err?.kind, 'model-load-failed');
    assert.ok(err.message.includes(bad), err.message);
    assert.match(x.predict.predictStatusText(), /corrupt · Predict failed/);

    await setting('modelPath', undefined);
    const ok = (await vscode.commands.executeCommand('vasculatureExplorer.predictTile', TILE)) as { provider: string } | undefined;
    assert.equal(ok?.provider, 'cpu');
    assert.equal(x.predict.lastPredictError(), undefined);
  });

  it('batch Predict over two tiles gives one AP with per-WSI rows; the real broken submission lands in Problems at line 2', async () => {
    const b = (await vscode.commands.executeCommand('vasculatureExplorer.predictBatch', [TILE, TILE2])) as { tiles: number; tp: number; fn: number } | undefined;
    assert.equal(b?.tiles, 2);
    assert.equal(b.tp + b.fn, vesselCount(TILE) + vesselCount(TILE2));
    assert.deepEqual(x.predict.lastBatch()?.perWsi.map((w) => w.group), ['1']);

    const badCsv = path.resolve(repoRoot, '..', 'shared', 'data', 'bad-inputs', 'submission_bytes_repr.csv');
    const s = (await vscode.commands.executeCommand('vasculatureExplorer.openSubmission', badCsv)) as { problems: { line: number; severity: string; code: string }[] };
    assert.ok(s.problems.some((p) => p.line === 2 && p.severity === 'error' && p.code === 'submission-size'));
    const diags = vscode.languages.getDiagnostics(vscode.Uri.file(badCsv));
    assert.ok(diags.some((d) => d.range.start.line === 1 && d.severity === vscode.DiagnosticSeverity.Error && d.code === 'submission-size'), JSON.stringify(diags.map((d) => [d.range.start.line, d.code])));
  });
});
