/**
 * Writes one context tile (padded or shifted): its image composed with sharp from the source
 * images (extend + extract + composite), its masks / label map composed from the sources' rasters,
 * and its YOLO and COCO labels from the sources' polygons re-offset and clipped.
 */
import * as path from 'node:path';
import type { Sharp, SharpOptions } from 'sharp';
import type { Annotation } from '../types';
import { cocoTile } from './cocoSplits';
import { composeInstances, composeRaster, type ContextJob } from './contextTiles';
import type { ImageTransform } from './labelOptions';
import { classMask, labelMap, unionMask } from './labelRaster';
import type { WrittenFiles } from './outputFolder';
import { greyPng, rgbPng } from './pngEncode';
import { tileLabels, type TileLabels } from './tileLabels';
import type { LineReader, TileJob, TileOutcome, TileWriterSetup } from './tileWriter';
import { yoloLabelText } from './yoloLabels';

const TILE = 512;
type SharpFactory = (input?: string | Buffer | Uint8Array | SharpOptions, options?: SharpOptions) => Sharp;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sharp = (): SharpFactory => require('sharp') as SharpFactory;

/** The RGB pixels of a context tile: the centre extended (mirror or black) or a black canvas, then each source's crop composited at its offset. */
export async function contextImage(root: string, j: ContextJob): Promise<{ data: Uint8Array; width: number; height: number }> {
  const s = sharp();
  let base: Sharp;
  if (j.kind === 'padded') {
    const N = j.pad;
    base = s(path.join(root, j.sources[0].image)).removeAlpha().toColourspace('srgb')
      .extend({ top: N, bottom: N, left: N, right: N, extendWith: j.fill === 'reflect' ? 'mirror' : 'background', background: { r: 0, g: 0, b: 0 } });
    const raw = await base.raw().toBuffer({ resolveWithObject: true });
    base = s(raw.data, { raw: { width: raw.info.width, height: raw.info.height, channels: raw.info.channels as 3 } });
  } else base = s({ create: { width: j.width, height: j.height, channels: 3, background: { r: 0, g: 0, b: 0 } } });
  const layers = await Promise.all(j.sources.map(async (src, k) => {
    if (j.kind === 'padded' && k === 0) return undefined;
    const left = Math.max(0, -src.dx), top = Math.max(0, -src.dy);
    const width = Math.min(TILE, j.width - src.dx) - left, height = Math.min(TILE, j.height - src.dy) - top;
    if (width <= 0 || height <= 0) return undefined;
    const crop = await s(path.join(root, src.image)).removeAlpha().toColourspace('srgb').extract({ left, top, width, height }).raw().toBuffer({ resolveWithObject: true });
    return { input: crop.data, raw: { width: crop.info.width, height: crop.info.height, channels: crop.info.channels as 3 }, left: src.dx + left, top: src.dy + top };
  }));
  const { data, info } = await base.composite(layers.filter((l) => l !== undefined)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 3 || info.width !== j.width || info.height !== j.height) throw new Error(`context image ${info.width}x${info.height}x${info.channels}, expected ${j.width}x${j.height}x3`);
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
}

/** Writes a context tile's files (t.context set) and returns its counts and COCO text. */
export async function writeContextTile(s: TileWriterSetup, t: TileJob, read: LineReader, written: WrittenFiles, transform?: ImageTransform): Promise<TileOutcome> {
  const j = t.context!;
  const o = s.options, f = o.formats;
  const labs: TileLabels[] = [];
  for (const src of j.sources) {
    const buf = await read(src.offset, src.length);
    const line = JSON.parse(buf.toString('utf8').replace(/^\uFEFF/, '')) as { annotations?: unknown[] };
    const useDedupe = o.dedupe === 'all' || (o.dedupe === 'dataset2' && src.dataset === 2);
    labs.push(tileLabels(Array.isArray(line.annotations) ? line.annotations : [], { classes: o.classes, unsure: o.unsure, dedupe: useDedupe, checked: src.checked }));
  }
  const instances: Annotation[] = composeInstances(j, (k) => labs[k].instances);
  const own = labs[0];
  const per: Record<string, number> = {};
  for (const a of instances) per[a.type] = (per[a.type] ?? 0) + 1;
  const u8 = (n: number) => new Uint8Array(n);
  const jobs: Promise<void>[] = [];
  if (f.binaryMasks) {
    const v = f.binaryMasks.value;
    for (const c of s.classes) jobs.push(greyPng(composeRaster(j, (k) => classMask(labs[k].instances, c, v), u8), j.width, j.height).then((png) => written.write(`masks/${c}/${t.id}.png`, png)));
    if (o.unsure === 'ignore') jobs.push(greyPng(composeRaster(j, (k) => unionMask(labs[k].ignore, v), u8), j.width, j.height).then((png) => written.write(`masks/ignore/${t.id}.png`, png)));
  }
  if (f.labelPng) jobs.push(greyPng(composeRaster(j, (k) => labelMap(labs[k].instances, s.classes, labs[k].ignore), u8), j.width, j.height).then((png) => written.write(`masks/label/${t.id}.png`, png)));
  if (f.yolo) jobs.push(written.write(`labels/${t.id}.txt`, yoloLabelText(instances, s.classes, j.width, j.height)));
  const rel = `images/${t.id}.png`;
  jobs.push((async () => {
    let img = await contextImage(s.root, j);
    if (transform) img = await transform(img);
    await written.write(rel, await rgbPng(img.data, img.width, img.height));
  })());
  await Promise.all(jobs);
  const sum = (k: 'skipped' | 'dropped') => labs.slice(0, 1).reduce((acc, l) => { for (const [c, n] of Object.entries(l[k])) acc[c] = (acc[c] ?? 0) + n; return acc; }, {} as Record<string, number>);
  return {
    id: t.id, instances: per,
    // Skips and drops are counted once per tile of the dataset (its own line), not again for every context tile it feeds.
    skipped: j.kind === 'padded' ? sum('skipped') : {}, dropped: j.kind === 'padded' ? sum('dropped') : {},
    deduped: j.kind === 'padded' ? own.deduped : { exact: 0, sameMask: 0 }, ignore: labs.reduce((n, l) => n + l.ignore.length, 0),
    ...(f.coco ? { coco: cocoTile(t.id, rel.slice('images/'.length), instances, t.k + 1, 0, j.width) } : {}),
  };
}
