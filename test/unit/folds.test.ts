import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseTileMeta } from '../../src/core/dataset/tileMetaCsv';
import type { FoldAssignment, FoldTile, Stratify } from '../../src/core/folds/foldTypes';
import { ALWAYS_TRAIN } from '../../src/core/folds/foldTypes';
import { checkLeakage, leakProblems, overlappingPairs, tileFootprint } from '../../src/core/folds/leakage';
import { foldsCsv, makeFolds } from '../../src/core/folds/makeFolds';
import { stratumOf } from '../../src/core/folds/strata';
import { runPython } from './support/runPython';
import { SAMPLE } from './helpers/paths';

const META = path.join(SAMPLE, 'tile_meta.csv');
// The real tile_meta.csv (all 7033 rows): the 1633 annotated tiles of datasets 1 and 2.
const rows = parseTileMeta(fs.readFileSync(META, 'utf8'), 'tile_meta.csv').rows;
const vesselsOf = (id: string) => parseInt(id.slice(0, 2), 16) % 25; // a stand-in count spread over every bin (tile_meta has no vessels)
const tiles: FoldTile[] = rows.filter((r) => r.dataset === 1 || r.dataset === 2).map((r) => ({ id: r.id, wsi: r.wsi, dataset: r.dataset, i: r.i, j: r.j, vessels: vesselsOf(r.id), classes: vesselsOf(r.id) % 3 === 0 ? ['blood_vessel', 'glomerulus'] : ['blood_vessel'] }));

/** Tiles per (fold, stratum). */
function perStratum(fold: (k: number) => number, folds: number, by: Stratify): Map<string, number[]> {
  const m = new Map<string, number[]>();
  tiles.forEach((t, k) => {
    const s = stratumOf(t, by);
    if (!m.has(s)) m.set(s, new Array<number>(folds).fill(0));
    m.get(s)![fold(k)]++;
  });
  return m;
}

const foldFromTests = (tests: number[][]) => {
  const f = new Array<number>(tiles.length);
  tests.forEach((idx, k) => idx.forEach((n) => (f[n] = k)));
  return (n: number) => f[n];
};

describe('Fold schemes', () => {
  it('uses the 1633 annotated tiles of the real tile_meta.csv', () => assert.equal(tiles.length, 1633));

  it('are deterministic for a seed and change with it', () => {
    const a = makeFolds(tiles, { kind: 'kfold', k: 5, seed: 42, stratify: 'dataset' });
    const b = makeFolds(tiles.slice().reverse(), { kind: 'kfold', k: 5, seed: 42, stratify: 'dataset' });
    const c = makeFolds(tiles, { kind: 'kfold', k: 5, seed: 7, stratify: 'dataset' });
    assert.equal(foldsCsv(a, tiles.map((t) => t.id)), foldsCsv(b, tiles.map((t) => t.id)), 'input order does not matter');
    assert.notEqual(foldsCsv(a), foldsCsv(c));
  });

  for (const by of ['dataset', 'wsi', 'vesselBins', 'classPresence'] as Stratify[]) {
    it(`stratified on ${by}: every fold within 1 tile per stratum of scikit-learn's StratifiedKFold(5, shuffle, 42)`, () => {
      const ours = makeFolds(tiles, { kind: 'kfold', k: 5, seed: 42, stratify: by });
      const sk = runPython<{ skf: number[][] }>('labels_ref.py', { cmd: 'sklearn', y: tiles.map((t) => stratumOf(t, by)), k: 5, seed: 42 });
      const mine = perStratum((n) => ours.fold.get(tiles[n].id)!, 5, by), ref = perStratum(foldFromTests(sk.skf), 5, by);
      assert.ok(mine.size >= 2);
      for (const [s, counts] of mine) counts.forEach((c, f) => assert.ok(Math.abs(c - ref.get(s)![f]) <= 1, `${s} fold ${f}: ours ${c}, sklearn ${ref.get(s)![f]}`));
    });
  }

  for (const k of [2, 3, 4]) {
    it(`grouped by WSI (k = ${k}): no WSI in two folds, per-stratum counts as scikit-learn's StratifiedGroupKFold`, () => {
      const ours = makeFolds(tiles, { kind: 'groupWsi', k, stratify: 'dataset' });
      const wsiFold = new Map<number, Set<number>>();
      for (const t of tiles) {
        if (!wsiFold.has(t.wsi)) wsiFold.set(t.wsi, new Set());
        wsiFold.get(t.wsi)!.add(ours.fold.get(t.id)!);
      }
      for (const [w, f] of wsiFold) assert.equal(f.size, 1, `WSI ${w} in folds ${[...f].join(', ')}`);
      const sk = runPython<{ sgkf: number[][] }>('labels_ref.py', { cmd: 'sklearn', y: tiles.map((t) => stratumOf(t, 'dataset')), groups: tiles.map((t) => t.wsi), k, seed: 0 });
      const mine = perStratum((n) => ours.fold.get(tiles[n].id)!, k, 'dataset'), ref = perStratum(foldFromTests(sk.sgkf), k, 'dataset');
      for (const [s, counts] of mine) counts.forEach((c, f) => assert.ok(Math.abs(c - ref.get(s)![f]) <= 1, `${s} fold ${f}: ours ${c}, sklearn ${ref.get(s)![f]}`));
    });
  }

  it('refuses more grouped folds than WSIs, with what to do', () => {
    assert.throws(() => makeFolds(tiles, { kind: 'groupWsi', k: 5, stratify: 'dataset' }), /at least 5 WSIs; the selection has 4 \(1, 2, 3, 4\)/);
  });

  it('leave-one-WSI-out and WSI halves put each WSI (or half) in its own folds', () => {
    const l = makeFolds(tiles, { kind: 'leaveOneWsiOut' });
    assert.deepEqual(l.names, ['WSI 1', 'WSI 2', 'WSI 3', 'WSI 4']);
    for (const t of tiles) assert.equal(l.names[l.fold.get(t.id)!], `WSI ${t.wsi}`);
    const h = makeFolds(tiles, { kind: 'wsiPosition', split: 'halves', wsis: [1, 2] });
    assert.equal(h.folds, 4);
    for (const t of tiles) {
      const f = h.fold.get(t.id)!;
      if (t.wsi > 2) assert.equal(f, ALWAYS_TRAIN);
      else assert.equal(Math.floor(f / 2), t.wsi - 1);
    }
    const s = makeFolds(tiles.filter((t) => t.dataset === 1), { kind: 'wsiPosition', split: 'share', share: 0.2, wsis: [1, 2] });
    const ds1w1 = tiles.filter((t) => t.dataset === 1 && t.wsi === 1);
    assert.equal([...s.fold.values()].filter((f) => f === 0).length, Math.round(0.2 * ds1w1.length));
    const lowMax = Math.max(...ds1w1.filter((t) => s.fold.get(t.id) === 0).map((t) => t.i));
    const highMin = Math.min(...ds1w1.filter((t) => s.fold.get(t.id) === 1).map((t) => t.i));
    assert.ok(lowMax <= highMin);
  });
});

describe('Leakage check', () => {
  const fps = tiles.map(tileFootprint);
  const ref = runPython<[string, string, number][]>('labels_ref.py', { cmd: 'overlaps', tile_meta: META, wsi: 2 });

  it('finds exactly the overlapping pairs of WSI 2 that Python counts from tile_meta.csv, with their overlap in px', () => {
    assert.equal(ref.length, 21);
    const ours = overlappingPairs(fps).filter((p) => p.wsi === 2).map((p) => [...[p.a, p.b].sort(), p.overlapPx]).sort();
    assert.deepEqual(ours, ref);
    assert.equal(overlappingPairs(fps).length, 21, 'no other WSI of datasets 1-2 has overlapping tiles');
  });

  it('reports the pairs that random folds split, as Problems naming both tiles and the overlap', () => {
    const f: FoldAssignment = makeFolds(tiles, { kind: 'kfold', k: 5, seed: 42, stratify: 'dataset' });
    const expected = ref.filter(([a, b]) => f.fold.get(a) !== f.fold.get(b));
    assert.ok(expected.length > 0);
    const leaks = checkLeakage(fps, f);
    assert.deepEqual(leaks.map((l) => [l.a, l.b].sort().join()).sort(), expected.map(([a, b]) => `${a},${b}`).sort());
    const p = leakProblems(leaks, new Map(rows.map((r) => [r.id, r.line])));
    assert.equal(p[0].code, 'fold-leak');
    assert.ok(p[0].line > 1);
    assert.match(p[0].message, new RegExp(`${leaks[0].a}.*${leaks[0].b}.*overlap by ${leaks[0].overlapPx} px`));
  });

  it('finds none for grouped schemes', () => {
    for (const s of [{ kind: 'groupWsi', k: 4, stratify: 'dataset' }, { kind: 'leaveOneWsiOut' }] as const) assert.equal(checkLeakage(fps, makeFolds(tiles, s)).length, 0);
  });

  it('sees a context footprint reaching into a tile of another fold', () => {
    const a = { id: 'a', wsi: 1, x: 0, y: 0, width: 512, height: 512 }, b = { id: 'b', wsi: 1, x: 512, y: 0, width: 512, height: 512 };
    const ctx = { id: 'a+ctx', wsi: 1, x: -128, y: -128, width: 768, height: 768 };
    const folds = new Map([['a', 0], ['b', 1], ['a+ctx', 0]]);
    assert.deepEqual(checkLeakage([a, b], folds), []);
    assert.deepEqual(checkLeakage([a, b, ctx], folds).map((l) => [l.a, l.b, l.overlapPx]), [['b', 'a+ctx', 128 * 512]]);
  });
});
