/**
 * The sweep's per-threshold candidates (the tile labelled once at the lowest threshold, higher
 * thresholds only inside its components' boxes) equal Predict's post-processing threshold by
 * threshold: same masks, confidences and order, ties of quantised confidences included.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { probabilityToInstances } from '../../src/core/model/postprocess';
import { PROBABILITY_LEVELS, quantiseToLevels } from '../../src/core/model/componentStats';
import { levelCandidatesPerThreshold, semanticCandidates, semanticCandidatesPerThreshold } from '../../src/core/tuning/sweepTile';
import { quantiseProbability } from '../../src/core/tuning/outputCache';
import { seededRandom } from './support/seededRandom';

/** A map of soft blobs (some touching, some nested levels) on uint8 levels, with flat plateaus so confidences tie. */
function blobs(seed: number, h: number, w: number): Float32Array {
  const rnd = seededRandom(seed);
  const p = new Float32Array(h * w);
  for (let b = 0; b < 40; b++) {
    const cx = rnd() * w, cy = rnd() * h, rad = 2 + rnd() * 14, peak = 0.2 + rnd() * 0.8, flat = rnd() < 0.3;
    for (let y = Math.max(0, Math.floor(cy - rad)); y < Math.min(h, cy + rad); y++) {
      for (let x = Math.max(0, Math.floor(cx - rad)); x < Math.min(w, cx + rad); x++) {
        const d = Math.hypot(x - cx, y - cy) / rad;
        if (d < 1) p[y * w + x] = Math.max(p[y * w + x], flat ? peak : peak * (1 - d * d) + (rnd() - 0.5) * 0.05);
      }
    }
  }
  return quantiseToLevels(p);
}

const plain = (c: { mask: { x: number; y: number; width: number; height: number; area: number; data: Uint8Array }; confidence: number }) => ({ ...c.mask, data: Array.from(c.mask.data), confidence: c.confidence });

describe('per-threshold candidates of the sweep', () => {
  it('equal semanticCandidates and probabilityToInstances (on levels) at every threshold, with and without a glomerulus mask', () => {
    const h = 160, w = 200;
    const thresholds = [0.5, 0.2, 0.35, 0.65, 0.8, 0.2, 0.4, 0.6, 102 / 255];
    let ties = 0;
    for (const seed of [1, 2, 3, 4]) {
      const prob = blobs(seed, h, w);
      const glom = new Uint8Array(h * w).fill(1, 0, w * 50);
      for (const g of [undefined, glom]) {
        const all = semanticCandidatesPerThreshold(prob, h, w, thresholds, g);
        assert.equal(all.length, thresholds.length);
        // Read straight from the uint8 levels the cache stores: the same candidates.
        const fromLevels = levelCandidatesPerThreshold(quantiseProbability(prob), h, w, thresholds, g);
        thresholds.forEach((t, k) => {
          const one = semanticCandidates(prob, h, w, t, g);
          assert.deepEqual(all[k].map((c) => ({ ...plain(c), inGlomerulus: c.inGlomerulus })), one.map((c) => ({ ...plain(c), inGlomerulus: c.inGlomerulus })), `seed ${seed} threshold ${t}`);
          assert.deepEqual(fromLevels[k].map((c) => ({ ...plain(c), inGlomerulus: c.inGlomerulus })), one.map((c) => ({ ...plain(c), inGlomerulus: c.inGlomerulus })), `seed ${seed} threshold ${t} from levels`);
          const pred = probabilityToInstances(prob, h, w, { threshold: t, minArea: 0, levels: PROBABILITY_LEVELS });
          assert.deepEqual(all[k].map(plain), pred.map(plain), `seed ${seed} threshold ${t} vs Predict`);
          for (let i = 1; i < one.length; i++) if (one[i].confidence === one[i - 1].confidence) ties++;
        });
        assert.ok(all.some((c) => c.length > 3));
      }
    }
    assert.ok(ties > 0, `some confidences tie (so the order of equal confidences is tested): ${ties}`);
  });
});
