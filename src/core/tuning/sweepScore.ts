/**
 * The swept tiles scored per cell with core/metric's AP@0.6 (one global confidence ranking, tile
 * order breaking ties, as scoreTiles does): overall, per WSI and per fold; the spread across
 * folds (or WSIs when no folds are given); the best cell by mean AP and by worst-fold AP.
 */
import { averagePrecision, stableOrderByConfidence } from '../metric';
import { gridCells, type CellParams, type SweepGrid } from './gridSpec';
import type { TileSweep } from './sweepTile';

/** Where a tile belongs: its WSI and, when a folds file names it, its fold. */
export interface TileGroups {
  wsi: string;
  fold?: string;
}

/** A PR curve point (thinned). */
export interface CurvePoint {
  recall: number;
  precision: number;
  confidence: number;
}

/** One cell of the sweep, scored. */
export interface CellResult {
  index: number;
  params: CellParams;
  /** AP@0.6 over every swept tile; null when they hold no blood_vessel ground truth. */
  ap: number | null;
  tp: number;
  fp: number;
  fn: number;
  ignored: number;
  numGt: number;
  perWsi: Record<string, number | null>;
  perFold: Record<string, number | null>;
  /** min / mean / max AP over the robustness groups (folds when given, else WSIs). */
  spread: { min: number | null; mean: number | null; max: number | null };
  /** Interpolated-precision PR curve, at most curvePoints points. */
  curve: CurvePoint[];
}

/** The best cells by the two rankings (cell indices), and the warning when they differ. */
export interface BestCells {
  byMean: number;
  byWorstFold: number;
  /** The robustness groups used: 'fold' with a folds file, else 'wsi'. */
  groups: 'fold' | 'wsi';
  /** Slides where the best-mean cell scores below the best-worst-fold cell. */
  losingSlides: { wsi: string; byMean: number | null; byWorstFold: number | null }[];
  warning?: string;
}

function apOf(tiles: readonly TileSweep[], cell: number, keep?: (k: number) => boolean): { ap: number | null; tp: number; fp: number; numGt: number; curve: ReturnType<typeof averagePrecision>['curve'] } {
  const conf: number[] = [], isTp: boolean[] = [];
  let numGt = 0, tp = 0;
  tiles.forEach((t, k) => {
    if (keep && !keep(k)) return;
    numGt += t.numGt;
    for (let i = t.offsets[cell]; i < t.offsets[cell + 1]; i++) {
      conf.push(t.confidence[i]);
      isTp.push(t.isTp[i] === 1);
      if (t.isTp[i]) tp++;
    }
  });
  const order = stableOrderByConfidence(conf);
  const r = averagePrecision(order.map((i) => isTp[i]), order.map((i) => conf[i]), numGt);
  return { ap: numGt > 0 ? r.ap : null, tp, fp: conf.length - tp, numGt, curve: r.curve };
}

function thin(curve: ReturnType<typeof averagePrecision>['curve'], max: number): CurvePoint[] {
  const step = Math.max(1, Math.ceil(curve.length / max));
  const out: CurvePoint[] = [];
  for (let i = 0; i < curve.length; i += step) out.push({ recall: curve[i].recall, precision: curve[i].interpolatedPrecision, confidence: curve[i].confidence });
  const last = curve[curve.length - 1];
  if (last && out[out.length - 1]?.confidence !== last.confidence) out.push({ recall: last.recall, precision: last.interpolatedPrecision, confidence: last.confidence });
  return out;
}

const sortKeys = (keys: Iterable<string>) => [...keys].sort((a, b) => (a === '' ? 1 : b === '' ? -1 : Number(a) - Number(b) || a.localeCompare(b)));

/** Scores every cell; tiles and groups are in the same (tile) order. */
export function scoreSweep(grid: SweepGrid, tiles: readonly TileSweep[], groups: readonly TileGroups[], opts: { curvePoints?: number } = {}): CellResult[] {
  const cells = gridCells(grid);
  const wsis = sortKeys(new Set(groups.map((g) => g.wsi)));
  const folds = sortKeys(new Set(groups.flatMap((g) => (g.fold === undefined ? [] : [g.fold]))));
  const useFolds = folds.length > 0;
  return cells.map((params, c) => {
    const all = apOf(tiles, c);
    let fn = 0, ignored = 0;
    for (const t of tiles) {
      fn += t.counts[c * 4 + 2];
      ignored += t.counts[c * 4 + 3];
    }
    const perWsi: Record<string, number | null> = {}, perFold: Record<string, number | null> = {};
    for (const w of wsis) perWsi[w] = apOf(tiles, c, (k) => groups[k].wsi === w).ap;
    for (const f of folds) perFold[f] = apOf(tiles, c, (k) => groups[k].fold === f).ap;
    const vals = Object.values(useFolds ? perFold : perWsi).filter((v): v is number => v !== null);
    const spread = vals.length === 0 ? { min: null, mean: null, max: null } : { min: Math.min(...vals), mean: vals.reduce((a, v) => a + v, 0) / vals.length, max: Math.max(...vals) };
    return { index: c, params, ap: all.ap, tp: all.tp, fp: all.fp, fn, ignored, numGt: all.numGt, perWsi, perFold, spread, curve: thin(all.curve, opts.curvePoints ?? 200) };
  });
}

const val = (v: number | null) => (v === null ? -Infinity : v);

/** Cells ordered best first by mean AP across groups (ties: overall AP, then grid order). */
export function rankByMean(cells: readonly CellResult[]): CellResult[] {
  return [...cells].sort((a, b) => val(b.spread.mean) - val(a.spread.mean) || val(b.ap) - val(a.ap) || a.index - b.index);
}

/** Cells ordered best first by worst-group AP (ties: mean AP, then grid order). */
export function rankByWorstFold(cells: readonly CellResult[]): CellResult[] {
  return [...cells].sort((a, b) => val(b.spread.min) - val(a.spread.min) || val(b.spread.mean) - val(a.spread.mean) || a.index - b.index);
}

/** The best cell by each ranking, and the slides where the best-mean one loses. */
export function bestCells(cells: readonly CellResult[], hasFolds: boolean, label: (c: CellParams) => string = (p) => JSON.stringify(p)): BestCells {
  if (cells.length === 0) throw new Error('no cells to rank');
  const m = rankByMean(cells)[0], w = rankByWorstFold(cells)[0];
  const losingSlides = Object.keys(m.perWsi)
    .filter((k) => m.index !== w.index && val(m.perWsi[k]) < val(w.perWsi[k]))
    .map((k) => ({ wsi: k, byMean: m.perWsi[k], byWorstFold: w.perWsi[k] }));
  const groups = hasFolds ? 'fold' : 'wsi';
  const f = (v: number | null) => (v === null ? '—' : v.toFixed(3));
  const warning = m.index === w.index ? undefined
    : `The best-mean cell (${label(m.params)}: mean ${f(m.spread.mean)}, worst ${groups} ${f(m.spread.min)}) differs from the best-worst-${groups} cell (${label(w.params)}: mean ${f(w.spread.mean)}, worst ${f(w.spread.min)}).` +
      (losingSlides.length ? ` The best-mean setting loses on ${losingSlides.map((s) => `WSI ${s.wsi} (${f(s.byMean)} vs ${f(s.byWorstFold)})`).join(', ')}.` : '');
  return { byMean: m.index, byWorstFold: w.index, groups, losingSlides, ...(warning ? { warning } : {}) };
}
