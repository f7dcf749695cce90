/**
 * One streaming pass over polygons.jsonl for the dashboard's per-polygon statistics: polygon
 * area histograms, vessel pixel coverage per tile, exact duplicate polygons, polygons touching the
 * tile border, and blood vessels overlapping a glomerulus. Lines are read straight from their bytes
 * (dashboardLineScan) and pixels set in a reused tile bit set (dashboardRaster), so the cost follows
 * the bytes and the polygons' outlines.
 */
import * as path from 'node:path';
import { nodeFileReader, type FileReader } from '../dataset';
import { FlatAnnotations, flattenParsed, scanLine } from './lineScan';
import { Coverage, RingRaster } from './overviewRaster';
import { forEachLine } from '../dataset';
import { CLASS_NAMES, type ClassName, type DatasetIndex, type TileRecord } from '../types';

export const DASHBOARD_TILE_SIZE = 512;
export { AREA_BIN_EDGES, areaBin } from '../dataset';
import { AREA_BIN_EDGES, areaBin, emptyAreaHist } from '../dataset';

/** What the pass learned about one annotated tile. */
export interface TilePolygonStats {
  /** Pixels covered by the union of its blood_vessel polygons (Pillow fill rule). */
  vesselPixels: number;
  /** Per class, a bit mask of the area bins its polygons fall in (bit k = bin k). */
  areaBins: Record<ClassName, number>;
}

/** Polygons and tiles behind one data-quality finding. */
export interface QualityFinding {
  polygons: number;
  tiles: string[];
}

export interface PolygonPass {
  tiles: Map<string, TilePolygonStats>;
  /** Per class, polygons per area bin. */
  areaHist: Record<ClassName, number[]>;
  /** Polygons that repeat an earlier polygon of the same class in the same tile exactly. */
  duplicates: QualityFinding;
  /** Polygons with a point on (or beyond) the tile border (x or y at 0 or 511). */
  border: QualityFinding;
  /** Blood vessels whose pixels overlap a glomerulus of the same tile. */
  overlaps: QualityFinding;
  /** Lines read and how long the pass took. */
  lines: number;
  ms: number;
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

const VESSEL = CLASS_NAMES.indexOf('blood_vessel');
const GLOMERULUS = CLASS_NAMES.indexOf('glomerulus');

/** Scratch reused from tile to tile. */
interface Scratch {
  flat: FlatAnnotations;
  box: Float64Array;
  raster: RingRaster;
  vessels: Coverage;
  glom: Coverage;
}

/** Draw annotation a into cov; true when one of its pixels is set in probe. */
function draw(s: Scratch, a: number, cov: Coverage, probe?: Coverage): boolean {
  const f = s.flat;
  let hit = false;
  for (let r = f.annRing[a]; r < f.annRing[a + 1]; r++) {
    if (s.raster.addRing(f.xs, f.ys, f.ptStart[r], f.ptStart[r + 1], cov, hit ? undefined : probe)) hit = true;
  }
  return hit;
}

/** Accumulates one tile's kept annotations (in scratch.flat) into the pass. */
function tileStats(s: Scratch, size: number, pass: PolygonPass, id: string): TilePolygonStats {
  const stats: TilePolygonStats = { vesselPixels: 0, areaBins: { blood_vessel: 0, glomerulus: 0, unsure: 0 } };
  const f = s.flat, { vessels, glom } = s;
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
    draw(s, g, glom);
    drawnGlom.push(g);
  }
  // Earlier annotations by class and ring hash, for exact duplicates.
  const seen = new Map<number, number[]>();
  const max = size - 1;
  let dup = 0, border = 0, overlap = 0;
  for (let a = 0; a < f.nAnn; a++) {
    const cls = CLASS_NAMES[f.cls[a]];
    const bin = areaBin(annotationArea(f, a));
    pass.areaHist[cls][bin]++;
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
    if (draw(s, a, vessels, probe)) overlap++;
  }
  stats.vesselPixels = vessels.count;
  const note = (q: QualityFinding, n: number) => {
    if (n > 0) { q.polygons += n; q.tiles.push(id); }
  };
  note(pass.duplicates, dup);
  note(pass.border, border);
  note(pass.overlaps, overlap);
  return stats;
}

/**
 * The pass as the index's one read of polygons.jsonl computed it: no file is read. Tiles of the
 * findings are in file order (by polygons.jsonl line), as a pass over the file lists them.
 */
export function passFromIndex(index: DatasetIndex): PolygonPass {
  const t0 = performance.now();
  const pass: PolygonPass = {
    tiles: new Map(),
    areaHist: emptyAreaHist(),
    duplicates: { polygons: 0, tiles: [] },
    border: { polygons: 0, tiles: [] },
    overlaps: { polygons: 0, tiles: [] },
    lines: 0,
    ms: 0,
  };
  if (!index.files.polygons) return pass;
  if (index.areaHist) for (const c of CLASS_NAMES) pass.areaHist[c] = [...index.areaHist[c]];
  const kept: TileRecord[] = [];
  for (const t of index.tiles.values()) if (t.polygonStats && t.polygonsLine !== undefined) kept.push(t);
  kept.sort((a, b) => (a.polygonsLine ?? 0) - (b.polygonsLine ?? 0));
  const note = (q: QualityFinding, n: number, id: string) => {
    if (n > 0) { q.polygons += n; q.tiles.push(id); }
  };
  for (const t of kept) {
    const st = t.polygonStats!;
    pass.tiles.set(t.id, { vesselPixels: st.vesselPixels, areaBins: { ...st.areaBins } });
    note(pass.duplicates, st.duplicates, t.id);
    note(pass.border, st.border, t.id);
    note(pass.overlaps, st.overlaps, t.id);
  }
  pass.lines = kept.length;
  pass.ms = performance.now() - t0;
  return pass;
}

/** Run the pass over the index's polygons.jsonl; lines the index did not keep (bad or repeated ids) are skipped. */
export async function polygonPass(index: DatasetIndex, reader: FileReader = nodeFileReader, size = DASHBOARD_TILE_SIZE): Promise<PolygonPass> {
  const t0 = performance.now();
  const bins = AREA_BIN_EDGES.length;
  const pass: PolygonPass = {
    tiles: new Map(),
    areaHist: { blood_vessel: new Array<number>(bins).fill(0), glomerulus: new Array<number>(bins).fill(0), unsure: new Array<number>(bins).fill(0) },
    duplicates: { polygons: 0, tiles: [] },
    border: { polygons: 0, tiles: [] },
    overlaps: { polygons: 0, tiles: [] },
    lines: 0,
    ms: 0,
  };
  if (!index.files.polygons) return pass;
  // Offsets of the lines the index kept: a line is used only when its offset matches its tile's.
  const kept = new Map<number, string>();
  for (const t of index.tiles.values()) if (t.polygonsOffset !== undefined) kept.set(t.polygonsOffset, t.id);
  const scratch: Scratch = { flat: new FlatAnnotations(), box: new Float64Array(256), raster: new RingRaster(), vessels: new Coverage(size), glom: new Coverage(size) };
  const handle = (buf: Buffer, start: number, end: number, offset: number) => {
    const id = kept.get(offset);
    if (id === undefined) return;
    // Usual lines are read straight from the bytes; any other goes through JSON.parse, with the same filter.
    if (!scanLine(buf, start, end, scratch.flat)) {
      let obj: unknown;
      try {
        const text = buf.toString('utf8', start, end);
        obj = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
      } catch {
        return; // the index already reported it
      }
      flattenParsed(obj, scratch.flat);
    }
    pass.lines++;
    pass.tiles.set(id, tileStats(scratch, size, pass, id));
  };
  await forEachLine(reader, path.join(index.root, index.files.polygons), handle);
  pass.ms = performance.now() - t0;
  return pass;
}
