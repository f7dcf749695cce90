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
  const fg = new Uint8Array(n);
  for (let i = 0; i < n; i++) if (probability[i] >= opt.threshold) fg[i] = 1;
  const { labels, count } = opt.split && opt.split.method === 'watershed' ? splitForeground(fg, height, width, opt.split, opt.connectivity, splitChannel) : labelComponents(fg, height, width, opt.connectivity);
  if (count === 0) return [];

  // One pass for per-component box, area, probability sum and glomerulus overlap.
  const x0 = new Int32Array(count + 1).fill(width), y0 = new Int32Array(count + 1).fill(height);
  const x1 = new Int32Array(count + 1).fill(-1), y1 = new Int32Array(count + 1).fill(-1);
  const area = new Int32Array(count + 1), inGlom = new Int32Array(count + 1);
  const sum = new Float64Array(count + 1);
  for (let r = 0; r < height; r++) {
    for (let c = 0, i = r * width; c < width; c++, i++) {
      const l = labels[i];
      if (!l) continue;
      area[l]++;
      sum[l] += probability[i];
      if (glomerulusMask && glomerulusMask[i]) inGlom[l]++;
      if (c < x0[l]) x0[l] = c;
      if (c > x1[l]) x1[l] = c;
      if (r < y0[l]) y0[l] = r;
      y1[l] = r;
    }
  }
  const out: ScoredInstance[] = [];
  for (let l = 1; l <= count; l++) {
    if (area[l] < opt.minArea) continue;
    if (glomerulusMask && inGlom[l] / area[l] >= opt.glomerulusInsideFraction) continue;
    const w = x1[l] - x0[l] + 1, h = y1[l] - y0[l] + 1;
    const data = new Uint8Array(w * h);
    for (let r = 0; r < h; r++) {
      const src = (r + y0[l]) * width + x0[l];
      for (let c = 0; c < w; c++) if (labels[src + c] === l) data[r * w + c] = 1;
    }
    let mask: InstanceMask = { x: x0[l], y: y0[l], width: w, height: h, data, area: area[l] };
    if (opt.dilation > 0) mask = dilateInstance(mask, opt.dilation, height, width);
    out.push({ mask, confidence: sum[l] / area[l] });
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
  return probabilityToInstances(averageUntransformed(maps, height, width), height, width, options, glomerulusMask, split);
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
