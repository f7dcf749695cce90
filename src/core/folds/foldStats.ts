/** Per-fold counts: tiles, instances per class, vessel-area distribution, by dataset and WSI (manifest and Dataset Overview). */
import type { FoldAssignment } from './foldTypes';

/** What foldStats needs of a tile. */
export interface FoldStatTile {
  id: string;
  wsi: number;
  dataset: number;
  /** Instances per class name. */
  counts: Readonly<Record<string, number>>;
  /** Blood-vessel area fraction of the tile (0..1). */
  vesselFraction: number;
}

/** Upper edges of the vessel-area-fraction bins (%): 0, <1, 1-2, 2-5, 5-10, 10-20, >=20. */
export const AREA_BINS_PCT = [0, 1, 2, 5, 10, 20] as const;
export const AREA_BIN_LABELS = ['0%', '<1%', '1-2%', '2-5%', '5-10%', '10-20%', '>=20%'] as const;

/** The vessel-area bin of a fraction. */
export function areaBin(fraction: number): number {
  const pct = fraction * 100;
  if (pct <= 0) return 0;
  for (let b = 1; b < AREA_BINS_PCT.length; b++) if (pct < AREA_BINS_PCT[b]) return b;
  return AREA_BINS_PCT.length;
}

/** One fold's counts. */
export interface FoldStat {
  fold: number;
  name: string;
  tiles: number;
  /** Instances per class. */
  instances: Record<string, number>;
  /** Tiles per dataset ('1', '2') and per WSI. */
  byDataset: Record<string, number>;
  byWsi: Record<string, number>;
  /** Tiles per vessel-area bin (AREA_BIN_LABELS). */
  vesselArea: number[];
}

/** Counts per fold (and one row for ALWAYS_TRAIN tiles, fold -1, when there are any). */
export function foldStats(a: FoldAssignment, tiles: readonly FoldStatTile[]): FoldStat[] {
  const rows = new Map<number, FoldStat>();
  const row = (f: number): FoldStat => {
    let r = rows.get(f);
    if (!r) rows.set(f, (r = { fold: f, name: f < 0 ? 'always train' : a.names[f] ?? `fold ${f}`, tiles: 0, instances: {}, byDataset: {}, byWsi: {}, vesselArea: new Array<number>(AREA_BIN_LABELS.length).fill(0) }));
    return r;
  };
  for (let f = 0; f < a.folds; f++) row(f);
  for (const t of tiles) {
    const f = a.fold.get(t.id);
    if (f === undefined) continue;
    const r = row(f);
    r.tiles++;
    for (const [c, n] of Object.entries(t.counts)) r.instances[c] = (r.instances[c] ?? 0) + n;
    r.byDataset[String(t.dataset)] = (r.byDataset[String(t.dataset)] ?? 0) + 1;
    r.byWsi[String(t.wsi)] = (r.byWsi[String(t.wsi)] ?? 0) + 1;
    r.vesselArea[areaBin(t.vesselFraction)]++;
  }
  return [...rows.values()].sort((x, y) => (x.fold < 0 ? 1 : y.fold < 0 ? -1 : x.fold - y.fold));
}
