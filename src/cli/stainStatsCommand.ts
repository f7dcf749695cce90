/**
 * `vasculature-explorer stain-stats <dataset-folder> [--space LAB|HSV|HED|all] [--filter k=v]... --out stats.yaml`:
 * per-tile colour statistics (worker thread, cached), aggregated over the filtered tiles and
 * written as RandStainNA's yaml; a per-WSI summary and every skipped tile's reason on stdout.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { indexDataset, queryTiles, describeFilter, type TileFilter } from '../core/dataset';
import { aggregateByWsi, aggregateStain, DEFAULT_MIN_TISSUE, randStainYaml, stainStatsWithCache, STAIN_SPACES, SPACE_CHANNELS, type StainSpace } from '../core/stain';
import { CLASS_NAMES, type ClassName } from '../core/types';
import type { CliIO } from './validateCommand';
import { field } from './cliText';

const USAGE = `usage: vasculature-explorer stain-stats <dataset-folder> [--space LAB|HSV|HED|all] [--filter key=value]... --out stats.yaml
         [--per-wsi] [--cache <dir> | --no-cache] [--min-tissue <fraction>] [--json]
  --space    colour space (default LAB); 'all' writes <out>_LAB.yaml, <out>_HSV.yaml, <out>_HED.yaml
  --filter   wsi=1,2  dataset=1,2  class=blood_vessel  annotated=true|false  search=<id part>  (repeatable)
  --per-wsi  also write one yaml per WSI beside --out (<out>_wsi<k>.yaml)
  --cache    where per-tile statistics are cached (default: $XDG_CACHE_HOME or ~/.cache, /vasculature-explorer)
  --min-tissue  least share of stained pixels (0..1, default ${DEFAULT_MIN_TISSUE}) for a tile to count; below it the tile is skipped with the reason`;

/** Parses one --filter key=value into the shared tile filter; returns an error text on a bad one. */
export function applyFilterArg(f: TileFilter, arg: string): string | undefined {
  const m = /^([a-z]+)=(.*)$/.exec(arg);
  if (!m) return `--filter ${arg}: expected key=value (wsi, dataset, class, annotated, search)`;
  const [, key, value] = m;
  const nums = () => value.split(',').map((s) => Number(s.trim()));
  if (key === 'wsi' || key === 'dataset') {
    const v = nums();
    if (!v.length || v.some((x) => !Number.isInteger(x))) return `--filter ${arg}: ${key} takes whole numbers separated by commas`;
    if (key === 'wsi') f.wsis = v;
    else f.datasets = v;
  } else if (key === 'class') {
    const v = value.split(',').map((s) => s.trim());
    const bad = v.find((c) => !(CLASS_NAMES as readonly string[]).includes(c));
    if (bad) return `--filter ${arg}: unknown class '${bad}' (one of ${CLASS_NAMES.join(', ')})`;
    f.classes = v as ClassName[];
  } else if (key === 'annotated') {
    if (value !== 'true' && value !== 'false') return `--filter ${arg}: annotated takes true or false`;
    f.annotated = value === 'true';
  } else if (key === 'search') f.search = value;
  else return `--filter ${arg}: unknown key '${key}' (wsi, dataset, class, annotated, search)`;
  return undefined;
}

/** The default cache folder for command-line runs. */
export function cliCacheDir(): string {
  return path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'vasculature-explorer');
}

/** Run stain-stats; returns the exit code (1 when no tile could be measured, 2 for usage). */
export async function stainStatsCommand(args: string[], io: CliIO): Promise<number> {
  let space: StainSpace | 'all' = 'LAB';
  let out: string | undefined;
  let cache: string | undefined = cliCacheDir();
  let perWsi = false, json = false;
  let minTissue = DEFAULT_MIN_TISSUE;
  const filter: TileFilter = { hasImage: true };
  const folders: string[] = [];
  for (let k = 0; k < args.length; k++) {
    const a = args[k];
    const next = () => args[++k];
    if (a === '--space') {
      const v = (next() ?? '').toUpperCase();
      if (v !== 'LAB' && v !== 'HSV' && v !== 'HED' && v !== 'ALL') {
        io.err(`vasculature-explorer stain-stats: --space must be LAB, HSV, HED or all (got '${args[k] ?? ''}').\n${USAGE}`);
        return 2;
      }
      space = v === 'ALL' ? 'all' : v;
    } else if (a === '--filter') {
      const e = applyFilterArg(filter, next() ?? '');
      if (e) {
        io.err(`vasculature-explorer stain-stats: ${e}`);
        return 2;
      }
    } else if (a === '--out') out = next();
    else if (a === '--cache') cache = next();
    else if (a === '--no-cache') cache = undefined;
    else if (a === '--per-wsi') perWsi = true;
    else if (a === '--json') json = true;
    else if (a === '--min-tissue') {
      const v = args[++k];
      minTissue = Number(v);
      if (v === undefined || v.trim() === '' || !Number.isFinite(minTissue) || minTissue < 0 || minTissue > 1) {
        io.err(`vasculature-explorer stain-stats: --min-tissue takes a fraction from 0 to 1 (got '${v ?? ''}').\n${USAGE}`);
        return 2;
      }
    }
    else if (a.startsWith('--')) {
      io.err(`vasculature-explorer stain-stats: unknown option ${a}\n${USAGE}`);
      return 2;
    } else folders.push(a);
  }
  if (folders.length !== 1 || !out) {
    io.err(USAGE);
    return 2;
  }
  const root = path.resolve(folders[0]);
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) {
    io.err(`vasculature-explorer stain-stats: ${root} is not a folder. Give the dataset folder (the one with tile_meta.csv and train/).`);
    return 2;
  }
  const index = await indexDataset(root);
  const tiles = queryTiles(index.tiles.values(), { filter, sort: 'id' });
  if (!tiles.length) {
    io.err(`vasculature-explorer stain-stats: no tile with an image matches the filter (${describeFilter(filter) || 'none'}) in ${root}.`);
    return 1;
  }
  const spaces: StainSpace[] = space === 'all' ? [...STAIN_SPACES] : [space];
  let lastPct = -1;
  const run = await stainStatsWithCache(root, tiles, {
    spaces,
    storageDir: cache,
    minTissue,
    onProgress: (done, total) => {
      const pct = Math.floor((done / total) * 10);
      if (!json && pct !== lastPct && total >= 200) {
        lastPct = pct;
        io.err(`stain-stats: ${done}/${total} tiles`);
      }
    },
  });
  const label = describeFilter(filter);
  const agg = aggregateStain(label || 'all tiles', run.tiles, spaces);
  if (!agg.tiles) {
    io.err(`vasculature-explorer stain-stats: none of the ${tiles.length} tiles could be measured; first reason: ${field(run.tiles.find((t) => t.skipped)?.skipped ?? 'unknown')}`);
    return 1;
  }
  const outAbs = path.resolve(out);
  const stem = outAbs.replace(/\.ya?ml$/i, '');
  const written: string[] = [];
  const provenance = (what: string, n: number, skipped: number) => ({
    lines: [
      `RandStainNA statistics written by vasculature-explorer stain-stats`,
      `dataset: ${root}`,
      `tiles: ${what}; ${n} measured, ${skipped} skipped (reasons: stain-stats --json)`,
      `per tile: mean and population std of each channel; here: mean/std of those over the tiles, rounded to 3 decimals`,
    ],
  });
  for (const s of spaces) {
    const file = space === 'all' ? `${stem}_${s}.yaml` : outAbs;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, randStainYaml(agg.spaces[s]!, provenance(label || 'all tiles with an image', agg.tiles, agg.skipped)));
    written.push(file);
  }
  const byWsi = aggregateByWsi(run.tiles, spaces);
  if (perWsi) {
    for (const [k, a] of byWsi) {
      if (k === 'none' || !a.tiles) continue;
      for (const s of spaces) {
        const file = `${stem}${space === 'all' ? `_${s}` : ''}_wsi${k}.yaml`;
        fs.writeFileSync(file, randStainYaml(a.spaces[s]!, provenance(`WSI ${k}${label ? ` · ${label}` : ''}`, a.tiles, a.skipped)));
        written.push(file);
      }
    }
  }
  const skipped = run.tiles.filter((t) => t.skipped);
  const lowTissue = skipped.filter((t) => t.skipped!.startsWith('too little tissue')).length;
  if (json) {
    io.out(JSON.stringify({ root, filter, spaces, written, fromCache: run.fromCache, seconds: run.seconds, tiles: agg.tiles, minTissue, lowTissue, skipped: skipped.map((t) => ({ id: t.id, reason: t.skipped })), aggregate: agg, perWsi: Object.fromEntries(byWsi) }, null, 2));
    return 0;
  }
  io.out(`Stain statistics of ${agg.tiles} tiles in ${root}${label ? ` (${label})` : ''}: ${run.fromCache ? 'from the cache' : `measured in ${run.seconds.toFixed(1)} s (${run.ranIn})`}`);
  for (const s of spaces) {
    const keys = SPACE_CHANNELS[s];
    io.out(`  ${s} mean of per-tile means (std):  ${agg.spaces[s]!.channels.map((c, i) => `${keys[i]} ${c.avg.mean.toFixed(3)} (${c.avg.std.toFixed(3)})`).join('  ')}`);
    for (const [k, a] of byWsi) {
      const sp = a.spaces[s];
      if (!sp) continue;
      io.out(`    ${String(k === 'none' ? 'no WSI' : `WSI ${field(k)}`).padEnd(7)} ${String(a.tiles).padStart(5)} tiles  ${sp.channels.map((c, i) => `${keys[i]} ${c.avg.mean.toFixed(3)}`).join('  ')}`);
    }
  }
  if (skipped.length) {
    io.out(`Skipped ${skipped.length} tiles (${lowTissue} below the ${(minTissue * 100).toFixed(1)} % tissue threshold):`);
    for (const t of skipped.slice(0, 20)) io.out(`  ${field(t.id)}: ${field(t.skipped)}`);
    if (skipped.length > 20) io.out(`  ... and ${skipped.length - 20} more (--json lists all)`);
  }
  for (const f of written) io.out(`wrote ${f}`);
  return 0;
}
