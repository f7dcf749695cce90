/**
 * Streams polygons.jsonl once: per-tile class counts and areas, every defect located by line, and
 * the per-tile numbers the Dataset Overview needs. Lines of the clean shape are read straight from
 * their bytes (polygonScan); any other line goes through JSON.parse and the same checks.
 */
import { polygonArea } from '../geometry';
import type { FileReader } from './fileReader';
import { FlatAnnotations, flattenParsed } from './flatAnnotations';
import { forEachLine } from './lineReader';
import { idNotSafeProblem, lineTooLongProblem, ringWithinCap, tooManyPointsProblem } from './polygonCaps';
import { scanPolygonLine } from './polygonScan';
import { emptyAreaHist, tileStats, TileStatsScratch } from './tileStats';
import { CLASS_NAMES, type Annotation, type ClassCounts, type ClassName, type Problem, type Ring, type TilePolygonNumbers } from '../types';

export const TILE_SIZE = 512;

/** What one valid line of polygons.jsonl says about its tile. */
export interface PolygonLine {
  id: string;
  /** 1-based line number. */
  line: number;
  /** Byte offset and length of the line, so one tile's polygons can be read back without the whole file. */
  offset: number;
  length: number;
  counts: ClassCounts;
  areas: ClassCounts;
  /** The Dataset Overview's numbers for this tile. */
  stats: TilePolygonNumbers;
}

export interface PolygonsResult {
  lines: PolygonLine[];
  problems: Problem[];
  /** Non-blank lines read. */
  lineCount: number;
  /** Per class, polygons per area bin (AREA_BIN_EDGES) over the kept lines. */
  areaHist: Record<ClassName, number[]>;
  /** Lines read from their bytes, and lines that went through JSON.parse. */
  scanned: number;
  parsed: number;
}

/** How readPolygonsJsonl reads lines. */
export interface PolygonsReadOptions {
  signal?: AbortSignal;
  /** JSON.parse every line instead of scanning the clean ones (the reference road, for tests and benches). */
  parseEveryLine?: boolean;
}

/** A new zeroed per-class counter. */
export function zeroCounts(): ClassCounts {
  return { blood_vessel: 0, glomerulus: 0, unsure: 0 };
}

const CLASS_SET = new Set<string>(CLASS_NAMES);
/** The class names, bound once (a named import from a folder's index is a getter call on every use). */
const NAMES: readonly ClassName[] = CLASS_NAMES;
const MAX_SHOWN = 60;

function preview(s: string): string {
  return s.length > MAX_SHOWN ? `${s.slice(0, MAX_SHOWN)}…` : s;
}

/** Explain a JSON.parse failure of one line, with the column where it failed. */
function jsonProblem(file: string, lineNo: number, text: string, err: unknown): Problem {
  const msg = err instanceof Error ? err.message : String(err);
  const pos = /position (\d+)/.exec(msg);
  const bad = /\bNaN\b|-?\bInfinity\b/.exec(text);
  // Node's message has a position only for some errors: fall back to the bad literal or the line's end.
  const column = pos ? Number(pos[1]) + 1 : bad ? bad.index + 1 : /end of JSON/i.test(msg) ? text.length + 1 : undefined;
  let hint = 'Each line must be one complete JSON object: fix or remove this line.';
  if (bad) hint = 'NaN/Infinity are not valid JSON (Python json.dumps writes them): replace them with numbers or drop the polygon.';
  else if (!text.trimEnd().endsWith('}')) hint = 'The line looks truncated (it does not end with "}"): re-export or re-download the file.';
  return {
    file,
    line: lineNo,
    column,
    severity: 'error',
    code: 'json-malformed',
    message: `Line ${lineNo} is not valid JSON (${msg.replace(/^JSON\.parse: /, '')}). ${hint}`,
  };
}

/** Validate one parsed line; returns the tile's summary or undefined when the line is unusable. */
export function checkPolygonLine(
  value: unknown,
  file: string,
  lineNo: number,
  problems: Problem[],
  size = TILE_SIZE,
): Omit<PolygonLine, 'offset' | 'length' | 'stats'> | undefined {
  const err = (code: string, message: string, severity: Problem['severity'] = 'error') =>
    problems.push({ file, line: lineNo, severity, code, message });
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    err('line-not-object', `Line ${lineNo} is valid JSON but not an object {"id": ..., "annotations": [...]}: fix or remove it.`);
    return undefined;
  }
  const obj = value as Record<string, unknown>;
  if (typeof obj.id !== 'string' || obj.id === '') {
    err('field-id', `Line ${lineNo} has ${obj.id === undefined ? 'no "id" field' : `an "id" of type ${typeof obj.id}`}; every line needs "id": "<12 hex chars>" naming its tile.`);
    return undefined;
  }
  const id = obj.id;
  const unsafe = idNotSafeProblem(file, lineNo, id);
  if (unsafe) problems.push(unsafe);
  if (!Array.isArray(obj.annotations)) {
    err('field-annotations', `Tile ${id}: "annotations" is ${obj.annotations === undefined ? 'missing' : `of type ${typeof obj.annotations}`}; it must be a list of {"type", "coordinates"} objects.`);
    return undefined;
  }
  const counts = zeroCounts();
  const areas = zeroCounts();
  const seen = new Map<string, number>();
  const anns = obj.annotations as unknown[];
  for (let a = 0; a < anns.length; a++) {
    const ann = anns[a] as Record<string, unknown> | null;
    const where = `Tile ${id}, annotation ${a + 1}`;
    if (typeof ann !== 'object' || ann === null) {
      err('annotation-not-object', `${where} is not an object: expected {"type": ..., "coordinates": [[[x, y], ...]]}.`);
      continue;
    }
    const type = ann.type;
    if (typeof type !== 'string') {
      err('field-type', `${where} has ${type === undefined ? 'no "type"' : `a "type" of type ${typeof type}`}; use one of ${CLASS_NAMES.join(', ')}.`);
      continue;
    }
    if (!CLASS_SET.has(type)) {
      err('unknown-type', `${where} has unknown type "${preview(type)}"; expected one of ${CLASS_NAMES.join(', ')}. It is not counted.`);
      continue;
    }
    const rings = checkRings(ann.coordinates, where, err, size, (r, n) => problems.push(tooManyPointsProblem(file, lineNo, where, r, n)));
    if (!rings) continue;
    const cls = type as ClassName;
    const area = rings.area;
    if (area === 0) {
      err('zero-area', `${where} (${cls}) has zero area (all points on a line); it cannot form a mask: fix or remove it.`, 'warning');
    }
    const key = `${cls}:${rings.hash}`;
    const prev = seen.get(key);
    if (prev !== undefined) {
      err('duplicate-polygon', `${where} (${cls}) repeats annotation ${prev + 1} of the same tile exactly; a duplicate counts twice in training and scoring: remove one.`, 'warning');
    } else {
      seen.set(key, a);
    }
    counts[cls]++;
    areas[cls] += area;
  }
  return { id, line: lineNo, counts, areas };
}

/** Check the coordinates of one annotation: rings of [x, y] numbers inside the tile. */
function checkRings(
  coords: unknown,
  where: string,
  err: (code: string, message: string, severity?: Problem['severity']) => void,
  size: number,
  tooMany: (ring: number, points: number) => void,
): { rings: Ring[]; hash: string; area: number } | undefined {
  if (!Array.isArray(coords) || coords.length === 0) {
    err('field-coordinates', `${where}: "coordinates" must be a non-empty list of rings [[[x, y], ...]], found ${coords === undefined ? 'nothing' : preview(JSON.stringify(coords) ?? String(coords))}.`);
    return undefined;
  }
  let hash = '';
  let area = 0;
  for (let r = 0; r < coords.length; r++) {
    const ring = coords[r];
    if (!Array.isArray(ring)) {
      err('field-coordinates', `${where}: ring ${r + 1} is not a list of [x, y] points (coordinates nest three deep: [[[x, y], ...]]).`);
      return undefined;
    }
    if (ring.length < 3) {
      err('ring-too-short', `${where}: ring ${r + 1} has ${ring.length} point${ring.length === 1 ? '' : 's'}; a polygon needs at least 3. Remove it or fix the export.`);
      return undefined;
    }
    if (!ringWithinCap(ring.length)) {
      tooMany(r + 1, ring.length);
      return undefined;
    }
    let h = ring.length | 0;
    let outside = 0;
    let firstOutside = '';
    // One pass per ring: types, bounds, the duplicate hash and the shoelace sum (this loop is the indexer's hot path).
    let twice = 0;
    const last = ring[ring.length - 1] as unknown;
    let px = Array.isArray(last) ? (last[0] as number) : NaN;
    let py = Array.isArray(last) ? (last[1] as number) : NaN;
    for (let k = 0; k < ring.length; k++) {
      const p = ring[k] as unknown;
      const x = Array.isArray(p) ? (p[0] as unknown) : undefined;
      const y = Array.isArray(p) ? (p[1] as unknown) : undefined;
      // Number.isFinite is false for strings, null, NaN and Infinity alike.
      if (!Number.isFinite(x) || !Number.isFinite(y)) {
        err('point-type', `${where}: point ${k + 1} of ring ${r + 1} is ${preview(JSON.stringify(p) ?? String(p))}; every point must be two numbers [x, y].`);
        return undefined;
      }
      const xn = x as number, yn = y as number;
      if (xn < 0 || yn < 0 || xn > size - 1 || yn > size - 1) {
        if (outside++ === 0) firstOutside = `[${xn}, ${yn}]`;
      }
      h = (Math.imul(h, 31) + xn * 4096 + yn) | 0;
      twice += px * yn - xn * py;
      px = xn;
      py = yn;
    }
    // The first ring is the outline, later ones holes (as geometry.polygonArea).
    area += r === 0 ? Math.abs(twice) / 2 : -Math.abs(twice) / 2;
    if (outside > 0) {
      err('point-outside', `${where}: ${outside} point${outside === 1 ? '' : 's'} of ring ${r + 1} lie outside the tile (0..${size - 1}), first ${firstOutside}; clip the polygon to the tile.`);
    }
    hash += `${ring.length}:${h};`;
  }
  return { rings: coords as Ring[], hash, area: Math.max(0, area) };
}

/** Every ring of the scanned line fits the pointsPerPolygon cap. */
function ringsWithinCap(f: FlatAnnotations): boolean {
  for (let r = 0; r < f.nRing; r++) if (!ringWithinCap(f.ptStart[r + 1] - f.ptStart[r])) return false;
  return true;
}

/**
 * checkPolygonLine for a line the scanner read (every annotation of a known class, every ring of
 * >= 3 integer points, within the points cap): the same counts, areas and Problems (id-not-safe,
 * point-outside, zero-area, duplicate-polygon), from the same operations in the same order.
 */
export function checkScannedLine(
  f: FlatAnnotations,
  id: string,
  file: string,
  lineNo: number,
  problems: Problem[],
  size = TILE_SIZE,
): Omit<PolygonLine, 'offset' | 'length' | 'stats'> {
  const unsafe = idNotSafeProblem(file, lineNo, id);
  if (unsafe) problems.push(unsafe);
  const counts = zeroCounts();
  const areas = zeroCounts();
  const seen = new Map<string, number>();
  const { xs, ys, ptStart, annRing } = f;
  for (let a = 0; a < f.nAnn; a++) {
    const cls = NAMES[f.cls[a]];
    let hash = '';
    let area = 0;
    for (let r = annRing[a]; r < annRing[a + 1]; r++) {
      const from = ptStart[r], to = ptStart[r + 1];
      let h = (to - from) | 0;
      let outside = 0;
      let firstOutside = '';
      let twice = 0;
      let px = xs[to - 1], py = ys[to - 1];
      for (let k = from; k < to; k++) {
        const xn = xs[k], yn = ys[k];
        if (xn < 0 || yn < 0 || xn > size - 1 || yn > size - 1) {
          if (outside++ === 0) firstOutside = `[${xn}, ${yn}]`;
        }
        h = (Math.imul(h, 31) + xn * 4096 + yn) | 0;
        twice += px * yn - xn * py;
        px = xn;
        py = yn;
      }
      area += r === annRing[a] ? Math.abs(twice) / 2 : -Math.abs(twice) / 2;
      if (outside > 0) {
        const ring = r - annRing[a] + 1;
        problems.push({ file, line: lineNo, severity: 'error', code: 'point-outside', message: `Tile ${id}, annotation ${a + 1}: ${outside} point${outside === 1 ? '' : 's'} of ring ${ring} lie outside the tile (0..${size - 1}), first ${firstOutside}; clip the polygon to the tile.` });
      }
      hash += `${to - from}:${h};`;
    }
    area = Math.max(0, area);
    if (area === 0) {
      problems.push({ file, line: lineNo, severity: 'warning', code: 'zero-area', message: `Tile ${id}, annotation ${a + 1} (${cls}) has zero area (all points on a line); it cannot form a mask: fix or remove it.` });
    }
    const key = `${cls}:${hash}`;
    const prev = seen.get(key);
    if (prev !== undefined) {
      problems.push({ file, line: lineNo, severity: 'warning', code: 'duplicate-polygon', message: `Tile ${id}, annotation ${a + 1} (${cls}) repeats annotation ${prev + 1} of the same tile exactly; a duplicate counts twice in training and scoring: remove one.` });
    } else {
      seen.set(key, a);
    }
    counts[cls]++;
    areas[cls] += area;
  }
  return { id, line: lineNo, counts, areas };
}

/** Stream and check a whole polygons.jsonl. Bad lines are reported and skipped; the rest loads. */
export async function readPolygonsJsonl(fr: FileReader, absPath: string, file: string, options: PolygonsReadOptions = {}): Promise<PolygonsResult> {
  const problems: Problem[] = [];
  const lines: PolygonLine[] = [];
  const firstLine = new Map<string, number>();
  const areaHist = emptyAreaHist();
  const flat = new FlatAnnotations();
  const scratch = new TileStatsScratch(TILE_SIZE);
  const parseAll = options.parseEveryLine === true;
  let lineNo = 0;
  let lineCount = 0;
  let scanned = 0;
  let first = true;

  const handle = (buf: Buffer, start: number, end: number, lineStart: number) => {
    lineNo++;
    // The line's byte length, BOM included (start and end index buf, which is not the file past its first chunk).
    const byteLength = end - start;
    // Strip a UTF-8 BOM on the first line and a trailing CR.
    if (first) {
      first = false;
      if (end - start >= 3 && buf[start] === 0xef && buf[start + 1] === 0xbb && buf[start + 2] === 0xbf) start += 3;
    }
    let e = end;
    if (e > start && buf[e - 1] === 0x0d) e--;
    let r: Omit<PolygonLine, 'offset' | 'length' | 'stats'> | undefined;
    // The usual line: straight from its bytes. Any other: JSON.parse, which names the exact error and column.
    // A ring over the points cap is a Problem: that line takes the JSON.parse road, which reports it.
    const id = parseAll ? undefined : scanPolygonLine(buf, start, e, flat);
    if (id !== undefined && ringsWithinCap(flat)) {
      lineCount++;
      scanned++;
      r = checkScannedLine(flat, id, file, lineNo, problems);
    } else {
      const text = buf.toString('utf8', start, e);
      if (text.trim() === '') return;
      lineCount++;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (error) {
        problems.push(jsonProblem(file, lineNo, text, error));
        return;
      }
      r = checkPolygonLine(value, file, lineNo, problems);
      if (!r) return;
      flattenParsed(value, flat);
    }
    const prev = firstLine.get(r.id);
    if (prev !== undefined) {
      problems.push({ file, line: lineNo, severity: 'error', code: 'duplicate-tile-line', message: `Tile ${r.id} already has a line (line ${prev}); its annotations are split over two lines. Merge them into one line. This line is ignored.` });
      return;
    }
    firstLine.set(r.id, lineNo);
    lines.push({ ...r, offset: lineStart, length: byteLength, stats: tileStats(flat, scratch, areaHist) });
  };

  const longLine = (_offset: number, length: number) => {
    lineNo++;
    lineCount++;
    first = false;
    problems.push(lineTooLongProblem(file, lineNo, length));
  };
  await forEachLine(fr, absPath, handle, options.signal, { onLongLine: longLine });
  if (lineCount === 0) {
    problems.push({ file, line: 0, severity: 'warning', code: 'file-empty', message: `${file} holds no annotation lines; tiles will show as not annotated. Check that the download completed.` });
  }
  return { lines, problems, lineCount, areaHist, scanned, parsed: lineCount - scanned };
}

/** Read back the annotations of one tile from its line (offset/length from the index). */
export async function readTileAnnotations(fr: FileReader, absPath: string, line: Pick<PolygonLine, 'offset' | 'length'>): Promise<Annotation[]> {
  const buf = await fr.readRange(absPath, line.offset, line.length);
  const obj = JSON.parse(buf.toString('utf8').replace(/^\uFEFF/, '')) as { annotations?: { type: string; coordinates: Ring[] }[] };
  const out: Annotation[] = [];
  const list = obj.annotations ?? [];
  for (let index = 0; index < list.length; index++) {
    const a = list[index];
    if (!a || typeof a !== 'object' || !CLASS_SET.has(a.type) || !Array.isArray(a.coordinates)) continue;
    const rings = a.coordinates.filter((r) => Array.isArray(r) && r.length >= 3 && ringWithinCap(r.length) && r.every((p) => Array.isArray(p) && Number.isFinite(p[0]) && Number.isFinite(p[1])));
    if (rings.length === 0) continue;
    out.push({ type: a.type as ClassName, rings, area: polygonArea(rings), index });
  }
  return out;
}
