/**
 * A scored tile as a drawable layer: one outline per predicted vessel (TP / FP / ignored / not
 * scored) and per missed ground truth (FN), with confidence and IoU, in the flat-ring format the
 * tile viewer already draws. Plain data: safe to post to a webview.
 */
import { instanceToFullMask, type InstanceMask } from '../geometry';
import { maskToRings } from '../geometry';
import { OUTCOME_COLORS } from '../palette';
import type { ScoredTile } from './pipeline';

/** One outline of the prediction layer. */
export interface PredictionShape {
  /** tp/fp/ignored/none: a predicted vessel; fn: a ground-truth vessel no prediction matched. */
  outcome: 'tp' | 'fp' | 'fn' | 'ignored' | 'none';
  /** The prediction's confidence (undefined for fn). */
  confidence?: number;
  /** IoU with the matched (tp) or best-overlapping ground truth; 0 for fn and for no overlap. */
  iou: number;
  /** Rings as flat [x0, y0, x1, y1, ...] in tile pixels. */
  rings: number[][];
  /** Inclusive [minX, minY, maxX, maxY]. */
  bbox: [number, number, number, number];
  area: number;
  /** Index in the tile's predictions (or, for fn, in its ground truth). */
  index: number;
}

/** Everything the viewer needs to draw and label one tile's prediction. */
export interface PredictionLayer {
  tileId: string;
  /** 'predict' (a model run) or 'submission' (an opened submission.csv). */
  source: 'predict' | 'submission';
  /** Model file name or submission file name. */
  label: string;
  width: number;
  height: number;
  shapes: PredictionShape[];
  annotated: boolean;
  /** The tile's AP@0.6; null when it has no blood_vessel ground truth. */
  ap: number | null;
  tp: number;
  fp: number;
  fn: number;
  ignored: number;
  /** The scoring convention in words (state it beside every number). */
  convention: string;
  /** Execution provider and latency of a model run. */
  provider?: string;
  latencyMs?: number;
  /** Hex colours per outcome (OUTCOME_COLORS). */
  colors: { tp: string; fp: string; fn: string };
}

function outline(m: InstanceMask): { rings: number[][]; bbox: [number, number, number, number] } {
  const full = instanceToFullMask({ ...m, x: 0, y: 0 }, m.height, m.width);
  const rings = maskToRings(full, m.width, m.height).map((r) => r.flatMap(([x, y]) => [x + m.x, y + m.y]));
  return { rings, bbox: [m.x, m.y, m.x + m.width - 1, m.y + m.height - 1] };
}

/** Builds the drawable layer of a scored tile. */
export function toPredictionLayer(tile: ScoredTile, meta: { source: 'predict' | 'submission'; label: string; convention: string; provider?: string; latencyMs?: number }): PredictionLayer {
  const shapes: PredictionShape[] = [];
  tile.vessels.forEach((v, index) => {
    if (v.mask.area === 0) return;
    shapes.push({ outcome: v.outcome, confidence: v.confidence, iou: v.iou, area: v.mask.area, index, ...outline(v.mask) });
  });
  tile.groundTruth.forEach((g, index) => {
    if (tile.groundTruthIou[index] > 0 || g.area === 0) return;
    shapes.push({ outcome: 'fn', iou: 0, area: g.area, index, ...outline(g) });
  });
  return {
    tileId: tile.tileId, source: meta.source, label: meta.label, width: tile.width, height: tile.height, shapes,
    annotated: tile.annotated, ap: tile.ap ?? null, tp: tile.tp, fp: tile.fp, fn: tile.fn, ignored: tile.ignored, convention: meta.convention,
    ...(meta.provider ? { provider: meta.provider } : {}), ...(meta.latencyMs !== undefined ? { latencyMs: meta.latencyMs } : {}),
    colors: { tp: OUTCOME_COLORS.tp.hex, fp: OUTCOME_COLORS.fp.hex, fn: OUTCOME_COLORS.fn.hex },
  };
}
