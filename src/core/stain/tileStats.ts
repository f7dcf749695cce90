/**
 * Per-tile colour statistics: each channel's mean and population std (numpy's np.mean / np.std)
 * over all pixels, in OpenCV 8-bit LAB and HSV and scikit-image HED; and the checks that turn an
 * unusable tile (grey, one flat colour) into a stated skip instead of numbers that mislead.
 */
import { labForwardLuts } from './opencvLab';
import { hsvDivTables } from './opencvHsv';
import { HED_FROM_RGB, HED_OD } from './skimageHed';
import { countColours, statsOfColours } from './colourCounts';

/** The colour spaces RandStainNA works in. */
export type StainSpace = 'LAB' | 'HSV' | 'HED';
export const STAIN_SPACES: readonly StainSpace[] = ['LAB', 'HSV', 'HED'];
/** RandStainNA's channel keys per space (its yaml uses these letters). */
export const SPACE_CHANNELS: Record<StainSpace, [string, string, string]> = { LAB: ['L', 'A', 'B'], HSV: ['H', 'S', 'V'], HED: ['H', 'E', 'D'] };

/** Mean and population std of each of the three channels. */
export interface ChannelStats {
  mean: [number, number, number];
  std: [number, number, number];
}

/** What a tile contributed, or why it was skipped. */
export interface TileStainStats {
  id: string;
  wsi?: number;
  dataset?: number;
  /** Share of pixels that hold stain: optical density >= 0.15 in every channel (Macenko's tissue test). */
  tissue: number;
  /** One entry per requested space; absent when skipped. */
  spaces?: Partial<Record<StainSpace, ChannelStats>>;
  /** Why the tile is left out of every aggregate (grey, flat, unreadable), or undefined. */
  skipped?: string;
  /** A stated conversion that was applied (e.g. 16-bit scaled to 8-bit), or undefined. */
  note?: string;
}

/** An RGB(A) picture: interleaved bytes, `channels` (3 or 4) per pixel. */
export interface RgbPixels {
  width: number;
  height: number;
  channels: number;
  data: Uint8Array;
}

/** Means and population stds of a 3-channel 8-bit buffer, from its per-channel histograms (exact sums). */
export function statsOfBytes(v: Uint8Array): ChannelStats {
  const hist = new Float64Array(768);
  for (let i = 0; i < v.length; i += 3) {
    hist[v[i]]++;
    hist[256 + v[i + 1]]++;
    hist[512 + v[i + 2]]++;
  }
  const n = v.length / 3;
  const mean: [number, number, number] = [0, 0, 0];
  const std: [number, number, number] = [0, 0, 0];
  for (let c = 0; c < 3; c++) {
    let s = 0;
    for (let k = 0; k < 256; k++) s += hist[c * 256 + k] * k;
    const m = s / n;
    let q = 0;
    for (let k = 0; k < 256; k++) {
      const d = k - m;
      q += hist[c * 256 + k] * d * d;
    }
    mean[c] = m;
    std[c] = Math.sqrt(q / n);
  }
  return { mean, std };
}

/** Means and population stds of a 3-channel float buffer (two passes, as numpy does). */
export function statsOfFloats(v: Float64Array): ChannelStats {
  const n = v.length / 3;
  let s0 = 0, s1 = 0, s2 = 0;
  for (let i = 0; i < v.length; i += 3) {
    s0 += v[i];
    s1 += v[i + 1];
    s2 += v[i + 2];
  }
  const m0 = s0 / n, m1 = s1 / n, m2 = s2 / n;
  let q0 = 0, q1 = 0, q2 = 0;
  for (let i = 0; i < v.length; i += 3) {
    const a = v[i] - m0, b = v[i + 1] - m1, c = v[i + 2] - m2;
    q0 += a * a;
    q1 += b * b;
    q2 += c * c;
  }
  return { mean: [m0, m1, m2], std: [Math.sqrt(q0 / n), Math.sqrt(q1 / n), Math.sqrt(q2 / n)] };
}

/** Io and beta of the Macenko tissue test: a pixel is tissue when -log((I + 1) / 240) >= 0.15 in all channels. */
export const TISSUE_IO = 240;
export const TISSUE_BETA = 0.15;
/** Largest 8-bit value that still counts as stained: (v + 1) / 240 <= exp(-0.15). */
export const TISSUE_MAX_VALUE = Math.floor(TISSUE_IO * Math.exp(-TISSUE_BETA) - 1);

/** Share of pixels whose every channel is <= TISSUE_MAX_VALUE. */
export function tissueFraction(px: RgbPixels): number {
  const d = px.data, ch = px.channels, t = TISSUE_MAX_VALUE;
  let k = 0;
  const n = d.length / ch;
  for (let i = 0; i < d.length; i += ch) if (d[i] <= t && d[i + 1] <= t && d[i + 2] <= t) k++;
  return n ? k / n : 0;
}

/** Why a picture gives no usable colour statistics (grey, one flat colour, empty), or undefined. */
export function unusableReason(px: RgbPixels, sourceChannels?: number): string | undefined {
  if (px.width * px.height === 0) return 'empty image (0 pixels)';
  if (sourceChannels !== undefined && sourceChannels <= 2) return `grey image (${sourceChannels} channel${sourceChannels === 1 ? '' : 's'}): no stain colour to measure`;
  const d = px.data, ch = px.channels;
  const r0 = d[0], g0 = d[1], b0 = d[2];
  let flat = true, grey = true;
  for (let i = 0; i < d.length && (flat || grey); i += ch) {
    const r = d[i], g = d[i + 1], b = d[i + 2];
    if (r !== r0 || g !== g0 || b !== b0) flat = false;
    if (r !== g || g !== b) grey = false;
  }
  if (flat) {
    const what = r0 === 255 && g0 === 255 && b0 === 255 ? 'all white' : r0 === 0 && g0 === 0 && b0 === 0 ? 'all black' : `one flat colour rgb(${r0}, ${g0}, ${b0})`;
    return `${what}: no stain variation to measure`;
  }
  if (grey) return 'grey pixels only (R = G = B everywhere): no stain colour to measure';
  return undefined;
}

/** Means and stds from three 256-bin histograms (exact integer sums). */
function statsOfHistogram(hist: Float64Array | Int32Array, n: number): ChannelStats {
  const mean: [number, number, number] = [0, 0, 0];
  const std: [number, number, number] = [0, 0, 0];
  for (let c = 0; c < 3; c++) {
    let s = 0;
    for (let k = 0; k < 256; k++) s += hist[c * 256 + k] * k;
    const m = s / n;
    let q = 0;
    for (let k = 0; k < 256; k++) {
      const d = k - m;
      q += hist[c * 256 + k] * d * d;
    }
    mean[c] = m;
    std[c] = Math.sqrt(q / n);
  }
  return { mean, std };
}

let labRows: Int32Array | undefined;
/** The nine gamma x coefficient tables interleaved per input value ([X, Y, Z] for R, then G, then B): one cache line per lookup. */
function labRowTable(): Int32Array {
  if (labRows) return labRows;
  const t = labForwardLuts();
  const T = new Int32Array(256 * 9);
  const cols = [[t.xr, t.yr, t.zr], [t.xg, t.yg, t.zg], [t.xb, t.yb, t.zb]];
  for (let c = 0; c < 3; c++) for (let v = 0; v < 256; v++) for (let k = 0; k < 3; k++) T[c * 768 + v * 3 + k] = cols[c][k][v];
  labRows = T;
  return T;
}

/** LAB statistics straight from RGB(A) bytes: the conversion's tables feed a histogram, nothing is stored. */
export function labStats(src: Uint8Array, channels: number): ChannelStats {
  return labStatsAndTissue(src, channels).stats;
}

/** LAB statistics and the tissue share (TISSUE_MAX_VALUE test) in one pass over the bytes. */
export function labStatsAndTissue(src: Uint8Array, channels: number): { stats: ChannelStats; tissue: number } {
  const { L, f500, f200, abOffset } = labForwardLuts();
  const tmax = TISSUE_MAX_VALUE;
  let tissue = 0;
  const T = labRowTable();
  const hist = new Int32Array(768);
  const n = src.length / channels;
  if (channels === 4 && src.byteOffset % 4 === 0) {
    // One 32-bit load per RGBA pixel.
    const u = new Uint32Array(src.buffer, src.byteOffset, src.length >> 2);
    for (let p = 0; p < u.length; p++) {
      const w = u[p];
      const r0 = w & 255, g0 = (w >>> 8) & 255, b0 = (w >>> 16) & 255;
      if (r0 <= tmax && g0 <= tmax && b0 <= tmax) tissue++;
      const r = r0 * 3, g = 768 + g0 * 3, b = 1536 + b0 * 3;
      const xi = (T[r] + T[g] + T[b]) >> 12;
      const yi = (T[r + 1] + T[g + 1] + T[b + 1]) >> 12;
      const zi = (T[r + 2] + T[g + 2] + T[b + 2]) >> 12;
      const a = (f500[xi] - f500[yi] + abOffset) >> 15;
      const bb = (f200[yi] - f200[zi] + abOffset) >> 15;
      hist[L[yi]]++;
      hist[256 + (a < 0 ? 0 : a > 255 ? 255 : a)]++;
      hist[512 + (bb < 0 ? 0 : bb > 255 ? 255 : bb)]++;
    }
  } else {
    for (let s = 0; s < src.length; s += channels) {
      const r0 = src[s], g0 = src[s + 1], b0 = src[s + 2];
      if (r0 <= tmax && g0 <= tmax && b0 <= tmax) tissue++;
      const r = r0 * 3, g = 768 + g0 * 3, b = 1536 + b0 * 3;
      const xi = (T[r] + T[g] + T[b]) >> 12;
      const yi = (T[r + 1] + T[g + 1] + T[b + 1]) >> 12;
      const zi = (T[r + 2] + T[g + 2] + T[b + 2]) >> 12;
      const a = (f500[xi] - f500[yi] + abOffset) >> 15;
      const bb = (f200[yi] - f200[zi] + abOffset) >> 15;
      hist[L[yi]]++;
      hist[256 + (a < 0 ? 0 : a > 255 ? 255 : a)]++;
      hist[512 + (bb < 0 ? 0 : bb > 255 ? 255 : bb)]++;
    }
  }
  return { stats: statsOfHistogram(hist, n), tissue: n ? tissue / n : 0 };
}

/** HSV statistics straight from RGB(A) bytes (OpenCV 8-bit HSV, as rgbToHsvCv). */
export function hsvStats(src: Uint8Array, channels: number): ChannelStats {
  const hist = new Int32Array(768);
  const { sdiv, hdiv } = hsvDivTables();
  const n = src.length / channels;
  for (let s = 0; s < src.length; s += channels) {
    const r = src[s], g = src[s + 1], b = src[s + 2];
    let v = b, vmin = b;
    if (g > v) v = g;
    if (r > v) v = r;
    if (g < vmin) vmin = g;
    if (r < vmin) vmin = r;
    const diff = v - vmin;
    let h = v === r ? g - b : v === g ? b - r + 2 * diff : r - g + 4 * diff;
    h = (h * hdiv[diff] + 2048) >> 12;
    if (h < 0) h += 180;
    hist[h]++;
    hist[256 + ((diff * sdiv[v] + 2048) >> 12)]++;
    hist[512 + v]++;
  }
  return statsOfHistogram(hist, n);
}

/** HED statistics straight from RGB(A) bytes (skimage rgb2hed, clipped at 0), one pass of sums. */
export function hedStats(src: Uint8Array, channels: number): ChannelStats {
  const m = HED_FROM_RGB, od = HED_OD;
  const m0 = m[0], m1 = m[1], m2 = m[2], m3 = m[3], m4 = m[4], m5 = m[5], m6 = m[6], m7 = m[7], m8 = m[8];
  let s0 = 0, s1 = 0, s2 = 0, q0 = 0, q1 = 0, q2 = 0;
  const n = src.length / channels;
  for (let s = 0; s < src.length; s += channels) {
    const r = od[src[s]], g = od[src[s + 1]], b = od[src[s + 2]];
    let h = r * m0 + g * m3 + b * m6;
    let e = r * m1 + g * m4 + b * m7;
    let d = r * m2 + g * m5 + b * m8;
    if (h < 0) h = 0;
    if (e < 0) e = 0;
    if (d < 0) d = 0;
    s0 += h; s1 += e; s2 += d;
    q0 += h * h; q1 += e * e; q2 += d * d;
  }
  const a = s0 / n, b = s1 / n, c = s2 / n;
  const sd = (q: number, mm: number) => Math.sqrt(Math.max(0, q / n - mm * mm));
  return { mean: [a, b, c], std: [sd(q0, a), sd(q1, b), sd(q2, c)] };
}

/** The requested spaces' statistics of one picture. */
export function spaceStats(px: RgbPixels, spaces: readonly StainSpace[]): Partial<Record<StainSpace, ChannelStats>> {
  const out: Partial<Record<StainSpace, ChannelStats>> = {};
  for (const s of spaces) {
    if (s === 'LAB') out.LAB = labStats(px.data, px.channels);
    else if (s === 'HSV') out.HSV = hsvStats(px.data, px.channels);
    else out.HED = hedStats(px.data, px.channels);
  }
  return out;
}

/** One tile's statistics, or its stated skip. `sourceChannels`/`sourceDepth` describe the file before decoding. */
export function tileStainStats(
  tile: { id: string; wsi?: number; dataset?: number },
  px: RgbPixels,
  spaces: readonly StainSpace[],
  source: { channels?: number; depth?: string } = {},
): TileStainStats {
  const base = { id: tile.id, ...(tile.wsi !== undefined ? { wsi: tile.wsi } : {}), ...(tile.dataset !== undefined ? { dataset: tile.dataset } : {}) };
  const note = source.depth && source.depth !== 'uchar' ? `${source.depth === 'ushort' ? '16-bit' : source.depth} image: measured on its 8-bit rescale (round(v / 257) for 16-bit)` : undefined;
  // One pass over the pixels counts the distinct colours; every space, the tissue share and the
  // flat/grey checks come from those (exact: same histograms as a per-pixel pass).
  const cs = statsOfColours(countColours(px.data, px.channels), spaces);
  const skipped = px.width * px.height === 0 || (source.channels !== undefined && source.channels <= 2) || cs.flat !== undefined || cs.grey ? unusableReason(px, source.channels) : undefined;
  if (skipped) return { ...base, tissue: cs.tissue, skipped, ...(note ? { note } : {}) };
  return { ...base, tissue: cs.tissue, spaces: cs.spaces, ...(note ? { note } : {}) };
}

/** Default least tissue share (stained pixels / all) for a tile's statistics to count: below it a tile is mostly glass and its means describe the background, not the stain. */
export const DEFAULT_MIN_TISSUE = 0.05;

/** Why a measured tile is left out for too little tissue, or undefined. */
export function lowTissueReason(tissue: number, minTissue: number): string | undefined {
  if (!(minTissue > 0) || tissue >= minTissue) return undefined;
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  return `too little tissue: ${pct(tissue)} of pixels are stained (optical density >= ${TISSUE_BETA} in every channel), below the ${pct(minTissue)} threshold (setting vasculatureExplorer.stain.minTissue, CLI --min-tissue)`;
}

/** The tiles with those under `minTissue` turned into stated skips (their numbers dropped); others unchanged. */
export function applyMinTissue(tiles: readonly TileStainStats[], minTissue: number): TileStainStats[] {
  return tiles.map((t) => {
    const why = t.skipped ? undefined : lowTissueReason(t.tissue, minTissue);
    if (!why) return t;
    const { spaces: _dropped, ...rest } = t;
    return { ...rest, skipped: why };
  });
}
