/** The Dataset Overview's "Prediction score" section in a real VS Code: batch Predict over two sample tiles shows the same AP/TP/FP/FN, a monotone PR curve and the per-WSI rows; before any batch it says how to get one. */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { VasculatureExplorerApi } from '../../src/extension/common/api';
import type { DashboardSnapshot } from '../../src/shared/dashboardProtocol';
import { until } from './wait';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { name: string; publisher: string };
const sample = path.resolve(repoRoot, '..', 'shared', 'data', 'hhv-sample');
const TILE = '00da70813521';
const TILE2 = '1f0d3cd4b621';


/** blood_vessel polygons of the tiles, counted from polygons.jsonl here. */
function vesselCount(ids: string[]): number {
  let n = 0;
  for (const line of fs.readFileSync(path.join(sample, 'polygons.jsonl'), 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const r = JSON.parse(line) as { id: string; annotations: { type: string }[] };
    if (ids.includes(r.id)) n += r.annotations.filter((a) => a.type === 'blood_vessel').length;
  }
  return n;
}

/** AP by numpy's all-point (VOC-style) envelope from the drawn recall/raw-precision points: an independent check of the headline. */
function numpyAp(recall: number[], precision: number[]): number {
  const py = `import json,sys,numpy as np
d=json.load(sys.stdin); r=np.array([0.0]+d['r']); p=np.array([0.0]+d['p'])
env=np.maximum.accumulate(p[::-1])[::-1]
print(float(np.sum((r[1:]-r[:-1])*env[1:])))`;
  return Number(execFileSync('/usr/bin/python3', ['-c', py], { input: JSON.stringify({ r: recall, p: precision }), encoding: 'utf8' }).trim());
}

async function closeDashboard(): Promise<void> {
  const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.label === 'Dataset Overview');
  if (tabs.length) await vscode.window.tabGroups.close(tabs);
}

const config = () => vscode.workspace.getConfiguration('vasculatureExplorer');
const setting = (key: string, value: unknown) => config().update(key, value, vscode.ConfigurationTarget.Global);

describe('Dataset Overview: prediction score (real VS Code, hhv-sample)', function () {
  this.timeout(180_000);
  let a: VasculatureExplorerApi;

  before(async () => {
    const ext = vscode.extensions.getExtension<VasculatureExplorerApi>(`${manifest.publisher}.${manifest.name}`);
    assert.ok(ext, 'extension not loaded');
    a = await ext.activate();
    await until(() => a.index()?.root === sample && a.index(), 45_000, 'the sample to be indexed');
    await setting('predict.executionProvider', 'cpu');
    await setting('modelPath', undefined);
  });
  after(async () => {
    await closeDashboard();
    await setting('predict.executionProvider', undefined);
    await setting('modelPath', undefined);
  });

  it('before any batch, the section says how to get one', async function () {
    if (a.predict.lastBatch()) this.skip(); // an earlier suite already ran a batch
    await a.dashboard.show();
    const s = (await a.dashboard.snapshot())!;
    assert.equal(s.score.score, undefined);
    assert.match(s.score.headline, /Vasculature: Predict on Tiles….*Vasculature: Open and Score submission.csv…/);
    assert.equal(s.score.chart, undefined);
    assert.deepEqual(s.score.wsiRows, []);
  });

  it('a panel opened after batch Predict shows its AP, counts, monotone PR curve and per-WSI rows', async () => {
    await closeDashboard();
    const b = (await vscode.commands.executeCommand('vasculatureExplorer.predictBatch', [TILE, TILE2])) as { tiles: number } | undefined;
    assert.equal(b?.tiles, 2);
    const last = a.predict.lastBatch()!;
    assert.ok(last);
    await a.dashboard.show();
    const snap: DashboardSnapshot = (await a.dashboard.snapshot())!;
    const sc = snap.score.score!;
    assert.ok(sc, 'the snapshot holds the score');
    assert.deepEqual([sc.ap ?? null, sc.tp, sc.fp, sc.fn], [last.ap, last.tp, last.fp, last.fn]);
    assert.equal(sc.tp + sc.fn, vesselCount([TILE, TILE2]), 'TP + FN = blood_vessel polygons of the two tiles in polygons.jsonl');
    assert.equal(sc.convention, last.convention);
    assert.ok(snap.score.convention.includes(last.convention), snap.score.convention);
    assert.ok(snap.score.headline.includes(`AP@0.6 ${last.ap === null ? '—' : last.ap.toFixed(3)}`), snap.score.headline);
    assert.ok(snap.score.headline.includes(`TP ${last.tp} · FP ${last.fp} · FN ${last.fn}`), snap.score.headline);

    // The chart as drawn: every ranked TP/FP prediction (two tiles: far under 500), in [0,1], interpolated precision non-increasing.
    const ch = snap.score.chart!;
    assert.ok(ch, 'the PR chart was drawn');
    assert.equal(ch.recall.length, last.tp + last.fp);
    assert.ok(ch.recall.length <= 500);
    for (let k = 0; k < ch.recall.length; k++) {
      for (const v of [ch.recall[k], ch.precision[k], ch.interpolatedPrecision[k]]) assert.ok(v >= 0 && v <= 1, `point ${k} in [0,1]`);
      assert.ok(ch.interpolatedPrecision[k] >= ch.precision[k] - 1e-12, `interpolated >= raw at ${k}`);
      if (k > 0) {
        assert.ok(ch.interpolatedPrecision[k] <= ch.interpolatedPrecision[k - 1] + 1e-12, `interpolated precision monotone at ${k}`);
        assert.ok(ch.recall[k] >= ch.recall[k - 1], `recall non-decreasing at ${k}`);
      }
    }
    assert.ok(Math.abs(ch.recall[ch.recall.length - 1] - last.tp / (last.tp + last.fn)) < 1e-9, 'the curve ends at recall TP/GT');
    if (last.ap !== null) assert.ok(Math.abs(numpyAp(ch.recall, ch.precision) - last.ap) < 1e-9, `numpy AP from the drawn points vs ${last.ap}`);
    assert.ok(ch.width > 200 && ch.height > 150 && ch.inkPixels > 50, JSON.stringify({ w: ch.width, h: ch.height, ink: ch.inkPixels }));

    // The per-WSI table as shown matches perWsi.
    const exp = last.perWsi.map((w) => [w.group === '' ? 'no WSI' : w.group, String(w.tiles), String(w.annotatedTiles), String(w.tp), String(w.fp), String(w.fn), String(w.numGt), w.ap === undefined ? '—' : w.ap.toFixed(3)]);
    assert.deepEqual(snap.score.wsiRows, exp);
    assert.deepEqual(snap.score.wsiRows.map((r) => r[0]), ['1']);
    assert.deepEqual(snap.foreignElements, []);
  });

  it('an open panel follows the next batch (store.onDidChangeBatch) and shows it when revealed', async () => {
    await vscode.commands.executeCommand('vasculatureExplorer.predictBatch', [TILE2]);
    const last = a.predict.lastBatch()!;
    // Posted from the store event (the batch report hides the panel, so no reveal or refresh happened yet).
    const posted = await until(() => a.dashboard.postedScore()?.tiles === 1 && a.dashboard.postedScore(), 30_000, 'the one-tile score posted by the open panel');
    assert.deepEqual([posted.tp, posted.fp, posted.fn], [last.tp, last.fp, last.fn]);
    assert.equal(posted.tp + posted.fn, vesselCount([TILE2]));
    await a.dashboard.show();
    const snap = (await a.dashboard.snapshot())!;
    assert.equal(snap.score.score?.tiles, 1);
    assert.deepEqual(snap.score.wsiRows.map((r) => r.slice(0, 6)), [['1', '1', '1', String(last.tp), String(last.fp), String(last.fn)]]);
  });
});
