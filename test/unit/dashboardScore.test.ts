/** The dashboard's view of a batch score: curve thinning keeps rank order, ends and monotonicity; CSV and per-WSI rows, hand-worked. */
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PrPoint } from '../../src/core/metric/apAtIou';
import { scoreCsv, scoreWsiRows, thinCurve, toDashboardScore } from '../../src/shared/scoreTable';
import type { BatchScore } from '../../src/core/predict/batch';

/** A ranked curve by hand: TP at every 3rd rank, 1000 predictions, 400 GT. */
function handCurve(n: number, numGt: number): PrPoint[] {
  const out: PrPoint[] = [];
  let tp = 0;
  for (let i = 0; i < n; i++) {
    if (i % 3 === 0) tp++;
    out.push({ confidence: 1 - i / n, recall: tp / numGt, precision: tp / (i + 1), interpolatedPrecision: 0 });
  }
  let best = 0;
  for (let i = n - 1; i >= 0; i--) out[i].interpolatedPrecision = best = Math.max(best, out[i].precision);
  return out;
}

test('thinCurve keeps <= 500 points, first and last, in rank order, monotone interpolated precision', () => {
  const c = handCurve(1000, 400);
  const t = thinCurve(c);
  assert.equal(t.length, 500);
  assert.equal(t[0], c[0]);
  assert.equal(t[499], c[999]);
  for (let k = 1; k < t.length; k++) {
    assert.ok(t[k].confidence < t[k - 1].confidence, `rank order at ${k}`);
    assert.ok(t[k].interpolatedPrecision <= t[k - 1].interpolatedPrecision, `monotone at ${k}`);
    assert.ok(t[k].recall >= t[k - 1].recall);
  }
  // 334 TP of 400 GT at the last rank (ranks 0,3,...,999).
  assert.equal(t[499].recall, 334 / 400);
  assert.deepEqual(thinCurve(c.slice(0, 7)), c.slice(0, 7));
});

test('toDashboardScore thins, keeps counts and per-WSI rows; CSV quotes by hand', () => {
  const score: BatchScore = {
    group: 'all', tiles: 3, annotatedTiles: 2, ap: 0.5, tp: 2, fp: 1, fn: 2, ignored: 0, numGt: 4, predictions: 3,
    ignoreMode: 'count', convention: 'AP@0.6, counted', curve: handCurve(1000, 400),
    perWsi: [
      { group: '1', tiles: 2, annotatedTiles: 2, ap: 0.5, tp: 2, fp: 1, fn: 2, ignored: 0, numGt: 4, predictions: 3 },
      { group: '', tiles: 1, annotatedTiles: 0, tp: 0, fp: 0, fn: 0, ignored: 0, numGt: 0, predictions: 0 },
    ],
  };
  const d = toDashboardScore({ source: 'predict', label: 'm.onnx', scope: 'WSI 1', score });
  assert.equal(d.curve.length, 500);
  assert.equal(d.curvePoints, 1000);
  assert.deepEqual([d.ap, d.tp, d.fp, d.fn, d.convention], [0.5, 2, 1, 2, 'AP@0.6, counted']);
  assert.deepEqual(scoreWsiRows(d), [['1', '2', '2', '2', '1', '2', '4', '0.500'], ['no WSI', '1', '0', '0', '0', '0', '0', '—']]);
  assert.equal(scoreCsv(d, 'scoreWsi'), 'source_wsi,tiles,annotated_tiles,tp,fp,fn,gt,ap\r\n1,2,2,2,1,2,4,0.5\r\n,1,0,0,0,0,0,\r\n');
  const lines = scoreCsv(d, 'prCurve')!.trimEnd().split('\r\n');
  assert.equal(lines.length, 501);
  assert.equal(lines[1], `1,${1 / 400},1,1`);
  assert.equal(scoreCsv(d, 'nope'), undefined);
});
