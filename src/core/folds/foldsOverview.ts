/** The Dataset Overview's folds section data: per-fold counts by dataset, class and WSI, vessel-area distribution, leaks and the slide map by fold. Compact, no polygons. */
import type { TileRecord } from '../types';
import { AREA_BIN_LABELS, foldStats, type FoldStat } from './foldStats';
import type { FoldAssignment, FoldScheme } from './foldTypes';
import { checkLeakage, overlappingPairs, tileFootprint, type LeakPair } from './leakage';
import { describeScheme, makeFolds } from './makeFolds';

/** The folds section payload. */
export interface FoldsOverview {
  /** Where the folds come from: a preview of the default scheme, or the last Prepare Training Data run. */
  source: string;
  scheme: FoldScheme;
  description: string;
  names: string[];
  perFold: FoldStat[];
  areaBins: string[];
  overlappingPairs: number;
  leaks: { a: string; b: string; wsi: number; overlapPx: number; foldA: number; foldB: number }[];
  /** Per WSI the tiles at their offsets with their fold (-1 always train). */
  slides: { wsi: number; ids: string[]; i: number[]; j: number[]; fold: number[] }[];
}

/** The default preview scheme: the competitor's 5-fold stratified on dataset, seed 42. */
export const PREVIEW_SCHEME: FoldScheme = { kind: 'kfold', k: 5, seed: 42, stratify: 'dataset' };

/** The folds section for the annotated tiles (datasets 1-2, polygons line) of an index, under a scheme (or a finished assignment). */
export function foldsOverview(tiles: Iterable<TileRecord>, scheme: FoldScheme | FoldAssignment = PREVIEW_SCHEME, source = 'preview of the default scheme'): FoldsOverview | undefined {
  const sel = [...tiles].filter((t) => t.polygonsLine !== undefined && (t.dataset === 1 || t.dataset === 2) && t.wsi !== undefined);
  if (sel.length < 2) return undefined;
  const ft = sel.map((t) => ({ id: t.id, wsi: t.wsi!, dataset: t.dataset!, i: t.i ?? 0, j: t.j ?? 0, vessels: t.counts.blood_vessel, classes: (Object.keys(t.counts) as (keyof typeof t.counts)[]).filter((c) => t.counts[c] > 0) }));
  let a: FoldAssignment;
  try {
    a = 'fold' in scheme ? scheme : makeFolds(ft, scheme);
  } catch {
    return undefined;
  }
  const inFolds = sel.filter((t) => a.fold.has(t.id));
  const fps = inFolds.map((t) => tileFootprint({ id: t.id, wsi: t.wsi!, i: t.i ?? 0, j: t.j ?? 0 }));
  const leaks: LeakPair[] = checkLeakage(fps, a);
  const slides = new Map<number, FoldsOverview['slides'][number]>();
  for (const t of inFolds) {
    let s = slides.get(t.wsi!);
    if (!s) slides.set(t.wsi!, (s = { wsi: t.wsi!, ids: [], i: [], j: [], fold: [] }));
    s.ids.push(t.id); s.i.push(t.i ?? 0); s.j.push(t.j ?? 0); s.fold.push(a.fold.get(t.id)!);
  }
  return {
    source,
    scheme: a.scheme,
    description: describeScheme(a.scheme),
    names: a.names,
    perFold: foldStats(a, inFolds.map((t) => ({ id: t.id, wsi: t.wsi!, dataset: t.dataset!, counts: { ...t.counts }, vesselFraction: t.areas.blood_vessel / (512 * 512) }))),
    areaBins: [...AREA_BIN_LABELS],
    overlappingPairs: overlappingPairs(fps).length,
    leaks: leaks.map((l) => ({ a: l.a, b: l.b, wsi: l.wsi, overlapPx: l.overlapPx, foldA: l.foldA, foldB: l.foldB })),
    slides: [...slides.values()].sort((x, y) => x.wsi - y.wsi),
  };
}
