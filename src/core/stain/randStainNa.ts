/**
 * RandStainNA (yiqings/RandStainNA, randstainna.py): draw a virtual stain template from the dataset
 * statistics and move a tile's per-channel mean and std onto it, in LAB, HSV or HED. Same formula
 * and the same uint8 truncation as the reference; the result is returned as RGBA (the reference
 * hands back BGR in its training mode, a quirk we do not copy).
 */
import { labCvToRgb, rgbToLabCv } from './opencvLab';
import { hsvCvToRgb, rgbToHsvCv } from './opencvHsv';
import { hedToRgbFloat, rgbToHed } from './skimageHed';
import { drawLaplace, drawNormal, drawUniform, stainRng, type StainRng } from './randomSource';
import type { RandStainConfig } from './randStainYaml';
import { statsOfBytes, statsOfFloats, unusableReason, type ChannelStats, type RgbPixels, type StainSpace } from './tileStats';

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
  if (target.space === 'HED') {
    const hed = rgbToHed(px.data, px.channels);
    const st = statsOfFloats(hed);
    const k = ratios(st, target);
    for (let i = 0; i < hed.length; i += 3) {
      hed[i] = (hed[i] - st.mean[0]) * k[0] + target.mean[0];
      hed[i + 1] = (hed[i + 1] - st.mean[1]) * k[1] + target.mean[1];
      hed[i + 2] = (hed[i + 2] - st.mean[2]) * k[2] + target.mean[2];
    }
    const rgb = hedToRgbFloat(hed, hed);
    let lo = Infinity, hi = -Infinity;
    for (let i = 0; i < rgb.length; i++) {
      if (rgb[i] < lo) lo = rgb[i];
      if (rgb[i] > hi) hi = rgb[i];
    }
    if (!(hi > lo)) return { width, height, data: asRgba(px), applied: false, reason: 'left unchanged: the HED template maps every pixel to one colour (the reference would divide by zero)' };
    const out: Uint8Array = new Uint8Array(width * height * 4);
    const span = hi - lo;
    for (let p = 0, s = 0; s < rgb.length; p += 4, s += 3) {
      out[p] = Math.trunc((255 * (rgb[s] - lo)) / span);
      out[p + 1] = Math.trunc((255 * (rgb[s + 1] - lo)) / span);
      out[p + 2] = Math.trunc((255 * (rgb[s + 2] - lo)) / span);
      out[p + 3] = 255;
    }
    return { width, height, data: out, applied: true, target };
  }
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
