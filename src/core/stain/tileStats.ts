/**
 * Per-tile colour statistics: each channel's mean and population std (numpy's np.mean / np.std)
 * over all pixels, in OpenCV 8-bit LAB and HSV and scikit-image HED; and the checks that turn an
 * unusable tile (grey, one flat colour) into a stated skip instead of numbers that mislead.
 */
import { rgbToLabCv } from './opencvLab';
import { rgbToHsvCv } from './opencvHsv';
import { rgbToHed } from './skimageHed';

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

let labBuf = new Uint8Array(0);
let hsvBuf = new Uint8Array(0);
let hedBuf = new Float64Array(0);

/** The requested spaces' statistics of one picture (scratch buffers reused between calls). */
export function spaceStats(px: RgbPixels, spaces: readonly StainSpace[]): Partial<Record<StainSpace, ChannelStats>> {
  const n = px.width * px.height;
  const out: Partial<Record<StainSpace, ChannelStats>> = {};
  for (const s of spaces) {
    if (s === 'LAB') {
      if (labBuf.length !== n * 3) labBuf = new Uint8Array(n * 3);
      out.LAB = statsOfBytes(rgbToLabCv(px.data, px.channels, labBuf));
    } else if (s === 'HSV') {
      if (hsvBuf.length !== n * 3) hsvBuf = new Uint8Array(n * 3);
      out.HSV = statsOfBytes(rgbToHsvCv(px.data, px.channels, hsvBuf));
    } else {
      if (hedBuf.length !== n * 3) hedBuf = new Float64Array(n * 3);
      out.HED = statsOfFloats(rgbToHed(px.data, px.channels, hedBuf));
    }
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
  const tissue = tissueFraction(px);
  const note = source.depth && source.depth !== 'uchar' ? `${source.depth === 'ushort' ? '16-bit' : source.depth} image: measured on its 8-bit rescale (round(v / 257) for 16-bit)` : undefined;
  const skipped = unusableReason(px, source.channels);
  if (skipped) return { ...base, tissue, skipped, ...(note ? { note } : {}) };
  return { ...base, tissue, spaces: spaceStats(px, spaces), ...(note ? { note } : {}) };
}
