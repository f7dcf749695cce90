/**
 * Polygon -> pixel mask, scanline fill.
 *
 * Boundary rule: identical to Pillow's ImageDraw.polygon(xy, fill=1, outline=1) on an 'L' image
 * (Pillow 9.x, which is how the competition notebooks built their ground-truth masks):
 * - horizontal edges are drawn whole (so boundary runs along a row are always inside);
 * - each row y crosses every non-horizontal edge whose [ymin, ymax] contains y at
 *   x = (y - y0) * dx + x0 in float32; an edge's end row (ymax) counts twice unless it is the
 *   polygon's last row; the sorted crossings pair up into runs
 *   [round-half-up(left), round-half-down(right)], both ends inclusive.
 * Vertices and, on dense rings, every boundary pixel are therefore inside the mask.
 */
import type { Annotation, ClassName, Ring } from '../types';
import { CLASS_NAMES } from '../types';

export const DEFAULT_TILE_SIZE = 512;

const f32 = Math.fround;

/** Pillow's ROUND_UP (left end of a run): nearest integer, halves away from zero. */
export function roundUp(f: number): number {
  return f >= 0 ? Math.floor(f + 0.5) : -Math.floor(-f + 0.5);
}

/** Pillow's ROUND_DOWN (right end of a run): nearest integer, halves toward zero. */
export function roundDown(f: number): number {
  return f >= 0 ? Math.ceil(f - 0.5) : -Math.ceil(-f - 0.5);
}

/** Rows above this many crossings are sorted natively (O(k log k)); below, insertion sort is faster. */
const INSERTION_MAX = 24;

/**
 * Sorts xs[a, b) ascending in place: insertion sort for the handful of crossings a row of a real
 * ring holds, the typed array's own O(k log k) sort for more (a hostile ring of 80,000 vertices
 * crosses a row tens of thousands of times).
 */
export function sortCrossings(xs: Float32Array, a: number, b: number): void {
  if (b - a > INSERTION_MAX) {
    xs.subarray(a, b).sort();
    return;
  }
  for (let i = a + 1; i < b; i++) {
    const v = xs[i];
    let j = i - 1;
    while (j >= a && xs[j] > v) { xs[j + 1] = xs[j]; j--; }
    xs[j + 1] = v;
  }
}

/** Rows with more crossings than this are radix-sorted in scanActiveEdges. */
const RADIX_MIN = 512;

/**
 * Sorts xs[0, n) ascending (the order TypedArray sort gives, -0 before +0) with an LSD radix sort
 * over the float32 bit patterns, 3 passes of 11 bits; keys and tmp are scratch of at least n.
 */
export function radixSortF32(xs: Float32Array, n: number, keys: Uint32Array, tmp: Uint32Array): void {
  const bits = new Uint32Array(xs.buffer, xs.byteOffset, xs.length);
  // Order-preserving map: flip every bit of negatives, only the sign bit of positives.
  for (let i = 0; i < n; i++) {
    const b = bits[i];
    keys[i] = b & 0x80000000 ? ~b >>> 0 : (b | 0x80000000) >>> 0;
  }
  const count = new Uint32Array(2048);
  let src = keys, dst = tmp;
  for (let shift = 0; shift < 33; shift += 11) {
    count.fill(0);
    for (let i = 0; i < n; i++) count[(src[i] >>> shift) & 0x7ff]++;
    let sum = 0;
    for (let d = 0; d < 2048; d++) { const c = count[d]; count[d] = sum; sum += c; }
    for (let i = 0; i < n; i++) { const k = src[i]; dst[count[(k >>> shift) & 0x7ff]++] = k; }
    const t = src; src = dst; dst = t;
  }
  for (let i = 0; i < n; i++) {
    const k = src[i];
    bits[i] = k & 0x80000000 ? (k & 0x7fffffff) >>> 0 : ~k >>> 0;
  }
}

/** The non-horizontal edges of a ring: m of them, edge e from (x0[e], y0[e]) spanning rows ymin[e]..ymax[e] with slope dx[e] (float32). */
export interface EdgeTable {
  m: number;
  x0: ArrayLike<number>;
  y0: ArrayLike<number>;
  ymin: ArrayLike<number>;
  ymax: ArrayLike<number>;
  dx: ArrayLike<number>;
}

/** Above this many crossings in all, a ring is filled row by row (memory O(edges)) instead of bucketing every crossing at once. */
export const BUCKET_MAX_CROSSINGS = 1 << 18;

/** How many crossings rows gymin..gymax of the edges hold (fillRing's rule: an edge's end row counts twice unless it is the last row). */
export function countCrossings(t: EdgeTable, gymin: number, gymax: number): number {
  let n = 0;
  for (let e = 0; e < t.m; e++) {
    const lo = t.ymin[e] > gymin ? t.ymin[e] : gymin, top = t.ymax[e], hi = top < gymax ? top : gymax;
    if (hi >= lo) n += hi - lo + 1 + (top <= gymax && top < gymax ? 1 : 0);
  }
  return n;
}

/**
 * The crossings of rows gymin..gymax with an active-edge list: per row, the edges that span it
 * give their crossings (same float32 values as the bucketed pass), sorted, to span(xs, a, b, y).
 * Time O(crossings + sum of k log k), memory O(edges): what keeps a hostile ring bounded.
 */
export function scanActiveEdges(t: EdgeTable, gymin: number, gymax: number, span: (xs: Float32Array, a: number, b: number, y: number) => void): void {
  const rows = gymax - gymin + 1;
  if (rows <= 0 || t.m === 0) return;
  // Edges ordered by their first row (a counting sort over the rows).
  const startAt = new Int32Array(rows + 1);
  let live = 0;
  for (let e = 0; e < t.m; e++) {
    const lo = t.ymin[e] > gymin ? t.ymin[e] : gymin, hi = t.ymax[e] < gymax ? t.ymax[e] : gymax;
    if (hi >= lo) { startAt[lo - gymin + 1]++; live++; }
  }
  for (let r = 0; r < rows; r++) startAt[r + 1] += startAt[r];
  const order = new Int32Array(live);
  const put = startAt.slice(0, rows);
  for (let e = 0; e < t.m; e++) {
    const lo = t.ymin[e] > gymin ? t.ymin[e] : gymin, hi = t.ymax[e] < gymax ? t.ymax[e] : gymax;
    if (hi >= lo) order[put[lo - gymin]++] = e;
  }
  const active = new Int32Array(live);
  const xs = new Float32Array(2 * live);
  const keys = new Uint32Array(2 * live), tmp = new Uint32Array(2 * live);
  // The active edges' values in packed typed arrays, so the row loop reads no object or array-of-number.
  const ax0 = new Float64Array(live), ay0 = new Float64Array(live), adx = new Float64Array(live), atop = new Int32Array(live);
  for (let k = 0; k < live; k++) {
    const e = order[k];
    ax0[k] = t.x0[e]; ay0[k] = t.y0[e]; adx[k] = t.dx[e]; atop[k] = t.ymax[e];
  }
  let nActive = 0;
  for (let r = 0; r < rows; r++) {
    const y = r + gymin;
    for (let k = startAt[r]; k < startAt[r + 1]; k++) active[nActive++] = k;
    let n = 0, keep = 0;
    for (let k = 0; k < nActive; k++) {
      const e = active[k];
      const top = atop[e];
      const x = Math.fround(Math.fround((y - ay0[e]) * adx[e]) + ax0[e]);
      xs[n++] = x;
      if (y === top && y < gymax) xs[n++] = x;
      if (top > y && y < gymax) active[keep++] = e; // still spans the next row
    }
    nActive = keep;
    if (n >= 2) {
      if (n > RADIX_MIN) radixSortF32(xs, n, keys, tmp);
      else sortCrossings(xs, 0, n);
      span(xs, 0, n, y);
    }
  }
}

/** Sets value on row y, columns x0..x1 inclusive, clipped to the mask. */
function hline(mask: Uint8Array | Uint16Array | Uint32Array, width: number, height: number, x0: number, y: number, x1: number, value: number): void {
  if (y < 0 || y >= height) return;
  if (x0 < 0) x0 = 0;
  else if (x0 >= width) return;
  if (x1 < 0) return;
  if (x1 >= width) x1 = width - 1;
  if (x0 > x1) return;
  const base = y * width;
  mask.fill(value, base + x0, base + x1 + 1);
}

/**
 * Fills one ring into an existing row-major mask (height x width) with value, under the rule
 * stated at the top of this file. Points are [x = column, y = row]; non-integers are truncated
 * like Pillow does.
 */
export function fillRing(
  mask: Uint8Array | Uint16Array | Uint32Array,
  width: number,
  height: number,
  ring: Ring,
  value = 1,
): void {
  const n = ring.length;
  if (n === 0) return;
  // Edge list: consecutive points, plus the closing edge unless the ring is already closed.
  const ex0: number[] = [], ey0: number[] = [], eymin: number[] = [], eymax: number[] = [], edx: number[] = [];
  let gymin = height - 1, gymax = 0;
  const addEdge = (x0: number, y0: number, x1: number, y1: number): void => {
    const ymin = Math.min(y0, y1), ymax = Math.max(y0, y1);
    if (ymin < gymin) gymin = ymin;
    if (ymax > gymax) gymax = ymax;
    if (y0 === y1) {
      hline(mask, width, height, Math.min(x0, x1), y0, Math.max(x0, x1), value);
      return;
    }
    ex0.push(x0); ey0.push(y0); eymin.push(ymin); eymax.push(ymax);
    edx.push(f32((x1 - x0) / (y1 - y0)));
  };
  let px = Math.trunc(ring[0][0]), py = Math.trunc(ring[0][1]);
  const fx = px, fy = py;
  for (let k = 1; k < n; k++) {
    const qx = Math.trunc(ring[k][0]), qy = Math.trunc(ring[k][1]);
    addEdge(px, py, qx, qy);
    px = qx; py = qy;
  }
  if (px !== fx || py !== fy || n === 1) addEdge(px, py, fx, fy);

  if (gymin < 0) gymin = 0;
  if (gymax > height) gymax = height;
  const rows = gymax - gymin + 1;
  if (rows <= 0 || ex0.length === 0) return;

  const m = ex0.length;
  const table: EdgeTable = { m, x0: ex0, y0: ey0, ymin: eymin, ymax: eymax, dx: edx };
  if (countCrossings(table, gymin, gymax) > BUCKET_MAX_CROSSINGS) {
    scanActiveEdges(table, gymin, gymax, (xs, a, b, y) => {
      for (let i = a + 1; i < b; i += 2) hline(mask, width, height, roundUp(xs[i - 1]), y, roundDown(xs[i]), value);
    });
    return;
  }
  // Bucket the crossings by row: total work is proportional to the ring's height sum, not rows x edges.
  const counts = new Int32Array(rows + 1);
  for (let e = 0; e < m; e++) {
    const lo = Math.max(eymin[e], gymin), hi = Math.min(eymax[e], gymax);
    for (let y = lo; y <= hi; y++) counts[y - gymin + 1] += y === eymax[e] && y < gymax ? 2 : 1;
  }
  for (let r = 0; r < rows; r++) counts[r + 1] += counts[r];
  const xs = new Float32Array(counts[rows]);
  const fillPos = counts.slice(0, rows);
  for (let e = 0; e < m; e++) {
    const lo = Math.max(eymin[e], gymin), hi = Math.min(eymax[e], gymax);
    const x0 = ex0[e], y0 = ey0[e], dx = edx[e];
    for (let y = lo; y <= hi; y++) {
      const x = f32(f32((y - y0) * dx) + x0);
      const r = y - gymin;
      xs[fillPos[r]++] = x;
      if (y === eymax[e] && y < gymax) xs[fillPos[r]++] = x;
    }
  }
  for (let r = 0; r < rows; r++) {
    const a = counts[r], b = counts[r + 1];
    if (b - a < 2) continue;
    sortCrossings(xs, a, b);
    const y = r + gymin;
    for (let i = a + 1; i < b; i += 2) hline(mask, width, height, roundUp(xs[i - 1]), y, roundDown(xs[i]), value);
  }
}

/** Binary mask (row-major, 1 inside) of one ring on a width x height tile (512x512 by default). */
export function rasterizeRing(ring: Ring, width = DEFAULT_TILE_SIZE, height = DEFAULT_TILE_SIZE): Uint8Array {
  const mask = new Uint8Array(width * height);
  fillRing(mask, width, height, ring, 1);
  return mask;
}

/** Binary mask of an annotation: the union of all its rings (in practice exactly one). */
export function rasterizeAnnotation(ann: Pick<Annotation, 'rings'>, width = DEFAULT_TILE_SIZE, height = DEFAULT_TILE_SIZE): Uint8Array {
  const mask = new Uint8Array(width * height);
  for (const ring of ann.rings) fillRing(mask, width, height, ring, 1);
  return mask;
}

/**
 * Instance label mask: annotation k (0-based) is drawn with id k + 1, in order, so a later
 * polygon overwrites an earlier one where they overlap (as repeated ImageDraw calls would).
 * Uint16 holds up to 65535 instances.
 */
export function rasterizeLabels(anns: readonly Pick<Annotation, 'rings'>[], width = DEFAULT_TILE_SIZE, height = DEFAULT_TILE_SIZE): Uint16Array {
  if (anns.length > 0xffff) throw new Error(`rasterizeLabels: ${anns.length} instances do not fit a 16-bit label mask (max 65535)`);
  const mask = new Uint16Array(width * height);
  anns.forEach((a, k) => {
    for (const ring of a.rings) fillRing(mask, width, height, ring, k + 1);
  });
  return mask;
}

/** One binary mask per class: the union of that class's annotations. */
export function rasterizeClasses(anns: readonly Pick<Annotation, 'rings' | 'type'>[], width = DEFAULT_TILE_SIZE, height = DEFAULT_TILE_SIZE): Record<ClassName, Uint8Array> {
  const out = {} as Record<ClassName, Uint8Array>;
  for (const c of CLASS_NAMES) out[c] = new Uint8Array(width * height);
  for (const a of anns) {
    const m = out[a.type];
    if (!m) continue;
    for (const ring of a.rings) fillRing(m, width, height, ring, 1);
  }
  return out;
}
