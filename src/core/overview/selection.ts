/** Turns a click on a dashboard chart (bar, bin or data-quality row) into the one shared tile filter. */
import { areaBinLabel, fractionBin, NO_GROUP_KEY, type ChartId, type DashboardModel, type QualityKey } from './overviewData';
import type { TileFilter } from '../dataset';
import type { TileRecord } from '../types';

/** A click on bar `x` (index into the chart's labels) of series `series` (index into its series). */
export interface BarSelection {
  chart: ChartId;
  x: number;
  series?: number;
}

/** The tiles behind a data-quality row. */
export function qualityTiles(model: DashboardModel, key: QualityKey): string[] {
  const p = model.pass;
  switch (key) {
    case 'duplicates': return [...p.duplicates.tiles];
    case 'border': return [...p.border.tiles];
    case 'overlaps': return [...p.overlaps.tiles];
    case 'noVessel': return [...model.index.tiles.values()].filter((t) => t.polygonsLine !== undefined && t.counts.blood_vessel === 0).map((t) => t.id);
  }
}

function idsWhere(model: DashboardModel, keep: (t: TileRecord) => boolean): string[] {
  const out: string[] = [];
  for (const t of model.index.tiles.values()) if (keep(t)) out.push(t.id);
  return out;
}

/** The filter for a bar click; undefined when the click is out of range. */
export function selectionFilter(model: DashboardModel, sel: BarSelection): TileFilter | undefined {
  const chart = model.data.charts.find((c) => c.id === sel.chart);
  if (!chart || sel.x < 0 || sel.x >= chart.keys.length) return undefined;
  const s = sel.series === undefined ? undefined : chart.series[sel.series];
  if (sel.series !== undefined && !s) return undefined;
  const key = chart.keys[sel.x];
  const label = chart.labels[sel.x];
  const dsOf = (d: number | undefined): Partial<TileFilter> | undefined => (d === undefined ? {} : d === NO_GROUP_KEY ? undefined : { datasets: [d] });
  switch (chart.id) {
    case 'tilesPerWsi':
    case 'classByWsi': {
      const cls = chart.id === 'classByWsi' && s?.cls ? { classes: [s.cls] } : {};
      if (key === NO_GROUP_KEY) return { ids: idsWhere(model, (t) => t.wsi === undefined && (!s?.cls || t.counts[s.cls] > 0)), idsLabel: 'tiles with no WSI' };
      return { wsis: [key], ...cls };
    }
    case 'classByDataset':
    case 'tilesWithClass': {
      const ds = dsOf(key);
      if (!ds) return { ids: idsWhere(model, (t) => t.dataset === undefined && (!s?.cls || t.counts[s.cls] > 0)), idsLabel: 'tiles with no dataset' };
      return { ...ds, ...(s?.cls ? { classes: [s.cls] } : {}) };
    }
    case 'areaHist': {
      const classes = s?.cls ? [s.cls] : (['blood_vessel', 'glomerulus', 'unsure'] as const);
      const bit = 1 << key;
      const ids = idsWhere(model, (t) => classes.some((c) => ((model.pass.tiles.get(t.id)?.areaBins[c] ?? 0) & bit) !== 0));
      return { ids, idsLabel: `${s?.cls ?? 'any'} polygon of ${areaBinLabel(key)} px²` };
    }
    case 'vesselsPerTile': {
      const w = model.data.vesselBinWidth;
      const ids = idsWhere(model, (t) => t.polygonsLine !== undefined && Math.floor(t.counts.blood_vessel / w) === key && (s?.dataset === undefined || (t.dataset ?? NO_GROUP_KEY) === s.dataset));
      return { ids, idsLabel: `${label} blood vessels per tile${s ? `, ${s.label}` : ''}` };
    }
    case 'vesselFraction': {
      const ids = idsWhere(model, (t) => {
        const st = model.pass.tiles.get(t.id);
        return !!st && t.polygonsLine !== undefined && fractionBin(st.vesselPixels) === key && (s?.dataset === undefined || (t.dataset ?? NO_GROUP_KEY) === s.dataset);
      });
      return { ids, idsLabel: `vessel area ${label} of the tile${s ? `, ${s.label}` : ''}` };
    }
  }
}

/** The filter for a data-quality row. */
export function qualityFilter(model: DashboardModel, key: QualityKey): TileFilter {
  const label = model.data.quality.find((q) => q.key === key)?.label ?? key;
  return { ids: qualityTiles(model, key), idsLabel: label.toLowerCase() };
}
