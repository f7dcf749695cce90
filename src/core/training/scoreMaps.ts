/**
 * Scores a model's validation probability maps as Predict would: the product's post-processing
 * (threshold, minimum area, the contract's watershed split) into instances, then the competition
 * AP@0.6 and the pooled pixel Dice against ground-truth instance label maps. The training program
 * sends its maps here so its metrics are the product's numbers, not a copy of them.
 */
import { instanceFromFullMask, type InstanceMask } from '../geometry';
import { scoreAp } from '../metric';
import { probabilityToInstances, type PostprocessOptions } from '../model';

/** One validation tile: maps at tile resolution (row-major), ground truth as an instance label map (0 = background, k = k-th vessel). */
export interface ScoreMapTile {
  id: string;
  height: number;
  width: number;
  probability: Float32Array;
  /** The split channel's map, when the post-processing splits by a channel. */
  split?: Float32Array;
  groundTruth: Uint16Array;
}

/** AP@IoU and Dice of a set of tiles. */
export interface MapScore {
  ap: number;
  tp: number;
  fp: number;
  fn: number;
  numGt: number;
  predicted: number;
  /** Pooled pixel Dice of (probability >= threshold) against the union of the ground truth. */
  dice: number;
  tiles: number;
}

/** The instances of a label map, one per non-zero label, in label order. */
export function labelMapInstances(labels: Uint16Array, height: number, width: number): InstanceMask[] {
  let max = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] > max) max = labels[i];
  const out: InstanceMask[] = [];
  for (let k = 1; k <= max; k++) {
    const full = new Uint8Array(height * width);
    let any = false;
    for (let i = 0; i < labels.length; i++) if (labels[i] === k) { full[i] = 1; any = true; }
    if (any) out.push(instanceFromFullMask(full, height, width));
  }
  return out;
}

/** Post-processes each tile's map and scores all tiles together (AP over all predictions, Dice pooled). */
export function scoreProbabilityMaps(tiles: readonly ScoreMapTile[], options: Partial<PostprocessOptions> = {}, iouThreshold = 0.6): MapScore {
  const threshold = options.threshold ?? 0.5;
  let inter = 0, total = 0, predicted = 0;
  const scoring = tiles.map((t) => {
    const n = t.height * t.width;
    if (t.probability.length !== n || t.groundTruth.length !== n) throw new Error(`tile ${t.id}: maps have ${t.probability.length} and ${t.groundTruth.length} values, expected ${t.height}x${t.width}=${n}`);
    for (let i = 0; i < n; i++) {
      const p = t.probability[i] >= threshold ? 1 : 0, g = t.groundTruth[i] ? 1 : 0;
      inter += p & g;
      total += p + g;
    }
    const predictions = probabilityToInstances(t.probability, t.height, t.width, options, undefined, t.split);
    predicted += predictions.length;
    return { tileId: t.id, predictions, groundTruth: labelMapInstances(t.groundTruth, t.height, t.width) };
  });
  const r = scoreAp(scoring, { iouThreshold });
  return { ap: r.ap, tp: r.tp, fp: r.fp, fn: r.fn, numGt: r.numGt, predicted, dice: total ? (2 * inter) / total : 1, tiles: tiles.length };
}
