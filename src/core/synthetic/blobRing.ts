/** Random star-shaped blobs rasterised inside a 512x512 tile and their dense boundary rings (8-connected tracing). */
import type { Point } from '../types';
import { Rng } from './prng';

export const TILE_SIZE = 512;

/** A binary mask over the box [x0, x0 + w) x [y0, y0 + h) of a tile. */
export interface BoxMask {
  x0: number;
  y0: number;
  w: number;
  h: number;
  /** Row-major, 1 = inside. */
  data: Uint8Array;
}

/** Shape parameters of one blob: an ellipse with a wavy radius. */
export interface BlobShape {
  cx: number;
  cy: number;
  /** Semi-axes, px. */
  a: number;
  b: number;
  /** Rotation, radians. */
  angle: number;
  /** Harmonics of the radius: relative amplitude and phase of cos(k*theta + phase), k = 2, 3, ... */
  waves: Array<[number, number]>;
}

/** Draws a random blob shape of about `radius` px centred at (cx, cy). */
export function randomBlob(rng: Rng, cx: number, cy: number, radius: number): BlobShape {
  const elong = 1 + rng.next() * rng.next() * 1.5;
  const waves: Array<[number, number]> = [];
  for (let k = 0; k < 3; k++) waves.push([rng.next() * 0.12, rng.range(0, 2 * Math.PI)]);
  return { cx, cy, a: radius * Math.sqrt(elong), b: radius / Math.sqrt(elong), angle: rng.range(0, Math.PI), waves };
}

/** Rasterises a blob, clipped to the tile (pixel centres inside the shape). */
export function rasterBlob(s: BlobShape): BoxMask {
  const reach = Math.max(s.a, s.b) * 1.4 + 1;
  const x0 = Math.max(0, Math.floor(s.cx - reach));
  const y0 = Math.max(0, Math.floor(s.cy - reach));
  const x1 = Math.min(TILE_SIZE - 1, Math.ceil(s.cx + reach));
  const y1 = Math.min(TILE_SIZE - 1, Math.ceil(s.cy + reach));
  const w = Math.max(0, x1 - x0 + 1);
  const h = Math.max(0, y1 - y0 + 1);
  const data = new Uint8Array(w * h);
  // The wavy limit lies within 1 +- the sum of the amplitudes: atan2 only in that band.
  const swing = s.waves.reduce((a, w) => a + Math.abs(w[0]), 0);
  const surelyIn = 1 - swing;
  const surelyOut = 1 + swing;
  const cos = Math.cos(s.angle);
  const sin = Math.sin(s.angle);
  for (let y = 0; y < h; y++) {
    const dy = y0 + y - s.cy;
    for (let x = 0; x < w; x++) {
      const dx = x0 + x - s.cx;
      const u = (dx * cos + dy * sin) / s.a;
      const v = (-dx * sin + dy * cos) / s.b;
      const rho = Math.sqrt(u * u + v * v);
      if (rho > surelyOut) continue;
      if (rho <= surelyIn) {
        data[y * w + x] = 1;
        continue;
      }
      const theta = Math.atan2(v, u);
      let limit = 1;
      for (let k = 0; k < s.waves.length; k++) limit += s.waves[k][0] * Math.cos((k + 2) * theta + s.waves[k][1]);
      if (rho <= limit) data[y * w + x] = 1;
    }
  }
  return { x0, y0, w, h, data };
}

// Clockwise in image coordinates (y down), starting west.
const DX = [-1, -1, 0, 1, 1, 1, 0, -1];
const DY = [0, -1, -1, -1, 0, 1, 1, 1];

/**
 * Traces the outer boundary of the 8-connected component that holds the mask's first pixel
 * (raster order), clockwise on screen, with Moore-neighbour tracing and Jacob's stopping rule.
 * Returns tile coordinates; consecutive points differ by at most 1 in x and y. Empty mask: [].
 */
export function traceBoundary(m: BoxMask): Point[] {
  const { w, h, data } = m;
  let start = -1;
  for (let k = 0; k < data.length; k++) {
    if (data[k]) {
      start = k;
      break;
    }
  }
  if (start < 0) return [];
  const inside = (x: number, y: number): boolean => x >= 0 && y >= 0 && x < w && y < h && data[y * w + x] === 1;
  const sx = start % w;
  const sy = (start - sx) / w;
  const ring: Point[] = [[m.x0 + sx, m.y0 + sy]];
  let px = sx;
  let py = sy;
  let back = 0; // direction from p to the last background neighbour; west of the start is outside
  let firstMove = -1;
  for (let guard = 0; guard < 8 * w * h + 16; guard++) {
    let found = -1;
    for (let t = 1; t <= 8; t++) {
      const d = (back + t) % 8;
      if (inside(px + DX[d], py + DY[d])) {
        found = d;
        break;
      }
    }
    if (found < 0) return ring; // a single pixel
    // Stop when the first move would repeat (Jacob's rule, on moves rather than entries).
    if (firstMove < 0) firstMove = found;
    else if (px === sx && py === sy && found === firstMove) break;
    // The neighbour examined just before `found` is background: the new backtrack, seen from the new pixel.
    const prev = (found + 7) % 8;
    const nx = px + DX[found];
    const ny = py + DY[found];
    back = dirOf(px + DX[prev] - nx, py + DY[prev] - ny);
    px = nx;
    py = ny;
    ring.push([m.x0 + px, m.y0 + py]);
  }
  // The ring closes on the start pixel; drop the repeated start if the loop ended on it.
  const last = ring[ring.length - 1];
  if (ring.length > 1 && last[0] === ring[0][0] && last[1] === ring[0][1]) ring.pop();
  return ring;
}

function dirOf(dx: number, dy: number): number {
  for (let d = 0; d < 8; d++) if (DX[d] === dx && DY[d] === dy) return d;
  throw new Error(`traceBoundary: (${dx}, ${dy}) is not a neighbour offset; this is a bug in blobRing.ts`);
}

/**
 * Shapes a traced boundary like the real polygons.jsonl rings: starts at a random point, turns
 * most diagonal steps into two axis steps (real rings: ~11% diagonal steps), repeats a few points
 * (real: ~12% zero-length steps), and repeats the first point at the end (all 1870 rings of
 * shared/data/hhv-sample end on their first point).
 */
export function styleRing(trace: Point[], rng: Rng, duplicateRate = 0.1, stairRate = 0.7): Point[] {
  if (trace.length === 0) return [];
  const off = rng.int(trace.length);
  const out: Point[] = [];
  for (let k = 0; k < trace.length; k++) {
    const p = trace[(k + off) % trace.length];
    const prev = out[out.length - 1];
    if (prev && prev[0] !== p[0] && prev[1] !== p[1] && rng.next() < stairRate) {
      out.push(rng.next() < 0.5 ? [p[0], prev[1]] : [prev[0], p[1]]);
    }
    out.push([p[0], p[1]]);
    if (rng.next() < duplicateRate) out.push([p[0], p[1]]);
  }
  out.push([out[0][0], out[0][1]]);
  return out;
}
