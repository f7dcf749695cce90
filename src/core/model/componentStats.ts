/**
 * The per-component statistics pass shared by Predict's post-processing and the tuning sweep:
 * one scan of a label image for each component's box, area, probability sum and glomerulus
 * overlap, and a component's mask cut out of its box; plus the uint8-level quantisation of
 * probability maps that Predict and the tuning cache share.
 */
import type { InstanceMask } from '../geometry';

/** Per-label statistics (index 1..count; index 0 unused). */
export interface ComponentStats {
  count: number;
  x0: Int32Array;
  y0: Int32Array;
  x1: Int32Array;
  y1: Int32Array;
  area: Int32Array;
  /** Sum of the probability over the component's pixels (float64). */
  sum: Float64Array;
  /** Pixels of the component inside the glomerulus mask (0 without one). */
  inGlomerulus: Int32Array;
}

/** One pass over a height x width label image: box, area, probability sum and glomerulus overlap of labels 1..count; with lut, probability holds levels and lut[level] is the value summed. */
export function componentStats(labels: Int32Array | Uint32Array | Uint16Array, count: number, height: number, width: number, probability: Float32Array | Uint8Array, glomerulusMask?: Uint8Array, lut?: Float64Array): ComponentStats {
  const x0 = new Int32Array(count + 1).fill(width), y0 = new Int32Array(count + 1).fill(height);
  const x1 = new Int32Array(count + 1).fill(-1), y1 = new Int32Array(count + 1).fill(-1);
  const area = new Int32Array(count + 1), inGlomerulus = new Int32Array(count + 1);
  const sum = new Float64Array(count + 1);
  for (let r = 0; r < height; r++) {
    for (let c = 0, i = r * width; c < width; c++, i++) {
      const l = labels[i];
      if (!l) continue;
      area[l]++;
      sum[l] += lut ? lut[probability[i]] : probability[i];
      if (glomerulusMask && glomerulusMask[i]) inGlomerulus[l]++;
      if (c < x0[l]) x0[l] = c;
      if (c > x1[l]) x1[l] = c;
      if (r < y0[l]) y0[l] = r;
      y1[l] = r;
    }
  }
  return { count, x0, y0, x1, y1, area, sum, inGlomerulus };
}

/** Component l of a label image of row width `width` as a mask over its box. */
export function componentMask(labels: Int32Array | Uint32Array | Uint16Array, l: number, s: ComponentStats, width: number): InstanceMask {
  const w = s.x1[l] - s.x0[l] + 1, h = s.y1[l] - s.y0[l] + 1;
  const data = new Uint8Array(w * h);
  for (let r = 0; r < h; r++) {
    const src = (r + s.y0[l]) * width + s.x0[l];
    for (let c = 0; c < w; c++) if (labels[src + c] === l) data[r * w + c] = 1;
  }
  return { x: s.x0[l], y: s.y0[l], width: w, height: h, data, area: s.area[l] };
}

/** Probability levels of a semantic map in Predict and the tuning cache: p -> round(p * 255) / 255 (clamped to [0, 1], NaN -> 0). */
export const PROBABILITY_LEVELS = 255;

/** A probability map on `levels` steps (a new array): round(p * levels) / levels, clamped to [0, 1], NaN -> 0. */
export function quantiseToLevels(p: Float32Array, levels: number = PROBABILITY_LEVELS): Float32Array {
  const out = new Float32Array(p.length);
  for (let i = 0; i < p.length; i++) {
    const v = p[i];
    out[i] = !(v > 0) ? 0 : v >= 1 ? 1 : Math.round(v * levels) / levels;
  }
  return out;
}

/** The lowest probability that quantiseToLevels lifts to a level >= threshold (for skipping pixels that cannot reach it). */
export function levelsFloor(threshold: number, levels: number = PROBABILITY_LEVELS): number {
  let l = Math.max(0, Math.floor(threshold * levels) - 1);
  while (Math.fround(l / levels) < threshold) l++;
  return Math.max(0, (l - 0.5) / levels);
}
