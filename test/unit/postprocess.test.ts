import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { labelComponents } from '../../src/core/geometry/connectedComponents';
import { DEFAULT_POSTPROCESS, dilateInstance, instancesFromTta, probabilityToInstances, PostprocessOptions } from '../../src/core/model/postprocess';
import { averageUntransformed, inverseTransform, transformPixels, TTA_TRANSFORMS, transformedSize } from '../../src/core/model/tta';
import { instanceFromFullMask, instanceToFullMask } from '../../src/core/geometry/instanceMask';
import { seededRandom } from './support/seededRandom';
import { runPython } from './support/runPython';

/** Parses a picture: '#' = 1, '.' = 0. */
function pic(rows: string[]): { m: Uint8Array; h: number; w: number } {
  const h = rows.length, w = rows[0].length;
  const m = new Uint8Array(h * w);
  rows.forEach((row, r) => [...row].forEach((ch, c) => { if (ch === '#') m[r * w + c] = 1; }));
  return { m, h, w };
}

describe('connected components', () => {
  const { m, h, w } = pic([
    '##..#',
    '..#.#',
    '.....',
    '#...#',
  ]);
  it('joins corner-touching pixels with 8-connectivity (the default)', () => {
    const { labels, count } = labelComponents(m, h, w);
    assert.equal(count, 4);
    assert.deepEqual(Array.from(labels), [1, 1, 0, 0, 2, 0, 0, 1, 0, 2, 0, 0, 0, 0, 0, 3, 0, 0, 0, 4]);
  });
  it('keeps them apart with 4-connectivity', () => {
    const { labels, count } = labelComponents(m, h, w, 4);
    assert.equal(count, 5);
    assert.deepEqual(Array.from(labels), [1, 1, 0, 0, 2, 0, 0, 3, 0, 2, 0, 0, 0, 0, 0, 4, 0, 0, 0, 5]);
  });
  it('merges a U shape whose arms meet only at the bottom', () => {
    const u = pic(['#.#', '#.#', '###']);
    assert.equal(labelComponents(u.m, u.h, u.w).count, 1);
  });
});

describe('post-processing on hand cases', () => {
  it('thresholds, scores by mean probability and drops small components', () => {
    const prob = new Float32Array(8 * 8);
    for (const i of [0, 1, 8, 9]) prob[i] = 0.75; // 2x2 at the corner: mean 0.75
    prob[8 * 5 + 5] = 0.9; // 1 px: dropped by minArea 2
    for (const i of [8 * 6 + 1, 8 * 6 + 2, 8 * 6 + 3]) prob[i] = 0.5; // 3 px at exactly the threshold
    prob[8 * 6 + 3] = 1;
    const out = probabilityToInstances(prob, 8, 8, { minArea: 2 });
    assert.deepEqual(out.map((o) => [o.mask.x, o.mask.y, o.mask.width, o.mask.height, o.mask.area]), [[0, 0, 2, 2, 4], [1, 6, 3, 1, 3]]);
    assert.deepEqual(out.map((o) => o.confidence), [0.75, 2 / 3]);
  });
  it('removes instances mostly inside a glomerulus', () => {
    const prob = new Float32Array(8 * 8);
    for (const i of [0, 1, 2, 3]) prob[i] = 0.8; // row 0, cols 0-3
    const glom = new Uint8Array(64);
    glom[0] = glom[1] = 1; // half inside
    assert.equal(probabilityToInstances(prob, 8, 8, { minArea: 1 }, glom).length, 0);
    assert.equal(probabilityToInstances(prob, 8, 8, { minArea: 1, glomerulusInsideFraction: 0.6 }, glom).length, 1);
  });
  it('dilates by k px with a square kernel, clipped at the tile edge', () => {
    const one = instanceFromFullMask(pic(['.....', '.....', '..#..', '.....', '.....']).m, 5, 5);
    const d1 = dilateInstance(one, 1, 5, 5);
    assert.deepEqual([d1.x, d1.y, d1.width, d1.height, d1.area], [1, 1, 3, 3, 9]);
    const d3 = dilateInstance(one, 3, 5, 5);
    assert.deepEqual([d3.x, d3.y, d3.width, d3.height, d3.area], [0, 0, 5, 5, 25]);
  });
  it('exports one defaults object', () => {
    assert.deepEqual({ ...DEFAULT_POSTPROCESS }, { threshold: 0.5, minArea: 10, dilation: 0, connectivity: 8, glomerulusInsideFraction: 0.5 });
    assert.ok(Object.isFrozen(DEFAULT_POSTPROCESS));
  });
});

/** A smooth random probability map: a few Gaussian blobs plus a little noise. */
function randomProb(rand: () => number, h: number, w: number): Float32Array {
  const p = new Float32Array(h * w);
  const blobs = Array.from({ length: 2 + Math.floor(rand() * 8) }, () => ({
    x: rand() * w, y: rand() * h, s: 1 + rand() * 4, a: 0.4 + rand() * 0.6,
  }));
  for (let r = 0; r < h; r++) {
    for (let c = 0; c < w; c++) {
      let v = 0;
      for (const b of blobs) v = Math.max(v, b.a * Math.exp(-((c - b.x) ** 2 + (r - b.y) ** 2) / (2 * b.s * b.s)));
      p[r * w + c] = Math.min(1, Math.max(0, v + (rand() - 0.5) * 0.2));
    }
  }
  return p;
}

describe('post-processing against OpenCV', () => {
  type RefInst = { conf: number; mask: number[] };
  it('gives the same instances and confidences as cv2.connectedComponents + cv2.dilate on 60 random maps', () => {
    const rand = seededRandom(42);
    const H = 48, W = 40;
    const cases: Array<{ prob: Float32Array; glom?: Uint8Array; opts: PostprocessOptions }> = [];
    for (let k = 0; k < 60; k++) {
      const glom = k % 3 === 0 ? new Uint8Array(H * W).map((_, i) => ((i % W) < 15 && Math.floor(i / W) < 20 ? 1 : 0)) : undefined;
      cases.push({
        prob: randomProb(rand, H, W), glom,
        opts: { threshold: k % 2 ? 0.5 : 0.35, minArea: k % 4, dilation: k % 5 === 0 ? 2 : k % 5 === 1 ? 1 : 0, connectivity: k % 2 ? 8 : 4, glomerulusInsideFraction: 0.5 },
      });
    }
    const ref = runPython<{ cases: RefInst[][] }>('postprocess_ref.py', {
      cases: cases.map((c) => ({
        h: H, w: W, prob: Array.from(c.prob), glom: c.glom ? Array.from(c.glom) : null,
        threshold: c.opts.threshold, minArea: c.opts.minArea, dilation: c.opts.dilation,
        connectivity: c.opts.connectivity, inside: c.opts.glomerulusInsideFraction,
      })),
    });
    let total = 0;
    cases.forEach((c, k) => {
      const ours = probabilityToInstances(c.prob, H, W, c.opts, c.glom);
      const key = (m: ArrayLike<number>) => Array.from(m).join('');
      const theirs = new Map(ref.cases[k].map((i) => [key(i.mask), i.conf]));
      assert.equal(ours.length, theirs.size, `case ${k}: ${ours.length} instances vs OpenCV ${theirs.size}`);
      for (const o of ours) {
        const conf = theirs.get(key(instanceToFullMask(o.mask, H, W)));
        assert.ok(conf !== undefined, `case ${k}: an instance OpenCV does not have`);
        assert.ok(Math.abs(conf - o.confidence) < 1e-9, `case ${k}: confidence ${o.confidence} vs ${conf}`);
      }
      total += ours.length;
    });
    assert.ok(total > 100, `only ${total} instances in all cases`);
  });
});

describe('TTA transforms', () => {
  const src = new Float32Array([1, 2, 3, 4, 5, 6]); // 2x3: [[1,2,3],[4,5,6]]
  it('match hand-worked flips and rotations (rot90 = counter-clockwise, as numpy)', () => {
    const t = (name: (typeof TTA_TRANSFORMS)[number]) => Array.from(transformPixels(src, 2, 3, name));
    assert.deepEqual(t('hflip'), [3, 2, 1, 6, 5, 4]);
    assert.deepEqual(t('vflip'), [4, 5, 6, 1, 2, 3]);
    assert.deepEqual(t('rot90'), [3, 6, 2, 5, 1, 4]);
    assert.deepEqual(t('rot270'), [4, 1, 5, 2, 6, 3]);
    assert.deepEqual(t('rot180'), [6, 5, 4, 3, 2, 1]);
    assert.deepEqual(t('transpose'), [1, 4, 2, 5, 3, 6]);
  });
  it('match numpy on a random non-square image, and inverses undo them', () => {
    const rand = seededRandom(5);
    const img = new Float32Array(7 * 5).map(() => Math.round(rand() * 100));
    const ref = runPython<{ tta: number[][] }>('postprocess_ref.py', {
      tta: TTA_TRANSFORMS.map((transform) => ({ h: 7, w: 5, data: Array.from(img), transform })),
    });
    TTA_TRANSFORMS.forEach((t, k) => {
      const out = transformPixels(img, 7, 5, t);
      assert.deepEqual(Array.from(out), ref.tta[k], t);
      const s = transformedSize(t, 7, 5);
      assert.deepEqual(transformPixels(out, s.height, s.width, inverseTransform(t)), img, `inverse of ${t}`);
    });
  });
  it('feeds the averaged map to post-processing: a blob seen by only one of two flips is halved', () => {
    const a = new Float32Array(16), b = new Float32Array(16); // 4x4
    for (const i of [0, 1, 4, 5]) a[i] = 1; // top-left 2x2 in the identity frame
    for (const i of [2, 3, 6, 7]) b[i] = 0.8; // top-right in the hflip frame = top-left after undoing it
    const out = instancesFromTta([{ transform: 'identity', data: a }, { transform: 'hflip', data: b }], 4, 4, { minArea: 1 });
    assert.deepEqual(out.map((o) => [o.mask.x, o.mask.y, o.mask.area]), [[0, 0, 4]]);
    assert.ok(Math.abs(out[0].confidence - 0.9) < 1e-6);
    b.fill(0);
    assert.equal(instancesFromTta([{ transform: 'identity', data: a }, { transform: 'hflip', data: b }], 4, 4, { minArea: 1, threshold: 0.6 }).length, 0);
  });
  it('transforms interleaved RGB pixels as units', () => {
    const rgb = new Uint8Array([1, 1, 1, 2, 2, 2]); // 1x2
    assert.deepEqual(Array.from(transformPixels(rgb, 1, 2, 'hflip', 3)), [2, 2, 2, 1, 1, 1]);
  });
  it('averages outputs after un-transforming each', () => {
    // A "model" that is the identity: every un-transformed output equals the input.
    const maps = TTA_TRANSFORMS.map((transform) => ({ transform, data: transformPixels(src, 2, 3, transform) }));
    assert.deepEqual(averageUntransformed(maps, 2, 3), src);
    const two = averageUntransformed([{ transform: 'identity', data: new Float32Array([0, 0, 0, 0, 0, 1]) }, { transform: 'hflip', data: new Float32Array([0, 0, 0, 1, 0, 0]) }], 2, 3);
    assert.deepEqual(Array.from(two), [0, 0, 0, 0, 0, 1]);
  });
});
