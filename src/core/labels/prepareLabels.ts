/**
 * One run of "Prepare Training Data": select the tiles of a dataset version, make the folds and
 * check them for leakage, write masks / label maps / instance maps / YOLO / COCO / images, then
 * folds.csv, README.md and manifest.json (last, so an interrupted folder never looks complete).
 */
import { createHash } from 'node:crypto';
import * as fsSync from 'node:fs';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { indexDataset, POLYGONS_FILE, TILE_META_FILE } from '../dataset';
import { checkLeakage, describeScheme, foldSplit, foldStats, foldsCsv, makeFolds, overlappingPairs, tileFootprint, type FoldTile, type LeakPair } from '../folds';
import type { ClassName, DatasetIndex, TileRecord } from '../types';
import { escapeControls, hasUnsafeText } from '../text';
import { cocoCategories, writeCocoFile, type CocoTileText } from './cocoSplits';
import { checkLabelOptions, outputClasses, type LabelOptions } from './labelOptions';
import { conventions, readmeText, stableHash, type LabelsManifest } from './manifest';
import { clearOwnOutput, ensureWritable, inspectOutput, LabelsError, MANIFEST_FILE, WrittenFiles } from './outputFolder';
import { handleReader, imageRelPath, writeTile, type TileJob, type TileOutcome, type TileWriterSetup } from './tileWriter';
import type { FromLabelsWorker, LabelsWorkerData, ToLabelsWorker } from './labelsWorker';
import { yoloDataYaml } from './yoloLabels';
import { contextFootprints, planContextTiles, type ContextPlan } from './contextTiles';

const TILE = 512;

export interface PrepareRequest {
  /** The dataset folder. */
  root: string;
  /** The output folder. */
  out: string;
  options: LabelOptions;
  /** An index of root already built (the extension's); indexed here when absent. */
  index?: DatasetIndex;
  /** Write into a folder that holds other files (CLI --force; the extension asks first). */
  force?: boolean;
  /** Allow an output folder inside the dataset folder. */
  allowInsideDataset?: boolean;
  signal?: AbortSignal;
  /** done of total tiles, with what is happening. */
  onProgress?: (done: number, total: number, message: string) => void;
  tool?: { name: string; version: string };
  /** Tiles written at once per thread (rasterise + encode + write overlap on the thread pool). */
  concurrency?: number;
  /** Worker threads (default: 2 on a machine with 2+ cores; 0 = this thread). */
  workers?: number;
}

export interface PrepareResult {
  /** The folder already held this exact output (same inputs and options): nothing was written. */
  upToDate: boolean;
  out: string;
  manifest: LabelsManifest;
  /** Leaking pairs (for Problems). */
  leaks: LeakPair[];
}

const inside = (child: string, parent: string) => {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
};

/** The fold table of the selected tiles, from the index. */
export function foldTiles(tiles: readonly TileRecord[]): FoldTile[] {
  return tiles.map((t) => ({
    id: t.id, wsi: t.wsi ?? 0, dataset: t.dataset ?? 0, i: t.i ?? 0, j: t.j ?? 0, vessels: t.counts.blood_vessel,
    classes: (Object.keys(t.counts) as ClassName[]).filter((c) => t.counts[c] > 0),
  }));
}

/** Whether a tile id can name the files of a labels folder as it is (images/<id>.*, masks/<class>/<id>.png, labels/<id>.txt) and stand on one line of folds.csv and the lists. */
export function idUsableAsFileName(id: string): boolean {
  return id.length > 0 && id.length <= 128 && id !== '.' && id !== '..' && !/[\\/\0,"]/.test(id) && !hasUnsafeText(id);
}

/** The annotated tiles of a version (datasets, WSIs), split into those with and without an image. */
export function selectTiles(index: DatasetIndex, o: Pick<LabelOptions, 'datasets' | 'wsis' | 'tileIds'>): { tiles: TileRecord[]; withoutImage: TileRecord[]; unsafeIds: TileRecord[] } {
  const tiles: TileRecord[] = [], withoutImage: TileRecord[] = [], unsafeIds: TileRecord[] = [];
  const only = o.tileIds ? new Set(o.tileIds) : undefined;
  for (const t of index.tiles.values()) {
    if (only && !only.has(t.id)) continue;
    if (t.polygonsLine === undefined || t.dataset === undefined || !o.datasets.includes(t.dataset)) continue;
    if (o.wsis && (t.wsi === undefined || !o.wsis.includes(t.wsi))) continue;
    // An id that cannot be a file name as it is (controls, newline, bidi, a separator, over 128
    // characters) never reaches one: the tile is left out and counted (the index reports id-not-safe).
    if (!idUsableAsFileName(t.id)) unsafeIds.push(t);
    else (t.image ? tiles : withoutImage).push(t);
  }
  return { tiles, withoutImage, unsafeIds };
}

/** Runs the export; throws LabelsError for a problem a person fixes, the signal's AbortError when cancelled (after removing what it wrote). */
export async function prepareLabels(req: PrepareRequest): Promise<PrepareResult> {
  const o = req.options;
  const bad = checkLabelOptions(o);
  if (bad.length) throw new LabelsError('options', `Options: ${bad.join(' ')}`);
  const root = path.resolve(req.root), out = path.resolve(req.out);
  if (inside(out, root) && !req.allowInsideDataset) throw new LabelsError('inside-dataset', `The output folder ${out} is inside the dataset folder ${root}; nothing is written there unless asked (CLI --inside-dataset). Choose a folder outside it.`);
  const state = await inspectOutput(out);
  if (state.kind === 'other' && !req.force) throw new LabelsError('other-files', `The output folder ${out} holds other files (${state.otherEntries.slice(0, 5).join(', ')}${state.otherEntries.length > 5 ? ', …' : ''}). Choose an empty folder, or write beside them with --force.`);
  // Probe before any work: a folder that cannot be written fails now, not after minutes.
  const created = await ensureWritable(out);
  const progress = req.onProgress ?? (() => undefined);
  const signal = req.signal;

  progress(0, 1, 'indexing the dataset');
  const index = req.index ?? (await indexDataset(root, { signal }));
  signal?.throwIfAborted();
  if (!index.files.polygons) throw new LabelsError('dataset', `${root} has no ${POLYGONS_FILE}: there is nothing to make labels from. Open the competition folder.`);
  const { tiles, withoutImage, unsafeIds } = selectTiles(index, o);
  if (tiles.length === 0) {
    if (created) await fs.rmdir(out).catch(() => undefined);
    throw new LabelsError('no-tiles', `No annotated tile with an image in datasets ${o.datasets.join('+')}${o.wsis ? ` of WSIs ${o.wsis.join(', ')}` : ''} (${withoutImage.length} annotated tiles have no image in train/). Check the dataset filter or complete the download.`);
  }

  // Inputs hash: the annotation and meta files, and the images used (name + size).
  const h = createHash('sha256');
  for (const f of [POLYGONS_FILE, TILE_META_FILE]) {
    h.update(`${f}\0`);
    try { h.update(await fs.readFile(path.join(root, f))); } catch { h.update('missing'); }
  }
  const stats = await Promise.all(tiles.map((t) => fs.stat(path.join(root, t.image!)).then((s) => s.size, () => -1)));
  tiles.forEach((t, k) => h.update(`${t.image}:${stats[k]}\n`));
  const inputsHash = h.digest('hex');
  const { transformImage: _t, ...recorded } = o;
  void _t;
  const optionsHash = stableHash({ ...recorded, out, transform: o.transformImage ? o.transformName ?? 'unnamed' : undefined });
  if (state.kind === 'ours' && state.manifest?.complete && state.manifest.optionsHash === optionsHash && state.manifest.inputsHash === inputsHash) {
    const manifest = JSON.parse(await fs.readFile(path.join(out, MANIFEST_FILE), 'utf8')) as LabelsManifest;
    return { upToDate: true, out, manifest, leaks: [] };
  }
  if (state.kind === 'ours') await clearOwnOutput(out);
  else await fs.rm(path.join(out, MANIFEST_FILE), { force: true });

  // Folds and their leakage check, before any pixel work.
  const folds = makeFolds(foldTiles(tiles), o.folds);
  const footprints = tiles.map((t) => ({ ...tileFootprint({ id: t.id, wsi: t.wsi ?? 0, i: t.i ?? 0, j: t.j ?? 0 }), line: t.metaLine }));
  const overlaps = overlappingPairs(footprints).length;
  // Context tiles: padded tiles replace their tile (same id); shifted tiles join their anchor's fold.
  const ctx = o.context && (o.context.pad > 0 || o.context.shifted) ? o.context : undefined;
  const sourceOf = (t: TileRecord, dx: number, dy: number) => ({ id: t.id, image: t.image!, offset: t.polygonsOffset!, length: t.polygonsLength!, checked: !problemLinesOf(index).has(t.polygonsLine!), dataset: t.dataset ?? 0, dx, dy });
  const plans: ContextPlan[] = ctx ? planContextTiles(tiles, ctx, sourceOf) : [];
  for (const p of plans) if (p.id !== p.anchor) folds.fold.set(p.id, folds.fold.get(p.anchor)!);
  const leaks = ctx ? mergeLeaks(checkLeakage([...footprints, ...contextFootprints(plans)], folds)) : checkLeakage(footprints, folds);

  const classes = outputClasses(o);
  const written = new WrittenFiles(out);
  const f = o.formats;
  const reencode = o.images === 'png' || !!o.transformImage || (ctx?.pad ?? 0) > 0;
  const imageRel = (t: TileRecord) => imageRelPath(t.id, t.image!, reencode);
  const shiftedPlans = plans.filter((p) => p.job.kind === 'shifted');
  const relById = new Map<string, string>(shiftedPlans.map((p) => [p.id, `images/${p.id}.png`]));
  const counts: Record<string, number> = Object.fromEntries(classes.map((c) => [c, 0]));
  const skippedByCode: Record<string, number> = {}, droppedByClass: Record<string, number> = {};
  const dedupe = { exact: 0, sameMask: 0 };
  let ignoreRegions = 0;
  const coco = new Map<string, CocoTileText>();
  const instancesPerTile = new Map<string, Record<string, number>>();
  const polyPath = path.join(root, POLYGONS_FILE);
  const problemLines = problemLinesOf(index);
  const setup: TileWriterSetup = { root, out, polygons: polyPath, options: recorded, classes, reencode };
  const jobs: TileJob[] = tiles.map((t, k) => ({ id: t.id, k, dataset: t.dataset ?? 0, image: t.image!, offset: t.polygonsOffset!, length: t.polygonsLength!, checked: !problemLines.has(t.polygonsLine!) }));
  const padded = new Map(plans.filter((p) => p.job.kind === 'padded').map((p) => [p.id, p.job]));
  for (const j of jobs) { const c = padded.get(j.id); if (c) j.context = c; }
  shiftedPlans.forEach((p, n) => { const a = jobs[tiles.findIndex((t) => t.id === p.anchor)]; jobs.push({ ...a, id: p.id, k: tiles.length + n, context: p.job }); });
  const add = (r: TileOutcome) => {
    for (const [c, n] of Object.entries(r.skipped)) skippedByCode[c] = (skippedByCode[c] ?? 0) + n;
    for (const [c, n] of Object.entries(r.dropped)) droppedByClass[c] = (droppedByClass[c] ?? 0) + n;
    dedupe.exact += r.deduped.exact;
    dedupe.sameMask += r.deduped.sameMask;
    ignoreRegions += r.ignore;
    for (const [c, n] of Object.entries(r.instances)) counts[c] = (counts[c] ?? 0) + n;
    instancesPerTile.set(r.id, r.instances);
    if (r.coco) coco.set(r.id, r.coco);
  };
  const workerFile = path.join(__dirname, 'labelsWorker.js');
  // Worker threads use both cores for the JS work (parse, rasterise, YOLO, COCO text); the image transform is a function, so it keeps the run in this thread.
  const workers = o.transformImage || !fsSync.existsSync(workerFile) ? 0 : req.workers !== undefined ? Math.max(0, req.workers) : tiles.length < 64 ? 0 : Math.min(2, os.availableParallelism());

  try {
    const total = jobs.length;
    let done = 0;
    const tick = () => {
      done++;
      if (done % 16 === 0 || done === total) progress(done, total, `wrote ${done} of ${total} tiles`);
    };
    if (workers > 0) await runWorkers(workerFile, setup, jobs, workers, Math.max(1, req.concurrency ?? 4), written, signal, (r) => { add(r); tick(); });
    else {
      const fh = await fs.open(polyPath, 'r');
      const read = handleReader(fh);
      try {
        let next = 0;
        // The first failure (or the cancel) stops every worker; all of them settle before anything is undone.
        let failure: unknown;
        await Promise.all(Array.from({ length: Math.min(Math.max(1, req.concurrency ?? 8), total) }, async () => {
          while (next < total && failure === undefined) {
            try {
              signal?.throwIfAborted();
              add(await writeTile(setup, jobs[next++], read, written, o.transformImage));
            } catch (e) {
              failure ??= e;
              return;
            }
            tick();
          }
        }));
        if (failure !== undefined) throw failure;
      } finally {
        await fh.close();
      }
    }
    signal?.throwIfAborted();
    progress(total, total, 'writing folds, YOLO and COCO files');

    // Folds, lists, YOLO data files, COCO splits.
    const ids = [...tiles.map((t) => t.id), ...shiftedPlans.map((p) => p.id)];
    await written.write('folds.csv', foldsCsv(folds, ids));
    const imageList = (list: string[]) => list.map((id) => `./${relById.get(id) ?? imageRel(index.tiles.get(id)!)}`).join('\n') + '\n';
    const categories = cocoCategories(classes);
    for (let k = 0; k < folds.folds; k++) {
      signal?.throwIfAborted();
      const { train, val } = foldSplit(folds, k);
      await written.write(`folds/fold${k}_train.txt`, train.join('\n') + '\n');
      await written.write(`folds/fold${k}_val.txt`, val.join('\n') + '\n');
      if (f.yolo) {
        await written.write(`fold${k}_train.txt`, imageList(train));
        await written.write(`fold${k}_val.txt`, imageList(val));
        await written.write(`data_fold${k}.yaml`, yoloDataYaml(out, `fold${k}_train.txt`, `fold${k}_val.txt`, classes));
      }
      if (f.coco) {
        const info = { description: `Vasculature Explorer training data, ${folds.names[k]}`, fold: k };
        for (const [split, list] of [['train', train], ['val', val]] as const) {
          await writeCocoFile(await written.prepare(`coco/fold${k}_${split}.json`), list.map((id) => coco.get(id)!), categories, info);
        }
      }
    }
    signal?.throwIfAborted();

    const statTiles = tiles.map((t) => ({ id: t.id, wsi: t.wsi ?? 0, dataset: t.dataset ?? 0, counts: instancesPerTile.get(t.id) ?? {}, vesselFraction: t.areas.blood_vessel / (TILE * TILE) }));
    // A shifted tile is counted in its anchor's fold, with its own instances (its vessel-area share is the anchor's, an approximation).
    for (const p of shiftedPlans) { const a = index.tiles.get(p.anchor)!; statTiles.push({ id: p.id, wsi: a.wsi ?? 0, dataset: a.dataset ?? 0, counts: instancesPerTile.get(p.id) ?? {}, vesselFraction: a.areas.blood_vessel / (TILE * TILE) }); }
    const manifest: LabelsManifest = {
      format: 'vasculature-explorer-labels/1',
      complete: true,
      tool: req.tool ?? { name: 'vasculature-explorer', version: 'unknown' },
      createdAt: new Date().toISOString(),
      dataset: { root, files: { polygons: POLYGONS_FILE, tileMeta: TILE_META_FILE } },
      inputsHash,
      optionsHash,
      options: recorded,
      classes: classes.map((c, k) => ({ index: k, name: c, cocoId: categories.find((x) => x.name === c)?.id ?? 0, yoloIndex: k, labelValue: k + 1 })),
      conventions: conventions(o, classes),
      counts: { tiles: tiles.length, instances: counts, ignoreRegions, files: written.count + 2 },
      folds: {
        scheme: folds.scheme,
        description: describeScheme(folds.scheme),
        names: folds.names,
        perFold: foldStats(folds, statTiles),
        leakage: { overlappingPairs: overlaps, leakingPairs: leaks.length, examples: leaks.slice(0, 50).map((l) => ({ a: l.a, b: l.b, wsi: l.wsi, overlapPx: l.overlapPx, foldA: l.foldA, foldB: l.foldB })) },
      },
      ...(ctx ? { context: { pad: ctx.pad, fill: ctx.fill, shifted: ctx.shifted, shiftedMinQuadrants: ctx.shiftedMinQuadrants ?? 4, paddedTiles: padded.size, shiftedTiles: shiftedPlans.length, neighbours: 'exact i/j offsets of 512 px in the same WSI, among the tiles of this selection', missing: ctx.fill === 'reflect' ? "padding: the tile's own pixels mirrored at its edge (numpy 'symmetric', sharp extendWith 'mirror'), masks the same, polygons reflected; shifted tiles: zero" : 'zero pixels, no labels', leakingPairs: leaks.length } } : {}),
      skipped: { byCode: skippedByCode, droppedByClass, deduplicated: dedupe, tilesWithoutImage: { count: withoutImage.length, examples: withoutImage.slice(0, 10).map((t) => t.id) }, unsafeIds: { count: unsafeIds.length, examples: unsafeIds.slice(0, 10).map((t) => escapeControls(t.id).slice(0, 80)) } },
    };
    await written.write('README.md', readmeText(manifest));
    await written.write(MANIFEST_FILE, JSON.stringify(manifest, null, 2) + '\n');
    return { upToDate: false, out, manifest, leaks };
  } catch (e) {
    await written.undo(created);
    throw e;
  }
}

/** Splits the jobs over worker threads (interleaved, so each gets a share of both datasets); adopts every file they wrote, also when one fails or the run is cancelled. */
async function runWorkers(file: string, setup: TileWriterSetup, jobs: TileJob[], n: number, concurrency: number, written: WrittenFiles, signal: AbortSignal | undefined, onTile: (r: TileOutcome) => void): Promise<void> {
  const errors: string[] = [];
  const started = Array.from({ length: n }, (_, w) => {
    const data: LabelsWorkerData = { setup, jobs: jobs.filter((_, k) => k % n === w), concurrency };
    return new Worker(file, { workerData: data });
  });
  const abort = () => { for (const w of started) w.postMessage({ type: 'abort' } satisfies ToLabelsWorker); };
  signal?.addEventListener('abort', abort, { once: true });
  try {
    await Promise.all(started.map((w) => new Promise<void>((resolve) => {
      let finished = false;
      w.on('message', (m: FromLabelsWorker) => {
        if (m.type === 'tiles') for (const r of m.outcomes) onTile(r);
        else {
          finished = true;
          written.adopt(m.files);
          if (m.error) { errors.push(m.error); abort(); }
          resolve();
        }
      });
      w.on('error', (e) => { errors.push(e.message); abort(); });
      w.on('exit', (code) => { if (!finished) { errors.push(`a worker thread stopped (exit code ${code})`); abort(); resolve(); } });
    })));
  } finally {
    signal?.removeEventListener('abort', abort);
    await Promise.all(started.map((w) => w.terminate()));
  }
  signal?.throwIfAborted();
  if (errors.length) throw new Error(`Writing tiles failed: ${errors[0]}`);
}

/** The polygons.jsonl lines where the index found a problem. */
function problemLinesOf(index: DatasetIndex): Set<number> {
  return new Set(index.problems.filter((p) => p.file === index.files.polygons && p.line > 0).map((p) => p.line));
}

/** Leaks with one entry per pair of ids (a context tile can touch the same tile through several pieces; their pixels add up). */
function mergeLeaks(leaks: readonly LeakPair[]): LeakPair[] {
  const by = new Map<string, LeakPair>();
  for (const l of leaks) {
    const key = l.a < l.b ? `${l.a}\0${l.b}` : `${l.b}\0${l.a}`;
    const had = by.get(key);
    if (had) had.overlapPx += l.overlapPx;
    else by.set(key, { ...l });
  }
  return [...by.values()];
}
