/**
 * One streaming pass over polygons.jsonl for the dashboard's per-polygon statistics: polygon
 * area histograms, vessel pixel coverage per tile, exact duplicate polygons, polygons touching the
 * tile border, and blood vessels overlapping a glomerulus. Pixels are handled as row runs (no 512²
 * masks), so the cost follows the polygons' height.
 */
import * as path from 'node:path';
import { nodeFileReader, type FileReader } from './fileReader';
import { polygonArea } from './geometry';
import { forEachLine } from './lineReader';
import { fillRing } from './rasterize';
import { CLASS_NAMES, type ClassName, type DatasetIndex, type Ring } from './types';

export const DASHBOARD_TILE_SIZE = 512;

/** Lower edges of the polygon-area bins in px: [0, 1), [1, 2), [2, 4), ... [2^18, inf). */
export const AREA_BIN_EDGES: readonly number[] = [0, ...Array.from({ length: 19 }, (_, k) => 2 ** k)];

/** Bin of a polygon area in AREA_BIN_EDGES. */
export function areaBin(area: number): number {
  let b = 0;
  while (b + 1 < AREA_BIN_EDGES.length && area >= AREA_BIN_EDGES[b + 1]) b++;
  return b;
}

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

interface RawAnnotation { type?: unknown; coordinates?: unknown }

const CLASS_SET = new Set<string>(CLASS_NAMES);

/** An annotation of a known class with its well-formed rings and their bounding box (raw coordinates). */
interface ParsedAnnotation {
  type: ClassName;
  rings: Ring[];
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

/** Keeps only well-formed rings (>= 3 finite [x, y] points), as readTileAnnotations does, and notes their bbox. */
function parseAnnotation(type: ClassName, coords: unknown): ParsedAnnotation | undefined {
  if (!Array.isArray(coords)) return undefined;
  const rings: Ring[] = [];
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const r of coords) {
    if (!Array.isArray(r) || r.length < 3) continue;
    let ok = true;
    let rx0 = Infinity, ry0 = Infinity, rx1 = -Infinity, ry1 = -Infinity;
    for (const p of r) {
      if (!Array.isArray(p)) { ok = false; break; }
      const x: unknown = p[0], y: unknown = p[1];
      if (typeof x !== 'number' || typeof y !== 'number' || !Number.isFinite(x) || !Number.isFinite(y)) { ok = false; break; }
      if (x < rx0) rx0 = x;
      if (x > rx1) rx1 = x;
      if (y < ry0) ry0 = y;
      if (y > ry1) ry1 = y;
    }
    if (!ok) continue;
    rings.push(r as Ring);
    if (rx0 < minX) minX = rx0;
    if (rx1 > maxX) maxX = rx1;
    if (ry0 < minY) minY = ry0;
    if (ry1 > maxY) maxY = ry1;
  }
  return rings.length ? { type, rings, minX, minY, maxX, maxY } : undefined;
}

/**
 * True when the pixels of a and b could share one: every pixel of a ring lies inside the box of
 * its truncated vertices (the rasteriser truncates, and crossings lie between edge ends).
 */
function boxesMeet(a: ParsedAnnotation, b: ParsedAnnotation): boolean {
  return Math.trunc(a.minX) <= Math.trunc(b.maxX) && Math.trunc(b.minX) <= Math.trunc(a.maxX)
    && Math.trunc(a.minY) <= Math.trunc(b.maxY) && Math.trunc(b.minY) <= Math.trunc(a.maxY);
}

function ringsHash(rings: Ring[]): number {
  let h = rings.length | 0;
  for (const r of rings) {
    h = (Math.imul(h, 31) + r.length) | 0;
    for (const p of r) h = (Math.imul(h, 31) + p[0] * 4096 + p[1]) | 0;
  }
  return h;
}

function sameRings(a: Ring[], b: Ring[]): boolean {
  if (a.length !== b.length) return false;
  for (let r = 0; r < a.length; r++) {
    const x = a[r], y = b[r];
    if (x.length !== y.length) return false;
    for (let k = 0; k < x.length; k++) if (x[k][0] !== y[k][0] || x[k][1] !== y[k][1]) return false;
  }
  return true;
}

/**
 * Pixel runs of polygons, collected instead of a 512² mask: fillRing only ever calls
 * mask.fill(value, start, end) on one row at a time, so recording those calls yields the exact
 * Pillow-rule pixels as flat [start, end) runs. A run is packed as start * 1024 + length.
 */
class Runs {
  buf = new Int32Array(4096);
  n = 0;
  fill(_value: number, start: number, end: number): this {
    if (end <= start) return this;
    if (this.n === this.buf.length) {
      const b = new Int32Array(this.buf.length * 2);
      b.set(this.buf);
      this.buf = b;
    }
    this.buf[this.n++] = start * 1024 + (end - start);
    return this;
  }
  /** Add the runs of rings. */
  addRings(rings: Ring[], size: number): void {
    const asMask = this as unknown as Uint8Array; // see the class comment
    for (const r of rings) fillRing(asMask, size, size, r, 1);
  }
  /** Sort and merge into disjoint runs, pushed as [a[k], b[k]) when a and b are given; returns the pixel count. */
  merge(a?: number[], b?: number[]): number {
    const keys = this.buf.subarray(0, this.n).sort();
    let px = 0, cs = -1, ce = -1;
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k];
      const s = key >>> 10, e = s + (key & 1023);
      if (s <= ce) { if (e > ce) ce = e; continue; }
      if (ce > cs) { px += ce - cs; if (a && b) { a.push(cs); b.push(ce); } }
      cs = s; ce = e;
    }
    if (ce > cs) { px += ce - cs; if (a && b) { a.push(cs); b.push(ce); } }
    return px;
  }
}

/** True when any run in keys[from, to) intersects the disjoint sorted runs (a, b). */
function intersects(keys: Int32Array, from: number, to: number, a: number[], b: number[]): boolean {
  for (let k = from; k < to; k++) {
    const s = keys[k] >>> 10, e = s + (keys[k] & 1023);
    let lo = 0, hi = a.length - 1, j = -1; // last run starting before e
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (a[mid] < e) { j = mid; lo = mid + 1; } else hi = mid - 1;
    }
    if (j >= 0 && b[j] > s) return true;
  }
  return false;
}

/** Accumulates one tile's annotations into the pass. */
function tileStats(anns: RawAnnotation[], size: number, pass: PolygonPass, id: string, vessels: Runs, glom: Runs): TilePolygonStats {
  const stats: TilePolygonStats = { vesselPixels: 0, areaBins: { blood_vessel: 0, glomerulus: 0, unsure: 0 } };
  const parsed: ParsedAnnotation[] = [];
  const vesselList: ParsedAnnotation[] = [], glomList: ParsedAnnotation[] = [];
  for (const a of anns) {
    if (!a || typeof a !== 'object' || typeof a.type !== 'string' || !CLASS_SET.has(a.type)) continue;
    const p = parseAnnotation(a.type as ClassName, a.coordinates);
    if (!p) continue;
    parsed.push(p);
    if (p.type === 'blood_vessel') vesselList.push(p);
    else if (p.type === 'glomerulus') glomList.push(p);
  }
  // Only glomeruli whose box meets some vessel's box can overlap one: rasterise just those, first,
  // so every vessel can be checked against all of them.
  vessels.n = 0;
  glom.n = 0;
  const ga: number[] = [], gb: number[] = [];
  const drawnGlom: ParsedAnnotation[] = [];
  for (const g of glomList) {
    if (!vesselList.some((v) => boxesMeet(v, g))) continue;
    glom.addRings(g.rings, size);
    drawnGlom.push(g);
  }
  if (glom.n > 0) glom.merge(ga, gb);
  const seen = new Map<string, Ring[][]>();
  const max = size - 1;
  let dup = 0, border = 0, overlap = 0;
  for (const a of parsed) {
    const bin = areaBin(polygonArea(a.rings));
    pass.areaHist[a.type][bin]++;
    stats.areaBins[a.type] |= 1 << bin;
    const key = `${a.type}:${ringsHash(a.rings)}`;
    const same = seen.get(key);
    if (same?.some((s) => sameRings(s, a.rings))) dup++;
    else if (same) same.push(a.rings);
    else seen.set(key, [a.rings]);
    // A point on (or beyond) the border <=> the box reaches it.
    if (a.minX <= 0 || a.minY <= 0 || a.maxX >= max || a.maxY >= max) border++;
    if (a.type !== 'blood_vessel') continue;
    const from = vessels.n;
    vessels.addRings(a.rings, size);
    if (ga.length > 0 && drawnGlom.some((g) => boxesMeet(a, g)) && intersects(vessels.buf, from, vessels.n, ga, gb)) overlap++;
  }
  if (vessels.n > 0) stats.vesselPixels = vessels.merge();
  const note = (f: QualityFinding, n: number) => {
    if (n > 0) { f.polygons += n; f.tiles.push(id); }
  };
  note(pass.duplicates, dup);
  note(pass.border, border);
  note(pass.overlaps, overlap);
  return stats;
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
  const vessels = new Runs(), glom = new Runs();
  const handle = (buf: Buffer, start: number, end: number, offset: number) => {
    const id = kept.get(offset);
    if (id === undefined) return;
    let obj: { annotations?: unknown };
    try {
      const text = buf.toString('utf8', start, end);
      obj = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) as { annotations?: unknown };
    } catch {
      return; // the index already reported it
    }
    pass.lines++;
    const anns = Array.isArray(obj.annotations) ? (obj.annotations as RawAnnotation[]) : [];
    pass.tiles.set(id, tileStats(anns, size, pass, id, vessels, glom));
  };
  await forEachLine(reader, path.join(index.root, index.files.polygons), handle);
  pass.ms = performance.now() - t0;
  return pass;
}
