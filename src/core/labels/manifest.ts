/** manifest.json and README.md of an output folder: options, counts, conventions, tool version and input hash. */
import { createHash } from 'node:crypto';
import type { FoldStat, FoldScheme } from '../folds';
import type { ClassName } from '../types';
import type { LabelOptions } from './labelOptions';
import { LABEL_IGNORE } from './labelRaster';

/** The self-description of a run, read by training code. */
export interface LabelsManifest {
  format: 'vasculature-explorer-labels/1';
  complete: true;
  tool: { name: string; version: string };
  createdAt: string;
  dataset: { root: string; files: Record<string, string> };
  /** sha256 over polygons.jsonl, tile_meta.csv and the used images' names and sizes. */
  inputsHash: string;
  /** sha256 of the options as recorded below. */
  optionsHash: string;
  options: Omit<LabelOptions, 'transformImage'>;
  classes: { index: number; name: ClassName; cocoId: number; yoloIndex: number; labelValue: number }[];
  conventions: {
    binaryMask?: string;
    labelPng?: string;
    instancePng?: string;
    yolo?: string;
    coco?: string;
    images: string;
    folds: string;
  };
  counts: {
    tiles: number;
    instances: Record<string, number>;
    ignoreRegions: number;
    files: number;
  };
  folds: {
    scheme: FoldScheme;
    description: string;
    names: string[];
    perFold: FoldStat[];
    leakage: { overlappingPairs: number; leakingPairs: number; examples: { a: string; b: string; wsi: number; overlapPx: number; foldA: number; foldB: number }[] };
  };
  /** Context tiles written (when asked): padding, the fill of missing neighbours, shifted tiles. */
  context?: { pad: number; fill: string; shifted: boolean; shiftedMinQuadrants: number; paddedTiles: number; shiftedTiles: number; neighbours: string; missing: string; leakingPairs: number };
  skipped: {
    /** Polygons not written, by Problems code. */
    byCode: Record<string, number>;
    /** Polygons of classes outside the version. */
    droppedByClass: Record<string, number>;
    /** IoU-1 duplicates removed. */
    deduplicated: { exact: number; sameMask: number };
    /** Annotated tiles of the selection without an image (not written). */
    tilesWithoutImage: { count: number; examples: string[] };
    /** Annotated tiles left out because their id cannot be a file name as it is (examples escaped). */
    unsafeIds?: { count: number; examples: string[] };
  };
}

/** sha256 hex of a JSON value with sorted keys. */
export function stableHash(v: unknown): string {
  const norm = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(norm);
    if (x && typeof x === 'object') return Object.fromEntries(Object.keys(x).sort().filter((k) => (x as Record<string, unknown>)[k] !== undefined).map((k) => [k, norm((x as Record<string, unknown>)[k])]));
    return x;
  };
  return createHash('sha256').update(JSON.stringify(norm(v))).digest('hex');
}

/** The conventions of the formats written, in words (also the README's). */
export function conventions(o: LabelOptions, classes: readonly ClassName[]): LabelsManifest['conventions'] {
  const f = o.formats;
  const ext = o.images === 'png' || o.transformImage ? '.png' : 'the source extension (.tif)';
  return {
    ...(f.binaryMasks ? { binaryMask: `masks/<class>/<id>.png: 8-bit grey 512x512, ${f.binaryMasks.value} inside the class's polygons, 0 outside; drawn with Pillow's ImageDraw.polygon rule (boundary pixels inside)${o.unsure === 'ignore' ? `; masks/ignore/<id>.png: the unsure regions, same value` : ''}.` } : {}),
    ...(f.labelPng ? { labelPng: `masks/label/<id>.png: 8-bit class index per pixel: 0 background, ${classes.map((c, k) => `${k + 1} ${c}`).join(', ')}${o.unsure === 'ignore' ? `, ${LABEL_IGNORE} ignore (unsure)` : ''}. Where classes overlap, the class listed first wins.` } : {}),
    ...(f.instancePng ? { instancePng: 'masks/instance/<id>.png: 16-bit grey, 0 background, k = the k-th instance of the tile (1-based, the order of its YOLO lines and COCO annotations); a later instance covers an earlier one where they overlap.' } : {}),
    ...(f.yolo ? { yolo: `labels/<id>.txt (Ultralytics segmentation): one line per polygon, "<class> x1 y1 ..." normalised by 512; class = index in names (${classes.map((c, k) => `${k} ${c}`).join(', ')}); data_fold<k>.yaml per fold with image lists fold<k>_train.txt / fold<k>_val.txt.` } : {}),
    ...(f.coco ? { coco: 'coco/fold<k>_train.json and coco/fold<k>_val.json: COCO instances (file_name relative to images/, e.g. MMDetection data_prefix img="images/"), polygon segmentation (closed rings), area = shoelace area, bbox = [min x, min y, width, height] of the vertices, iscrowd 0, category ids blood_vessel 1, glomerulus 2, unsure 3; image ids are the same in every file, annotation ids count from 1 in each file.' } : {}),
    images: `images/<id>${o.images === 'link' && !o.transformImage ? ' (a symbolic link to the dataset\'s image, no copy)' : o.images === 'copy' && !o.transformImage ? ' (a copy)' : ' (re-encoded as PNG)'}; extension ${ext}.`,
    folds: 'folds.csv: id,fold for every tile written; fold -1 = in the training set of every fold (never validated). folds/fold<k>_val.txt and folds/fold<k>_train.txt: tile ids.',
  };
}

/** README.md text for the output folder. */
export function readmeText(m: LabelsManifest): string {
  const lines = [
    `# Training data written by ${m.tool.name} ${m.tool.version}`,
    '',
    `From \`${m.dataset.root}\` on ${m.createdAt}. Inputs hash \`${m.inputsHash.slice(0, 16)}…\`, options hash \`${m.optionsHash.slice(0, 16)}…\` (full values in manifest.json). The folder is complete when manifest.json exists (it is written last).`,
    '',
    `## Version`,
    `- datasets ${m.options.datasets.join(' + ')}${m.options.wsis ? `, WSIs ${m.options.wsis.join(', ')}` : ''}${m.options.tileIds ? `, ${m.options.tileIds.length} tiles of the filter ${m.options.tileFilter ?? '(a list of ids)'}` : ''}; classes ${m.classes.map((c) => c.name).join(', ')}; unsure ${m.options.unsure === 'drop' ? 'dropped' : m.options.unsure === 'class' ? 'kept as a class' : 'kept as an ignore region'}; IoU-1 de-duplication: ${m.options.dedupe}${m.options.transformName ? `; image transform ${m.options.transformName}` : ''}.`,
    `- ${m.counts.tiles} tiles, ${Object.entries(m.counts.instances).map(([c, n]) => `${n} ${c}`).join(', ')}${m.counts.ignoreRegions ? `, ${m.counts.ignoreRegions} ignore regions` : ''}.`,
    `- Skipped polygons: ${Object.entries(m.skipped.byCode).map(([c, n]) => `${n} ${c}`).join(', ') || 'none'}; de-duplicated: ${m.skipped.deduplicated.exact} identical + ${m.skipped.deduplicated.sameMask} same-mask; annotated tiles without an image: ${m.skipped.tilesWithoutImage.count}${m.skipped.unsafeIds?.count ? `; tiles left out for an id that cannot be a file name: ${m.skipped.unsafeIds.count}` : ''}.`,
    '',
    `## Files`,
    ...Object.values(m.conventions).map((c) => `- ${c}`),
    '',
    `## Folds: ${m.folds.description}`,
    '',
    `| fold | tiles | ${m.classes.map((c) => c.name).join(' | ')} |`,
    `|---|---|${m.classes.map(() => '---').join('|')}|`,
    ...m.folds.perFold.map((f) => `| ${f.name} | ${f.tiles} | ${m.classes.map((c) => f.instances[c.name] ?? 0).join(' | ')} |`),
    '',
    ...(m.context ? [`Context tiles: ${m.context.pad ? `every tile padded by ${m.context.pad} px (images and masks ${512 + 2 * m.context.pad} px square; YOLO normalised by that size)` : 'no padding'}; ${m.context.shifted ? `${m.context.shiftedTiles} shifted tiles <anchor>_shift256 (the 2x2 block whose top-left tile is the anchor, moved by 256 px; at least ${m.context.shiftedMinQuadrants} real quadrants; in the anchor's fold)` : 'no shifted tiles'}. Neighbours: ${m.context.neighbours}. Missing neighbours: ${m.context.missing}. Labels are the source tiles' polygons re-offset and clipped to the pixels taken from them. Context tiles whose source pixels lie in another fold are in the leakage list below (${m.context.leakingPairs} pairs in all).`, ''] : []),
    `Leakage check: ${m.folds.leakage.overlappingPairs} pairs of tiles overlap in their WSI; ${m.folds.leakage.leakingPairs} of them lie in different folds${m.folds.leakage.leakingPairs ? ' (validation pixels also seen in training: prefer a scheme grouped by WSI or by position)' : ''}.`,
    ...m.folds.leakage.examples.slice(0, 10).map((l) => `- ${l.a} (fold ${l.foldA}) / ${l.b} (fold ${l.foldB}), WSI ${l.wsi}: ${l.overlapPx} px`),
    '',
  ];
  return lines.join('\n');
}
