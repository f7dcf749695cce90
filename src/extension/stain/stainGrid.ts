/**
 * The Stain panel's pictures for one tile and one set of settings (no vscode here): the tile as it
 * is, Reinhard onto the chosen target, Macenko onto the reference or a fitted tile, and N
 * RandStainNA samples drawn from the dataset statistics (round-tripped through the yaml we write,
 * so the samples use exactly what a training script would read). Display size: 256 px longest side.
 */
import {
  aggregateByWsi, aggregateStain, asRgba, macenkoFit, macenkoNormalise, MACENKO_REFERENCE, parseRandStainYaml, randStainGrid, randStainYaml, reinhardNormalise,
  reinhardTargetFromAggregate, reinhardTargetOf, STAIN_SPACES, type RandStainConfig, type RgbPixels, type StainResult, type StainSpace, type TileStainStats, type ReinhardTarget, type MacenkoStains,
} from '../../core/stain';
import type { StainCell, StainSettings } from '../../shared/stainProtocol';

/** The display size's longest side. */
export const CELL_SIZE = 256;

/** What the grid needs besides the tile: the dataset's per-tile statistics and a way to read another tile. */
export interface StainGridContext {
  stats?: readonly TileStainStats[];
  loadTile(id: string): Promise<RgbPixels>;
}

/** Box-filter downscale of RGBA to RGB with the longest side <= size (integer factor). */
export function toDisplayRgb(rgba: Uint8Array, width: number, height: number, size = CELL_SIZE): { width: number; height: number; rgb: Uint8Array } {
  const f = Math.max(1, Math.ceil(Math.max(width, height) / size));
  const w = Math.floor(width / f), h = Math.floor(height / f);
  const rgb = new Uint8Array(w * h * 3);
  const n = f * f;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let r = 0, g = 0, b = 0;
      for (let dy = 0; dy < f; dy++) {
        let o = ((y * f + dy) * width + x * f) * 4;
        for (let dx = 0; dx < f; dx++, o += 4) {
          r += rgba[o];
          g += rgba[o + 1];
          b += rgba[o + 2];
        }
      }
      const q = (y * w + x) * 3;
      rgb[q] = Math.round(r / n);
      rgb[q + 1] = Math.round(g / n);
      rgb[q + 2] = Math.round(b / n);
    }
  }
  return { width: w, height: h, rgb };
}

function cell(kind: StainCell['kind'], label: string, r: StainResult, note?: string): StainCell {
  const d = toDisplayRgb(r.data, r.width, r.height);
  return { kind, label, ...d, applied: r.applied, ...(r.reason || note ? { note: r.reason ?? note } : {}) };
}

/** RandStainNA configs per space from per-tile statistics (through the yaml text). */
export function configsOf(stats: readonly TileStainStats[]): Partial<Record<StainSpace, RandStainConfig>> {
  const agg = aggregateStain('dataset', stats);
  const out: Partial<Record<StainSpace, RandStainConfig>> = {};
  for (const s of STAIN_SPACES) if (agg.spaces[s]) out[s] = parseRandStainYaml(randStainYaml(agg.spaces[s]!));
  return out;
}

const f1 = (x: number) => x.toFixed(1);

/** Display cells and the full-resolution results they came from (for export). */
export interface GridPart { cells: StainCell[]; full: { label: string; result: StainResult }[] }

const configMemo = new WeakMap<readonly TileStainStats[], Partial<Record<StainSpace, RandStainConfig>>>();
/** configsOf, once per statistics array. */
function configsMemo(stats: readonly TileStainStats[]): Partial<Record<StainSpace, RandStainConfig>> {
  let c = configMemo.get(stats);
  if (!c) configMemo.set(stats, (c = configsOf(stats.filter((t) => !t.skipped))));
  return c;
}

/** The tile as it is, Reinhard onto the chosen target, Macenko onto the chosen stains. */
export async function normalisationPart(tile: { id: string; wsi?: number; px: RgbPixels }, s: StainSettings, ctx: StainGridContext): Promise<GridPart> {
  const part: GridPart = { cells: [], full: [] };
  const push = (kind: StainCell['kind'], label: string, r: StainResult) => {
    part.full.push({ label, result: r });
    part.cells.push(cell(kind, label, r));
  };
  const original: StainResult = { width: tile.px.width, height: tile.px.height, data: asRgba(tile.px), applied: true };
  push('original', 'as it is', original);
  const stats = ctx.stats?.filter((t) => !t.skipped) ?? [];

  let rTarget: ReinhardTarget | undefined, rLabel = '', rWhy = '';
  if (s.reinhard.startsWith('tile:')) {
    const id = s.reinhard.slice(5);
    try {
      rTarget = reinhardTargetOf(await ctx.loadTile(id));
      rLabel = `tile ${id}`;
    } catch (e) {
      rWhy = `target tile ${id}: ${e instanceof Error ? e.message : String(e)}`;
    }
  } else if (!stats.length) rWhy = 'no dataset statistics yet (run Compute Stain Statistics…)';
  else if (s.reinhard === 'dataset') {
    const a = aggregateStain('dataset', stats, ['LAB']).spaces.LAB;
    if (a) (rTarget = reinhardTargetFromAggregate(a)), (rLabel = `dataset (${stats.length} tiles)`);
  } else {
    const k = s.reinhard === 'wsi' ? tile.wsi : Number(s.reinhard.slice(4));
    const a = k === undefined ? undefined : aggregateByWsi(stats, ['LAB']).get(k);
    if (a?.spaces.LAB) (rTarget = reinhardTargetFromAggregate(a.spaces.LAB)), (rLabel = `WSI ${k} (${a.tiles} tiles)`);
    else rWhy = k === undefined ? 'this tile has no WSI' : `no statistics for WSI ${k}`;
  }
  if (rTarget) push('reinhard', `Reinhard → ${rLabel}: L ${f1(rTarget.mean[0])}±${f1(rTarget.std[0])}`, reinhardNormalise(tile.px, rTarget));
  else push('reinhard', 'Reinhard', { ...original, applied: false, reason: `left unchanged: ${rWhy}` });

  let stains: MacenkoStains = MACENKO_REFERENCE, mLabel = 'reference matrix', mWhy = '';
  if (s.macenko.startsWith('tile:')) {
    const id = s.macenko.slice(5);
    try {
      const f = macenkoFit(await ctx.loadTile(id));
      if (f.ok) (stains = f.stains), (mLabel = `fitted on ${id}`);
      else mWhy = `cannot fit on ${id}: ${f.reason}`;
    } catch (e) {
      mWhy = `target tile ${id}: ${e instanceof Error ? e.message : String(e)}`;
    }
  }
  if (mWhy) push('macenko', 'Macenko', { ...original, applied: false, reason: `left unchanged: ${mWhy}` });
  else push('macenko', `Macenko → ${mLabel}`, macenkoNormalise(tile.px, stains));
  return part;
}

/** N RandStainNA samples drawn from the dataset statistics (seeds seed .. seed + N - 1). */
export function samplesPart(px: RgbPixels, s: StainSettings, stats: readonly TileStainStats[] | undefined): GridPart {
  const part: GridPart = { cells: [], full: [] };
  const configs = stats?.length ? configsMemo(stats) : {};
  randStainGrid(px, configs, { space: s.space, stdHyper: s.stdHyper, distribution: s.distribution, probability: 1 }, s.seed, s.n).forEach((r, k) => {
    const t = r.target;
    const label = t ? `#${k + 1} ${t.space} μ ${t.mean.map((v) => (t.space === 'HED' ? v.toFixed(3) : v.toFixed(0))).join('/')}` : `#${k + 1}`;
    part.full.push({ label, result: r });
    part.cells.push(cell('sample', label, r));
  });
  return part;
}

/** The whole grid: normalisation pictures, then the samples. */
export async function stainGrid(tile: { id: string; wsi?: number; px: RgbPixels }, s: StainSettings, ctx: StainGridContext): Promise<GridPart> {
  const a = await normalisationPart(tile, s, ctx);
  const b = samplesPart(tile.px, s, ctx.stats);
  return { cells: [...a.cells, ...b.cells], full: [...a.full, ...b.full] };
}
