import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { apByGroup, DEFAULT_AP_OPTIONS, IgnoreMode, scoreAp, TileForScoring } from '../../src/core/metric/apAtIou';
import { InstanceMask, instanceFromFullMask, instanceToFullMask } from '../../src/core/geometry/instanceMask';
import { intersectionArea, maskIou } from '../../src/core/geometry/maskIou';
import { seededRandom } from './support/seededRandom';
import { runPython } from './support/runPython';

const S = 64;
/** A filled rectangle in an S x S tile. */
function rect(x: number, y: number, w: number, h: number, size = S): InstanceMask {
  const m = new Uint8Array(size * size);
  for (let r = y; r < Math.min(size, y + h); r++) for (let c = x; c < Math.min(size, x + w); c++) m[r * size + c] = 1;
  return instanceFromFullMask(m, size, size);
}
const pred = (mask: InstanceMask, confidence: number) => ({ mask, confidence });

describe('mask IoU', () => {
  it('computes intersection over union of cropped masks', () => {
    const a = rect(0, 0, 10, 10), b = rect(5, 0, 10, 10);
    assert.equal(intersectionArea(a, b), 50);
    assert.equal(maskIou(a, b), 50 / 150);
    assert.equal(maskIou(a, a), 1);
  });
  it('is 0 for disjoint boxes and empty masks', () => {
    assert.equal(maskIou(rect(0, 0, 5, 5), rect(10, 10, 5, 5)), 0);
    assert.equal(maskIou(rect(0, 0, 0, 0), rect(0, 0, 0, 0)), 0);
  });
  it('counts pixels, not boxes', () => {
    const ring = new Uint8Array(S * S); // a 10x10 square outline: 36 px, box 100 px
    for (let i = 0; i < 10; i++) { ring[i] = 1; ring[9 * S + i] = 1; ring[i * S] = 1; ring[i * S + 9] = 1; }
    assert.equal(maskIou(instanceFromFullMask(ring, S, S), rect(0, 0, 10, 10)), 36 / 100);
  });
});

describe('AP at IoU 0.6: hand-worked cases', () => {
  it('perfect predictions give AP 1', () => {
    const tiles: TileForScoring[] = [
      { tileId: 'a', predictions: [pred(rect(0, 0, 10, 10), 0.9), pred(rect(20, 20, 5, 5), 0.3)], groundTruth: [rect(20, 20, 5, 5), rect(0, 0, 10, 10)] },
      { tileId: 'b', predictions: [pred(rect(30, 0, 8, 8), 0.5)], groundTruth: [rect(30, 0, 8, 8)] },
    ];
    const r = scoreAp(tiles);
    assert.deepEqual([r.ap, r.tp, r.fp, r.fn], [1, 3, 0, 0]);
    assert.deepEqual(r.tiles[0].gtMatchedBy, [1, 0]);
    assert.deepEqual(r.tiles[0].gtIou, [1, 1]);
  });

  it('no predictions give AP 0 and every ground truth is a false negative', () => {
    const r = scoreAp([{ tileId: 'a', predictions: [], groundTruth: [rect(0, 0, 4, 4), rect(9, 9, 4, 4)] }]);
    assert.deepEqual([r.ap, r.tp, r.fp, r.fn, r.numGt, r.curve.length], [0, 0, 0, 2, 2, 0]);
  });

  it('no ground truth anywhere gives AP 0 with numGt 0, all predictions false positives', () => {
    const r = scoreAp([{ tileId: 'a', predictions: [pred(rect(0, 0, 4, 4), 0.8)], groundTruth: [] }]);
    assert.deepEqual([r.ap, r.tp, r.fp, r.fn, r.numGt], [0, 0, 1, 0, 0]);
  });

  it('a duplicate prediction on one ground truth is a false positive (AP 5/6 here)', () => {
    // ranked: TP(A) FP(A again) TP(B): P = 1, 1/2, 2/3; R = 1/2, 1/2, 1 -> AP = 1/2*1 + 1/2*2/3
    const A = rect(0, 0, 10, 10), B = rect(30, 30, 10, 10);
    const r = scoreAp([{ tileId: 't', predictions: [pred(A, 0.9), pred(A, 0.8), pred(B, 0.7)], groundTruth: [A, B] }]);
    assert.deepEqual([r.tp, r.fp, r.fn], [2, 1, 0]);
    assert.ok(Math.abs(r.ap - 5 / 6) < 1e-12, `ap ${r.ap}`);
    assert.deepEqual(r.tiles[0].predictions.map((p) => p.outcome), ['tp', 'fp', 'tp']);
    assert.deepEqual(r.curve.map((p) => p.interpolatedPrecision), [1, 2 / 3, 2 / 3]);
  });

  it('equal confidences keep input order (stable), so order decides AP', () => {
    const A = rect(0, 0, 10, 10), miss = rect(40, 40, 5, 5);
    const fpFirst = scoreAp([{ tileId: 't', predictions: [pred(miss, 0.5), pred(A, 0.5)], groundTruth: [A] }]);
    assert.equal(fpFirst.ap, 0.5); // FP then TP: P = 0, 1/2 at R = 0, 1
    const tpFirst = scoreAp([{ tileId: 't', predictions: [pred(A, 0.5), pred(miss, 0.5)], groundTruth: [A] }]);
    assert.equal(tpFirst.ap, 1);
    // across tiles, tile order breaks the tie
    const acrossTiles = scoreAp([
      { tileId: 'x', predictions: [pred(miss, 0.5)], groundTruth: [] },
      { tileId: 'y', predictions: [pred(A, 0.5)], groundTruth: [A] },
    ]);
    assert.equal(acrossTiles.ap, 0.5);
  });

  it('IoU exactly 0.6 matches, just below does not', () => {
    const gt = rect(0, 0, 10, 10); // 100 px
    assert.equal(scoreAp([{ tileId: 't', predictions: [pred(rect(0, 0, 10, 6), 1)], groundTruth: [gt] }]).tp, 1);
    const below = new Uint8Array(S * S); // 59 px inside the GT: IoU 0.59
    for (let i = 0; i < 59; i++) below[Math.floor(i / 10) * S + (i % 10)] = 1;
    const r = scoreAp([{ tileId: 't', predictions: [pred(instanceFromFullMask(below, S, S), 1)], groundTruth: [gt] }]);
    assert.deepEqual([r.tp, r.fp, r.tiles[0].predictions[0].gt, r.tiles[0].predictions[0].iou], [0, 1, 0, 0.59]);
  });

  it('the more confident prediction takes the ground truth even if a later one fits better', () => {
    const gt = rect(0, 0, 10, 10);
    const r = scoreAp([{ tileId: 't', predictions: [pred(rect(0, 0, 10, 9), 0.2), pred(rect(0, 0, 10, 7), 0.9)], groundTruth: [gt] }]);
    assert.deepEqual(r.tiles[0].predictions.map((p) => p.outcome), ['fp', 'tp']);
    assert.equal(r.tiles[0].gtIou[0], 0.7);
  });

  it('takes the best still-unmatched ground truth: duplicated GT polygons can both be found', () => {
    const A = rect(0, 0, 10, 10);
    const r = scoreAp([{ tileId: 't', predictions: [pred(A, 0.9), pred(A, 0.8)], groundTruth: [A, A] }]);
    assert.deepEqual([r.tp, r.fp, r.ap], [2, 0, 1]);
    assert.deepEqual(r.tiles[0].gtMatchedBy, [0, 1]);
  });

  it('among unmatched ground truth, picks the highest IoU', () => {
    const r = scoreAp([{ tileId: 't', predictions: [pred(rect(0, 0, 10, 10), 1)], groundTruth: [rect(0, 0, 10, 8), rect(0, 0, 10, 9)] }]);
    assert.deepEqual(r.tiles[0].gtMatchedBy, [-1, 0]);
    assert.equal(r.fn, 1);
  });
});

describe('AP: precision-recall curve', () => {
  it('has one point per ranked prediction with raw and monotone precision', () => {
    const A = rect(0, 0, 10, 10), B = rect(20, 0, 10, 10), miss = rect(40, 40, 4, 4);
    // ranked: FP(0.9) TP(0.8) FP(0.7) TP(0.6): P = 0, 1/2, 1/3, 1/2; R = 0, 1/2, 1/2, 1
    const r = scoreAp([{ tileId: 't', predictions: [pred(miss, 0.9), pred(A, 0.8), pred(miss, 0.7), pred(B, 0.6)], groundTruth: [A, B] }]);
    assert.deepEqual(r.curve.map((p) => [p.confidence, p.recall, p.precision]), [[0.9, 0, 0], [0.8, 0.5, 0.5], [0.7, 0.5, 1 / 3], [0.6, 1, 0.5]]);
    assert.deepEqual(r.curve.map((p) => p.interpolatedPrecision), [0.5, 0.5, 0.5, 0.5]);
    assert.equal(r.ap, 0.5); // 1/2 * 1/2 + 1/2 * 1/2
  });
  it('refuses a confidence that is not a number, naming the tile', () => {
    assert.throws(() => scoreAp([{ tileId: 'abc', predictions: [pred(rect(0, 0, 2, 2), Number.NaN)], groundTruth: [] }]), /tile abc: prediction 0/);
  });
});

describe('AP: ignore regions (unsure / glomerulus)', () => {
  const gt = rect(0, 0, 10, 10), glom = rect(30, 30, 20, 20);
  const tile = (p: InstanceMask): TileForScoring => ({
    tileId: 't', predictions: [pred(gt, 0.9), pred(p, 0.95)], groundTruth: [gt], ignoreRegions: [glom],
  });
  it("defaults to 'count': a prediction inside a glomerulus is a false positive", () => {
    assert.equal(DEFAULT_AP_OPTIONS.ignoreMode, 'count');
    const r = scoreAp([tile(rect(35, 35, 5, 5))]);
    assert.deepEqual([r.tp, r.fp, r.ignored, r.ap], [1, 1, 0, 0.5]);
  });
  it("'ignore': a prediction mostly inside an ignore region is neither TP nor FP", () => {
    const r = scoreAp([tile(rect(35, 35, 5, 5))], { ignoreMode: 'ignore' });
    assert.deepEqual([r.tp, r.fp, r.ignored, r.ap, r.curve.length], [1, 0, 1, 1, 1]);
    assert.equal(r.tiles[0].predictions[1].outcome, 'ignored');
    assert.equal(r.tiles[0].predictions[1].ignoreRegion, 0);
  });
  it("'ignore': 60% inside is ignored, 40% inside is a false positive", () => {
    const r60 = scoreAp([tile(rect(26, 30, 10, 5))], { ignoreMode: 'ignore' }); // cols 26-35: 30-35 inside
    assert.equal(r60.ignored, 1);
    const r40 = scoreAp([tile(rect(24, 30, 10, 5))], { ignoreMode: 'ignore' }); // cols 24-33: 30-33 inside
    assert.deepEqual([r40.ignored, r40.fp], [0, 1]);
  });
  it('ground truth is tried before ignore regions', () => {
    const r = scoreAp([{ tileId: 't', predictions: [pred(gt, 1)], groundTruth: [gt], ignoreRegions: [gt] }], { ignoreMode: 'ignore' });
    assert.deepEqual([r.tp, r.ignored], [1, 0]);
  });
});

describe('AP per group', () => {
  it('scores each WSI on its own tiles', () => {
    const A = rect(0, 0, 10, 10);
    const groups = apByGroup([
      { tileId: 'a', group: '1', predictions: [pred(A, 1)], groundTruth: [A] },
      { tileId: 'b', group: '2', predictions: [pred(rect(40, 40, 3, 3), 1)], groundTruth: [A] },
      { tileId: 'c', group: '1', predictions: [], groundTruth: [A] },
    ]);
    assert.deepEqual([...groups.keys()], ['1', '2']);
    assert.equal(groups.get('1')!.ap, 0.5);
    assert.equal(groups.get('2')!.ap, 0);
    assert.equal(groups.get('1')!.fn, 1);
  });
});

describe('AP against an independent numpy implementation', () => {
  type RefOut = { ap: number; tp: number; fp: number; fn: number; ignored: number; outcomes: Array<Array<[string, number]>> };
  const T = 24;
  function randomRect(rand: () => number): InstanceMask {
    const w = 2 + Math.floor(rand() * 8), h = 2 + Math.floor(rand() * 8);
    return rect(Math.floor(rand() * (T - w)), Math.floor(rand() * (T - h)), w, h, T);
  }
  function jitter(rand: () => number, m: InstanceMask): InstanceMask {
    const full = instanceToFullMask(m, T, T);
    for (let i = 0; i < full.length; i++) {
      const r = Math.floor(i / T), c = i % T;
      const near = (dr: number, dc: number) => r + dr >= 0 && r + dr < T && c + dc >= 0 && c + dc < T && full[(r + dr) * T + c + dc];
      if (!full[i] && (near(0, 1) || near(1, 0)) && rand() < 0.3) full[i] = 2; // grow by a pixel, sometimes
      else if (full[i] === 1 && rand() < 0.1) full[i] = 0; // drop a few
    }
    return instanceFromFullMask(full.map((v) => (v ? 1 : 0)), T, T);
  }
  function randomCase(rand: () => number): TileForScoring[] {
    const tiles: TileForScoring[] = [];
    const nTiles = 1 + Math.floor(rand() * 5);
    for (let t = 0; t < nTiles; t++) {
      const gts = Array.from({ length: Math.floor(rand() * 5) }, () => randomRect(rand));
      const preds = gts.filter(() => rand() < 0.8).map((g) => pred(jitter(rand, g), Math.round(rand() * 10) / 10));
      if (gts.length && rand() < 0.3) preds.push(pred(gts[0], 0.5)); // a duplicate
      for (let k = Math.floor(rand() * 3); k > 0; k--) preds.push(pred(randomRect(rand), Math.round(rand() * 10) / 10));
      const ign = Array.from({ length: Math.floor(rand() * 2) }, () => randomRect(rand));
      tiles.push({ tileId: `t${t}`, predictions: preds, groundTruth: gts, ignoreRegions: ign });
    }
    return tiles;
  }
  const full = (m: InstanceMask) => Array.from(instanceToFullMask(m, T, T));

  for (const mode of ['count', 'ignore'] as IgnoreMode[]) {
    it(`agrees on 100 seeded random cases, ignoreMode '${mode}'`, () => {
      const rand = seededRandom(mode === 'count' ? 99 : 100);
      const cases = Array.from({ length: 100 }, () => randomCase(rand));
      const outs = runPython<{ results: RefOut[] }>('ap_ref.py', { cases: cases.map((tiles) => ({
        thr: 0.6, mode, inside: 0.5,
        tiles: tiles.map((t) => ({
          h: T, w: T,
          preds: t.predictions.map((p) => ({ conf: p.confidence, mask: full(p.mask) })),
          gts: t.groundTruth.map(full), ign: (t.ignoreRegions ?? []).map(full),
        })),
      })) }).results;
      let nonTrivial = 0;
      cases.forEach((tiles, k) => {
        const r = scoreAp(tiles, { ignoreMode: mode });
        const ref = outs[k];
        assert.ok(Math.abs(r.ap - ref.ap) < 1e-12, `case ${k}: ap ${r.ap} vs numpy ${ref.ap}`);
        assert.deepEqual([r.tp, r.fp, r.fn, r.ignored], [ref.tp, ref.fp, ref.fn, ref.ignored], `case ${k} counts`);
        r.tiles.forEach((tm, ti) => {
          assert.deepEqual(tm.predictions.map((p) => [p.outcome, p.outcome === 'tp' ? p.gt : -1]), ref.outcomes[ti], `case ${k} tile ${ti}`);
        });
        if (r.ap > 0 && r.ap < 1) nonTrivial++;
      });
      assert.ok(nonTrivial > 30, `only ${nonTrivial} cases had 0 < AP < 1`);
      if (mode === 'ignore') assert.ok(outs.some((o) => o.ignored > 0), 'no case exercised an ignore region');
    });
  }
});
