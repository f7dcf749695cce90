/**
 * Synthetic polygons.jsonl content: how many polygons of each class each annotated tile gets
 * (following the real per-dataset class counts) and the polygons themselves.
 */
import type { ClassName, Point } from '../types';
import { BoxMask, randomBlob, rasterBlob, styleRing, TILE_SIZE, traceBoundary } from './blobRing';
import { createRng, Rng, shuffleInPlace } from './prng';
import type { PlannedTile } from './syntheticPlan';

/** Real class counts per annotated dataset (shared/docs/hhv-dataset.md). noVesselTiles and glomerulusTiles split the documented totals (11 and 435) between the datasets: our choice. */
export const REAL_CLASS_COUNTS: Readonly<Record<1 | 2, {
  tiles: number;
  blood_vessel: number;
  glomerulus: number;
  unsure: number;
  noVesselTiles: number;
  glomerulusTiles: number;
  duplicates: number;
}>> = {
  1: { tiles: 422, blood_vessel: 3498, glomerulus: 36, unsure: 872, noVesselTiles: 3, glomerulusTiles: 28, duplicates: 0 },
  2: { tiles: 1211, blood_vessel: 12556, glomerulus: 531, unsure: 25, noVesselTiles: 8, glomerulusTiles: 407, duplicates: 24 },
};

/** How many polygons of each class one tile gets. */
export interface TileAnnotationPlan {
  blood_vessel: number;
  glomerulus: number;
  unsure: number;
  /** How many of the vessels are exact copies of another vessel of the tile (dataset 2 quirk). */
  duplicates: number;
}

/** One generated polygon, with its raster mask (used to draw the tile image). */
export interface SyntheticPolygon {
  type: ClassName;
  /** Dense ring, first point repeated at the end like the real file. */
  ring: Point[];
  mask: BoxMask;
}

/** Spreads `extra` units over `slots` by lognormal weights (heavy-tailed like the real per-tile counts). */
function spread(extra: number, slots: number, rng: Rng, sigma: number): number[] {
  const out = new Array<number>(slots).fill(0);
  if (slots === 0) return out;
  const cum: number[] = [];
  let total = 0;
  for (let k = 0; k < slots; k++) {
    total += Math.exp(sigma * rng.normal());
    cum.push(total);
  }
  for (let e = 0; e < extra; e++) {
    const r = rng.next() * total;
    let lo = 0;
    let hi = slots - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid] < r) lo = mid + 1;
      else hi = mid;
    }
    out[lo]++;
  }
  return out;
}

/** Decides the class counts of every annotated tile (datasets 1 and 2), scaled to the planned tile counts. */
export function planAnnotations(tiles: readonly PlannedTile[], seed: number): Map<string, TileAnnotationPlan> {
  const plans = new Map<string, TileAnnotationPlan>();
  for (const ds of [1, 2] as const) {
    const real = REAL_CLASS_COUNTS[ds];
    const rng = createRng(seed, `classes-${ds}`);
    const ids = shuffleInPlace(tiles.filter((t) => t.dataset === ds).map((t) => t.id), rng);
    const n = ids.length;
    if (n === 0) continue;
    const scale = n / real.tiles;
    const vessels = Math.round(real.blood_vessel * scale);
    const gloms = Math.round(real.glomerulus * scale);
    const unsure = Math.round(real.unsure * scale);
    let glomTiles = Math.min(gloms, Math.max(gloms > 0 ? 1 : 0, Math.round(real.glomerulusTiles * scale)));
    // Tiles with no vessel hold a glomerulus (so every line has an annotation).
    const noVessel = Math.min(glomTiles, Math.round(real.noVesselTiles * scale), Math.max(0, n - 1));
    glomTiles = Math.max(glomTiles, noVessel);
    // ids[0 .. glomTiles) hold a glomerulus; the first noVessel of them hold no vessel.
    const glomPer = spread(gloms - glomTiles, glomTiles, rng, 0.5).map((x) => x + 1);
    const vesselTiles = n - noVessel;
    const vesselPer = spread(Math.max(0, vessels - vesselTiles), vesselTiles, rng, 0.8).map((x) => x + 1);
    const unsurePer = spread(unsure, n, rng, 1.0);
    for (let k = 0; k < n; k++) {
      plans.set(ids[k], {
        blood_vessel: k < noVessel ? 0 : vesselPer[k - noVessel],
        glomerulus: k < glomTiles ? glomPer[k] : 0,
        unsure: unsurePer[k],
        duplicates: 0,
      });
    }
    // A few exact duplicate vessels (dataset 2), on tiles with at least two vessels.
    const dups = Math.round(real.duplicates * scale);
    const multi = ids.filter((id) => (plans.get(id)?.blood_vessel ?? 0) >= 2);
    for (let k = 0; k < Math.min(dups, multi.length); k++) {
      const p = plans.get(multi[(k * 7919) % multi.length]);
      if (p && p.duplicates < p.blood_vessel - 1) p.duplicates++;
    }
  }
  return plans;
}

/** A random centre; `edgeBias` of them lie close to a tile border, so the shape gets clipped there. */
function centre(rng: Rng, radius: number, edgeBias: number): [number, number] {
  let x = rng.range(0, TILE_SIZE - 1);
  let y = rng.range(0, TILE_SIZE - 1);
  if (rng.next() < edgeBias) {
    const d = rng.range(0, Math.min(radius * 0.8, 60));
    const side = rng.int(4);
    if (side === 0) x = d;
    else if (side === 1) x = TILE_SIZE - 1 - d;
    else if (side === 2) y = d;
    else y = TILE_SIZE - 1 - d;
  }
  return [x, y];
}

/** Draws one polygon of a class; retries until the clipped ring has at least 8 points. */
function makePolygon(type: ClassName, rng: Rng, at?: [number, number]): SyntheticPolygon {
  for (let attempt = 0; ; attempt++) {
    const radius =
      type === 'glomerulus'
        ? rng.range(45, 105)
        : Math.min(110, Math.max(3, Math.exp(Math.log(type === 'unsure' ? 16 : 13) + 0.65 * rng.normal())));
    const [cx, cy] = at && attempt < 3 ? at : centre(rng, radius, type === 'glomerulus' ? 0.1 : 0.25);
    const mask = rasterBlob(randomBlob(rng, cx, cy, radius));
    const trace = traceBoundary(mask);
    if (trace.length >= 8 || attempt > 20) return { type, ring: styleRing(trace, rng), mask };
  }
}

/** Generates the polygons of one tile from its plan; deterministic in (seed, id). */
export function makeTilePolygons(id: string, plan: TileAnnotationPlan, seed: number): SyntheticPolygon[] {
  const rng = createRng(seed, `tile-${id}`);
  const out: SyntheticPolygon[] = [];
  const gloms: SyntheticPolygon[] = [];
  for (let k = 0; k < plan.glomerulus; k++) gloms.push(makePolygon('glomerulus', rng));
  const vessels: SyntheticPolygon[] = [];
  for (let k = 0; k < plan.blood_vessel - plan.duplicates; k++) {
    // About a third of glomerulus tiles get a vessel on the glomerulus rim: a glomerulus/vessel overlap.
    const g = k === 0 && gloms.length > 0 && rng.next() < 0.35 ? gloms[0].ring[rng.int(gloms[0].ring.length)] : undefined;
    vessels.push(makePolygon('blood_vessel', rng, g ? [g[0], g[1]] : undefined));
  }
  for (let k = 0; k < plan.duplicates; k++) vessels.push(vessels[k % vessels.length]);
  out.push(...vessels, ...gloms);
  for (let k = 0; k < plan.unsure; k++) out.push(makePolygon('unsure', rng));
  return shuffleInPlace(out, rng);
}

/** One polygons.jsonl line (compact JSON, like the real sample). */
export function polygonsLine(id: string, polygons: readonly SyntheticPolygon[]): string {
  const parts = polygons.map(
    (p) => `{"type":"${p.type}","coordinates":[[${p.ring.map((q) => `[${q[0]},${q[1]}]`).join(',')}]]}`,
  );
  return `{"id":"${id}","annotations":[${parts.join(',')}]}`;
}
