/**
 * One tile through every cell of a grid with the work shared across cells: the TTA average once
 * per variant, threshold + connected components (or the instance decode) once per threshold,
 * dilation and the IoU matrix against the ground truth once per (threshold, dilation), then
 * minimum area and glomerulus removal as filters over the same candidates and the IoU@0.6
 * greedy matching replayed from that matrix. Equals probabilityToInstances / the instance
 * filters + matchTile cell by cell (test/unit/tuningSweep.test.ts checks it).
 */
import { DEFAULT_AP_OPTIONS, type IgnoreMode } from '../metric';
import { intersectionArea, labelComponents, maskIou, type InstanceMask } from '../geometry';
import { componentMask, componentStats, decodeYoloSeg, DEFAULT_POSTPROCESS, dilateInstance, quantiseToLevels } from '../model';
import { vesselClassIndex, type TileGroundTruth } from '../predict';
import type { TtaTransform } from '../model';
import { cellCount, cellIndex, TTA_VARIANTS, type SweepGrid } from './gridSpec';
import { dequantiseProbability, quantiseProbability, type CachedInstances, type CachedOutput, type CachedSemantic, type CachedYolo } from './outputCache';

/** One tile's outcome in every cell: the ranked (non-ignored) predictions and the counts. */
export interface TileSweep {
  tileId: string;
  numGt: number;
  /** Cell c's predictions are [offsets[c], offsets[c+1]) of confidence / isTp, in ranking order. */
  offsets: Int32Array;
  confidence: Float64Array;
  /** 1 = true positive, 0 = false positive. */
  isTp: Uint8Array;
  /** Per cell: tp, fp, fn, ignored. */
  counts: Int32Array;
}

/** A candidate instance before the cell's filters: undilated mask, confidence, inside-glomerulus flag. */
export interface Candidate {
  mask: InstanceMask;
  confidence: number;
  /** At least half of its pixels lie in the tile's glomerulus union (false without one). */
  inGlomerulus: boolean;
}

/** Averages un-transformed maps exactly as averageUntransformed does (float32 sum, then / n). */
export function averageMaps(maps: readonly Float32Array[]): Float32Array {
  if (maps.length === 1) return maps[0];
  const sum = new Float32Array(maps[0].length);
  for (const m of maps) for (let i = 0; i < sum.length; i++) sum[i] += m[i];
  for (let i = 0; i < sum.length; i++) sum[i] /= maps.length;
  return sum;
}

/** The probability map of a TTA variant from the tile's cached (quantised) maps, on Predict's levels. */
export function variantProbability(outputs: ReadonlyMap<TtaTransform, CachedSemantic>, transforms: readonly TtaTransform[], tileId: string, cacheDeq?: Map<TtaTransform, Float32Array>): Float32Array {
  const avg = averageMaps(transforms.map((t) => {
    const hit = cacheDeq?.get(t);
    if (hit) return hit;
    const o = outputs.get(t);
    if (!o) throw new Error(`tile ${tileId}: no cached model output for the ${t} transform; run the model over the tiles again`);
    const p = dequantiseProbability(o.probability);
    cacheDeq?.set(t, p);
    return p;
  }));
  // Predict quantises the TTA average to the same levels (probabilityToInstances with levels); one cached map already is on them.
  return transforms.length > 1 ? quantiseToLevels(avg) : avg;
}

/** The uint8 levels of a TTA variant: one transform's cached map as it is; several averaged as Predict does, then on levels again. */
export function variantLevels(outputs: ReadonlyMap<TtaTransform, CachedSemantic>, transforms: readonly TtaTransform[], tileId: string, cacheDeq?: Map<TtaTransform, Float32Array>): Uint8Array {
  if (transforms.length === 1) {
    const o = outputs.get(transforms[0]);
    if (!o) throw new Error(`tile ${tileId}: no cached model output for the ${transforms[0]} transform; run the model over the tiles again`);
    return o.probability;
  }
  // quantiseProbability(avg) = round(avg * 255): its f32(q / 255) is quantiseToLevels(avg).
  return quantiseProbability(variantProbability(outputs, transforms, tileId, cacheDeq));
}

/** Components of prob >= threshold, as probabilityToInstances makes them with minArea 0, no dilation, sorted by confidence (stable). */
export function semanticCandidates(prob: Float32Array, height: number, width: number, threshold: number, glomerulus?: Uint8Array): Candidate[] {
  return labelsAt({ values: prob, height, width, glomerulus }, threshold)?.candidates ?? [];
}

/**
 * semanticCandidates for every threshold at once, equal to it threshold by threshold (same masks,
 * confidences and order): the tile is labelled once at the lowest threshold; a higher threshold's
 * components lie inside one of those components, so they are labelled only inside its box.
 */
export function semanticCandidatesPerThreshold(prob: Float32Array, height: number, width: number, thresholds: readonly number[], glomerulus?: Uint8Array): Candidate[][] {
  return candidatesPerCut({ values: prob, height, width, glomerulus }, thresholds);
}

/** f32(q / 255) of every uint8 level, as float64 (what a dequantised map holds). */
const LEVEL_VALUE = Float64Array.from({ length: 256 }, (_, q) => Math.fround(q / 255));

/** The lowest uint8 level q with f32(q / 255) >= threshold (256: none), so q >= it iff the dequantised value >= threshold. */
export function levelCut(threshold: number): number {
  let q = 0;
  while (q < 256 && LEVEL_VALUE[q] < threshold) q++;
  return q;
}

/** semanticCandidatesPerThreshold of the dequantised map, read straight from the uint8 levels (no float map made). */
export function levelCandidatesPerThreshold(levels: Uint8Array, height: number, width: number, thresholds: readonly number[], glomerulus?: Uint8Array): Candidate[][] {
  return candidatesPerCut({ values: levels, lut: LEVEL_VALUE, height, width, glomerulus }, thresholds.map(levelCut));
}

/** A map to cut: float probabilities, or uint8 levels with lut giving each level's probability. */
interface CutMap {
  values: Float32Array | Uint8Array;
  lut?: Float64Array;
  height: number;
  width: number;
  glomerulus?: Uint8Array;
}

function candidatesPerCut(map: CutMap, cuts: readonly number[]): Candidate[][] {
  if (cuts.length === 0) return [];
  const { values, lut, width, glomerulus } = map;
  const cmin = Math.min(...cuts);
  const base = labelsAt(map, cmin);
  return cuts.map((t) => {
    if (t === cmin || !base) return base ? base.candidates : [];
    const found: { c: Candidate; first: number }[] = [];
    const { labels, st } = base;
    for (let l = 1; l <= st.count; l++) {
      const bx = st.x0[l], by = st.y0[l], bw = st.x1[l] - bx + 1, bh = st.y1[l] - by + 1;
      const sub = new Uint8Array(bw * bh);
      let any = false;
      for (let r = 0; r < bh; r++) {
        for (let c = 0, i = (r + by) * width + bx, k = r * bw; c < bw; c++, i++, k++) if (labels[i] === l && values[i] >= t) { sub[k] = 1; any = true; }
      }
      if (!any) continue;
      const cc = labelComponents(sub, bh, bw, DEFAULT_POSTPROCESS.connectivity);
      const subValues = values instanceof Uint8Array ? new Uint8Array(bw * bh) : new Float32Array(bw * bh), subGlom = glomerulus ? new Uint8Array(bw * bh) : undefined;
      for (let r = 0; r < bh; r++) {
        const i = (r + by) * width + bx;
        subValues.set(values.subarray(i, i + bw), r * bw);
        if (subGlom) subGlom.set(glomerulus!.subarray(i, i + bw), r * bw);
      }
      const sst = componentStats(cc.labels, cc.count, bh, bw, subValues, subGlom, lut);
      // Components are numbered in raster order of their first pixel, in the box as in the tile.
      const first = new Int32Array(cc.count + 1).fill(-1);
      for (let k = 0, seen = 0; k < cc.labels.length && seen < cc.count; k++) {
        const s = cc.labels[k];
        if (s && first[s] < 0) { first[s] = (by + Math.floor(k / bw)) * width + bx + (k % bw); seen++; }
      }
      for (let s = 1; s <= cc.count; s++) {
        const m = componentMask(cc.labels, s, sst, bw);
        found.push({ c: { mask: { ...m, x: m.x + bx, y: m.y + by }, confidence: sst.sum[s] / sst.area[s], inGlomerulus: !!glomerulus && sst.inGlomerulus[s] / sst.area[s] >= DEFAULT_POSTPROCESS.glomerulusInsideFraction }, first: first[s] });
      }
    }
    // As semanticCandidates: raster order of first pixel, then a stable sort by confidence.
    return found.sort((a, b) => b.c.confidence - a.c.confidence || a.first - b.first).map((f) => f.c);
  });
}

/** The components of values >= cut over the whole tile: labels, statistics and candidates (undefined when nothing reaches it). */
function labelsAt(map: CutMap, cut: number): { labels: Int32Array; st: ReturnType<typeof componentStats>; candidates: Candidate[] } | undefined {
  const { values, lut, height, width, glomerulus } = map;
  const n = height * width;
  const fg = new Uint8Array(n);
  for (let i = 0; i < n; i++) if (values[i] >= cut) fg[i] = 1;
  const { labels, count } = labelComponents(fg, height, width, DEFAULT_POSTPROCESS.connectivity);
  if (count === 0) return undefined;
  const st = componentStats(labels, count, height, width, values, glomerulus, lut);
  const candidates: Candidate[] = [];
  for (let l = 1; l <= count; l++) candidates.push({ mask: componentMask(labels, l, st, width), confidence: st.sum[l] / st.area[l], inGlomerulus: !!glomerulus && st.inGlomerulus[l] / st.area[l] >= DEFAULT_POSTPROCESS.glomerulusInsideFraction });
  return { labels, st, candidates: candidates.sort((a, b) => b.confidence - a.confidence) };
}

/** Instance detections of the vessel class -> candidates, as the Predict pipeline filters them (empty masks dropped), sorted by confidence (stable). */
export function instanceCandidates(instances: readonly { classIndex: number; score: number; mask: { x: number; y: number; width: number; height: number; data: Uint8Array } }[], classNames: readonly string[], tileWidth: number, glomerulus?: Uint8Array): Candidate[] {
  const vessel = vesselClassIndex(classNames);
  const out: Candidate[] = [];
  for (const inst of instances) {
    if (classNames.length > 1 && inst.classIndex !== vessel) continue;
    const m = inst.mask;
    let area = 0, inGlom = 0;
    for (let r = 0; r < m.height; r++) {
      for (let c = 0; c < m.width; c++) {
        if (!m.data[r * m.width + c]) continue;
        area++;
        if (glomerulus && glomerulus[(r + m.y) * tileWidth + c + m.x]) inGlom++;
      }
    }
    if (area === 0) continue;
    out.push({ mask: { x: m.x, y: m.y, width: m.width, height: m.height, data: m.data, area }, confidence: Math.min(1, Math.max(0, inst.score)), inGlomerulus: !!glomerulus && inGlom / area >= DEFAULT_POSTPROCESS.glomerulusInsideFraction });
  }
  return out.sort((a, b) => b.confidence - a.confidence);
}

/** The candidates of an instance-model output at one score threshold. */
export function instanceOutputCandidates(o: CachedInstances | CachedYolo, threshold: number, glomerulus: Uint8Array | undefined, tileId: string): Candidate[] {
  if (threshold < o.floor) throw new Error(`tile ${tileId}: the cache holds detections with score >= ${o.floor} only, the grid asks for ${threshold}; run the model again with a lower floor`);
  if (o.kind === 'instance') {
    const kept = o.instances.filter((i) => i.score >= threshold).map((i) => ({ classIndex: i.classIndex, score: i.score, mask: i }));
    return instanceCandidates(kept, o.classNames, o.width, glomerulus);
  }
  const p = decodeYoloSeg(o.detections, o.protos, { classNames: o.classNames }, o.geometry, { scoreThreshold: threshold });
  return instanceCandidates(p.instances, p.classNames, o.width, glomerulus);
}

function absorbed(pm: InstanceMask, regions: readonly InstanceMask[]): boolean {
  if (pm.area === 0) return false;
  for (const reg of regions) {
    const inter = intersectionArea(pm, reg);
    if (inter === 0) continue;
    const iou = inter / (pm.area + reg.area - inter);
    if (iou >= DEFAULT_AP_OPTIONS.iouThreshold || inter / pm.area >= DEFAULT_AP_OPTIONS.ignoreInsideFraction) return true;
  }
  return false;
}

/** Collects per-cell results of one tile. */
class TileCells {
  private conf: number[][];
  private tp: number[][];
  readonly counts: Int32Array;
  constructor(private readonly n: number) {
    this.conf = Array.from({ length: n }, () => []);
    this.tp = Array.from({ length: n }, () => []);
    this.counts = new Int32Array(n * 4);
  }
  push(cell: number, confidence: number, isTp: boolean): void {
    this.conf[cell].push(confidence);
    this.tp[cell].push(isTp ? 1 : 0);
  }
  finish(tileId: string, numGt: number): TileSweep {
    const offsets = new Int32Array(this.n + 1);
    for (let c = 0; c < this.n; c++) offsets[c + 1] = offsets[c] + this.conf[c].length;
    const confidence = new Float64Array(offsets[this.n]), isTp = new Uint8Array(offsets[this.n]);
    for (let c = 0; c < this.n; c++) {
      confidence.set(this.conf[c], offsets[c]);
      isTp.set(this.tp[c], offsets[c]);
    }
    return { tileId, numGt, offsets, confidence, isTp, counts: this.counts };
  }
}

/** Every (dilation, min-area, glomerulus) cell of one (tta, threshold) from its candidates. */
function sweepThreshold(cands: readonly Candidate[], gt: TileGroundTruth, grid: SweepGrid, ignoreMode: IgnoreMode, ti: number, hi: number, width: number, height: number, out: TileCells): void {
  const gts = gt.vessels;
  const minMin = Math.min(...grid.minArea);
  const anyKeep = grid.glomerulus.includes('keep');
  const live = cands.filter((c) => c.mask.area >= minMin && (anyKeep || !c.inGlomerulus));
  const thr = DEFAULT_AP_OPTIONS.iouThreshold;
  const matched = new Int32Array(gts.length);
  for (let di = 0; di < grid.dilation.length; di++) {
    const d = grid.dilation[di];
    const masks = live.map((c) => (d > 0 ? dilateInstance(c.mask, d, height, width) : c.mask));
    const iou = masks.map((m) => gts.map((g) => maskIou(m, g)));
    const absorb = ignoreMode === 'ignore' ? masks.map((m) => absorbed(m, gt.ignoreRegions)) : undefined;
    for (let mi = 0; mi < grid.minArea.length; mi++) {
      const minArea = grid.minArea[mi];
      for (let gi = 0; gi < grid.glomerulus.length; gi++) {
        const remove = grid.glomerulus[gi] === 'remove';
        const cell = cellIndex(grid, ti, hi, di, mi, gi);
        matched.fill(0);
        let tp = 0, fp = 0, ignored = 0;
        for (let k = 0; k < live.length; k++) {
          const c = live[k];
          if (c.mask.area < minArea || (remove && c.inGlomerulus)) continue;
          const row = iou[k];
          let best = -1, bestIou = -1;
          for (let g = 0; g < row.length; g++) if (!matched[g] && row[g] >= thr && row[g] > bestIou) { bestIou = row[g]; best = g; }
          if (best >= 0) {
            matched[best] = 1;
            tp++;
            out.push(cell, c.confidence, true);
          } else if (absorb?.[k]) {
            ignored++;
          } else {
            fp++;
            out.push(cell, c.confidence, false);
          }
        }
        out.counts.set([tp, fp, gts.length - tp, ignored], cell * 4);
      }
    }
  }
}

/** Outputs of one tile: semantic maps by transform, or one instance-model output. */
export type TileOutputs = { kind: 'semantic'; maps: ReadonlyMap<TtaTransform, CachedSemantic> } | { kind: 'instance' | 'yolov8-seg'; output: CachedInstances | CachedYolo };

/** Groups a tile's cached outputs (by transform) for sweepTile. */
export function tileOutputs(byTransform: ReadonlyMap<TtaTransform, CachedOutput>, tileId: string): TileOutputs {
  const first = byTransform.get('identity') ?? [...byTransform.values()][0];
  if (!first) throw new Error(`tile ${tileId}: no cached model output`);
  if (first.kind === 'semantic') return { kind: 'semantic', maps: byTransform as ReadonlyMap<TtaTransform, CachedSemantic> };
  return { kind: first.kind, output: first };
}

/** One annotated tile through every cell of the grid (cells in cellIndex order). */
export function sweepTile(tileId: string, outputs: TileOutputs, gt: TileGroundTruth, grid: SweepGrid, ignoreMode: IgnoreMode): TileSweep {
  const out = new TileCells(cellCount(grid));
  const glom = gt.glomerulus;
  if (outputs.kind === 'semantic') {
    const any = [...outputs.maps.values()][0];
    if (!any) throw new Error(`tile ${tileId}: no cached model output`);
    const { width, height } = any;
    const deq = new Map<TtaTransform, Float32Array>();
    grid.tta.forEach((v, ti) => {
      const levels = variantLevels(outputs.maps, TTA_VARIANTS[v], tileId, deq);
      levelCandidatesPerThreshold(levels, height, width, grid.threshold, glom).forEach((cands, hi) => sweepThreshold(cands, gt, grid, ignoreMode, ti, hi, width, height, out));
    });
  } else {
    // Instance models get no TTA (as in Predict): every TTA variant scores the same candidates.
    const o = outputs.output;
    const perThreshold = grid.threshold.map((t) => instanceOutputCandidates(o, t, glom, tileId));
    grid.tta.forEach((_v, ti) => perThreshold.forEach((cands, hi) => sweepThreshold(cands, gt, grid, ignoreMode, ti, hi, o.width, o.height, out)));
  }
  return out.finish(tileId, gt.vessels.length);
}
