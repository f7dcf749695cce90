/**
 * One tile's annotations as a dataset version sees them: polygons with problems skipped (counted
 * by Problems code), classes outside the version dropped, unsure kept as a class or an ignore
 * region, and IoU-1 duplicates removed (1st place's dataset-2 de-duplication).
 */
import { checkPolygonLine } from '../dataset';
import { rasterizeAnnotation, ringBBox } from '../geometry';
import type { Annotation, ClassName, Problem, Ring } from '../types';
import type { DedupeMode, UnsureMode } from './labelOptions';

/** The annotations of one tile, ready to write. */
export interface TileLabels {
  /** Instances in file order; instance id k + 1 in the instance PNG, line k in the YOLO file. */
  instances: Annotation[];
  /** unsure polygons kept as an ignore region (unsure = 'ignore'). */
  ignore: Annotation[];
  /** Polygons skipped for a problem, by Problems code. */
  skipped: Record<string, number>;
  /** Polygons of a class outside the version, by class. */
  dropped: Record<string, number>;
  /** IoU-1 duplicates removed: identical rings, and different rings with the same mask. */
  deduped: { exact: number; sameMask: number };
}

/** The Problems code of one raw annotation, or undefined when it can be written. */
export function annotationProblem(raw: unknown, tileSize = 512): string | undefined {
  const problems: Problem[] = [];
  checkPolygonLine({ id: 'tile', annotations: [raw] }, '', 1, problems, tileSize);
  return problems[0]?.code;
}

const sameRings = (a: Ring[], b: Ring[]) => a.length === b.length && a.every((r, k) => r.length === b[k].length && r.every((p, n) => p[0] === b[k][n][0] && p[1] === b[k][n][1]));

/** Select and clean a tile's raw annotations (the parsed "annotations" list of its polygons.jsonl line); checked = the index reported no problem on the line. */
export function tileLabels(raw: readonly unknown[], opts: { classes: readonly ClassName[]; unsure: UnsureMode; dedupe: boolean; tileSize?: number; checked?: boolean }): TileLabels {
  const size = opts.tileSize ?? 512;
  const out: TileLabels = { instances: [], ignore: [], skipped: {}, dropped: {}, deduped: { exact: 0, sameMask: 0 } };
  const keep = new Set<string>(opts.classes);
  if (opts.unsure === 'class') keep.add('unsure');
  raw.forEach((r, index) => {
    // checked: the indexer found no problem on this line, so every polygon passes the same check.
    const code = opts.checked ? undefined : annotationProblem(r, size);
    if (code) {
      out.skipped[code] = (out.skipped[code] ?? 0) + 1;
      return;
    }
    const a = r as { type: ClassName; coordinates: Ring[] };
    const ann: Annotation = { type: a.type, rings: a.coordinates, area: 0, index };
    if (a.type === 'unsure' && opts.unsure === 'ignore') out.ignore.push(ann);
    else if (keep.has(a.type)) out.instances.push(ann);
    else out.dropped[a.type] = (out.dropped[a.type] ?? 0) + 1;
  });
  if (opts.dedupe && out.instances.length > 1) out.instances = dedupeIou1(out.instances, out.deduped, size);
  return out;
}

/** Drops an instance whose mask equals (IoU 1) an earlier one of the same class. Masks are compared only for equal vertex bounds, which IoU 1 implies. */
function dedupeIou1(list: Annotation[], count: TileLabels['deduped'], size: number): Annotation[] {
  const kept: Annotation[] = [];
  const byKey = new Map<string, Annotation[]>();
  const masks = new Map<Annotation, Uint8Array>();
  const maskOf = (a: Annotation) => {
    let m = masks.get(a);
    if (!m) masks.set(a, (m = rasterizeAnnotation(a, size, size)));
    return m;
  };
  for (const a of list) {
    const boxes = a.rings.map(ringBBox);
    const key = `${a.type}:${Math.min(...boxes.map((b) => b.minX))},${Math.min(...boxes.map((b) => b.minY))},${Math.max(...boxes.map((b) => b.maxX))},${Math.max(...boxes.map((b) => b.maxY))}`;
    const same = byKey.get(key);
    let dup = false;
    if (same) {
      for (const b of same) {
        if (sameRings(a.rings, b.rings)) { count.exact++; dup = true; break; }
        const ma = maskOf(a), mb = maskOf(b);
        let eq = true;
        for (let i = 0; i < ma.length; i++) if (ma[i] !== mb[i]) { eq = false; break; }
        if (eq) { count.sameMask++; dup = true; break; }
      }
    }
    if (dup) continue;
    kept.push(a);
    if (same) same.push(a);
    else byKey.set(key, [a]);
  }
  return kept;
}
