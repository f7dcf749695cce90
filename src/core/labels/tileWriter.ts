/**
 * The per-tile step of a run: read the tile's polygons.jsonl line, select and clean its polygons,
 * write its masks / label map / instance map / YOLO file / image, and return its counts and COCO
 * text. Plain data in and out, so it runs in this thread or in a worker thread alike.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { ClassName } from '../types';
import { cocoTile, type CocoTileText } from './cocoSplits';
import type { ImageTransform, LabelOptions } from './labelOptions';
import { classMask, instanceMap, labelMap, unionMask } from './labelRaster';
import { WrittenFiles } from './outputFolder';
import { decodeRgb, greyPng, rgbPng } from './pngEncode';
import { tileLabels } from './tileLabels';
import { yoloLabelText } from './yoloLabels';
import type { ContextJob } from './contextTiles';
import { writeContextTile } from './contextWriter';

const TILE = 512;

/** What the per-tile step needs of the run (structured-clone safe). */
export interface TileWriterSetup {
  root: string;
  out: string;
  polygons: string;
  options: Omit<LabelOptions, 'transformImage'>;
  classes: ClassName[];
  reencode: boolean;
}

/** One tile to write. */
export interface TileJob {
  id: string;
  /** 0-based position in the run (COCO image id k + 1). */
  k: number;
  dataset: number;
  image: string;
  offset: number;
  length: number;
  /** The index found no problem on its line. */
  checked: boolean;
  /** A context tile (padded or shifted): made from these sources instead of the tile alone. */
  context?: ContextJob;
}

/** What one tile contributed. */
export interface TileOutcome {
  id: string;
  instances: Record<string, number>;
  skipped: Record<string, number>;
  dropped: Record<string, number>;
  deduped: { exact: number; sameMask: number };
  ignore: number;
  coco?: CocoTileText;
}

/** The image's path in the output. */
export function imageRelPath(id: string, image: string, reencode: boolean): string {
  return `images/${id}${reencode ? '.png' : path.extname(image)}`;
}

/** Reads `length` bytes of polygons.jsonl at `offset` (one tile's line). */
export type LineReader = (offset: number, length: number) => Promise<Buffer> | Buffer;

/** A LineReader on an open file handle. */
export const handleReader = (fh: fs.FileHandle): LineReader => async (offset, length) => {
  const buf = Buffer.alloc(length);
  await fh.read(buf, 0, length, offset);
  return buf;
};

/** Writes one tile's files through `written`; read gives polygons.jsonl lines. */
export async function writeTile(s: TileWriterSetup, t: TileJob, read: LineReader, written: WrittenFiles, transform?: ImageTransform): Promise<TileOutcome> {
  if (t.context) return writeContextTile(s, t, read, written, transform);
  const o = s.options, f = o.formats;
  const buf = await read(t.offset, t.length);
  const line = JSON.parse(buf.toString('utf8').replace(/^\uFEFF/, '')) as { annotations?: unknown[] };
  const useDedupe = o.dedupe === 'all' || (o.dedupe === 'dataset2' && t.dataset === 2);
  const lab = tileLabels(Array.isArray(line.annotations) ? line.annotations : [], { classes: o.classes, unsure: o.unsure, dedupe: useDedupe, checked: t.checked });
  const per: Record<string, number> = {};
  for (const a of lab.instances) per[a.type] = (per[a.type] ?? 0) + 1;
  const jobs: Promise<void>[] = [];
  if (f.binaryMasks) {
    for (const c of s.classes) jobs.push(greyPng(classMask(lab.instances, c, f.binaryMasks.value), TILE).then((png) => written.write(`masks/${c}/${t.id}.png`, png)));
    if (o.unsure === 'ignore') jobs.push(greyPng(unionMask(lab.ignore, f.binaryMasks.value), TILE).then((png) => written.write(`masks/ignore/${t.id}.png`, png)));
  }
  if (f.labelPng) jobs.push(greyPng(labelMap(lab.instances, s.classes, lab.ignore), TILE).then((png) => written.write(`masks/label/${t.id}.png`, png)));
  if (f.instancePng) jobs.push(greyPng(instanceMap(lab.instances), TILE).then((png) => written.write(`masks/instance/${t.id}.png`, png)));
  if (f.yolo) jobs.push(written.write(`labels/${t.id}.txt`, yoloLabelText(lab.instances, s.classes)));
  const rel = imageRelPath(t.id, t.image, s.reencode);
  const src = path.join(s.root, t.image);
  if (s.reencode) {
    // The image transform hook (stain normalisation plugs in here): RGB in, RGB out, then PNG.
    jobs.push((async () => {
      let img = await decodeRgb(src);
      if (transform) img = await transform(img);
      await written.write(rel, await rgbPng(img.data, img.width, img.height));
    })());
  } else if (o.images === 'copy') jobs.push(written.copy(rel, src));
  else jobs.push(written.link(rel, src));
  await Promise.all(jobs);
  return {
    id: t.id, instances: per, skipped: lab.skipped, dropped: lab.dropped, deduped: lab.deduped, ignore: lab.ignore.length,
    ...(f.coco ? { coco: cocoTile(t.id, rel.slice('images/'.length), lab.instances, t.k + 1, 0) } : {}),
  };
}
