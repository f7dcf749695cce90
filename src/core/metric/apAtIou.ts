/**
 * The competition metric: average precision of blood_vessel instances at mask IoU >= 0.6,
 * OpenImages style (one class), over many tiles.
 *
 * Rules, stated once:
 * - Ranking: all predictions of all tiles sorted by confidence, highest first. Ties keep input
 *   order (tile order, then prediction order within the tile): a stable sort.
 * - Matching: in that order, each prediction takes the still-unmatched ground truth of its tile
 *   with the highest IoU >= threshold (ties: the lowest ground-truth index) -> TP; else FP.
 * - Ignore regions (unsure / glomerulus), ignoreMode 'ignore': a prediction that matched no ground
 *   truth is ignored (neither TP nor FP) when, for some ignore region, IoU >= threshold or at least
 *   ignoreInsideFraction of the prediction's pixels lie inside that region. Ground truth is tried
 *   first, as OpenImages evaluates group-of/ignore boxes after the normal ones.
 *   ignoreMode 'count' (the DEFAULT): ignore regions are simply not ground truth, so such
 *   predictions are FP; this is the plain single-class reading of the competition metric.
 * - AP: VOC all-points area under the precision-recall curve with precision made monotone
 *   (OpenImages' compute_average_precision), not COCO's 101-point interpolation.
 * - No predictions -> AP 0. No ground truth at all -> AP 0 (nothing can be recalled; numGt = 0
 *   tells the UI to say so rather than show a score).
 */
import { InstanceMask } from '../geometry';
import { intersectionArea, maskIou } from '../geometry';

/** How predictions on unsure/glomerulus regions are scored. */
export type IgnoreMode = 'ignore' | 'count';

export interface ApOptions {
  /** Minimum mask IoU for a match (competition: 0.6). */
  iouThreshold: number;
  /** 'count' (default): ignore regions are not ground truth; 'ignore': see the module comment. */
  ignoreMode: IgnoreMode;
  /** In 'ignore' mode, the fraction of a prediction inside one ignore region that ignores it. */
  ignoreInsideFraction: number;
}

/** The defaults: competition threshold, ignore regions counted as background. */
export const DEFAULT_AP_OPTIONS: Readonly<ApOptions> = Object.freeze({
  iouThreshold: 0.6,
  ignoreMode: 'count',
  ignoreInsideFraction: 0.5,
});

/** One predicted instance with its confidence. */
export interface ScoredInstance {
  mask: InstanceMask;
  confidence: number;
}

/** One tile's predictions, blood_vessel ground truth and (optional) ignore regions. */
export interface TileForScoring {
  tileId: string;
  /** Grouping key for apByGroup, e.g. the source WSI. */
  group?: string;
  predictions: readonly ScoredInstance[];
  groundTruth: readonly InstanceMask[];
  /** unsure / glomerulus regions; used only in ignoreMode 'ignore'. */
  ignoreRegions?: readonly InstanceMask[];
}

export type PredictionOutcome = 'tp' | 'fp' | 'ignored';

/** What happened to one prediction. */
export interface PredictionMatch {
  /** Index in the tile's predictions. */
  prediction: number;
  outcome: PredictionOutcome;
  /** Ground-truth index it matched (tp), else the index of its best-IoU ground truth, or -1 if none overlaps. */
  gt: number;
  /** IoU with `gt` (0 when gt is -1). */
  iou: number;
  /** For 'ignored': the ignore region that absorbed it. */
  ignoreRegion?: number;
}

/** Per-tile matching, for colouring TP / FP / FN. */
export interface TileMatches {
  tileId: string;
  /** One entry per prediction, in the tile's input order. */
  predictions: PredictionMatch[];
  /** Per ground truth: the prediction index that matched it, or -1 (a false negative). */
  gtMatchedBy: number[];
  /** Per ground truth: the IoU of that match (0 when unmatched). */
  gtIou: number[];
  tp: number;
  fp: number;
  fn: number;
  ignored: number;
}

/** One point of the precision-recall curve, after each ranked (non-ignored) prediction. */
export interface PrPoint {
  confidence: number;
  recall: number;
  precision: number;
  /** Precision made monotone (the max precision at this recall or higher). */
  interpolatedPrecision: number;
}

export interface ApResult {
  ap: number;
  tp: number;
  fp: number;
  fn: number;
  ignored: number;
  numGt: number;
  numPredictions: number;
  options: ApOptions;
  curve: PrPoint[];
  tiles: TileMatches[];
}

/** Matches one tile's predictions to its ground truth in confidence order (stable ties). */
export function matchTile(tile: TileForScoring, options: Partial<ApOptions> = {}): TileMatches {
  const opt = { ...DEFAULT_AP_OPTIONS, ...options };
  const preds = tile.predictions, gts = tile.groundTruth;
  preds.forEach((p, k) => {
    if (!Number.isFinite(p.confidence)) {
      throw new Error(`tile ${tile.tileId}: prediction ${k} has confidence ${p.confidence}; give every prediction a number in [0, 1]`);
    }
  });
  const order = stableOrderByConfidence(preds.map((p) => p.confidence));
  const gtMatchedBy = new Array<number>(gts.length).fill(-1);
  const gtIou = new Array<number>(gts.length).fill(0);
  const result = new Array<PredictionMatch>(preds.length);
  let tp = 0, fp = 0, ignored = 0;
  for (const pi of order) {
    const pm = preds[pi].mask;
    let best = -1, bestIou = -1, anyBest = -1, anyIou = 0;
    for (let g = 0; g < gts.length; g++) {
      const iou = maskIou(pm, gts[g]);
      if (iou > anyIou) { anyIou = iou; anyBest = g; }
      if (gtMatchedBy[g] < 0 && iou >= opt.iouThreshold && iou > bestIou) { bestIou = iou; best = g; }
    }
    if (best >= 0) {
      gtMatchedBy[best] = pi;
      gtIou[best] = bestIou;
      result[pi] = { prediction: pi, outcome: 'tp', gt: best, iou: bestIou };
      tp++;
      continue;
    }
    const region = opt.ignoreMode === 'ignore' ? absorbingRegion(pm, tile.ignoreRegions ?? [], opt) : -1;
    if (region >= 0) {
      result[pi] = { prediction: pi, outcome: 'ignored', gt: anyBest, iou: anyIou, ignoreRegion: region };
      ignored++;
    } else {
      result[pi] = { prediction: pi, outcome: 'fp', gt: anyBest, iou: anyIou };
      fp++;
    }
  }
  const fn = gtMatchedBy.filter((p) => p < 0).length;
  return { tileId: tile.tileId, predictions: result, gtMatchedBy, gtIou, tp, fp, fn, ignored };
}

function absorbingRegion(pm: InstanceMask, regions: readonly InstanceMask[], opt: ApOptions): number {
  if (pm.area === 0) return -1;
  for (let k = 0; k < regions.length; k++) {
    const inter = intersectionArea(pm, regions[k]);
    if (inter === 0) continue;
    const iou = inter / (pm.area + regions[k].area - inter);
    if (iou >= opt.iouThreshold || inter / pm.area >= opt.ignoreInsideFraction) return k;
  }
  return -1;
}

/** Indices sorted by confidence descending; equal confidences keep their input order. */
export function stableOrderByConfidence(confidences: readonly number[]): number[] {
  const idx = confidences.map((_, i) => i);
  return idx.sort((a, b) => confidences[b] - confidences[a] || a - b);
}

/** Scores many tiles: AP, counts, the PR curve and per-tile matches. */
export function scoreAp(tiles: readonly TileForScoring[], options: Partial<ApOptions> = {}): ApResult {
  const opt: ApOptions = { ...DEFAULT_AP_OPTIONS, ...options };
  const matches = tiles.map((t) => matchTile(t, opt));
  // Global ranking of non-ignored predictions: (confidence desc, tile order, prediction order).
  const conf: number[] = [], isTp: boolean[] = [];
  let numGt = 0, numPredictions = 0, ignored = 0, fn = 0;
  tiles.forEach((t, ti) => {
    numGt += t.groundTruth.length;
    numPredictions += t.predictions.length;
    const m = matches[ti];
    ignored += m.ignored;
    fn += m.fn;
    for (const pm of m.predictions) {
      if (pm.outcome === 'ignored') continue;
      conf.push(t.predictions[pm.prediction].confidence);
      isTp.push(pm.outcome === 'tp');
    }
  });
  const order = stableOrderByConfidence(conf);
  const { ap, curve } = averagePrecision(order.map((i) => isTp[i]), order.map((i) => conf[i]), numGt);
  const tp = isTp.filter(Boolean).length;
  return { ap, tp, fp: isTp.length - tp, fn, ignored, numGt, numPredictions, options: opt, curve, tiles: matches };
}

/** VOC all-points AP of a ranked TP/FP list against numGt ground-truth instances. */
export function averagePrecision(rankedTp: readonly boolean[], rankedConfidence: readonly number[], numGt: number): { ap: number; curve: PrPoint[] } {
  const n = rankedTp.length;
  const curve: PrPoint[] = new Array(n);
  let tp = 0;
  for (let i = 0; i < n; i++) {
    if (rankedTp[i]) tp++;
    const precision = tp / (i + 1);
    curve[i] = { confidence: rankedConfidence[i], recall: numGt > 0 ? tp / numGt : 0, precision, interpolatedPrecision: precision };
  }
  for (let i = n - 2; i >= 0; i--) {
    if (curve[i + 1].interpolatedPrecision > curve[i].interpolatedPrecision) {
      curve[i].interpolatedPrecision = curve[i + 1].interpolatedPrecision;
    }
  }
  if (numGt === 0) return { ap: 0, curve };
  let ap = 0, prevRecall = 0;
  for (const p of curve) {
    if (p.recall !== prevRecall) {
      ap += (p.recall - prevRecall) * p.interpolatedPrecision;
      prevRecall = p.recall;
    }
  }
  return { ap, curve };
}

/** AP per group (tile.group, or groupOf(tile)), e.g. per source WSI; groups in first-seen order. */
export function apByGroup(
  tiles: readonly TileForScoring[],
  options: Partial<ApOptions> = {},
  groupOf: (tile: TileForScoring) => string = (t) => t.group ?? '',
): Map<string, ApResult> {
  const groups = new Map<string, TileForScoring[]>();
  for (const t of tiles) {
    const key = groupOf(t);
    let list = groups.get(key);
    if (!list) groups.set(key, (list = []));
    list.push(t);
  }
  const out = new Map<string, ApResult>();
  for (const [key, list] of groups) out.set(key, scoreAp(list, options));
  return out;
}
