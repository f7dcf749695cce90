/** `vasculature-explorer predict <folder|tile...> [--model m.onnx] [--out submission.csv] [--provider cpu]`: Predict on the command line. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { IgnoreMode } from '../core/metric';
import { indexDataset, isTileImage } from '../core/dataset';
import { imageId, isDatasetFolder } from '../core/dataset';
import { nodeFileReader } from '../core/dataset';
import { predictBatch } from '../core/predict';
import { DEFAULT_PREDICT_SETTINGS, TTA_ON, type PredictSettings, type TileInput } from '../core/predict';
import { apText, batchScoreMarkdown, scoreJson } from '../core/predict';
import { writeSubmissionCsv } from '../core/metric';
import { loadImageTile, loadIndexedTile } from '../core/predict';
import type { DatasetIndex } from '../core/types';
import { InferenceClient } from '../inference/client';
import { PROVIDER_SETTINGS, type ProviderSetting } from '../inference/protocol';
import { splitArgs } from './scoreCommand';
import type { CliIO } from './validateCommand';
import { errorText, field, shownScore } from './cliText';

const USAGE = `usage: vasculature-explorer predict <dataset-folder|image-folder|tile-image...> [--model m.onnx] [--out submission.csv]
         [--provider auto|cuda|dml|coreml|webgpu|cpu] [--threads n] [--threshold p] [--min-area px] [--dilation px]
         [--tta] [--keep-glomerulus] [--ignore-mode count|ignore] [--limit n] [--shard k/n] [--json]
  --shard k/n keeps the k-th of n equal slices of the tiles in id order (k = 1..n), for array jobs`;

/** The k-th (1-based) of n contiguous, near-equal slices of items (sorted by id first, so every job sees the same order). */
export function shardOf<T extends { id: string }>(items: readonly T[], spec: string): T[] {
  const m = /^(\d+)\/(\d+)$/.exec(spec);
  const k = m ? Number(m[1]) : NaN;
  const n = m ? Number(m[2]) : NaN;
  if (!m || !(n >= 1) || !(k >= 1 && k <= n)) throw new Error(`--shard wants k/n with 1 <= k <= n (e.g. --shard 2/8), got "${spec}"`);
  const sorted = [...items].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return sorted.slice(Math.floor(((k - 1) * sorted.length) / n), Math.floor((k * sorted.length) / n));
}

/** The bundled demo model: media/model/demo-unet.onnx of the package this file belongs to. */
export function bundledModelPath(from: string = __dirname): string {
  let d = from;
  while (!fs.existsSync(path.join(d, 'package.json')) && path.dirname(d) !== d) d = path.dirname(d);
  return path.join(d, 'media', 'model', 'demo-unet.onnx');
}

/** One tile to run: where its pixels are and how to load it with its annotations. */
interface Job {
  id: string;
  load: () => Promise<TileInput>;
}

async function collectJobs(inputs: string[], io: CliIO): Promise<Job[] | undefined> {
  const jobs: Job[] = [];
  const indexes = new Map<string, DatasetIndex>();
  const indexOf = async (root: string) => {
    let ix = indexes.get(root);
    if (!ix) indexes.set(root, (ix = await indexDataset(root)));
    return ix;
  };
  for (const input of inputs) {
    const p = path.resolve(input);
    const st = fs.existsSync(p) ? fs.statSync(p) : undefined;
    if (!st) {
      io.err(`vasculature-explorer predict: ${p} does not exist.`);
      return undefined;
    }
    if (st.isDirectory() && (await isDatasetFolder(nodeFileReader, p))) {
      const ix = await indexOf(p);
      for (const t of ix.tiles.values()) if (t.image) jobs.push({ id: t.id, load: () => loadIndexedTile(ix, t.id) });
    } else if (st.isDirectory()) {
      for (const name of fs.readdirSync(p).filter(isTileImage).sort()) {
        const file = path.join(p, name);
        jobs.push({ id: imageId(name) ?? path.parse(name).name, load: () => loadImageTile(file, imageId(name) ?? path.parse(name).name) });
      }
    } else {
      // A tile inside <dataset>/train or <dataset>/test is scored against that dataset's annotations.
      const root = path.dirname(path.dirname(p));
      const id = imageId(path.basename(p)) ?? path.parse(p).name;
      if (await isDatasetFolder(nodeFileReader, root)) {
        const ix = await indexOf(root);
        if (ix.tiles.get(id)?.image) {
          jobs.push({ id, load: () => loadIndexedTile(ix, id) });
          continue;
        }
      }
      jobs.push({ id, load: () => loadImageTile(p, id) });
    }
  }
  return jobs;
}

/** Run predict; exit 1 when a tile failed, 2 for usage. */
export async function predictCommand(args: string[], io: CliIO): Promise<number> {
  let parsed;
  try {
    parsed = splitArgs(args, ['--model', '--out', '--provider', '--threads', '--threshold', '--min-area', '--dilation', '--ignore-mode', '--limit', '--shard']);
  } catch (e) {
    io.err(`${errorText(e)}\n${USAGE}`);
    return 2;
  }
  const { flags, positional } = parsed;
  const num = (name: string, fallback: number) => {
    const v = flags.get(name);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (typeof v !== 'string' || !Number.isFinite(n) || n < 0) throw new Error(`${name} wants a non-negative number, got "${String(v)}"`);
    return n;
  };
  const provider = String(flags.get('--provider') ?? DEFAULT_PREDICT_SETTINGS.provider) as ProviderSetting;
  const ignoreMode = String(flags.get('--ignore-mode') ?? DEFAULT_PREDICT_SETTINGS.ignoreMode) as IgnoreMode;
  if (positional.length === 0 || !PROVIDER_SETTINGS.includes(provider) || (ignoreMode !== 'count' && ignoreMode !== 'ignore')) {
    io.err(USAGE);
    return 2;
  }
  let settings: PredictSettings;
  let limit: number;
  try {
    settings = {
      ...DEFAULT_PREDICT_SETTINGS,
      modelPath: path.resolve(String(flags.get('--model') ?? bundledModelPath())),
      provider,
      threads: num('--threads', DEFAULT_PREDICT_SETTINGS.threads),
      threshold: num('--threshold', DEFAULT_PREDICT_SETTINGS.threshold),
      minArea: num('--min-area', DEFAULT_PREDICT_SETTINGS.minArea),
      dilation: num('--dilation', DEFAULT_PREDICT_SETTINGS.dilation),
      tta: flags.has('--tta') ? TTA_ON : DEFAULT_PREDICT_SETTINGS.tta,
      removeInsideGlomerulus: !flags.has('--keep-glomerulus'),
      ignoreMode,
    };
    limit = num('--limit', Infinity);
  } catch (e) {
    io.err(`vasculature-explorer predict: ${errorText(e)}\n${USAGE}`);
    return 2;
  }
  if (!fs.existsSync(settings.modelPath)) {
    io.err(`vasculature-explorer predict: model file not found: ${settings.modelPath}. Pass --model <file.onnx>.`);
    return 2;
  }
  const collected = await collectJobs(positional, io);
  if (!collected) return 2;
  let jobs = collected;
  const shard = flags.get('--shard');
  if (shard !== undefined) {
    try {
      jobs = shardOf(collected, String(shard));
    } catch (e) {
      io.err(`vasculature-explorer predict: ${errorText(e)}\n${USAGE}`);
      return 2;
    }
    if (!flags.has('--json')) io.err(`shard ${String(shard)}: ${jobs.length} of ${collected.length} tiles`);
    if (jobs.length === 0 && collected.length > 0) {
      // More jobs than tiles: this job's slice is empty; an empty submission keeps the merge simple.
      if (flags.has('--out')) fs.writeFileSync(path.resolve(String(flags.get('--out'))), writeSubmissionCsv([]));
      if (flags.has('--json')) io.out(JSON.stringify({ shard: String(shard), tiles: [], failures: [] }, null, 2));
      return 0;
    }
  }
  const selected = jobs.slice(0, limit);
  if (selected.length === 0) {
    io.err(`vasculature-explorer predict: no tile images (.tif, .tiff, .png) in ${positional.join(', ')}.`);
    return 2;
  }
  const json = flags.has('--json');
  const byId = new Map(selected.map((j) => [j.id, j]));
  const client = new InferenceClient({ log: (level, m) => { if (level !== 'info') io.err(`${level}: ${field(m)}`); } });
  try {
    const result = await predictBatch(client, selected.map((j) => j.id), (id) => byId.get(id)!.load(), settings, {
      onTile: (t) => {
        if (!json) io.out(`${field(t.tileId)}  ${t.vessels.length} vessels  ${t.annotated ? `TP ${t.tp} FP ${t.fp} FN ${t.fn} AP ${apText(t.ap)}` : 'not annotated'}  ${t.provider} ${t.inferenceMs.toFixed(0)} ms`);
      },
    });
    if (flags.has('--out')) {
      const out = path.resolve(String(flags.get('--out')));
      const skipped: string[] = [];
      fs.writeFileSync(out, writeSubmissionCsv(result.tiles.map((t) => ({ id: t.tileId, height: t.height, width: t.width, predictions: t.vessels })), skipped));
      for (const id of skipped) io.err(`${out}: tile "${field(id)}" is not a tile id (12 hex characters); its row was left out of the submission.`);
      if (!json) io.out(`wrote ${out} (${result.tiles.length - skipped.length} rows)`);
    }
    const first = result.tiles[0];
    if (json) {
      io.out(JSON.stringify({
        model: settings.modelPath, ...(shard !== undefined ? { shard: String(shard), shardTiles: jobs.length, allTiles: collected.length } : {}), provider: first?.provider ?? null, fallbackReasons: first?.fallbackReasons ?? [],
        settings: { threshold: settings.threshold, minArea: settings.minArea, dilation: settings.dilation, tta: settings.tta, removeInsideGlomerulus: settings.removeInsideGlomerulus, threads: settings.threads },
        ...scoreJson(result.score),
        tiles: result.tiles.map((t) => ({ id: t.tileId, wsi: t.group || null, vessels: t.vessels.length, annotated: t.annotated, tp: t.tp, fp: t.fp, fn: t.fn, ap: t.ap ?? null, latencyMs: Math.round(t.inferenceMs) })),
        failures: result.failures,
        seconds: result.ms / 1000,
      }, null, 2));
    } else {
      if (first?.fallbackReasons.length) io.err(`provider fallback: ${field(first.fallbackReasons.join('; '))}`);
      io.out(batchScoreMarkdown(shownScore(result.score), `Predict with ${field(path.basename(settings.modelPath))} on ${result.tiles.length} tile(s), provider ${first?.provider ?? '-'}, ${(result.tiles.length / (result.ms / 1000)).toFixed(2)} tiles/s`));
    }
    for (const f of result.failures) io.err(`${field(f.tileId)}: ${field(f.message)}`);
    return result.failures.length > 0 ? 1 : 0;
  } finally {
    await client.dispose();
  }
}
