/** The leakage check: tiles of one WSI whose pixel footprints overlap but lie in different folds. */
import type { Problem } from '../types';
import { ALWAYS_TRAIN, type FoldAssignment, type FoldTile } from './foldTypes';

const TILE = 512;

/** A pixel footprint in its WSI: a tile, or the source pixels of a context / shifted tile. */
export interface Footprint {
  id: string;
  wsi: number;
  x: number;
  y: number;
  width: number;
  height: number;
  /** tile_meta.csv line, to locate a Problem. */
  line?: number;
}

/** Two footprints of one WSI that share pixels. */
export interface OverlapPair {
  a: string;
  b: string;
  wsi: number;
  /** Shared pixels. */
  overlapPx: number;
  /** Intersection rectangle width x height. */
  width: number;
  height: number;
}

/** A pair in different folds: one is validated while the other trains on the same pixels. */
export interface LeakPair extends OverlapPair {
  foldA: number;
  foldB: number;
}

/** The footprint of a tile (its 512 x 512 pixels at i, j). */
export function tileFootprint(t: Pick<FoldTile, 'id' | 'wsi' | 'i' | 'j' | 'size'>): Footprint {
  return { id: t.id, wsi: t.wsi, x: t.i, y: t.j, width: t.size ?? TILE, height: t.size ?? TILE };
}

/** Every pair of footprints of one WSI with shared pixels (> 0 px), a grid hash so it is O(n) for tiles. */
export function overlappingPairs(items: readonly Footprint[]): OverlapPair[] {
  const cells = new Map<string, number[]>();
  const cellOf = (v: number) => Math.floor(v / TILE);
  items.forEach((f, n) => {
    for (let cx = cellOf(f.x); cx <= cellOf(f.x + f.width - 1); cx++) {
      for (let cy = cellOf(f.y); cy <= cellOf(f.y + f.height - 1); cy++) {
        const key = `${f.wsi}:${cx}:${cy}`;
        const list = cells.get(key);
        if (list) list.push(n);
        else cells.set(key, [n]);
      }
    }
  });
  const seen = new Set<number>();
  const out: OverlapPair[] = [];
  const n = items.length;
  for (const list of cells.values()) {
    for (let p = 0; p < list.length; p++) {
      for (let q = p + 1; q < list.length; q++) {
        const u = Math.min(list[p], list[q]), v = Math.max(list[p], list[q]);
        const key = u * n + v;
        if (seen.has(key)) continue;
        seen.add(key);
        const A = items[u], B = items[v];
        const w = Math.min(A.x + A.width, B.x + B.width) - Math.max(A.x, B.x);
        const h = Math.min(A.y + A.height, B.y + B.height) - Math.max(A.y, B.y);
        if (w > 0 && h > 0) out.push({ a: A.id, b: B.id, wsi: A.wsi, overlapPx: w * h, width: w, height: h });
      }
    }
  }
  return out.sort((x, y) => x.wsi - y.wsi || (x.a < y.a ? -1 : x.a > y.a ? 1 : x.b < y.b ? -1 : 1));
}

/** The overlapping pairs whose tiles lie in different folds (ALWAYS_TRAIN counts as a side of its own). Grouped schemes must give none. */
export function checkLeakage(items: readonly Footprint[], folds: FoldAssignment | Map<string, number>): LeakPair[] {
  const fold = folds instanceof Map ? folds : folds.fold;
  const out: LeakPair[] = [];
  for (const p of overlappingPairs(items.filter((f) => fold.has(f.id)))) {
    const fa = fold.get(p.a)!, fb = fold.get(p.b)!;
    if (fa !== fb) out.push({ ...p, foldA: fa, foldB: fb });
  }
  return out;
}

const foldName = (f: number) => (f === ALWAYS_TRAIN ? 'always-train' : `fold ${f}`);

/** The leaks as Problems on tile_meta.csv (warning, code 'fold-leak'), one per pair. */
export function leakProblems(leaks: readonly LeakPair[], lines: ReadonlyMap<string, number> = new Map(), file = 'tile_meta.csv'): Problem[] {
  return leaks.map((l) => ({
    file,
    line: lines.get(l.a) ?? 0,
    severity: 'warning' as const,
    code: 'fold-leak',
    message: `Tiles ${l.a} (${foldName(l.foldA)}) and ${l.b} (${foldName(l.foldB)}) of WSI ${l.wsi} overlap by ${l.overlapPx} px (${l.width} x ${l.height}): validating one while training on the other leaks pixels. Use a scheme grouped by WSI or by position.`,
  }));
}
