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
