/**
 * The per-tile numbers the Dataset Overview needs, computed from one line's flat annotations in
 * the index's pass: polygon area bins, vessel pixel coverage, exact duplicate polygons, polygons
 * touching the tile border and blood vessels overlapping a glomerulus.
 */
import { Coverage, RingRaster } from './coverageRaster';
import type { FlatAnnotations } from './flatAnnotations';
import { CLASS_NAMES, type ClassName, type TilePolygonNumbers } from '../types';

/** Lower edges of the polygon-area bins in px: [0, 1), [1, 2), [2, 4), ... [2^18, inf). */
export const AREA_BIN_EDGES: readonly number[] = [0, ...Array.from({ length: 19 }, (_, k) => 2 ** k)];

/** Bin of a polygon area in AREA_BIN_EDGES. */
export function areaBin(area: number): number {
  let b = 0;
  while (b + 1 < AREA_BIN_EDGES.length && area >= AREA_BIN_EDGES[b + 1]) b++;
  return b;
}

/** A zeroed per-class area histogram. */
export function emptyAreaHist(): Record<ClassName, number[]> {
  const n = AREA_BIN_EDGES.length;
  return { blood_vessel: new Array<number>(n).fill(0), glomerulus: new Array<number>(n).fill(0), unsure: new Array<number>(n).fill(0) };
}

/** Bounding box of annotation a's kept points (raw coordinates), as [minX, minY, maxX, maxY] at 4a. */
function boxes(f: FlatAnnotations, out: Float64Array): void {
  for (let a = 0; a < f.nAnn; a++) {
    let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    for (let k = f.ptStart[f.annRing[a]], to = f.ptStart[f.annRing[a + 1]]; k < to; k++) {
      const x = f.xs[k], y = f.ys[k];
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
    out[4 * a] = minX; out[4 * a + 1] = minY; out[4 * a + 2] = maxX; out[4 * a + 3] = maxY;
  }
}

/**
 * True when the pixels of annotations a and b could share one: every pixel of a ring lies inside
 * the box of its truncated vertices (the rasteriser truncates, and crossings lie between edge ends).
 */
function boxesMeet(box: Float64Array, a: number, b: number): boolean {
  const t = Math.trunc;
  return t(box[4 * a]) <= t(box[4 * b + 2]) && t(box[4 * b]) <= t(box[4 * a + 2])
    && t(box[4 * a + 1]) <= t(box[4 * b + 3]) && t(box[4 * b + 1]) <= t(box[4 * a + 3]);
}

/** geometry.polygonArea of annotation a (same operations in the same order: equal to the bit). */
function annotationArea(f: FlatAnnotations, a: number): number {
  let area = 0;
  for (let r = f.annRing[a]; r < f.annRing[a + 1]; r++) {
    const from = f.ptStart[r], to = f.ptStart[r + 1];
    let s = 0;
    for (let k = from, m = to - 1; k < to; m = k++) s += f.xs[m] * f.ys[k] - f.xs[k] * f.ys[m];
    const ring = Math.abs(s / 2);
    area = r === f.annRing[a] ? ring : area - ring;
  }
  return Math.max(0, area);
}

function annotationHash(f: FlatAnnotations, a: number): number {
  let h = (f.annRing[a + 1] - f.annRing[a]) | 0;
  for (let r = f.annRing[a]; r < f.annRing[a + 1]; r++) {
    h = (Math.imul(h, 31) + (f.ptStart[r + 1] - f.ptStart[r])) | 0;
    for (let k = f.ptStart[r]; k < f.ptStart[r + 1]; k++) h = (Math.imul(h, 31) + f.xs[k] * 4096 + f.ys[k]) | 0;
  }
  return h;
}

/** Annotations a and b have the same rings, point for point. */
function sameRings(f: FlatAnnotations, a: number, b: number): boolean {
  const ra = f.annRing[a], rb = f.annRing[b];
  if (f.annRing[a + 1] - ra !== f.annRing[b + 1] - rb) return false;
  for (let r = 0; r < f.annRing[a + 1] - ra; r++) {
    const pa = f.ptStart[ra + r], pb = f.ptStart[rb + r], n = f.ptStart[ra + r + 1] - pa;
    if (f.ptStart[rb + r + 1] - pb !== n) return false;
    for (let k = 0; k < n; k++) if (f.xs[pa + k] !== f.xs[pb + k] || f.ys[pa + k] !== f.ys[pb + k]) return false;
  }
  return true;
}

/** The class names, bound once (a named import from a folder's index is a getter call on every use). */
const NAMES: readonly ClassName[] = CLASS_NAMES;
const VESSEL = CLASS_NAMES.indexOf('blood_vessel');
const GLOMERULUS = CLASS_NAMES.indexOf('glomerulus');

/** Scratch reused from tile to tile (rasters and boxes), for one tile size. */
export class TileStatsScratch {
  box = new Float64Array(256);
  readonly raster = new RingRaster();
  readonly vessels: Coverage;
  readonly glom: Coverage;
  constructor(readonly size: number) {
    this.vessels = new Coverage(size);
    this.glom = new Coverage(size);
  }
}

/** Draw annotation a into cov; true when one of its pixels is set in probe. */
function draw(s: TileStatsScratch, f: FlatAnnotations, a: number, cov: Coverage, probe?: Coverage): boolean {
  let hit = false;
  for (let r = f.annRing[a]; r < f.annRing[a + 1]; r++) {
    if (s.raster.addRing(f.xs, f.ys, f.ptStart[r], f.ptStart[r + 1], cov, hit ? undefined : probe)) hit = true;
  }
  return hit;
}

/** One tile's numbers from its kept annotations in f; each polygon is also counted into areaHist. */
export function tileStats(f: FlatAnnotations, s: TileStatsScratch, areaHist: Record<ClassName, number[]>): TilePolygonNumbers {
  const stats: TilePolygonNumbers = { vesselPixels: 0, areaBins: { blood_vessel: 0, glomerulus: 0, unsure: 0 }, duplicates: 0, border: 0, overlaps: 0 };
  const { vessels, glom } = s;
  if (s.box.length < 4 * f.nAnn) s.box = new Float64Array(8 * f.nAnn);
  const box = s.box;
  boxes(f, box);
  const vesselList: number[] = [], glomList: number[] = [];
  for (let a = 0; a < f.nAnn; a++) {
    if (f.cls[a] === VESSEL) vesselList.push(a);
    else if (f.cls[a] === GLOMERULUS) glomList.push(a);
  }
  // Only glomeruli whose box meets some vessel's box can overlap one: rasterise just those, first,
  // so every vessel can be checked against all of them.
  vessels.clear();
  glom.clear();
  const drawnGlom: number[] = [];
  for (const g of glomList) {
    if (!vesselList.some((v) => boxesMeet(box, v, g))) continue;
    draw(s, f, g, glom);
    drawnGlom.push(g);
  }
  // Earlier annotations by class and ring hash, for exact duplicates.
  const seen = new Map<number, number[]>();
  const max = s.size - 1;
  let dup = 0, border = 0, overlap = 0;
  for (let a = 0; a < f.nAnn; a++) {
    const cls = NAMES[f.cls[a]];
    const bin = areaBin(annotationArea(f, a));
    areaHist[cls][bin]++;
    stats.areaBins[cls] |= 1 << bin;
    const key = annotationHash(f, a) * 4 + f.cls[a];
    const same = seen.get(key);
    if (same?.some((b) => sameRings(f, b, a))) dup++;
    else if (same) same.push(a);
    else seen.set(key, [a]);
    // A point on (or beyond) the border <=> the box reaches it.
    if (box[4 * a] <= 0 || box[4 * a + 1] <= 0 || box[4 * a + 2] >= max || box[4 * a + 3] >= max) border++;
    if (f.cls[a] !== VESSEL) continue;
    const probe = glom.count > 0 && drawnGlom.some((g) => boxesMeet(box, a, g)) ? glom : undefined;
    if (draw(s, f, a, vessels, probe)) overlap++;
  }
  stats.vesselPixels = vessels.count;
  stats.duplicates = dup;
  stats.border = border;
  stats.overlaps = overlap;
  return stats;
}
