/** The batch metric as the Dataset Overview shows it: the PR curve thinned for drawing, per-WSI rows, and their CSV export. */
import type { PrPoint } from '../core/metric';
import { csvCell } from '../core/text';
import type { BatchScore, GroupScore } from '../core/predict';

/** Most PR points sent to the webview. */
export const MAX_CURVE_POINTS = 500;

/** What the dashboard draws for the last batch Predict or opened submission. */
export interface DashboardScore {
  source: 'predict' | 'submission';
  /** Model or submission file name. */
  label: string;
  /** What was predicted, e.g. 'WSI 1'. */
  scope: string;
  ap?: number;
  tp: number;
  fp: number;
  fn: number;
  ignored: number;
  numGt: number;
  predictions: number;
  tiles: number;
  annotatedTiles: number;
  ignoreMode: BatchScore['ignoreMode'];
  /** The scoring convention in words (count vs ignore of unsure/glomerulus overlaps). */
  convention: string;
  /** The PR curve, at most MAX_CURVE_POINTS points, in rank order. */
  curve: PrPoint[];
  /** How many points the full curve had. */
  curvePoints: number;
  perWsi: GroupScore[];
}

/** Keep at most max points of a ranked PR curve: evenly spaced ranks, always the first and last (a subsequence, so monotone stays monotone). */
export function thinCurve(curve: readonly PrPoint[], max = MAX_CURVE_POINTS): PrPoint[] {
  if (curve.length <= max) return curve.slice();
  if (max < 2) return curve.slice(-1);
  const out: PrPoint[] = [];
  const step = (curve.length - 1) / (max - 1);
  for (let k = 0; k < max; k++) out.push(curve[Math.round(k * step)]);
  return out;
}

/** The dashboard's view of a stored batch (curve thinned). */
export function toDashboardScore(b: { source: 'predict' | 'submission'; label: string; scope: string; score: BatchScore }): DashboardScore {
  const s = b.score;
  return {
    source: b.source,
    label: b.label,
    scope: b.scope,
    ...(s.ap !== undefined ? { ap: s.ap } : {}),
    tp: s.tp,
    fp: s.fp,
    fn: s.fn,
    ignored: s.ignored,
    numGt: s.numGt,
    predictions: s.predictions,
    tiles: s.tiles,
    annotatedTiles: s.annotatedTiles,
    ignoreMode: s.ignoreMode,
    convention: s.convention,
    curve: thinCurve(s.curve),
    curvePoints: s.curve.length,
    perWsi: s.perWsi.map((w) => ({ ...w })),
  };
}

/** AP as shown: three decimals, or '—' when there is no blood_vessel ground truth. */
export function apCell(ap: number | undefined): string {
  return ap === undefined ? '—' : ap.toFixed(3);
}

/** The per-WSI table as shown (WSI, tiles, annotated, TP, FP, FN, GT, AP@0.6). */
export function scoreWsiRows(score: DashboardScore): string[][] {
  return score.perWsi.map((w) => [w.group === '' ? 'no WSI' : w.group, String(w.tiles), String(w.annotatedTiles), String(w.tp), String(w.fp), String(w.fn), String(w.numGt), apCell(w.ap)]);
}

export const SCORE_WSI_HEAD = ['WSI', 'tiles', 'annotated', 'TP', 'FP', 'FN', 'GT', 'AP@0.6'];
/** The names of the score tables the dashboard exports. */
export const SCORE_TABLES = ['prCurve', 'scoreWsi'] as const;

const table = (head: string[], rows: (string | number | undefined)[][]) => [head, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';

/** CSV of 'prCurve' (the thinned points drawn) or 'scoreWsi' (per-WSI rows); undefined for any other name. */
export function scoreCsv(score: DashboardScore, name: string): string | undefined {
  if (name === 'prCurve') return table(['confidence', 'recall', 'precision', 'interpolated_precision'], score.curve.map((p) => [p.confidence, p.recall, p.precision, p.interpolatedPrecision]));
  if (name === 'scoreWsi') return table(['source_wsi', 'tiles', 'annotated_tiles', 'tp', 'fp', 'fn', 'gt', 'ap'], score.perWsi.map((w) => [w.group, w.tiles, w.annotatedTiles, w.tp, w.fp, w.fn, w.numGt, w.ap]));
  return undefined;
}
