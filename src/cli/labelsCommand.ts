/** `vasculature-explorer labels <dataset-folder> --out <dir> [options]`: training data (masks, YOLO, COCO, folds) from the annotations. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { indexDataset } from '../core/dataset';
import { STAIN_OPTION_USAGE, stainOptionTransform } from './stainOption';
import { DEFAULT_LABEL_OPTIONS, LABEL_PRESETS, LabelsError, prepareLabels, type LabelOptions } from '../core/labels';
import type { FoldScheme, Stratify } from '../core/folds';
import type { ClassName } from '../core/types';
import type { CliIO } from './validateCommand';
import { errorText, field } from './cliText';

export const LABELS_USAGE = `usage: vasculature-explorer labels <dataset-folder> --out <dir> [options]
  --preset <name>          ${Object.keys(LABEL_PRESETS).join(' | ')}
  --datasets 1|2|1,2       annotated datasets used (default 1,2)
  --wsis 1,2               only these WSIs (default all)
  --tiles-file <file>      only the tile ids listed in the file (one per line, or a folds.csv / id column)
  --classes blood_vessel[,glomerulus]   trained classes (default blood_vessel)
  --unsure drop|class|ignore            unsure polygons (default drop)
  --dedupe none|dataset2|all            drop polygons whose mask has IoU 1 with another (default dataset2)
  --formats masks,label,instances,yolo,coco   any subset (default masks,yolo,coco)
  --mask-value 1|255       inside value of binary masks (default 1)
  --images link|copy|png   images in the output (default link: a symbolic link, no copy)
  --folds kfold|group-wsi|halves|share|lowo   fold scheme (default kfold)
  --k 5  --seed 42  --stratify none|dataset|vesselBins|classPresence|wsi  --share 0.2
  --context-pad <px>       pad every tile with px taken from its WSI neighbours (default 0 = none)
  --context-fill reflect|zero          a missing neighbour: the tile mirrored at its edge, or zero (default reflect)
  --shifted                also write the 256-px shifted tiles from 2x2 blocks of neighbours
  --shifted-min-quadrants 1..4         real quadrants a shifted tile needs (default 4; missing ones are zero)
  --force                  write into a folder that holds other files
  --inside-dataset         allow an output folder inside the dataset folder
  --json                   print the manifest as JSON
${STAIN_OPTION_USAGE}`;

function value(args: string[], name: string): string | undefined {
  const k = args.indexOf(name);
  return k >= 0 ? args[k + 1] : undefined;
}

const list = (s: string) => s.split(',').map((x) => x.trim()).filter(Boolean);

/** The options from the command line (a preset first, then the explicit flags over it). */
export function parseLabelArgs(args: string[]): LabelOptions {
  const preset = value(args, '--preset');
  if (preset !== undefined && !LABEL_PRESETS[preset]) throw new LabelsError('options', `unknown preset ${preset}; use one of ${Object.keys(LABEL_PRESETS).join(', ')}.`);
  const o: LabelOptions = { ...DEFAULT_LABEL_OPTIONS, formats: { ...DEFAULT_LABEL_OPTIONS.formats }, ...(preset ? LABEL_PRESETS[preset].options : {}) };
  const ds = value(args, '--datasets');
  if (ds) o.datasets = list(ds).map(Number);
  const wsis = value(args, '--wsis');
  if (wsis) o.wsis = list(wsis).map(Number);
  const tf = value(args, '--tiles-file');
  if (tf) {
    let text: string;
    try { text = fs.readFileSync(tf, 'utf8'); } catch (e) { throw new LabelsError('options', `cannot read --tiles-file ${tf} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`); }
    o.tileIds = text.split(/\r?\n/).map((l) => l.split(',')[0].trim()).filter((id) => id && id !== 'id');
    o.tileFilter = `ids in ${path.basename(tf)}`;
  }
  const cls = value(args, '--classes');
  if (cls) o.classes = list(cls) as ClassName[];
  const un = value(args, '--unsure');
  if (un) o.unsure = un as LabelOptions['unsure'];
  const dd = value(args, '--dedupe');
  if (dd) o.dedupe = dd as LabelOptions['dedupe'];
  const im = value(args, '--images');
  if (im) o.images = im as LabelOptions['images'];
  const mv = value(args, '--mask-value');
  const fm = value(args, '--formats');
  if (fm) {
    const f = new Set(list(fm));
    const unknown = [...f].filter((x) => !['masks', 'label', 'instances', 'yolo', 'coco'].includes(x));
    if (unknown.length) throw new LabelsError('options', `unknown format ${unknown.join(', ')}; use masks, label, instances, yolo, coco.`);
    o.formats = { ...(f.has('masks') ? { binaryMasks: { value: 1 as const } } : {}), labelPng: f.has('label'), instancePng: f.has('instances'), yolo: f.has('yolo'), coco: f.has('coco') };
  }
  if (mv) {
    if (mv !== '1' && mv !== '255') throw new LabelsError('options', `--mask-value must be 1 or 255 (got ${mv}).`);
    if (o.formats.binaryMasks) o.formats.binaryMasks = { value: mv === '1' ? 1 : 255 };
  }
  const scheme = value(args, '--folds');
  const k = Number(value(args, '--k') ?? 5), seed = Number(value(args, '--seed') ?? 42);
  const stratify = (value(args, '--stratify') ?? (scheme === 'group-wsi' ? 'dataset' : 'dataset')) as Stratify;
  if (!['none', 'dataset', 'vesselBins', 'classPresence', 'wsi'].includes(stratify)) throw new LabelsError('options', `--stratify must be none, dataset, vesselBins, classPresence or wsi (got ${stratify}).`);
  const share = Number(value(args, '--share') ?? 0.2);
  if (scheme !== undefined || value(args, '--k') || value(args, '--seed') || value(args, '--stratify')) {
    const byName: Record<string, FoldScheme> = {
      kfold: { kind: 'kfold', k, seed, stratify },
      'group-wsi': { kind: 'groupWsi', k, stratify },
      halves: { kind: 'wsiPosition', split: 'halves' },
      share: { kind: 'wsiPosition', split: 'share', share },
      lowo: { kind: 'leaveOneWsiOut' },
    };
    const s = byName[scheme ?? (o.folds.kind === 'groupWsi' ? 'group-wsi' : 'kfold')];
    if (!s) throw new LabelsError('options', `--folds must be kfold, group-wsi, halves, share or lowo (got ${scheme}).`);
    o.folds = s;
  }
  const pad = value(args, '--context-pad'), fill = value(args, '--context-fill'), minQ = value(args, '--shifted-min-quadrants');
  if (pad !== undefined || fill !== undefined || minQ !== undefined || args.includes('--shifted')) {
    o.context = { pad: Number(pad ?? 0), fill: (fill ?? 'reflect') as 'reflect' | 'zero', shifted: args.includes('--shifted'), ...(minQ !== undefined ? { shiftedMinQuadrants: Number(minQ) } : {}) };
  }
  return o;
}

function packageVersion(): string {
  for (let d = __dirname; d !== path.dirname(d); d = path.dirname(d)) {
    const p = path.join(d, 'package.json');
    if (fs.existsSync(p)) return (JSON.parse(fs.readFileSync(p, 'utf8')) as { version?: string }).version ?? 'unknown';
  }
  return 'unknown';
}

/** Run labels; returns the exit code (0 done or up to date, 1 refused or failed, 2 usage). */
export async function labelsCommand(args: string[], io: CliIO): Promise<number> {
  const out = value(args, '--out');
  const flagsWithValue = new Set(['--out', '--preset', '--datasets', '--wsis', '--tiles-file', '--classes', '--unsure', '--dedupe', '--formats', '--mask-value', '--images', '--folds', '--k', '--seed', '--stratify', '--share', '--stain', '--context-pad', '--context-fill', '--shifted-min-quadrants']);
  const positional = args.filter((a, n) => !a.startsWith('--') && !flagsWithValue.has(args[n - 1]));
  if (positional.length !== 1 || !out) {
    io.err(LABELS_USAGE);
    return 2;
  }
  const root = path.resolve(positional[0]);
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) {
    io.err(`vasculature-explorer labels: ${root} is not a folder. Give the competition folder (polygons.jsonl, tile_meta.csv, train/).`);
    return 2;
  }
  let options: LabelOptions;
  try {
    options = parseLabelArgs(args);
  } catch (e) {
    io.err(`vasculature-explorer labels: ${errorText(e)}\n${LABELS_USAGE}`);
    return 2;
  }
  const stain = value(args, '--stain');
  if (stain) {
    try {
      const st = await stainOptionTransform(stain, await indexDataset(root));
      options = { ...options, transformImage: st.transform, transformName: st.name };
    } catch (e) {
      io.err(`vasculature-explorer labels: ${errorText(e)}`);
      return 2;
    }
  }
  const ac = new AbortController();
  const onSigint = () => ac.abort();
  process.once('SIGINT', onSigint);
  let last = 0;
  try {
    const r = await prepareLabels({
      root, out, options, force: args.includes('--force'), allowInsideDataset: args.includes('--inside-dataset'), signal: ac.signal,
      tool: { name: 'vasculature-explorer', version: packageVersion() },
      onProgress: (done, total, message) => {
        const now = Date.now();
        if (now - last > 1000 || done === total) { last = now; io.err(`labels: ${field(message)}`); }
      },
    });
    const m = r.manifest;
    if (args.includes('--json')) io.out(JSON.stringify(m, null, 2));
    else {
      io.out(r.upToDate ? `${r.out} is up to date (same inputs and options); nothing written.` : `Wrote ${m.counts.files} files to ${r.out}`);
      io.out(`  ${m.counts.tiles} tiles; ${Object.entries(m.counts.instances).map(([c, n]) => `${n} ${c}`).join(', ')}`);
      io.out(`  skipped polygons: ${Object.entries(m.skipped.byCode).map(([c, n]) => `${n} ${field(c)}`).join(', ') || 'none'}; de-duplicated ${m.skipped.deduplicated.exact + m.skipped.deduplicated.sameMask}; tiles without image: ${m.skipped.tilesWithoutImage.count}${m.skipped.unsafeIds?.count ? `; tiles left out for an id that cannot be a file name: ${m.skipped.unsafeIds.count}` : ''}`);
      io.out(`  folds: ${field(m.folds.description)}`);
      for (const f of m.folds.perFold) io.out(`    ${field(f.name)}: ${f.tiles} tiles, ${Object.entries(f.instances).map(([c, n]) => `${n} ${c}`).join(', ')}`);
      io.out(`  leakage: ${m.folds.leakage.overlappingPairs} overlapping tile pairs, ${m.folds.leakage.leakingPairs} in different folds`);
      for (const l of m.folds.leakage.examples.slice(0, 5)) io.out(`    ${root}/tile_meta.csv: warning [fold-leak] ${field(l.a)} (fold ${field(l.foldA)}) and ${field(l.b)} (fold ${field(l.foldB)}) of WSI ${field(l.wsi)} overlap by ${l.overlapPx} px`);
    }
    return 0;
  } catch (e) {
    if (ac.signal.aborted) {
      io.err('vasculature-explorer labels: cancelled; the files written so far were removed.');
      return 1;
    }
    if (e instanceof LabelsError) {
      io.err(`vasculature-explorer labels: ${errorText(e)}`);
      return 1;
    }
    throw e;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}
