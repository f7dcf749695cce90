/**
 * Reads a COCO JSON (polygon or RLE segmentation) into per-tile annotations keyed by the tile id
 * taken from each image's file_name (basename without extension), with located structural problems.
 */
import type { Annotation, ClassName, Problem, Ring } from '../types';
import { CLASS_NAMES } from '../types';
import { countsStringToRuns, runsToMask } from '../metric';
import { LimitExceededError, limits, raiseHint } from '../limits';
import { maskToRings } from '../geometry';
import { shoelaceArea } from './cocoExport';

/** One image entry of the file, located in the text. */
export interface CocoImageEntry {
  /** COCO image id. */
  id: number;
  fileName: string;
  /** Basename of file_name without extension. */
  tileId: string;
  width: number;
  height: number;
  /** 1-based line and column of the file_name value in the text (0 when not found). */
  line: number;
  column: number;
  /** Number of annotations that point at this image. */
  annotations: number;
}

export interface CocoImportResult {
  /** The file as named in problems. */
  file: string;
  /** Annotations per tile id, in file order. */
  tiles: Map<string, Annotation[]>;
  images: CocoImageEntry[];
  /** Category id -> product class, for the categories that map onto one. */
  categories: Map<number, ClassName>;
  /** How many annotations were read and how many had RLE segmentation. */
  stats: { annotations: number; polygons: number; rle: number; skipped: number };
  problems: Problem[];
}

export interface CocoImportOptions {
  /** Category name -> class, for datasets that name classes differently (e.g. 'vessel': 'blood_vessel'). */
  classMap?: Record<string, ClassName>;
}

/** 1-based line and column of a character offset. */
export function lineColumnAt(text: string, offset: number): { line: number; column: number } {
  let line = 1, last = -1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    last = i;
  }
  return { line, column: offset - last };
}

/** Basename without extension, for '/' and '\' paths alike. */
export function tileIdFromFileName(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? fileName;
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Rings of a COCO polygon list [[x1, y1, x2, y2, ...], ...]; undefined when malformed. */
function polygonsToRings(seg: unknown[]): Ring[] | undefined {
  const rings: Ring[] = [];
  for (const poly of seg) {
    if (!Array.isArray(poly) || poly.length < 6 || poly.length % 2 !== 0 || !poly.every((v) => typeof v === 'number' && Number.isFinite(v))) return undefined;
    const ring: Ring = [];
    for (let i = 0; i < poly.length; i += 2) ring.push([poly[i] as number, poly[i + 1] as number]);
    rings.push(ring);
  }
  return rings.length ? rings : undefined;
}

/** Row-major mask of a COCO RLE ({size: [h, w], counts: string | number[]}). */
function rleToMask(rle: Record<string, unknown>): { mask: Uint8Array; height: number; width: number } {
  const size = rle.size;
  if (!Array.isArray(size) || size.length !== 2 || !size.every((v) => Number.isInteger(v) && (v as number) > 0)) throw new Error('RLE size must be [height, width]');
  const [height, width] = size as [number, number];
  if (height * width > limits().imagePixels) throw new LimitExceededError('imagePixels', `RLE size ${height}x${width} is more pixels than an image may have: ${raiseHint('imagePixels')}`);
  let runs: number[];
  if (typeof rle.counts === 'string') runs = countsStringToRuns(rle.counts, height * width);
  else if (Array.isArray(rle.counts) && rle.counts.every((v) => Number.isInteger(v) && (v as number) >= 0)) runs = rle.counts as number[];
  else throw new Error('RLE counts must be a string or a list of non-negative integers');
  const total = runs.reduce((s, v) => s + v, 0);
  if (total < height * width) runs = [...runs, height * width - total]; // trailing 0s may be left out
  return { mask: runsToMask(runs, height, width), height, width };
}

/** Parses COCO JSON text into per-tile annotations and located problems; never throws on bad input. */
export function parseCoco(text: string, file: string, opts: CocoImportOptions = {}): CocoImportResult {
  const result: CocoImportResult = { file, tiles: new Map(), images: [], categories: new Map(), stats: { annotations: 0, polygons: 0, rle: 0, skipped: 0 }, problems: [] };
  const problem = (line: number, severity: Problem['severity'], code: string, message: string, count?: number, column?: number): void => {
    result.problems.push({ file, line, severity, code, message, ...(count !== undefined ? { count } : {}), ...(column !== undefined ? { column } : {}) });
  };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const pos = /position (\d+)/.exec(msg);
    const at = pos ? lineColumnAt(text, Number(pos[1])) : { line: 0, column: undefined };
    problem(at.line, 'error', 'coco-json-malformed', `Not valid JSON (${msg}). Fix the file or re-export it from the tool that made it.`, undefined, at.column);
    return result;
  }
  if (!isRecord(doc) || !Array.isArray(doc.images) || !Array.isArray(doc.annotations)) {
    problem(0, 'error', 'coco-structure', 'Not a COCO dataset: expected an object with "images" and "annotations" lists. Check that this is a COCO instances file.');
    return result;
  }
  // Categories: map names onto the product's classes.
  const classOf = new Map<string, ClassName>(CLASS_NAMES.map((c) => [c, c]));
  for (const [k, v] of Object.entries(opts.classMap ?? {})) classOf.set(k, v);
  const unknownCats: string[] = [];
  for (const c of Array.isArray(doc.categories) ? doc.categories : []) {
    if (!isRecord(c) || typeof c.id !== 'number' || typeof c.name !== 'string') continue;
    const cls = classOf.get(c.name);
    if (cls) result.categories.set(c.id, cls);
    else unknownCats.push(`${c.id} "${c.name}"`);
  }
  if (unknownCats.length) {
    problem(0, 'warning', 'coco-unknown-category', `Categories ${unknownCats.join(', ')} are not blood_vessel, glomerulus or unsure; their annotations are skipped. Rename the categories or pass a class map.`, unknownCats.length);
  }
  // Images: locate each file_name in the text, so problems can point at it.
  const byId = new Map<number, CocoImageEntry>();
  const imagesKey = text.indexOf('"images"');
  let searchFrom = Math.max(0, imagesKey);
  const seenTiles = new Map<string, number>();
  for (const im of doc.images) {
    if (!isRecord(im) || typeof im.id !== 'number' || typeof im.file_name !== 'string') {
      problem(0, 'error', 'coco-image-entry', 'An image entry lacks a numeric "id" or a "file_name"; it is skipped. Every image needs both.');
      continue;
    }
    const needle = JSON.stringify(im.file_name);
    let at = text.indexOf(needle, searchFrom);
    if (at < 0) at = text.indexOf(needle);
    const lc = at >= 0 ? lineColumnAt(text, at) : { line: 0, column: 0 };
    if (at >= 0) searchFrom = at + needle.length;
    const entry: CocoImageEntry = {
      id: im.id,
      fileName: im.file_name,
      tileId: tileIdFromFileName(im.file_name),
      width: typeof im.width === 'number' ? im.width : 512,
      height: typeof im.height === 'number' ? im.height : 512,
      line: lc.line,
      column: lc.column,
      annotations: 0,
    };
    if (byId.has(im.id)) {
      problem(lc.line, 'error', 'coco-duplicate-image-id', `Image id ${im.id} is used twice; annotations of that id go to the first (${byId.get(im.id)!.fileName}). Give every image a unique id.`, undefined, lc.column || undefined);
      continue;
    }
    const prev = seenTiles.get(entry.tileId);
    if (prev !== undefined) {
      problem(lc.line, 'warning', 'coco-duplicate-tile', `Tile ${entry.tileId} appears as image ${prev} and image ${im.id}; their annotations are merged. Remove the duplicate image entry.`, undefined, lc.column || undefined);
    }
    seenTiles.set(entry.tileId, im.id);
    byId.set(im.id, entry);
    result.images.push(entry);
  }
  // Annotations.
  let orphan = 0, badSeg = 0, badCat = 0;
  const annotationsKey = Math.max(0, text.indexOf('"annotations"'));
  for (const a of doc.annotations) {
    if (!isRecord(a)) { badSeg++; continue; }
    const img = typeof a.image_id === 'number' ? byId.get(a.image_id) : undefined;
    if (!img) { orphan++; continue; }
    const cls = typeof a.category_id === 'number' ? result.categories.get(a.category_id) : undefined;
    if (!cls) { badCat++; continue; }
    let rings: Ring[] | undefined;
    let area: number;
    try {
      if (Array.isArray(a.segmentation)) {
        rings = polygonsToRings(a.segmentation);
        area = rings ? rings.reduce((s, r) => s + shoelaceArea(r), 0) : 0;
        if (rings) result.stats.polygons++;
      } else if (isRecord(a.segmentation)) {
        const { mask, height, width } = rleToMask(a.segmentation);
        rings = maskToRings(mask, width, height);
        area = mask.reduce((s, v) => s + v, 0);
        if (rings.length === 0) rings = undefined;
        else result.stats.rle++;
      } else {
        area = 0;
      }
    } catch (e) {
      if (e instanceof LimitExceededError) {
        // A cap refusal is its own located problem (which cap, how to raise it), at the annotation's "id" when it has one.
        const m = typeof a.id === 'number' ? new RegExp(`"id"\\s*:\\s*${a.id}(?![0-9.eE])`, 'g') : undefined;
        if (m) m.lastIndex = annotationsKey;
        const hit = m?.exec(text);
        const lc = hit ? lineColumnAt(text, hit.index) : { line: img.line, column: img.column };
        problem(lc.line, 'error', 'coco-limit', `Annotation ${typeof a.id === 'number' ? `${a.id} ` : ''}of image ${img.id} (${img.fileName}): ${e.message}; it is skipped.`, undefined, lc.column || undefined);
        continue;
      }
      rings = undefined;
      area = 0;
    }
    if (!rings) { badSeg++; continue; }
    img.annotations++;
    result.stats.annotations++;
    const list = result.tiles.get(img.tileId) ?? [];
    list.push({ type: cls, rings, area });
    result.tiles.set(img.tileId, list);
  }
  if (orphan) problem(0, 'error', 'coco-orphan-annotation', `${orphan} annotations point at an image_id with no image entry; they are skipped. Add the missing images or fix image_id.`, orphan);
  if (badCat) problem(0, 'warning', 'coco-annotation-category', `${badCat} annotations have a category_id outside the known classes; they are skipped.`, badCat);
  if (badSeg) problem(0, 'warning', 'coco-bad-segmentation', `${badSeg} annotations have no usable segmentation (polygons need >= 3 points as [x1, y1, x2, y2, ...]; RLE needs size and counts); they are skipped.`, badSeg);
  result.stats.skipped = orphan + badCat + badSeg;
  return result;
}
