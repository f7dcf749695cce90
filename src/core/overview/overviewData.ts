/**
 * The Dataset Overview's aggregates, computed in the extension host from the index and one
 * polygon pass, and sent to the webview as compact chart data (never the polygons themselves).
 */
import { tileState } from '../dataset';
import { AREA_BIN_EDGES, DASHBOARD_TILE_SIZE, passFromIndex, type PolygonPass } from './polygonPass';
import { CLASS_NAMES, type ClassName, type DatasetIndex, type Severity, type TileRecord, type TileState } from '../types';
import type { BarChart, ChartSeries, ColorRef, DashboardData, ProblemGroup, QualityItem, SlideMapWsi, WsiMetaRow } from '../types';
// The overview's plain data types live in core/types (the webview imports them); re-exported for core callers.
export { CHART_IDS, QUALITY_KEYS, type BarChart, type ChartId, type ChartSeries, type ColorRef, type DashboardData, type ProblemGroup, type QualityItem, type QualityKey, type SlideMapWsi, type WsiMetaRow } from '../types';


/** Host-side model: the data sent plus what is needed to turn a click into a tile filter. */
export interface DashboardModel {
  index: DatasetIndex;
  pass: PolygonPass;
  data: DashboardData;
}

export const TILE_STATES: readonly TileState[] = ['annotated', 'notAnnotated', 'imageMissing'];
const STATE_LABEL: Record<TileState, string> = { annotated: 'annotated', notAnnotated: 'not annotated', imageMissing: 'image missing' };
const STATE_SHADE: Record<TileState, number> = { annotated: 1, notAnnotated: 0.55, imageMissing: 0.25 };
/** Vessel-fraction bins: 2 % wide up to 30 %, then one open bin. */
export const FRACTION_BINS = 16;
const NO_KEY = -1;

/** Sorted numeric keys, with tiles lacking the key (test tiles) under -1 last. */
function keysOf(tiles: TileRecord[], key: (t: TileRecord) => number | undefined): number[] {
  const s = new Set<number>();
  for (const t of tiles) s.add(key(t) ?? NO_KEY);
  return [...s].sort((a, b) => (a === NO_KEY ? 1 : b === NO_KEY ? -1 : a - b));
}

const wsiLabel = (w: number) => (w === NO_KEY ? 'no WSI' : `WSI ${w}`);
const dsLabel = (d: number) => (d === NO_KEY ? 'no dataset' : `dataset ${d}`);
const dsColor = (d: number): ColorRef => `dataset:${d === NO_KEY ? 'none' : String(d)}`;
const classLabel = (c: ClassName) => c.replace('_', ' ');

/** Human label of an area bin ("64-128 px²"). */
export function areaBinLabel(b: number): string {
  const k = (v: number) => (v >= 1024 ? `${v / 1024}k` : String(v));
  const lo = AREA_BIN_EDGES[b];
  return b + 1 < AREA_BIN_EDGES.length ? `${k(lo)}-${k(AREA_BIN_EDGES[b + 1])}` : `≥${k(lo)}`;
}

/** Width of the vessels-per-tile bins: 1, or wider so that there are at most 30 bins. */
export function vesselBinWidth(maxCount: number): number {
  return Math.max(1, Math.ceil((maxCount + 1) / 30));
}

/** Vessel-fraction bin of a tile's vessel pixels (integer arithmetic: exact at the edges). */
export function fractionBin(pixels: number, size = DASHBOARD_TILE_SIZE): number {
  return Math.min(FRACTION_BINS - 1, Math.floor((pixels * 50) / (size * size)));
}

/** Build the chart data from an index and its polygon pass. */
export function buildDashboard(index: DatasetIndex, pass: PolygonPass, name = index.root.split(/[\\/]/).filter(Boolean).pop() ?? index.root): DashboardData {
  const t0 = performance.now();
  const tiles = [...index.tiles.values()];
  const wsis = keysOf(tiles, (t) => t.wsi);
  const dss = keysOf(tiles, (t) => t.dataset);
  const wIdx = new Map(wsis.map((w, k) => [w, k]));
  const dIdx = new Map(dss.map((d, k) => [d, k]));
  const zeros = (n: number) => new Array<number>(n).fill(0);
  const annotated = tiles.filter((t) => t.polygonsLine !== undefined);

  // 1. Tiles per WSI, stacked by dataset x state.
  const perWsi = dss.map(() => TILE_STATES.map(() => zeros(wsis.length)));
  const totals = { tiles: tiles.length, annotated: 0, notAnnotated: 0, imageMissing: 0, polygons: 0, wsis: wsis.filter((w) => w !== NO_KEY).length };
  for (const t of tiles) {
    const s = tileState(t);
    totals[s]++;
    perWsi[dIdx.get(t.dataset ?? NO_KEY)!][TILE_STATES.indexOf(s)][wIdx.get(t.wsi ?? NO_KEY)!]++;
    for (const c of CLASS_NAMES) totals.polygons += t.counts[c];
  }
  const tilesPerWsi: BarChart = {
    id: 'tilesPerWsi', title: 'Tiles per WSI', xTitle: 'WSI', yTitle: 'tiles', labels: wsis.map(wsiLabel), keys: wsis, distribution: false,
    clickHint: 'Click a bar: show that WSI\'s tiles in the tile browser.',
    series: dss.flatMap((d, di) => TILE_STATES.map((s, si) => ({ label: `${dsLabel(d)}, ${STATE_LABEL[s]}`, color: dsColor(d), dataset: d, shade: STATE_SHADE[s], stack: 'tiles', values: perWsi[di][si] }))).filter((s) => s.values.some((v) => v > 0)),
  };

  // 2. Class balance.
  const byDs = CLASS_NAMES.map(() => zeros(dss.length));
  const byWsi = CLASS_NAMES.map(() => zeros(wsis.length));
  const withCls = CLASS_NAMES.map(() => zeros(dss.length));
  for (const t of tiles) {
    const di = dIdx.get(t.dataset ?? NO_KEY)!, wi = wIdx.get(t.wsi ?? NO_KEY)!;
    CLASS_NAMES.forEach((c, ci) => {
      byDs[ci][di] += t.counts[c];
      byWsi[ci][wi] += t.counts[c];
      if (t.counts[c] > 0) withCls[ci][di]++;
    });
  }
  const classSeries = (rows: number[][]): ChartSeries[] => CLASS_NAMES.map((c, ci) => ({ label: classLabel(c), color: `class:${c}` as ColorRef, shade: 1, cls: c, values: rows[ci] }));
  const classByDataset: BarChart = { id: 'classByDataset', title: 'Instances per class by dataset', xTitle: 'dataset', yTitle: 'polygons', labels: dss.map(dsLabel), keys: dss, series: classSeries(byDs), distribution: false, clickHint: 'Click a bar: tiles of that dataset holding that class.' };
  const classByWsi: BarChart = { id: 'classByWsi', title: 'Instances per class by WSI', xTitle: 'WSI', yTitle: 'polygons', labels: wsis.map(wsiLabel), keys: wsis, series: classSeries(byWsi), distribution: false, clickHint: 'Click a bar: tiles of that WSI holding that class.' };
  const tilesWithClass: BarChart = { id: 'tilesWithClass', title: 'Tiles containing each class', xTitle: 'dataset', yTitle: 'tiles', labels: dss.map(dsLabel), keys: dss, series: classSeries(withCls), distribution: false, clickHint: 'Click a bar: those tiles.' };

  // 3. Distributions.
  const areaHist: BarChart = {
    id: 'areaHist', title: 'Polygon area per class (log bins)', xTitle: 'area, px² (bins double)', yTitle: 'polygons', distribution: true,
    labels: AREA_BIN_EDGES.map((_, b) => areaBinLabel(b)), keys: AREA_BIN_EDGES.map((_, b) => b), clickHint: 'Click a bin: tiles with a polygon of that class and size.',
    series: CLASS_NAMES.map((c) => ({ label: classLabel(c), color: `class:${c}` as ColorRef, shade: 1, cls: c, values: [...pass.areaHist[c]] })),
  };
  const maxV = annotated.reduce((m, t) => Math.max(m, t.counts.blood_vessel), 0);
  const vw = vesselBinWidth(maxV);
  const nvBins = Math.floor(maxV / vw) + 1;
  const vCounts = dss.map(() => zeros(nvBins));
  const fCounts = dss.map(() => zeros(FRACTION_BINS));
  for (const t of annotated) {
    const di = dIdx.get(t.dataset ?? NO_KEY)!;
    vCounts[di][Math.floor(t.counts.blood_vessel / vw)]++;
    const st = pass.tiles.get(t.id);
    if (st) fCounts[di][fractionBin(st.vesselPixels)]++;
  }
  const dsSeries = (rows: number[][]): ChartSeries[] => dss.map((d, di) => ({ label: dsLabel(d), color: dsColor(d), shade: 1, stack: 'tiles', dataset: d, values: rows[di] })).filter((s) => s.values.some((v) => v > 0));
  const vesselsPerTile: BarChart = {
    id: 'vesselsPerTile', title: 'Blood vessels per annotated tile', xTitle: 'blood_vessel polygons in the tile', yTitle: 'tiles', distribution: true,
    labels: Array.from({ length: nvBins }, (_, b) => (vw === 1 ? String(b) : `${b * vw}-${b * vw + vw - 1}`)), keys: Array.from({ length: nvBins }, (_, b) => b), series: dsSeries(vCounts), clickHint: 'Click a bin: those tiles.',
  };
  const vesselFraction: BarChart = {
    id: 'vesselFraction', title: 'Vessel area fraction per annotated tile', xTitle: 'share of the tile covered by blood vessels', yTitle: 'tiles', distribution: true,
    labels: Array.from({ length: FRACTION_BINS }, (_, b) => (b === FRACTION_BINS - 1 ? `≥${b * 2}%` : `${b * 2}-${b * 2 + 2}%`)), keys: Array.from({ length: FRACTION_BINS }, (_, b) => b), series: dsSeries(fCounts), clickHint: 'Click a bin: those tiles.',
  };

  // 4. Slide map.
  const maps = new Map<number, SlideMapWsi>();
  for (const t of tiles) {
    if (t.wsi === undefined || t.i === undefined || t.j === undefined) continue;
    let m = maps.get(t.wsi);
    if (!m) maps.set(t.wsi, (m = { wsi: t.wsi, ids: [], i: [], j: [], vessels: [], dataset: [], state: [] }));
    m.ids.push(t.id); m.i.push(t.i); m.j.push(t.j); m.vessels.push(t.counts.blood_vessel); m.dataset.push(t.dataset ?? NO_KEY);
    m.state.push(TILE_STATES.indexOf(tileState(t)));
  }

  // 5. WSI metadata, with WSIs that have no row.
  const tilesPer = new Map<number, number>();
  for (const t of tiles) if (t.wsi !== undefined) tilesPer.set(t.wsi, (tilesPer.get(t.wsi) ?? 0) + 1);
  const metaWsis = [...new Set([...tilesPer.keys(), ...index.wsiMeta.keys()])].sort((a, b) => a - b);
  const wsiMeta: WsiMetaRow[] = metaWsis.map((w) => {
    const m = index.wsiMeta.get(w);
    return { wsi: w, tiles: tilesPer.get(w) ?? 0, hasRow: !!m, age: m?.age, sex: m?.sex, race: m?.race, height: m?.height, weight: m?.weight, bmi: m?.bmi };
  });

  // 6. Data quality.
  const groups = new Map<string, ProblemGroup>();
  const rank: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
  for (const p of index.problems) {
    const g = groups.get(p.code);
    if (!g) groups.set(p.code, { code: p.code, severity: p.severity, problems: 1, cases: p.count ?? 1, example: p.message });
    else {
      g.problems++;
      g.cases += p.count ?? 1;
      if (rank[p.severity] < rank[g.severity]) g.severity = p.severity;
    }
  }
  const problems = [...groups.values()].sort((a, b) => rank[a.severity] - rank[b.severity] || b.cases - a.cases || a.code.localeCompare(b.code));
  const noVessel = annotated.filter((t) => t.counts.blood_vessel === 0);
  const quality: QualityItem[] = [
    { key: 'duplicates', label: 'Duplicated polygons', polygons: pass.duplicates.polygons, tiles: pass.duplicates.tiles.length },
    { key: 'border', label: 'Polygons touching the tile border', polygons: pass.border.polygons, tiles: pass.border.tiles.length },
    { key: 'overlaps', label: 'Blood vessels overlapping a glomerulus', polygons: pass.overlaps.polygons, tiles: pass.overlaps.tiles.length },
    { key: 'noVessel', label: 'Annotated tiles with no blood_vessel', polygons: 0, tiles: noVessel.length },
  ];

  return {
    name,
    totals,
    charts: [tilesPerWsi, classByDataset, classByWsi, tilesWithClass, areaHist, vesselsPerTile, vesselFraction],
    slideMap: [...maps.values()].sort((a, b) => a.wsi - b.wsi),
    wsiMeta,
    problems,
    quality,
    vesselBinWidth: vw,
    timing: { polygonPassMs: pass.ms, aggregateMs: performance.now() - t0 },
  };
}

/** Index -> polygon pass (read from the index: the file is not read again) -> chart data, ready for the panel. */
export async function computeDashboard(index: DatasetIndex): Promise<DashboardModel> {
  const pass = passFromIndex(index);
  return { index, pass, data: buildDashboard(index, pass) };
}

export { NO_KEY as NO_GROUP_KEY, keysOf };
