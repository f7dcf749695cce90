/**
 * The dashboard's per-polygon statistics (polygon area histograms, vessel pixel coverage per tile,
 * exact duplicate polygons, polygons touching the tile border, blood vessels overlapping a
 * glomerulus), gathered from the index: its one pass over polygons.jsonl (dataset/polygonsJsonl,
 * dataset/tileStats) computed them, so the dashboard never reads the file.
 */
import { emptyAreaHist } from '../dataset';
import { CLASS_NAMES, type ClassName, type DatasetIndex, type TileRecord } from '../types';

export const DASHBOARD_TILE_SIZE = 512;
export { AREA_BIN_EDGES, areaBin } from '../dataset';

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

