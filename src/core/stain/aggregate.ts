/**
 * Aggregating per-tile colour statistics the way RandStainNA's preprocess/datasets_statistics.py
 * does: per channel, the mean and population std of the per-tile means and of the per-tile stds,
 * and a distribution name (norm or laplace) chosen as the `fitter` package does (least squared
 * error against a 100-bin density histogram). Grouped per WSI, per dataset, or over any tile set.
 */
import { STAIN_SPACES, type StainSpace, type TileStainStats } from './tileStats';

/** RandStainNA's distribution names in the yaml. */
export type FitName = 'norm' | 'laplace';

/** Mean, population std and best-fitting distribution of one list of numbers. */
export interface EntryStats {
  mean: number;
  std: number;
  distribution: FitName;
}

/** One channel: the spread of per-tile means (avg) and of per-tile stds (std). */
export interface ChannelAggregate {
  avg: EntryStats;
  std: EntryStats;
}

/** One colour space over a group of tiles. */
export interface SpaceAggregate {
  space: StainSpace;
  channels: [ChannelAggregate, ChannelAggregate, ChannelAggregate];
}

/** A group's aggregate: how many tiles went in, which were skipped, and one entry per space. */
export interface StainAggregate {
  label: string;
  tiles: number;
  skipped: number;
  spaces: Partial<Record<StainSpace, SpaceAggregate>>;
}

function meanStd(v: readonly number[]): [number, number] {
  let s = 0;
  for (const x of v) s += x;
  const m = s / v.length;
  let q = 0;
  for (const x of v) q += (x - m) * (x - m);
  return [m, Math.sqrt(q / v.length)];
}

/** numpy's np.histogram(v, bins, density=True) and the bin centres, as fitter uses them. */
export function densityHistogram(v: readonly number[], bins = 100): { centres: number[]; density: number[] } {
  let lo = Infinity, hi = -Infinity;
  for (const x of v) {
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  const counts = new Array<number>(bins).fill(0);
  const w = (hi - lo) / bins;
  for (const x of v) {
    let k = Math.floor(((x - lo) / (hi - lo)) * bins);
    if (k >= bins) k = bins - 1;
    if (k < 0) k = 0;
    counts[k]++;
  }
  const centres: number[] = [], density: number[] = [];
  for (let k = 0; k < bins; k++) {
    const a = lo + k * w, b = lo + (k + 1) * w;
    centres.push((a + b) / 2);
    density.push(counts[k] / (v.length * w));
  }
  return { centres, density };
}

/** norm or laplace, whichever maximum-likelihood fit has the smaller summed squared error against the density histogram (fitter's get_best('sumsquare_error')). */
export function bestFit(v: readonly number[]): FitName {
  if (v.length < 2) return 'norm';
  const [m, sd] = meanStd(v);
  if (!(sd > 0)) return 'norm';
  const sorted = [...v].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  let mad = 0;
  for (const x of v) mad += Math.abs(x - median);
  mad /= v.length;
  const { centres, density } = densityHistogram(v);
  let eNorm = 0, eLap = 0;
  for (let k = 0; k < centres.length; k++) {
    const x = centres[k];
    const pn = Math.exp(-0.5 * ((x - m) / sd) ** 2) / (sd * Math.sqrt(2 * Math.PI));
    const pl = mad > 0 ? Math.exp(-Math.abs(x - median) / mad) / (2 * mad) : 0;
    eNorm += (pn - density[k]) ** 2;
    eLap += (pl - density[k]) ** 2;
  }
  return eLap < eNorm ? 'laplace' : 'norm';
}

function entry(v: number[]): EntryStats {
  const [mean, std] = meanStd(v);
  return { mean, std, distribution: bestFit(v) };
}

/** Aggregates the given tiles (skipped ones are counted, not used) over the requested spaces. */
export function aggregateStain(label: string, tiles: readonly TileStainStats[], spaces: readonly StainSpace[] = STAIN_SPACES): StainAggregate {
  const used = tiles.filter((t) => !t.skipped && t.spaces);
  const out: StainAggregate = { label, tiles: used.length, skipped: tiles.length - used.length, spaces: {} };
  for (const s of spaces) {
    const have = used.filter((t) => t.spaces?.[s]);
    if (!have.length) continue;
    const ch = [0, 1, 2].map((c) => ({
      avg: entry(have.map((t) => t.spaces![s]!.mean[c])),
      std: entry(have.map((t) => t.spaces![s]!.std[c])),
    })) as SpaceAggregate['channels'];
    out.spaces[s] = { space: s, channels: ch };
  }
  return out;
}

/** Aggregates per WSI (key = source_wsi; tiles without one are grouped as 'no WSI'). */
export function aggregateByWsi(tiles: readonly TileStainStats[], spaces: readonly StainSpace[] = STAIN_SPACES): Map<number | 'none', StainAggregate> {
  const groups = new Map<number | 'none', TileStainStats[]>();
  for (const t of tiles) {
    const k = t.wsi ?? 'none';
    let g = groups.get(k);
    if (!g) groups.set(k, (g = []));
    g.push(t);
  }
  const keys = [...groups.keys()].sort((a, b) => (a === 'none' ? 1 : b === 'none' ? -1 : a - b));
  return new Map(keys.map((k) => [k, aggregateStain(k === 'none' ? 'no WSI' : `WSI ${k}`, groups.get(k)!, spaces)]));
}
