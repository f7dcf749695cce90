/**
 * Cross-checks an imported COCO file against polygons.jsonl: do the polygons of each image belong
 * to the tile its file_name names? A file whose file_names were written in a different order than
 * its annotations overlays every polygon on the wrong tile; this finds it and says which tile the
 * polygons really match.
 */
import type { Annotation, ClassName, Problem } from '../types';
import { fillRing } from '../geometry';
import type { CocoImportResult } from './cocoImport';

/** One image whose polygons match another tile far better than the one its file_name names. */
export interface FileNameMismatch {
  imageId: number;
  fileName: string;
  namedTile: string;
  /** Where file_name is in the COCO text (1-based; 0 when not found). */
  line: number;
  column: number;
  /** Mask IoU with the named tile's polygons; undefined when polygons.jsonl has no line for it. */
  iouNamed?: number;
  /** The polygons.jsonl tile the polygons match best, and how well. */
  likelyTile: string;
  iouLikely: number;
}

export interface CocoCrossCheck {
  /** Images with polygons that could be judged (named tile or a good match present in the reference). */
  checked: number;
  /** Judged images whose named tile matches (IoU >= 0.5). */
  confirmed: number;
  mismatches: FileNameMismatch[];
  /** Images whose polygons overlap their named tile poorly (IoU < 0.2) and match no other tile either. */
  unmatched: { imageId: number; namedTile: string; iouNamed: number; line: number; column: number }[];
  problems: Problem[];
}

export interface CrossCheckOptions {
  /** Reference file name for messages (default 'polygons.jsonl'). */
  referenceFile?: string;
  /** 1-based polygons.jsonl line of each tile, for messages. */
  referenceLines?: ReadonlyMap<string, number>;
}

const CELL = 4; // coarse signature: 4x4 px cells, a 128x128 bit grid for a 512 tile
const SIZE = 512;

/** Full-resolution union mask of the annotations of the given classes. */
function unionMask(anns: readonly Annotation[], classes: ReadonlySet<ClassName>, out: Uint8Array): Uint8Array {
  out.fill(0);
  for (const a of anns) if (classes.has(a.type)) for (const r of a.rings) fillRing(out, SIZE, SIZE, r, 1);
  return out;
}

/** Bit grid of the mask at CELL x CELL cells (a cell is set if any pixel in it is). */
function signature(mask: Uint8Array): Uint32Array {
  const n = SIZE / CELL;
  const bits = new Uint32Array((n * n) >> 5);
  for (let y = 0; y < SIZE; y++) {
    const cy = (y / CELL) | 0;
    for (let x = 0; x < SIZE; x++) {
      if (mask[y * SIZE + x]) {
        const c = cy * n + ((x / CELL) | 0);
        bits[c >> 5] |= 1 << (c & 31);
      }
    }
  }
  return bits;
}

function popcount(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

function bitIou(a: Uint32Array, b: Uint32Array): number {
  let inter = 0, uni = 0;
  for (let i = 0; i < a.length; i++) {
    inter += popcount(a[i] & b[i]);
    uni += popcount(a[i] | b[i]);
  }
  return uni ? inter / uni : 0;
}

function maskIou(a: Uint8Array, b: Uint8Array): number {
  let inter = 0, uni = 0;
  for (let i = 0; i < a.length; i++) {
    const p = a[i], q = b[i];
    if (p | q) { uni++; if (p & q) inter++; }
  }
  return uni ? inter / uni : 0;
}

/**
 * For every COCO image with polygons, compares its union mask with polygons.jsonl: with the tile
 * its file_name names and with every other tile. Reports a located warning per image whose
 * polygons clearly belong to another tile, and one error for the file when most images do.
 */
export function crossCheckCocoFileNames(
  coco: CocoImportResult,
  reference: ReadonlyMap<string, readonly Annotation[]>,
  opts: CrossCheckOptions = {},
): CocoCrossCheck {
  const refFile = opts.referenceFile ?? 'polygons.jsonl';
  const classes = new Set<ClassName>(coco.categories.values());
  const scratch = new Uint8Array(SIZE * SIZE);
  const refIds: string[] = [];
  const refSigs: Uint32Array[] = [];
  for (const [id, anns] of reference) {
    if (!anns.some((a) => classes.has(a.type))) continue;
    refIds.push(id);
    refSigs.push(signature(unionMask(anns, classes, scratch)));
  }
  const mismatches: FileNameMismatch[] = [];
  const unmatched: CocoCrossCheck['unmatched'] = [];
  let checked = 0, confirmed = 0;
  const imgMask = new Uint8Array(SIZE * SIZE);
  const otherMask = new Uint8Array(SIZE * SIZE);
  for (const im of coco.images) {
    const anns = coco.tiles.get(im.tileId);
    if (!anns || im.annotations === 0 || im.width !== SIZE || im.height !== SIZE) continue;
    unionMask(anns, classes, imgMask);
    const sig = signature(imgMask);
    const named = reference.get(im.tileId);
    const iouNamed = named ? maskIou(imgMask, unionMask(named, classes, otherMask)) : undefined;
    let best = -1, bestCoarse = 0;
    for (let k = 0; k < refIds.length; k++) {
      if (refIds[k] === im.tileId) continue;
      const v = bitIou(sig, refSigs[k]);
      if (v > bestCoarse) { bestCoarse = v; best = k; }
    }
    const iouLikely = best >= 0 && bestCoarse >= 0.3 ? maskIou(imgMask, unionMask(reference.get(refIds[best])!, classes, otherMask)) : 0;
    const wrong = iouLikely >= 0.5 && (iouNamed === undefined ? iouLikely >= 0.8 : iouLikely >= iouNamed + 0.3);
    if (iouNamed !== undefined || wrong) checked++;
    if (iouNamed !== undefined && iouNamed >= 0.5 && !wrong) confirmed++;
    if (!wrong && iouNamed !== undefined && iouNamed < 0.2) unmatched.push({ imageId: im.id, namedTile: im.tileId, iouNamed, line: im.line, column: im.column });
    if (wrong) {
      mismatches.push({ imageId: im.id, fileName: im.fileName, namedTile: im.tileId, line: im.line, column: im.column, iouNamed, likelyTile: refIds[best], iouLikely });
    }
  }
  const problems: Problem[] = [];
  const fmt = (v: number): string => v.toFixed(2);
  for (const m of mismatches) {
    const where = opts.referenceLines?.get(m.likelyTile);
    const named = m.iouNamed === undefined
      ? `${refFile} has no line for tile ${m.namedTile} to compare with`
      : `they overlap tile ${m.namedTile}'s own polygons with mask IoU ${fmt(m.iouNamed)} only`;
    problems.push({
      file: coco.file,
      line: m.line,
      ...(m.column ? { column: m.column, endColumn: m.column + JSON.stringify(m.fileName).length } : {}),
      severity: 'warning',
      code: 'coco-file-name-mismatch',
      message: `Image ${m.imageId} is named ${m.namedTile}, but its polygons match tile ${m.likelyTile} in ${refFile}${where ? ` (line ${where})` : ''} with mask IoU ${fmt(m.iouLikely)}; ${named}. The file_name looks wrong: correct it to ${m.likelyTile} (or fix image_id), otherwise these polygons are overlaid on the wrong tile.`,
    });
  }
  for (const u of unmatched) {
    problems.push({
      file: coco.file,
      line: u.line,
      ...(u.column ? { column: u.column } : {}),
      severity: 'info',
      code: 'coco-polygons-off-tile',
      message: `Image ${u.imageId} (${u.namedTile}): its polygons overlap that tile's ${refFile} polygons with mask IoU ${fmt(u.iouNamed)} only, and match no other tile there. Check that file_name names the right tile (the right tile may just be missing from ${refFile}).`,
    });
  }
  if (mismatches.length >= 3 && mismatches.length >= 0.5 * checked) {
    // Do the polygons follow the tiles' sorted id order? That is how such files are usually made.
    const byImage = [...mismatches].sort((a, b) => a.imageId - b.imageId);
    const sortedOrder = byImage.every((m, k) => k === 0 || byImage[k - 1].likelyTile < m.likelyTile);
    problems.unshift({
      file: coco.file,
      line: 0,
      severity: 'error',
      code: 'coco-file-names-wrong',
      count: mismatches.length,
      message:
        `${mismatches.length} of ${checked} images that could be checked against ${refFile} have polygons that belong to a different tile than their file_name says` +
        (sortedOrder ? ' (the polygons follow the sorted order of tile ids, the file_names do not)' : '') +
        '. The image entries and the annotations of this COCO file do not line up: regenerate it, or rename its file_names to the matched tiles, before using it; do not trust its overlays.',
    });
  }
  return { checked, confirmed, mismatches, unmatched, problems };
}
