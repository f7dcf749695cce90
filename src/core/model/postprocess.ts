/**
 * From a blood_vessel probability map to scored instances: threshold, connected components,
 * confidence = mean probability inside, minimum area, optional glomerulus removal and dilation.
 * The same DEFAULT_POSTPROCESS is used for a single tile and for a batch.
 */
import { ScoredInstance } from '../metric';
import { Connectivity, labelComponents } from '../geometry';
import { InstanceMask } from '../geometry';
import { splitForeground, type InstanceSplitOptions } from './instanceSplit';
import { averageUntransformed, TransformedMap } from './tta';
import { componentMask, componentStats, quantiseToLevels } from './componentStats';

export interface PostprocessOptions {
  /** A pixel is foreground when its probability is >= threshold. */
  threshold: number;
  /** Components with fewer pixels (before dilation) are dropped. */
  minArea: number;
  /** Grow each instance by this many px (square kernel, like cv2.dilate with ones((2k+1,2k+1))); 0 = off. */
  dilation: number;
  connectivity: Connectivity;
  /** With a glomerulus mask: drop instances with at least this fraction of pixels inside it. */
  glomerulusInsideFraction: number;
  /** Split the foreground by watershed instead of connected components (absent = components; a model's contract may set it). */
  split?: InstanceSplitOptions;
  /** Quantise the map to this many steps first (round(p * levels) / levels; Predict uses PROBABILITY_LEVELS = 255, as the tuning cache stores maps); absent = the float map as it is. */
  levels?: number;
}

/** Defaults shared by single-tile Predict and batch runs. */
export const DEFAULT_POSTPROCESS: Readonly<PostprocessOptions> = Object.freeze({
  threshold: 0.5,
  minArea: 10,
  dilation: 0,
  connectivity: 8,
  glomerulusInsideFraction: 0.5,
});

/** Instances of one probability map (row-major height x width), sorted by confidence, highest first; splitChannel = the map of options.split's channel. */
export function probabilityToInstances(
  probability: Float32Array,
  height: number,
  width: number,
  options: Partial<PostprocessOptions> = {},
  glomerulusMask?: Uint8Array,
  splitChannel?: Float32Array,
): ScoredInstance[] {
  const opt = { ...DEFAULT_POSTPROCESS, ...options };
  const n = height * width;
  if (probability.length !== n) throw new Error(`probability map has ${probability.length} values, expected ${height}x${width}=${n}`);
  if (glomerulusMask && glomerulusMask.length !== n) throw new Error(`glomerulus mask has ${glomerulusMask.length} pixels, expected ${n}`);
  // On levels (Predict's semantic maps, as the tuning cache stores them): threshold and confidence both read the quantised map.
  const prob = opt.levels ? quantiseToLevels(probability, opt.levels) : probability;
  const fg = new Uint8Array(n);
  for (let i = 0; i < n; i++) if (prob[i] >= opt.threshold) fg[i] = 1;
  const { labels, count } = opt.split && opt.split.method === 'watershed' ? splitForeground(fg, height, width, opt.split, opt.connectivity, splitChannel) : labelComponents(fg, height, width, opt.connectivity);
  if (count === 0) return [];

  // One pass for per-component box, area, probability sum and glomerulus overlap.
  const st = componentStats(labels, count, height, width, prob, glomerulusMask);
  const out: ScoredInstance[] = [];
  for (let l = 1; l <= count; l++) {
    if (st.area[l] < opt.minArea) continue;
    if (glomerulusMask && st.inGlomerulus[l] / st.area[l] >= opt.glomerulusInsideFraction) continue;
    let mask: InstanceMask = componentMask(labels, l, st, width);
    if (opt.dilation > 0) mask = dilateInstance(mask, opt.dilation, height, width);
    out.push({ mask, confidence: st.sum[l] / st.area[l] });
  }
  return out.sort((a, b) => b.confidence - a.confidence);
}

/** TTA then post-processing: averages the un-transformed maps (and split-channel maps) of one height x width tile, then probabilityToInstances. */
export function instancesFromTta(
  maps: readonly TransformedMap[],
  height: number,
  width: number,
  options: Partial<PostprocessOptions> = {},
  glomerulusMask?: Uint8Array,
  splitMaps?: readonly TransformedMap[],
): ScoredInstance[] {
  const split = splitMaps && splitMaps.length ? averageUntransformed(splitMaps, height, width) : undefined;
  // On levels, each pass's map is quantised before the average (the tuning cache stores them so), the average again in probabilityToInstances.
  const passes = options.levels ? maps.map((m) => ({ transform: m.transform, data: quantiseToLevels(m.data, options.levels) })) : maps;
  return probabilityToInstances(averageUntransformed(passes, height, width), height, width, options, glomerulusMask, split);
}

/** Grows an instance by k px with a square kernel, clipped to the height x width tile. */
export function dilateInstance(m: InstanceMask, k: number, tileHeight: number, tileWidth: number): InstanceMask {
  const nx = Math.max(0, m.x - k), ny = Math.max(0, m.y - k);
  const nw = Math.min(tileWidth, m.x + m.width + k) - nx, nh = Math.min(tileHeight, m.y + m.height + k) - ny;
  // Horizontal max into a buffer of the new width and the old rows, then vertical max.
  const horiz = new Uint8Array(nw * m.height);
  for (let r = 0; r < m.height; r++) {
    for (let c = 0; c < m.width; c++) {
      if (!m.data[r * m.width + c]) continue;
      const cc = c + m.x - nx;
      const from = Math.max(0, cc - k), to = Math.min(nw - 1, cc + k);
      horiz.fill(1, r * nw + from, r * nw + to + 1);
    }
  }
  const data = new Uint8Array(nw * nh);
  let area = 0;
  for (let r = 0; r < nh; r++) {
    const tr = r + ny; // tile row
    const from = Math.max(0, tr - k - m.y), to = Math.min(m.height - 1, tr + k - m.y);
    for (let c = 0; c < nw; c++) {
      for (let s = from; s <= to; s++) {
        if (horiz[s * nw + c]) { data[r * nw + c] = 1; area++; break; }
      }
    }
  }
  return { x: nx, y: ny, width: nw, height: nh, data, area };
}
