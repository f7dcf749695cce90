/** `vasculature-explorer tune <dataset-folder> [--model m.onnx] [--folds folds.csv] [--grid ...] [--json]`: the post-processing sweep on the command line. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { IgnoreMode } from '../core/metric';
import { indexDataset, isDatasetFolder, nodeFileReader } from '../core/dataset';
import { PROVIDER_SETTINGS, type ProviderSetting } from '../core/model';
import { DEFAULT_PREDICT_SETTINGS } from '../core/predict';
import { cellCliFlags, cellLabel, DEFAULT_GRID, GridSpecError, gridSpecText, OutputCache, parseFoldsCsv, parseGridSpec, rankByMean, rankByWorstFold, tuneDataset, type CellResult, type TuneResult } from '../core/tuning';
import { InferenceClient } from '../inference/client';
import { bundledModelPath } from './predictCommand';
import { splitArgs } from './scoreCommand';
import type { CliIO } from './validateCommand';
import { errorText, field } from './cliText';

const USAGE = `usage: vasculature-explorer tune <dataset-folder> [--model m.onnx] [--folds folds.csv]
         [--grid threshold=0.3:0.7:0.1 dilation=0,1,2 min-area=0,16,64 tta=none,flip,rot4 glomerulus=keep,remove]
         [--datasets 1|1,2|all] [--cache dir] [--provider cpu] [--threads n] [--workers n]
         [--ignore-mode count|ignore] [--max-tiles n] [--json]`;

/** The CLI's cache folder: $XDG_CACHE_HOME (or ~/.cache)/vasculature-explorer/model-outputs. */
export function defaultCacheDir(): string {
  return path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'vasculature-explorer', 'model-outputs');
}

/** Pulls `--grid tok tok ...` (every following name=value token) out of argv. */
function takeGrid(args: string[]): { rest: string[]; grid?: string[] } {
  const k = args.indexOf('--grid');
  if (k < 0) return { rest: args };
  let e = k + 1;
  while (e < args.length && !args[e].startsWith('--') && args[e].includes('=')) e++;
  if (e === k + 1) throw new Error('--grid needs name=values tokens, e.g. --grid threshold=0.3:0.7:0.1 dilation=0,1,2');
  return { rest: [...args.slice(0, k), ...args.slice(e)], grid: args.slice(k + 1, e) };
}

const f3 = (v: number | null | undefined) => (v === null || v === undefined ? '—' : v.toFixed(3));

/** One cell as the --json object lists it. */
function cellJson(c: CellResult) {
  return { index: c.index, params: c.params, ap: c.ap, perWsi: c.perWsi, perFold: c.perFold, spread: c.spread, tp: c.tp, fp: c.fp, fn: c.fn, ignored: c.ignored, numGt: c.numGt };
}

function textReport(r: TuneResult, io: CliIO): void {
  const groups = r.best?.groups ?? 'wsi';
  io.out(`Tuned ${field(path.basename(r.model.path))} (${r.model.outputKind}, ${r.model.provider}) on ${r.tiles} tile(s), ${r.cells.length} cells; ${r.convention}`);
  io.out(`model ran on ${r.fill.ran} tile/transform(s), ${r.fill.reused} reused from the cache; sweep ${(r.timings.sweepMs / 1000).toFixed(1)} s, scoring ${(r.timings.scoreMs / 1000).toFixed(1)} s`);
  const row = (c: CellResult) => `${cellLabel(c.params).padEnd(52)}  AP ${f3(c.ap)}  ${groups} min ${f3(c.spread.min)} mean ${f3(c.spread.mean)} max ${f3(c.spread.max)}  TP ${c.tp} FP ${c.fp} FN ${c.fn}`;
  io.out(`\nbest by mean ${groups} AP:`);
  for (const c of rankByMean(r.cells).slice(0, 5)) io.out(`  ${row(c)}`);
  io.out(`best by worst-${groups} AP:`);
  for (const c of rankByWorstFold(r.cells).slice(0, 5)) io.out(`  ${row(c)}`);
  if (r.best) {
    const b = r.cells[r.best.byWorstFold];
    io.out(`\npredict flags of the best-worst-${groups} cell: ${cellCliFlags(b.params, r.model.outputKind)}`);
    if (r.best.warning) io.out(`warning: ${field(r.best.warning)}`);
  }
}

/** Run tune; exit 0 when the sweep ran (even with tiles left out), 2 for usage or a bad grid/folds file. */
export async function tuneCommand(argv: string[], io: CliIO): Promise<number> {
  let parsed, gridTokens: string[] | undefined;
  try {
    const g = takeGrid(argv);
    gridTokens = g.grid;
    parsed = splitArgs(g.rest, ['--model', '--folds', '--cache', '--datasets', '--provider', '--threads', '--workers', '--ignore-mode', '--max-tiles']);
  } catch (e) {
    io.err(`vasculature-explorer tune: ${errorText(e)}\n${USAGE}`);
    return 2;
  }
  const { flags, positional } = parsed;
  const str = (k: string) => (typeof flags.get(k) === 'string' ? (flags.get(k) as string) : undefined);
  const int = (k: string, d: number, min = 0) => {
    const v = str(k);
    if (v === undefined) return d;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`${k} wants a whole number >= ${min}, got "${v}"`);
    return n;
  };
  if (positional.length !== 1) {
    io.err(USAGE);
    return 2;
  }
  const root = path.resolve(positional[0]);
  const provider = (str('--provider') ?? DEFAULT_PREDICT_SETTINGS.provider) as ProviderSetting;
  const ignoreMode = (str('--ignore-mode') ?? DEFAULT_PREDICT_SETTINGS.ignoreMode) as IgnoreMode;
  if (!PROVIDER_SETTINGS.includes(provider) || (ignoreMode !== 'count' && ignoreMode !== 'ignore')) {
    io.err(USAGE);
    return 2;
  }
  let grid, threads, workers, limit, datasets: number[] | 'all';
  try {
    grid = gridTokens ? parseGridSpec(gridTokens, DEFAULT_GRID) : { ...DEFAULT_GRID, threshold: [...DEFAULT_GRID.threshold], dilation: [...DEFAULT_GRID.dilation], minArea: [...DEFAULT_GRID.minArea], tta: [...DEFAULT_GRID.tta], glomerulus: [...DEFAULT_GRID.glomerulus] };
    threads = int('--threads', DEFAULT_PREDICT_SETTINGS.threads, 1);
    workers = flags.has('--workers') ? int('--workers', 0) : undefined;
    limit = flags.has('--max-tiles') ? int('--max-tiles', 1, 1) : undefined;
    const ds = str('--datasets') ?? '1';
    datasets = ds === 'all' ? 'all' : ds.split(',').map((v) => {
      if (!/^[123]$/.test(v.trim())) throw new Error(`--datasets "${ds}": "${v}" is not 1, 2 or 3 (or write all)`);
      return Number(v);
    });
  } catch (e) {
    io.err(`vasculature-explorer tune: ${e instanceof GridSpecError ? `--grid ${errorText(e)}` : errorText(e)}`);
    return 2;
  }
  if (!fs.existsSync(root) || !(await isDatasetFolder(nodeFileReader, root))) {
    io.err(`vasculature-explorer tune: ${root} is not a dataset folder (it needs polygons.jsonl or tile_meta.csv and train/).`);
    return 2;
  }
  const modelPath = path.resolve(str('--model') ?? bundledModelPath());
  if (!fs.existsSync(modelPath)) {
    io.err(`vasculature-explorer tune: model file not found: ${modelPath}. Pass --model <file.onnx>.`);
    return 2;
  }
  const index = await indexDataset(root);
  let folds: Map<string, number> | undefined;
  const foldsFile = str('--folds');
  if (foldsFile) {
    const file = path.resolve(foldsFile);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      io.err(`vasculature-explorer tune: cannot read the folds file ${file}: ${errorText(e)}`);
      return 2;
    }
    const parsedFolds = parseFoldsCsv(text, file, new Set(index.tiles.keys()));
    for (const p of parsedFolds.problems) io.err(`folds: ${field(p.message)}`);
    if (parsedFolds.folds.size === 0) {
      io.err(`vasculature-explorer tune: ${file} names no tile of the dataset with an integer fold; fix it or leave --folds out.`);
      return 2;
    }
    folds = parsedFolds.folds;
  }
  const cache = new OutputCache(path.resolve(str('--cache') ?? defaultCacheDir()));
  const json = flags.has('--json');
  const client = new InferenceClient({ log: (level, m) => { if (level !== 'info') io.err(`${level}: ${field(m)}`); } });
  let lastPct = -1;
  try {
    const r = await tuneDataset(index, client, {
      modelPath, provider, threads, grid, ignoreMode, datasets, ...(folds ? { folds } : {}), cache, ...(workers !== undefined ? { workers } : {}), ...(limit ? { limit } : {}),
      onProgress: (p) => {
        const pct = Math.floor((p.done / p.total) * 10);
        if (!json && pct !== lastPct) io.err(`${p.phase}: ${p.done}/${p.total}`);
        lastPct = pct;
      },
    });
    if (json) {
      io.out(JSON.stringify({
        model: r.model, grid: r.grid, gridSpec: gridSpecText(r.grid), ignoreMode: r.ignoreMode, convention: r.convention, tiles: r.tiles,
        cells: r.cells.map(cellJson),
        best: r.best ? { byMean: cellJson(r.cells[r.best.byMean]), byWorstFold: cellJson(r.cells[r.best.byWorstFold]), groups: r.best.groups, losingSlides: r.best.losingSlides, warning: r.best.warning ?? null } : null,
        leftOut: r.leftOut, withoutFold: r.withoutFold,
        cache: { dir: cache.dir, bytes: cache.sizeBytes(), ran: r.fill.ran, reused: r.fill.reused },
        seconds: { model: r.timings.modelMs / 1000, sweep: r.timings.sweepMs / 1000, score: r.timings.scoreMs / 1000 },
      }, null, 2));
    } else textReport(r, io);
    if (r.withoutFold > 0) io.err(`folds: ${r.withoutFold} swept tile(s) have no fold in ${foldsFile}; they count overall and per WSI, in no fold`);
    for (const l of r.leftOut) io.err(`left out ${field(l.tileId)}: ${field(l.reason)}`);
    if (r.leftOut.length) io.err(`${r.leftOut.length} tile(s) left out of the sweep; the other ${r.tiles} were scored`);
    return 0;
  } finally {
    await client.dispose();
  }
}
