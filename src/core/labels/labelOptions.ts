/** The options of a training-data export, the competitors' presets, and their validation. */
import type { FoldScheme } from '../folds';
import { CLASS_NAMES, type ClassName } from '../types';
import { checkContextOptions, type ContextOptions } from './contextTiles';

/** What happens to `unsure` polygons. */
export type UnsureMode = 'drop' | 'class' | 'ignore';
/** How images reach the output: a symlink (no copy), a copy, or re-encoded as PNG. */
export type ImageMode = 'link' | 'copy' | 'png';
/** Which datasets IoU-1 de-duplication applies to. */
export type DedupeMode = 'none' | 'dataset2' | 'all';

/** The output formats; any subset. */
export interface LabelFormats {
  /** masks/<class>/<id>.png, 8-bit grey, inside = value. */
  binaryMasks?: { value: 1 | 255 };
  /** labels/<id>.png: class index per pixel (8-bit). */
  labelPng?: boolean;
  /** instances/<id>.png: instance id per pixel (16-bit). */
  instancePng?: boolean;
  /** yolo/: Ultralytics segmentation labels + data.yaml per fold. */
  yolo?: boolean;
  /** coco/: COCO instances JSON per fold split. */
  coco?: boolean;
}

/** An RGB image transform applied where images are re-encoded (stain normalisation plugs in here). */
export type ImageTransform = (rgb: { data: Uint8Array; width: number; height: number }) => { data: Uint8Array; width: number; height: number } | Promise<{ data: Uint8Array; width: number; height: number }>;

/** Everything a run needs besides the dataset and the output folder. */
export interface LabelOptions {
  /** Datasets whose tiles are used (1, 2). */
  datasets: number[];
  /** Only these WSIs (all when absent). */
  wsis?: number[];
  /** Only these tile ids (a filter, e.g. the tile browser's; all when absent). */
  tileIds?: string[];
  /** What the tile id filter is, in words (recorded in the manifest). */
  tileFilter?: string;
  /** Trained classes in index order (blood_vessel first). `unsure` is added as a class when unsure = 'class'. */
  classes: ClassName[];
  unsure: UnsureMode;
  dedupe: DedupeMode;
  formats: LabelFormats;
  images: ImageMode;
  folds: FoldScheme;
  /** Applied to every image before it is written; forces images = 'png'. Not part of the options hash unless named. */
  transformImage?: ImageTransform;
  /** A name for transformImage, recorded in the manifest (e.g. 'reinhard:lab'). */
  transformName?: string;
  /** Context tiles: padding from the WSI neighbours and/or the 256-px shifted tiles (none when absent). */
  context?: ContextOptions;
}

/** The classes written, in index order: trained classes, then unsure when kept as a class. */
export function outputClasses(o: Pick<LabelOptions, 'classes' | 'unsure'>): ClassName[] {
  const cls = CLASS_NAMES.filter((c) => c !== 'unsure' && o.classes.includes(c));
  if (o.unsure === 'class') cls.push('unsure');
  return cls;
}

/** The competitors' dataset versions (training-pipeline.md section 1) and validation schemes (section 2). */
export const LABEL_PRESETS: Record<string, { label: string; options: Partial<LabelOptions> }> = {
  'ds1-vessels': { label: 'dataset 1, blood_vessel (chokevin8 version 1)', options: { datasets: [1], classes: ['blood_vessel'], unsure: 'drop' } },
  'ds12-vessels-glomeruli': { label: 'datasets 1+2, blood_vessel + glomerulus (chokevin8 version 2)', options: { datasets: [1, 2], classes: ['blood_vessel', 'glomerulus'], unsure: 'drop', dedupe: 'dataset2' } },
  'ds1-vessels-glomeruli': { label: 'dataset 1, blood_vessel + glomerulus (chokevin8 version 3)', options: { datasets: [1], classes: ['blood_vessel', 'glomerulus'], unsure: 'drop' } },
  'first-place-folds': { label: '1st place validation: dataset 1 of WSIs 1-2, lowest/highest 20% of i', options: { datasets: [1], wsis: [1, 2], folds: { kind: 'wsiPosition', split: 'share', share: 0.2 } } },
  'second-place-folds': { label: '2nd place validation: WSIs 1 and 2 in left/right halves', options: { wsis: [1, 2], folds: { kind: 'wsiPosition', split: 'halves' } } },
  'third-place-folds': { label: '3rd place validation: 5-fold stratified on WSI over dataset 1', options: { datasets: [1], folds: { kind: 'kfold', k: 5, seed: 42, stratify: 'wsi' } } },
};

/** The defaults: datasets 1+2, blood_vessel, unsure dropped, dataset-2 dedupe, masks (1) + YOLO + COCO, linked images, 5 folds grouped... stratified on dataset. */
export const DEFAULT_LABEL_OPTIONS: LabelOptions = {
  datasets: [1, 2],
  classes: ['blood_vessel'],
  unsure: 'drop',
  dedupe: 'dataset2',
  formats: { binaryMasks: { value: 1 }, yolo: true, coco: true },
  images: 'link',
  folds: { kind: 'kfold', k: 5, seed: 42, stratify: 'dataset' },
};

/** What is wrong with options (empty when fine): each message says what to change. */
export function checkLabelOptions(o: LabelOptions): string[] {
  const bad: string[] = [];
  if (o.datasets.length === 0 || o.datasets.some((d) => d !== 1 && d !== 2)) bad.push(`datasets must be 1 and/or 2 (the annotated ones); got ${o.datasets.join(',') || 'none'}.`);
  if (o.classes.length === 0 && o.unsure !== 'class') bad.push('choose at least one class (blood_vessel, glomerulus).');
  if (o.classes.some((c) => !(CLASS_NAMES as readonly string[]).includes(c))) bad.push(`unknown class in ${o.classes.join(',')}; use blood_vessel, glomerulus, unsure.`);
  if (!['drop', 'class', 'ignore'].includes(o.unsure)) bad.push(`unsure must be drop, class or ignore (got ${String(o.unsure)}).`);
  if (!['none', 'dataset2', 'all'].includes(o.dedupe)) bad.push(`dedupe must be none, dataset2 or all (got ${String(o.dedupe)}).`);
  if (!['link', 'copy', 'png'].includes(o.images)) bad.push(`images must be link, copy or png (got ${String(o.images)}).`);
  const f = o.formats;
  if (!f.binaryMasks && !f.labelPng && !f.instancePng && !f.yolo && !f.coco) bad.push('choose at least one format (masks, label, instances, yolo, coco).');
  if (f.binaryMasks && f.binaryMasks.value !== 1 && f.binaryMasks.value !== 255) bad.push('the binary mask value must be 1 or 255.');
  bad.push(...checkContextOptions(o.context, !!f.instancePng));
  const s = o.folds;
  if ((s.kind === 'kfold' || s.kind === 'groupWsi') && (!Number.isInteger(s.k) || s.k < 2 || s.k > 50)) bad.push(`the number of folds must be an integer 2..50 (got ${s.k}).`);
  if (s.kind === 'kfold' && !Number.isInteger(s.seed)) bad.push(`the seed must be an integer (got ${s.seed}).`);
  return bad;
}
