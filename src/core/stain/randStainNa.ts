/**
 * RandStainNA (yiqings/RandStainNA, randstainna.py): draw a virtual stain template from the dataset
 * statistics and move a tile's per-channel mean and std onto it, in LAB, HSV or HED. Same formula
 * and the same uint8 truncation as the reference; the result is returned as RGBA (the reference
 * hands back BGR in its training mode, a quirk we do not copy).
 */
import { labCvToRgb, rgbToLabCv } from './opencvLab';
import { hsvCvToRgb, rgbToHsvCv } from './opencvHsv';
import { HED_FROM_RGB, HED_OD, hedToRgbFloat } from './skimageHed';
import { indexColours } from './colourCounts';
import { drawLaplace, drawNormal, drawUniform, stainRng, type StainRng } from './randomSource';
import type { RandStainConfig } from './randStainYaml';
import { statsOfBytes, unusableReason, type ChannelStats, type RgbPixels, type StainSpace } from './tileStats';

/** RandStainNA's `distribution` constructor argument (the yaml's own field is ignored, as in the reference). */
export type RandStainDistribution = 'normal' | 'laplace' | 'uniform';

/** The augmentation's settings (the reference's constructor arguments, plus a seed). */
export interface RandStainOptions {
  /** A space, or 'Random': one of the configured spaces picked per image. */
  space: StainSpace | 'Random';
  /** Widens (> 0) or narrows (< 0) the template distribution: scale = std x (1 + stdHyper). */
  stdHyper: number;
  distribution: RandStainDistribution;
  /** Chance of augmenting an image at all (the reference's p). */
  probability: number;
}

/** A target mean and std per channel, in the space's own units. */
export interface StainTarget {
  space: StainSpace;
  mean: [number, number, number];
  std: [number, number, number];
}

/** What a stain transform produced: RGBA pixels, or the input unchanged with the reason. */
export interface StainResult {
  width: number;
  height: number;
  /** RGBA, width * height * 4 bytes. */
  data: Uint8Array;
  /** False when the transform was not applied (the reason says why: flat tile, probability, ...). */
  applied: boolean;
  reason?: string;
  /** The template used, when applied. */
  target?: StainTarget;
}

/** The input as RGBA (a copy), for results that leave a tile unchanged. */
export function asRgba(px: RgbPixels): Uint8Array {
  if (px.channels === 4) return new Uint8Array(px.data);
  const n = px.width * px.height, out: Uint8Array = new Uint8Array(n * 4);
  for (let p = 0, s = 0, o = 0; p < n; p++, s += px.channels, o += 4) {
    out[o] = px.data[s];
    out[o + 1] = px.data[s + 1];
    out[o + 2] = px.data[s + 2];
    out[o + 3] = 255;
  }
  return out;
}

/** Draws a template (target mean and std per channel) as the reference's augment() does. */
export function sampleRandStainTarget(cfg: RandStainConfig, distribution: RandStainDistribution, stdHyper: number, rng: StainRng): StainTarget {
  const mean: [number, number, number] = [0, 0, 0];
  const std: [number, number, number] = [0, 0, 0];
  for (let c = 0; c < 3; c++) {
    const [am, as] = cfg.avg[c];
    const [sm, ss] = cfg.std[c];
    if (distribution === 'uniform') {
      mean[c] = drawUniform(rng, am - 3 * as, am + 3 * as);
      std[c] = drawUniform(rng, sm - 3 * ss, sm + 3 * ss);
    } else {
      const draw = distribution === 'normal' ? drawNormal : drawLaplace;
      mean[c] = draw(rng, am, as * (1 + stdHyper));
      std[c] = draw(rng, sm, ss * (1 + stdHyper));
    }
  }
  return { space: cfg.space, mean, std };
}

/** The reference's _normalize ratio per channel: target_std / clip(img_std, 1e-4, 255). */
function ratios(img: ChannelStats, t: StainTarget): [number, number, number] {
  const clip = (s: number) => (s < 0.0001 ? 0.0001 : s > 255 ? 255 : s);
  return [t.std[0] / clip(img.std[0]), t.std[1] / clip(img.std[1]), t.std[2] / clip(img.std[2])];
}

/** Per channel, the 8-bit value -> clip((v - m) * k + t, 0, 255) truncated, as a 256-entry table. */
function byteTables(img: ChannelStats, t: StainTarget): Uint8Array {
  const k = ratios(img, t);
  const lut = new Uint8Array(768);
  for (let c = 0; c < 3; c++) {
    for (let v = 0; v < 256; v++) {
      const x = (v - img.mean[c]) * k[c] + t.mean[c];
      lut[c * 256 + v] = x <= 0 || Number.isNaN(x) ? 0 : x >= 255 ? 255 : Math.trunc(x);
    }
  }
  return lut;
}

/** Moves a picture's per-channel mean/std in `target.space` onto the target (RandStainNA's normalisation step). */
export function applyStainTarget(px: RgbPixels, target: StainTarget): StainResult {
  const { width, height } = px;
  const bad = unusableReason(px);
  if (bad) return { width, height, data: asRgba(px), applied: false, reason: `left unchanged: ${bad}` };
  if (target.space === 'HED') return applyHedTarget(px, target);
  const conv = target.space === 'LAB' ? rgbToLabCv(px.data, px.channels) : rgbToHsvCv(px.data, px.channels);
  const lut = byteTables(statsOfBytes(conv), target);
  for (let i = 0; i < conv.length; i += 3) {
    conv[i] = lut[conv[i]];
    conv[i + 1] = lut[256 + conv[i + 1]];
    conv[i + 2] = lut[512 + conv[i + 2]];
  }
  const data = target.space === 'LAB' ? labCvToRgb(conv, 4) : hsvCvToRgb(conv, 4);
  return { width, height, data, applied: true, target };
}

/** One RandStainNA sample: pick the space, draw the template, apply it (with probability p). */
export function randStainSample(px: RgbPixels, configs: Partial<Record<StainSpace, RandStainConfig>>, opts: RandStainOptions, rng: StainRng): StainResult {
  const spaces = (['LAB', 'HSV', 'HED'] as const).filter((s) => configs[s]);
  const space = opts.space === 'Random' ? spaces[Math.floor(rng.next() * spaces.length)] : opts.space;
  const cfg = space ? configs[space] : undefined;
  if (!space || !cfg) {
    return { width: px.width, height: px.height, data: asRgba(px), applied: false, reason: `left unchanged: no ${opts.space === 'Random' ? '' : `${opts.space} `}statistics to sample from (compute them first)` };
  }
  if (!(rng.next() < opts.probability)) return { width: px.width, height: px.height, data: asRgba(px), applied: false, reason: `left unchanged this draw (probability ${opts.probability})` };
  return applyStainTarget(px, sampleRandStainTarget(cfg, opts.distribution, opts.stdHyper, rng));
}

/** N samples with seeds seed, seed+1, ... (each reproducible alone). */
export function randStainGrid(px: RgbPixels, configs: Partial<Record<StainSpace, RandStainConfig>>, opts: RandStainOptions, seed: number, n: number): StainResult[] {
  return Array.from({ length: n }, (_, k) => randStainSample(px, configs, opts, stainRng(seed + k)));
}

/**
 * The HED step, computed once per distinct colour (a pixel's result depends on its colour only):
 * rgb2hed, the move onto the target, hed2rgb and the min-max rescale use the same float64
 * operations as a per-pixel pass; the statistics are count-weighted sums over the colours.
 */
function applyHedTarget(px: RgbPixels, target: StainTarget): StainResult {
  const { width, height } = px;
  const ic = indexColours(px.data, px.channels);
  const n = ic.n, keys = ic.keys, counts = ic.counts, N = ic.pixels;
  const m = HED_FROM_RGB, od = HED_OD;
  const hed = new Float64Array(n * 3);
  let s0 = 0, s1 = 0, s2 = 0;
  for (let j = 0, o = 0; j < n; j++, o += 3) {
    const k = keys[j], c = counts[j];
    const r = od[k & 255], g = od[(k >>> 8) & 255], b = od[k >>> 16];
    const h = r * m[0] + g * m[3] + b * m[6];
    const e = r * m[1] + g * m[4] + b * m[7];
    const d = r * m[2] + g * m[5] + b * m[8];
    hed[o] = h > 0 ? h : 0;
    hed[o + 1] = e > 0 ? e : 0;
    hed[o + 2] = d > 0 ? d : 0;
    s0 += c * hed[o]; s1 += c * hed[o + 1]; s2 += c * hed[o + 2];
  }
  const m0 = s0 / N, m1 = s1 / N, m2 = s2 / N;
  let q0 = 0, q1 = 0, q2 = 0;
  for (let j = 0, o = 0; j < n; j++, o += 3) {
    const c = counts[j];
    const a = hed[o] - m0, b = hed[o + 1] - m1, d = hed[o + 2] - m2;
    q0 += c * a * a; q1 += c * b * b; q2 += c * d * d;
  }
  const st: ChannelStats = { mean: [m0, m1, m2], std: [Math.sqrt(q0 / N), Math.sqrt(q1 / N), Math.sqrt(q2 / N)] };
  const k = ratios(st, target);
  for (let o = 0; o < hed.length; o += 3) {
    hed[o] = (hed[o] - m0) * k[0] + target.mean[0];
    hed[o + 1] = (hed[o + 1] - m1) * k[1] + target.mean[1];
    hed[o + 2] = (hed[o + 2] - m2) * k[2] + target.mean[2];
  }
  const rgb = hedToRgbFloat(hed, hed);
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < rgb.length; i++) {
    if (rgb[i] < lo) lo = rgb[i];
    if (rgb[i] > hi) hi = rgb[i];
  }
  if (!(hi > lo)) return { width, height, data: asRgba(px), applied: false, reason: 'left unchanged: the HED template maps every pixel to one colour (the reference would divide by zero)' };
  const span = hi - lo;
  // Each colour's RGBA bytes as one little-endian word, then one store per pixel.
  const word = new Uint32Array(n);
  for (let j = 0, s = 0; j < n; j++, s += 3) {
    const r = Math.trunc((255 * (rgb[s] - lo)) / span), g = Math.trunc((255 * (rgb[s + 1] - lo)) / span), b = Math.trunc((255 * (rgb[s + 2] - lo)) / span);
    word[j] = (r | (g << 8) | (b << 16) | (255 << 24)) >>> 0;
  }
  const out = new Uint8Array(width * height * 4);
  const idx = ic.index;
  if (new Uint8Array(new Uint32Array([1]).buffer)[0] === 1) {
    const o32 = new Uint32Array(out.buffer, 0, width * height);
    for (let p = 0; p < o32.length; p++) o32[p] = word[idx[p]];
  } else {
    for (let p = 0, o = 0; p < width * height; p++, o += 4) {
      const w = word[idx[p]];
      out[o] = w & 255;
      out[o + 1] = (w >>> 8) & 255;
      out[o + 2] = (w >>> 16) & 255;
      out[o + 3] = 255;
    }
  }
  return { width, height, data: out, applied: true, target };
}
