/** Aggregates of an index: per WSI, per dataset, per class; and the CLI's JSON report. */
import { CLASS_NAMES, type ClassCounts, type ClassName, type DatasetIndex, type Problem, type TileRecord } from '../types';
import { zeroCounts } from './polygonsJsonl';

export interface ClassSummary {
  instances: number;
  tiles: number;
  area: number;
}

export interface DatasetSummary {
  tiles: { meta: number; train: number; test: number };
  polygonLines: number;
  annotatedTiles: number;
  classes: Record<ClassName, ClassSummary>;
  wsis: Record<string, { tiles: number; byDataset: Record<string, number>; counts: ClassCounts }>;
  datasets: Record<string, { tiles: number; withImage: number; annotated: number; counts: ClassCounts }>;
  problemCounts: { error: number; warning: number; info: number };
}

/** Key under which tiles without a WSI (test tiles, orphans) are grouped. */
export const NO_WSI = 'none';

/** Compute the summary of an index. */
export function summarize(index: DatasetIndex): DatasetSummary {
  const classes = Object.fromEntries(CLASS_NAMES.map((c) => [c, { instances: 0, tiles: 0, area: 0 }])) as Record<ClassName, ClassSummary>;
  const wsis: DatasetSummary['wsis'] = {};
  const datasets: DatasetSummary['datasets'] = {};
  for (const t of index.tiles.values()) {
    for (const c of CLASS_NAMES) {
      if (t.counts[c] > 0) {
        classes[c].instances += t.counts[c];
        classes[c].tiles++;
        classes[c].area += t.areas[c];
      }
    }
    const wk = t.wsi === undefined ? NO_WSI : String(t.wsi);
    const dk = t.dataset === undefined ? NO_WSI : String(t.dataset);
    const w = (wsis[wk] ??= { tiles: 0, byDataset: {}, counts: zeroCounts() });
    w.tiles++;
    w.byDataset[dk] = (w.byDataset[dk] ?? 0) + 1;
    const d = (datasets[dk] ??= { tiles: 0, withImage: 0, annotated: 0, counts: zeroCounts() });
    d.tiles++;
    if (t.image) d.withImage++;
    if (t.polygonsLine !== undefined) d.annotated++;
    for (const c of CLASS_NAMES) {
      w.counts[c] += t.counts[c];
      d.counts[c] += t.counts[c];
    }
  }
  const problemCounts = { error: 0, warning: 0, info: 0 };
  for (const p of index.problems) problemCounts[p.severity]++;
  return {
    tiles: { meta: index.stats.metaRows, train: index.stats.trainImages, test: index.stats.testImages },
    polygonLines: index.stats.polygonLines,
    annotatedTiles: index.stats.annotatedTiles,
    classes,
    wsis,
    datasets,
    problemCounts,
  };
}

/** The state of a tile for icons and filters. */
export function tileState(t: TileRecord): 'annotated' | 'notAnnotated' | 'imageMissing' {
  if (!t.image) return 'imageMissing';
  return t.polygonsLine !== undefined ? 'annotated' : 'notAnnotated';
}

/** Problems sorted by file, then line, for stable output. */
export function sortedProblems(problems: Problem[]): Problem[] {
  const rank = { error: 0, warning: 1, info: 2 };
  return [...problems].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || rank[a.severity] - rank[b.severity]);
}
