/** The one tile filter and sort shared by the tile browser, the dashboard, the gallery and the viewer's next/previous. */
import { tileState } from './datasetSummary';
import type { ClassName, TileRecord } from '../types';

export type TileSortKey = 'id' | 'vesselCount' | 'vesselArea';

export interface TileFilter {
  /** Keep tiles of these datasets (empty = any). */
  datasets?: number[];
  /** Keep tiles of these WSIs (empty = any). */
  wsis?: number[];
  /** Keep tiles that hold every one of these classes. */
  classes?: ClassName[];
  /** true: only tiles with an image; false: only tiles without. */
  hasImage?: boolean;
  /** true: only tiles with a polygons line; false: only tiles without. */
  annotated?: boolean;
  /** Case-insensitive substring of the id. */
  search?: string;
  /** Keep exactly these tile ids (set by a chart click, e.g. a histogram bin). */
  ids?: string[];
  /** What set `ids`, said in words (e.g. "vessel count 5-9"). */
  idsLabel?: string;
}

export interface TileQuery {
  filter: TileFilter;
  sort: TileSortKey;
  descending?: boolean;
}

export const DEFAULT_QUERY: TileQuery = { filter: {}, sort: 'id' };

/** True when the filter keeps every tile. */
export function isEmptyFilter(f: TileFilter): boolean {
  return !f.datasets?.length && !f.wsis?.length && !f.classes?.length && f.hasImage === undefined && f.annotated === undefined && !f.search && !f.ids;
}

/** A predicate for one filter (precomputed sets, for speed over 100k tiles). */
export function tilePredicate(f: TileFilter): (t: TileRecord) => boolean {
  const ds = f.datasets?.length ? new Set(f.datasets) : undefined;
  const ws = f.wsis?.length ? new Set(f.wsis) : undefined;
  const ids = f.ids ? new Set(f.ids) : undefined;
  const search = f.search?.trim().toLowerCase();
  const classes = f.classes ?? [];
  return (t) => {
    if (ds && (t.dataset === undefined || !ds.has(t.dataset))) return false;
    if (ws && (t.wsi === undefined || !ws.has(t.wsi))) return false;
    if (ids && !ids.has(t.id)) return false;
    for (const c of classes) if (!(t.counts[c] > 0)) return false;
    if (f.hasImage !== undefined && (t.image !== undefined) !== f.hasImage) return false;
    if (f.annotated !== undefined && (t.polygonsLine !== undefined) !== f.annotated) return false;
    if (search && !t.id.includes(search)) return false;
    return true;
  };
}

/** A comparator for one sort key; ties broken by id so the order is total and stable. */
export function tileComparator(sort: TileSortKey, descending = sort !== 'id'): (a: TileRecord, b: TileRecord) => number {
  const key = (t: TileRecord) => (sort === 'vesselCount' ? t.counts.blood_vessel : sort === 'vesselArea' ? t.areas.blood_vessel : 0);
  const dir = descending ? -1 : 1;
  return (a, b) => (key(a) - key(b)) * dir || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Apply a query to tiles: filtered and sorted. */
export function queryTiles(tiles: Iterable<TileRecord>, q: TileQuery): TileRecord[] {
  const keep = tilePredicate(q.filter);
  const out: TileRecord[] = [];
  for (const t of tiles) if (keep(t)) out.push(t);
  return out.sort(tileComparator(q.sort, q.descending));
}

/** A short description of a filter for a view's title ("ds 1, 2 · blood_vessel · 'ab'"). */
export function describeFilter(f: TileFilter): string {
  const parts: string[] = [];
  if (f.wsis?.length) parts.push(`WSI ${f.wsis.join(', ')}`);
  if (f.datasets?.length) parts.push(`ds ${f.datasets.join(', ')}`);
  if (f.classes?.length) parts.push(`with ${f.classes.join(' + ')}`);
  if (f.hasImage !== undefined) parts.push(f.hasImage ? 'has image' : 'image missing');
  if (f.annotated !== undefined) parts.push(f.annotated ? 'annotated' : 'not annotated');
  if (f.search) parts.push(`id ~ "${f.search}"`);
  if (f.ids) parts.push(f.idsLabel ?? `${f.ids.length} chosen tiles`);
  return parts.join(' · ');
}

/** The neighbour of a tile in the query's order (for next/previous), or undefined at the ends. */
export function neighbourTile(ordered: TileRecord[], id: string, step: 1 | -1): TileRecord | undefined {
  const k = ordered.findIndex((t) => t.id === id);
  if (k < 0) return ordered[0];
  return ordered[k + step];
}

export { tileState };
