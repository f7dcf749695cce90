/** The contract's stain normalisation as a preprocessing step: tile pixels in, normalised RGBA out (core/stain does the maths). */
import { makeStainTransform } from '../stain';
import type { StainNormalise } from './modelContract';
import type { RgbImage } from './preprocess';

/** The tile normalised as the contract states; a tile the method cannot handle (flat, too little tissue) goes in unchanged, with the reason. */
export function applyContractStain(img: RgbImage, s: StainNormalise): RgbImage & { stainNote?: string } {
  const px = { width: img.width, height: img.height, channels: img.channels, data: img.data instanceof Uint8Array ? img.data : new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.byteLength) };
  const t = s.method === 'reinhard'
    ? makeStainTransform({ method: 'reinhard', target: s.target })
    : makeStainTransform({ method: 'macenko', target: s.target === 'reference' ? 'reference' : { he: s.target.stainMatrix, maxC: s.target.maxConcentrations } });
  const r = t(px);
  return { width: r.width, height: r.height, channels: 4, data: r.data, ...(r.reason ? { stainNote: r.reason } : {}) };
}
