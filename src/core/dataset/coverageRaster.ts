/**
 * Pixel coverage of rings given as flat coordinates, for the per-tile numbers the index's one pass
 * over polygons.jsonl computes (vessel coverage, vessel/glomerulus overlap): the same pixels as rasterize.fillRing (Pillow's fill rule, restated there), set in a tile-sized
 * bit set that counts its pixels as they are set, with reused buffers (no mask, no run list).
 */

import * as geometry from '../geometry';
import type { EdgeTable } from '../geometry';

// Bound once: a named import from a folder's index is a getter call on every use (tsc's re-exports), and these run per row.
const { BUCKET_MAX_CROSSINGS, countCrossings, roundDown, roundUp, scanActiveEdges, sortCrossings } = geometry;

const f32 = Math.fround;
/** Crossings a row of one ring holds in the one-pass case (dense outlines cross a row 2-4 times). */
const SLOTS = 8;

/** Set bits of a 32-bit word. */
function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** The pixels of a size x size tile as bits (row-major, 32 per word), with their count. */
export class Coverage {
  readonly words: number;
  readonly bits: Int32Array;
  /** Pixels set. */
  count = 0;
  private rowMin: number;
  private rowMax = -1;

  constructor(readonly size: number) {
    this.words = (size + 31) >> 5;
    this.bits = new Int32Array(this.words * size);
    this.rowMin = size;
  }

  /** Unset every pixel. */
  clear(): void {
    if (this.rowMax >= this.rowMin) this.bits.fill(0, this.rowMin * this.words, (this.rowMax + 1) * this.words);
    this.count = 0;
    this.rowMin = this.size;
    this.rowMax = -1;
  }

  /** Pixel (x, y) is set. */
  has(x: number, y: number): boolean {
    return ((this.bits[y * this.words + (x >> 5)] >>> (x & 31)) & 1) === 1;
  }

  /** Set row y, columns x0..x1 inclusive (already clipped to the tile). */
  set(y: number, x0: number, x1: number): void {
    if (y < this.rowMin) this.rowMin = y;
    if (y > this.rowMax) this.rowMax = y;
    const base = y * this.words, w1 = x1 >> 5;
    for (let w = x0 >> 5; w <= w1; w++) {
      const lo = w === x0 >> 5 ? x0 & 31 : 0, hi = w === w1 ? x1 & 31 : 31;
      const mask = (hi === 31 ? -1 : (1 << (hi + 1)) - 1) & ~((1 << lo) - 1);
      const old = this.bits[base + w];
      const add = mask & ~old;
      if (add !== 0) {
        this.count += popcount(add);
        this.bits[base + w] = old | add;
      }
    }
  }

  /** Some pixel of row y, columns x0..x1 inclusive, is set. */
  meets(y: number, x0: number, x1: number): boolean {
    if (y < this.rowMin || y > this.rowMax) return false;
    const base = y * this.words, w1 = x1 >> 5;
    for (let w = x0 >> 5; w <= w1; w++) {
      const lo = w === x0 >> 5 ? x0 & 31 : 0, hi = w === w1 ? x1 & 31 : 31;
      const mask = (hi === 31 ? -1 : (1 << (hi + 1)) - 1) & ~((1 << lo) - 1);
      if ((this.bits[base + w] & mask) !== 0) return true;
    }
    return false;
  }
}

/** Rasterises rings into a Coverage with fillRing's rule; its scratch is kept between rings. */
export class RingRaster {
  private ex0: Int32Array = new Int32Array(4096);
  private ey0: Int32Array = new Int32Array(4096);
  private eymax: Int32Array = new Int32Array(4096);
  private eymin: Int32Array = new Int32Array(4096);
  private edx: Float64Array = new Float64Array(4096);
  private counts: Int32Array = new Int32Array(1026);
  private pos: Int32Array = new Int32Array(1026);
  private xs: Float32Array = new Float32Array(1 << 14);
  private fillc: Int32Array = new Int32Array(1026);
  private slots: Float32Array = new Float32Array(1026 * SLOTS);
  /** Where the current ring goes, and what it is checked against. */
  private cov: Coverage | undefined;
  private probe: Coverage | undefined;
  private hit = false;

  /**
   * Set the pixels of the ring of points (xs[k], ys[k]), k in [from, to), in cov: exactly those
   * fillRing sets on a cov.size² mask. With probe, returns whether any of them is set in probe.
   */
  addRing(xsIn: Float64Array, ysIn: Float64Array, from: number, to: number, cov: Coverage, probe?: Coverage): boolean {
    this.cov = cov;
    this.probe = probe;
    this.hit = false;
    const size = cov.size;
    const n = to - from;
    if (n === 0) return false;
    if (n + 1 > this.ex0.length) this.growEdges(2 * (n + 1));
    const { ex0, ey0, eymin, eymax, edx } = this;
    // Edges: consecutive points, plus the closing edge unless the ring is already closed;
    // horizontal ones are drawn whole at once. Every point ends an edge, so the row range
    // (fillRing's gymin/gymax) is taken from the points.
    let m = 0;
    let gymin = size - 1, gymax = 0;
    const fx = Math.trunc(xsIn[from]), fy = Math.trunc(ysIn[from]);
    let px = fx, py = fy;
    if (py < gymin) gymin = py;
    if (py > gymax) gymax = py;
    for (let k = from + 1; k <= to; k++) {
      let qx: number, qy: number;
      if (k < to) {
        qx = Math.trunc(xsIn[k]);
        qy = Math.trunc(ysIn[k]);
        if (qy < gymin) gymin = qy;
        if (qy > gymax) gymax = qy;
      } else {
        if (px === fx && py === fy && n !== 1) break; // already closed
        qx = fx;
        qy = fy;
      }
      if (py === qy) this.hline(px < qx ? px : qx, py, px < qx ? qx : px);
      else {
        ex0[m] = px; ey0[m] = py;
        if (py < qy) { eymin[m] = py; eymax[m] = qy; } else { eymin[m] = qy; eymax[m] = py; }
        edx[m] = f32((qx - px) / (qy - py));
        m++;
      }
      px = qx; py = qy;
    }
    if (gymin < 0) gymin = 0;
    if (gymax > size) gymax = size;
    if (gymax - gymin + 1 <= 0 || m === 0) return this.hit;

    if (!this.crossingsInSlots(m, gymin, gymax)) this.crossingsBucketed(m, gymin, gymax);
    return this.hit;
  }

  /**
   * The usual case in one pass over the edges: each row's crossings go to SLOTS fixed places.
   * False, having drawn nothing, when a row has more (then crossingsBucketed does the ring).
   */
  private crossingsInSlots(m: number, gymin: number, gymax: number): boolean {
    const rows = gymax - gymin + 1;
    if (this.fillc.length < rows) { this.fillc = new Int32Array(rows); this.slots = new Float32Array(rows * SLOTS); }
    const fillc = this.fillc, slots = this.slots;
    fillc.fill(0, 0, rows);
    const { ex0, ey0, eymin, eymax, edx } = this;
    for (let e = 0; e < m; e++) {
      const lo = eymin[e] > gymin ? eymin[e] : gymin, top = eymax[e], hi = top < gymax ? top : gymax;
      const x0 = ex0[e], y0 = ey0[e], dx = edx[e];
      for (let y = lo; y <= hi; y++) {
        const x = f32(f32((y - y0) * dx) + x0);
        const r = y - gymin;
        const c = fillc[r];
        if (c + 2 > SLOTS) return false;
        slots[r * SLOTS + c] = x;
        if (y === top && y < gymax) { slots[r * SLOTS + c + 1] = x; fillc[r] = c + 2; } else fillc[r] = c + 1;
      }
    }
    for (let r = 0; r < rows; r++) this.spans(slots, r * SLOTS, r * SLOTS + fillc[r], r + gymin);
    return true;
  }

  /** Any case: crossings counted per row, then placed (two passes over the edges); a huge ring row by row (rasterize.scanActiveEdges: bounded memory, O(n log n)). */
  private crossingsBucketed(m: number, gymin: number, gymax: number): void {
    const table: EdgeTable = { m, x0: this.ex0, y0: this.ey0, ymin: this.eymin, ymax: this.eymax, dx: this.edx };
    if (countCrossings(table, gymin, gymax) > BUCKET_MAX_CROSSINGS) {
      scanActiveEdges(table, gymin, gymax, (xs, a, b, y) => {
        for (let i = a + 1; i < b; i += 2) this.hline(roundUp(xs[i - 1]), y, roundDown(xs[i]));
      });
      return;
    }
    const rows = gymax - gymin + 1;
    if (this.counts.length < rows + 1) { this.counts = new Int32Array(rows + 1); this.pos = new Int32Array(rows + 1); }
    const counts = this.counts, pos = this.pos;
    counts.fill(0, 0, rows + 1);
    const { ex0, ey0, eymin, eymax, edx } = this;
    for (let e = 0; e < m; e++) {
      const lo = eymin[e] > gymin ? eymin[e] : gymin, top = eymax[e], hi = top < gymax ? top : gymax;
      for (let y = lo; y <= hi; y++) counts[y - gymin + 1] += y === top && y < gymax ? 2 : 1;
    }
    for (let r = 0; r < rows; r++) counts[r + 1] += counts[r];
    if (this.xs.length < counts[rows]) this.xs = new Float32Array(counts[rows] * 2);
    const xs = this.xs;
    pos.set(counts.subarray(0, rows));
    for (let e = 0; e < m; e++) {
      const lo = eymin[e] > gymin ? eymin[e] : gymin, top = eymax[e], hi = top < gymax ? top : gymax;
      const x0 = ex0[e], y0 = ey0[e], dx = edx[e];
      for (let y = lo; y <= hi; y++) {
        const x = f32(f32((y - y0) * dx) + x0);
        const r = y - gymin;
        xs[pos[r]++] = x;
        if (y === top && y < gymax) xs[pos[r]++] = x;
      }
    }
    for (let r = 0; r < rows; r++) this.spans(xs, counts[r], counts[r + 1], r + gymin);
  }

  /** Sort row y's crossings xs[a, b) and draw the runs between them in pairs. */
  private spans(xs: Float32Array, a: number, b: number, y: number): void {
    if (b - a < 2) return;
    sortCrossings(xs, a, b);
    for (let i = a + 1; i < b; i += 2) this.hline(roundUp(xs[i - 1]), y, roundDown(xs[i]));
  }

  /** Row y, columns x0..x1 inclusive, clipped to the tile (rasterize.ts's hline). */
  private hline(x0: number, y: number, x1: number): void {
    const cov = this.cov!, size = cov.size;
    if (y < 0 || y >= size) return;
    if (x0 < 0) x0 = 0;
    else if (x0 >= size) return;
    if (x1 < 0) return;
    if (x1 >= size) x1 = size - 1;
    if (x0 > x1) return;
    if (this.probe && !this.hit && this.probe.meets(y, x0, x1)) this.hit = true;
    cov.set(y, x0, x1);
  }

  private growEdges(n: number): void {
    this.ex0 = new Int32Array(n); this.ey0 = new Int32Array(n);
    this.eymin = new Int32Array(n); this.eymax = new Int32Array(n);
    this.edx = new Float64Array(n);
  }
}
