/**
 * K-fold grouped by WSI and stratified: the algorithm of scikit-learn's StratifiedGroupKFold with
 * shuffle=False (groups by descending std of their stratum counts, stable; each goes to the fold
 * that minimises the mean over strata of the std of the folds' stratum shares; ties to the
 * smaller fold), so the test can compare with scikit-learn directly.
 */
import type { FoldAssignment, FoldTile, Stratify } from './foldTypes';
import { stratumOf } from './strata';

function std(xs: readonly number[]): number {
  const m = xs.reduce((s, x) => s + x, 0) / xs.length;
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) * (x - m), 0) / xs.length);
}

/** Folds with no WSI in two folds; k must not exceed the number of WSIs. */
export function groupWsiKFold(tiles: readonly FoldTile[], k: number, stratify: Stratify): FoldAssignment {
  const wsis = [...new Set(tiles.map((t) => t.wsi))].sort((a, b) => a - b);
  if (!Number.isInteger(k) || k < 2) throw new Error(`Grouped K-fold needs k >= 2 folds (got ${k}).`);
  if (k > wsis.length) throw new Error(`Grouped by WSI, k = ${k} folds need at least ${k} WSIs; the selection has ${wsis.length} (${wsis.join(', ')}). Lower k or use leave-one-WSI-out.`);
  const strata = new Map<string, string>();
  for (const t of tiles) strata.set(t.id, stratumOf(t, stratify));
  const classes = [...new Set(strata.values())].sort();
  const ci = new Map(classes.map((c, n) => [c, n]));
  const gi = new Map(wsis.map((w, n) => [w, n]));
  const perGroup = wsis.map(() => new Array<number>(classes.length).fill(0));
  const yCnt = new Array<number>(classes.length).fill(0);
  for (const t of tiles) {
    const c = ci.get(strata.get(t.id)!)!;
    perGroup[gi.get(t.wsi)!][c]++;
    yCnt[c]++;
  }
  const order = wsis.map((_, g) => g).sort((a, b) => -std(perGroup[a]) - -std(perGroup[b]) || a - b);
  const perFold = Array.from({ length: k }, () => new Array<number>(classes.length).fill(0));
  const groupFold = new Array<number>(wsis.length).fill(0);
  for (const g of order) {
    let best = -1, minEval = Infinity, minSamples = Infinity;
    for (let f = 0; f < k; f++) {
      const shares = (c: number) => perFold.map((row, ff) => (row[c] + (ff === f ? perGroup[g][c] : 0)) / yCnt[c]);
      let ev = 0;
      for (let c = 0; c < classes.length; c++) ev += std(shares(c));
      ev /= classes.length;
      const samples = perFold[f].reduce((s, x) => s + x, 0);
      const close = Math.abs(ev - minEval) <= 1e-8 + 1e-5 * Math.abs(minEval);
      if (ev < minEval || (close && samples < minSamples)) {
        minEval = ev;
        minSamples = samples;
        best = f;
      }
    }
    groupFold[g] = best;
    for (let c = 0; c < classes.length; c++) perFold[best][c] += perGroup[g][c];
  }
  const fold = new Map<string, number>();
  for (const t of tiles) fold.set(t.id, groupFold[gi.get(t.wsi)!]);
  const names = Array.from({ length: k }, (_, f) => `fold ${f} (WSI ${wsis.filter((_, g) => groupFold[g] === f).join(', ') || 'none'})`);
  return { scheme: { kind: 'groupWsi', k, stratify }, folds: k, fold, names, strata };
}
