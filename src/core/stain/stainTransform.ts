/**
 * One entry point for every stain transform, for callers that only want pixels in and pixels out
 * (the training-data export's --stain, Predict's preprocessing): makeStainTransform(options)
 * returns (rgb) => result, with a stated reason whenever a tile is left unchanged.
 */
import { macenkoFit, macenkoNormalise, MACENKO_REFERENCE, type MacenkoStains } from './macenko';
import { randStainSample, type RandStainOptions, type StainResult } from './randStainNa';
import type { RandStainConfig } from './randStainYaml';
import { reinhardNormalise, type ReinhardTarget } from './reinhard';
import { stainRng } from './randomSource';
import type { RgbPixels, StainSpace } from './tileStats';

/** What a stain transform does. */
export type StainTransformOptions =
  | { method: 'reinhard'; target: ReinhardTarget }
  | { method: 'macenko'; target?: MacenkoStains | 'reference' | { fitOn: RgbPixels } }
  | { method: 'randstainna'; configs: Partial<Record<StainSpace, RandStainConfig>>; options: RandStainOptions; seed?: number };

/** A prepared transform. */
export type StainTransform = (px: RgbPixels) => StainResult;

/** Builds a transform; throws when a Macenko target tile cannot be fitted (with the reason). */
export function makeStainTransform(o: StainTransformOptions): StainTransform {
  if (o.method === 'reinhard') return (px) => reinhardNormalise(px, o.target);
  if (o.method === 'macenko') {
    let stains: MacenkoStains = MACENKO_REFERENCE;
    if (o.target && o.target !== 'reference') {
      if ('fitOn' in o.target) {
        const f = macenkoFit(o.target.fitOn);
        if (!f.ok) throw new Error(`Macenko target tile cannot be fitted: ${f.reason}`);
        stains = f.stains;
      } else stains = o.target;
    }
    return (px) => macenkoNormalise(px, stains);
  }
  const rng = stainRng(o.seed ?? 0);
  return (px) => randStainSample(px, o.configs, o.options, rng);
}

/** A model contract's stain statement (core/model's StainNormalise, restated here so core/model need not import this folder). */
export type ContractStain =
  | { method: 'reinhard'; target: { mean: [number, number, number]; std: [number, number, number] } }
  | { method: 'macenko'; target: 'reference' | { stainMatrix: [[number, number], [number, number], [number, number]]; maxConcentrations: [number, number] } };

/** Predict's preprocessing step: the tile normalised as the contract states; a tile the method cannot handle goes in unchanged, with the reason. */
export function applyContractStain(img: { width: number; height: number; channels: 3 | 4; data: Uint8Array | Uint8ClampedArray }, s: ContractStain): { width: number; height: number; channels: 4; data: Uint8Array; stainNote?: string } {
  const px = { width: img.width, height: img.height, channels: img.channels, data: img.data instanceof Uint8Array ? img.data : new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.byteLength) };
  const t = s.method === 'reinhard'
    ? makeStainTransform({ method: 'reinhard', target: s.target })
    : makeStainTransform({ method: 'macenko', target: s.target === 'reference' ? 'reference' : { he: s.target.stainMatrix, maxC: s.target.maxConcentrations } });
  const r = t(px);
  return { width: r.width, height: r.height, channels: 4, data: r.data, ...(r.reason ? { stainNote: r.reason } : {}) };
}
