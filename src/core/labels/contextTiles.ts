/**
 * Context tiles: each tile padded with N px taken from its neighbours in the WSI (found by the i/j
 * offsets of tile_meta.csv), and the 256-px shifted tiles built from the quadrants of a 2x2 block
 * of neighbours; their labels are the sources' polygons re-offset and clipped, their masks the
 * sources' masks cropped, and their footprints feed the leakage check.
 */
import type { Footprint } from '../folds';
import type { Annotation, Ring, TileRecord } from '../types';

const TILE = 512;

/** What fills the pixels whose neighbour tile is missing. */
export type ContextFill = 'reflect' | 'zero';

/** The context-tile options of a run. */
export interface ContextOptions {
  /** Pixels added on each side of every tile (0 = none; at most 512). */
  pad: number;
  /** A missing neighbour: the tile's own pixels mirrored at its edge (numpy 'symmetric', sharp extendWith 'mirror'), or zero. */
  fill: ContextFill;
  /** Also write the 256-px shifted tiles (one per 2x2 block, anchored at its top-left tile). */
  shifted: boolean;
  /** Real quadrants a shifted tile needs (1..4; default 4 = all, the competitor's rule); missing quadrants are zero. */
  shiftedMinQuadrants?: number;
}

/** One source tile of a context tile: where its 512 x 512 pixels sit in the context tile's frame. */
export interface ContextSource {
  id: string;
  image: string;
  offset: number;
  length: number;
  checked: boolean;
  dataset: number;
  /** Top-left of the source tile in the context tile (may be negative). */
  dx: number;
  dy: number;
}

/** How one context tile is made (structured-clone safe). */
export interface ContextJob {
  kind: 'padded' | 'shifted';
  width: number;
  height: number;
  fill: ContextFill;
  /** padded: the centre tile is sources[0], at (pad, pad); missing neighbours are mirrored from it when fill = 'reflect'. */
  pad: number;
  sources: ContextSource[];
  /** The WSI position of the context tile's top-left pixel. */
  wsi: number;
  x: number;
  y: number;
}

/** A context tile to write: its id, its fold anchor (the tile whose fold it takes) and how it is made. */
export interface ContextPlan {
  id: string;
  anchor: string;
  job: ContextJob;
}

/** The problems of context options, in words (empty when fine). */
export function checkContextOptions(c: ContextOptions | undefined, instancePng: boolean): string[] {
  if (!c) return [];
  const bad: string[] = [];
  if (!Number.isInteger(c.pad) || c.pad < 0 || c.pad > TILE) bad.push(`the context padding must be an integer 0..512 px (got ${c.pad}).`);
  if (c.fill !== 'reflect' && c.fill !== 'zero') bad.push(`the context fill must be reflect or zero (got ${String(c.fill)}).`);
  const q = c.shiftedMinQuadrants ?? 4;
  if (!Number.isInteger(q) || q < 1 || q > 4) bad.push(`the real quadrants a shifted tile needs must be 1..4 (got ${q}).`);
  if ((c.pad > 0 || c.shifted) && instancePng) bad.push('instance PNGs are not written for context tiles: drop the instances format or the context options.');
  return bad;
}

/** The id of the shifted tile anchored at a tile (its top-left quadrant). */
export const shiftedTileId = (anchor: string): string => `${anchor}_shift256`;

type SourceOf = (t: TileRecord, dx: number, dy: number) => ContextSource;

/** The context tiles of the selected tiles; neighbours are looked up among the same tiles by exact i/j offsets of 512 in the same WSI. */
export function planContextTiles(tiles: readonly TileRecord[], c: ContextOptions, sourceOf: SourceOf): ContextPlan[] {
  const at = new Map<string, TileRecord>();
  for (const t of tiles) if (t.wsi !== undefined && t.i !== undefined && t.j !== undefined) at.set(`${t.wsi}:${t.i}:${t.j}`, t);
  const get = (t: TileRecord, di: number, dj: number) => at.get(`${t.wsi}:${t.i! + di}:${t.j! + dj}`);
  const plans: ContextPlan[] = [];
  const N = c.pad;
  for (const t of tiles) {
    if (t.wsi === undefined || t.i === undefined || t.j === undefined) continue;
    if (N > 0) {
      const sources = [sourceOf(t, N, N)];
      for (const oy of [-1, 0, 1]) for (const ox of [-1, 0, 1]) {
        if (ox === 0 && oy === 0) continue;
        const n = get(t, ox * TILE, oy * TILE);
        if (n) sources.push(sourceOf(n, N + ox * TILE, N + oy * TILE));
      }
      plans.push({ id: t.id, anchor: t.id, job: { kind: 'padded', width: TILE + 2 * N, height: TILE + 2 * N, fill: c.fill, pad: N, sources, wsi: t.wsi, x: t.i - N, y: t.j - N } });
    }
    if (c.shifted) {
      const sources: ContextSource[] = [];
      for (const [qx, qy] of [[0, 0], [1, 0], [0, 1], [1, 1]]) {
        const n = qx === 0 && qy === 0 ? t : get(t, qx * TILE, qy * TILE);
        if (n) sources.push(sourceOf(n, qx * TILE - TILE / 2, qy * TILE - TILE / 2));
      }
      if (sources.length >= (c.shiftedMinQuadrants ?? 4)) plans.push({ id: shiftedTileId(t.id), anchor: t.id, job: { kind: 'shifted', width: TILE, height: TILE, fill: 'zero', pad: 0, sources, wsi: t.wsi, x: t.i + TILE / 2, y: t.j + TILE / 2 } });
    }
  }
  return plans;
}

/** The WSI pixels a context tile takes from each of its sources other than its anchor (for the leakage check: id = the context tile). */
export function contextFootprints(plans: readonly ContextPlan[]): Footprint[] {
  const out: Footprint[] = [];
  for (const p of plans) {
    const j = p.job;
    for (const s of j.sources) {
      if (s.id === p.anchor && j.kind === 'padded') continue; // the tile's own pixels
      const x0 = Math.max(0, s.dx), y0 = Math.max(0, s.dy);
      const x1 = Math.min(j.width, s.dx + TILE), y1 = Math.min(j.height, s.dy + TILE);
      if (x1 > x0 && y1 > y0) out.push({ id: p.id, wsi: j.wsi, x: j.x + x0, y: j.y + y0, width: x1 - x0, height: y1 - y0 });
    }
  }
  return out;
}

/** A rectangle of the context tile and the affine map (x' = ax * x + bx, y' = ay * y + by, a = +-1) from a source's frame into it. */
interface Placement {
  source: number;
  x0: number; y0: number; x1: number; y1: number;
  ax: 1 | -1; bx: number; ay: 1 | -1; by: number;
}

/** The rectangles of a context tile and where each takes its pixels: sources by offset, then (reflect) the centre mirrored where no neighbour is. */
export function placements(j: ContextJob): Placement[] {
  const out: Placement[] = [];
  const covered: [number, number][] = [];
  j.sources.forEach((s, k) => {
    const x0 = Math.max(0, s.dx), y0 = Math.max(0, s.dy), x1 = Math.min(j.width, s.dx + TILE), y1 = Math.min(j.height, s.dy + TILE);
    if (x1 > x0 && y1 > y0) {
      out.push({ source: k, x0, y0, x1, y1, ax: 1, bx: s.dx, ay: 1, by: s.dy });
      covered.push([Math.sign(s.dx - j.pad), Math.sign(s.dy - j.pad)]);
    }
  });
  if (j.kind === 'padded' && j.fill === 'reflect' && j.pad > 0) {
    const N = j.pad;
    const band = (o: number): [number, number] => (o < 0 ? [0, N] : o === 0 ? [N, N + TILE] : [N + TILE, N + TILE + N]);
    for (const oy of [-1, 0, 1] as const) for (const ox of [-1, 0, 1] as const) {
      if ((ox === 0 && oy === 0) || covered.some(([a, b]) => a === ox && b === oy)) continue;
      const [x0, x1] = band(ox), [y0, y1] = band(oy);
      // Mirror at the tile's edge, pixel p of the centre to: N - 1 - p (left), N + p (middle), N + 1023 - p (right).
      out.push({ source: 0, x0, y0, x1, y1, ax: ox === 0 ? 1 : -1, bx: ox < 0 ? N : ox === 0 ? N : N + 2 * TILE, ay: oy === 0 ? 1 : -1, by: oy < 0 ? N : oy === 0 ? N : N + 2 * TILE });
    }
  }
  return out;
}

/**
 * A context tile's raster from its sources' 512 x 512 rasters (same convention, e.g. a class
 * mask): each rectangle copied from its source, mirrored ones pixel by pixel (pixel p of the
 * source lands on pixel a * p + b - (a < 0 ? 1 : 0), numpy 'symmetric').
 */
export function composeRaster<T extends Uint8Array | Uint16Array>(j: ContextJob, rasterOf: (source: number) => T, make: (n: number) => T): T {
  const W = j.width, out = make(W * j.height);
  for (const p of placements(j)) {
    const src = rasterOf(p.source);
    for (let y = p.y0; y < p.y1; y++) {
      const sy = p.ay === 1 ? y - p.by : p.by - 1 - y;
      const row = sy * TILE;
      if (p.ax === 1) out.set(src.subarray(row + p.x0 - p.bx, row + p.x1 - p.bx), y * W + p.x0);
      else for (let x = p.x0; x < p.x1; x++) out[y * W + x] = src[row + p.bx - 1 - x];
    }
  }
  return out;
}

/** Sutherland-Hodgman clip of a ring to an axis-aligned rectangle; consecutive duplicate points dropped. */
export function clipRing(ring: Ring, x0: number, y0: number, x1: number, y1: number): Ring {
  let pts = ring.length > 1 && ring[0][0] === ring[ring.length - 1][0] && ring[0][1] === ring[ring.length - 1][1] ? ring.slice(0, -1) : ring.slice();
  const edges: [(p: number[]) => boolean, (a: number[], b: number[]) => [number, number]][] = [
    [(p) => p[0] >= x0, (a, b) => [x0, a[1] + ((b[1] - a[1]) * (x0 - a[0])) / (b[0] - a[0])]],
    [(p) => p[0] <= x1, (a, b) => [x1, a[1] + ((b[1] - a[1]) * (x1 - a[0])) / (b[0] - a[0])]],
    [(p) => p[1] >= y0, (a, b) => [a[0] + ((b[0] - a[0]) * (y0 - a[1])) / (b[1] - a[1]), y0]],
    [(p) => p[1] <= y1, (a, b) => [a[0] + ((b[0] - a[0]) * (y1 - a[1])) / (b[1] - a[1]), y1]],
  ];
  for (const [ins, cut] of edges) {
    const next: [number, number][] = [];
    for (let k = 0; k < pts.length; k++) {
      const cur = pts[k], prev = pts[(k + pts.length - 1) % pts.length];
      if (ins(cur)) {
        if (!ins(prev)) next.push(cut(prev, cur));
        next.push([cur[0], cur[1]]);
      } else if (ins(prev)) next.push(cut(prev, cur));
    }
    pts = next;
    if (pts.length === 0) break;
  }
  const out: Ring = [];
  for (const p of pts) {
    const q: [number, number] = [Math.round(p[0] * 1e6) / 1e6, Math.round(p[1] * 1e6) / 1e6];
    const last = out[out.length - 1];
    if (!last || last[0] !== q[0] || last[1] !== q[1]) out.push(q);
  }
  if (out.length > 1 && out[0][0] === out[out.length - 1][0] && out[0][1] === out[out.length - 1][1]) out.pop();
  return out;
}

const ringArea = (r: Ring) => {
  let s = 0;
  for (let k = 0; k < r.length; k++) { const a = r[k], b = r[(k + 1) % r.length]; s += a[0] * b[1] - b[0] * a[1]; }
  return Math.abs(s) / 2;
};

/** The instances of a context tile: every placement's source instances mapped into the tile and clipped to the placement's rectangle; empty pieces dropped. */
export function composeInstances(j: ContextJob, instancesOf: (source: number) => readonly Annotation[]): Annotation[] {
  const out: Annotation[] = [];
  for (const p of placements(j)) {
    for (const a of instancesOf(p.source)) {
      const rings: Ring[] = [];
      for (const r of a.rings) {
        // Coordinates are pixel centres (Pillow's convention, as the masks): a mirrored pixel p lands on b - 1 - p, and
        // the rectangle of pixels x0..x1-1 spans x0 - 0.5 .. x1 - 0.5 (kept inside the tile).
        const mapped: Ring = r.map(([x, y]) => [p.ax === 1 ? x + p.bx : p.bx - 1 - x, p.ay === 1 ? y + p.by : p.by - 1 - y]);
        const c = clipRing(mapped, Math.max(0, p.x0 - 0.5), Math.max(0, p.y0 - 0.5), Math.min(j.width, p.x1 - 0.5), Math.min(j.height, p.y1 - 0.5));
        if (c.length >= 3 && ringArea(c) > 0) rings.push(p.ax * p.ay < 0 ? c.reverse() : c);
      }
      if (rings.length) out.push({ type: a.type, rings, area: ringArea(rings[0]) });
    }
  }
  return out;
}
