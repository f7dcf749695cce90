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

/** Sorts xs[a, b) ascending in place: insertion sort, as a row of a real ring holds a handful of crossings. */
export function sortCrossings(xs: Float32Array, a: number, b: number): void {
  for (let i = a + 1; i < b; i++) {
    const v = xs[i];
    let j = i - 1;
    while (j >= a && xs[j] > v) { xs[j + 1] = xs[j]; j--; }
    xs[j + 1] = v;
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

  // Bucket the crossings by row: total work is proportional to the ring's height sum, not rows x edges.
  const counts = new Int32Array(rows + 1);
  const m = ex0.length;
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
