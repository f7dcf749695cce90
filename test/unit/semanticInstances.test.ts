import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { decodeSemantic, type RawTensor } from '../../src/core/model/decodeOutputs';
import { indexDataset } from '../../src/core/dataset/datasetIndex';
import { probabilityToInstances, type PostprocessOptions } from '../../src/core/model/postprocess';
import { DEFAULT_PREDICT_SETTINGS, predictTile, rasterizeGroundTruth, vesselClassIndex } from '../../src/core/predict/pipeline';
import type { Annotation, Ring } from '../../src/core/types/types';
import type { InputGeometry } from '../../src/core/model/preprocess';
import { semanticOutputToInstances } from '../../src/core/model/semanticInstances';
import { levelsFloor, PROBABILITY_LEVELS, quantiseToLevels } from '../../src/core/model/componentStats';
import { loadIndexedTile } from '../../src/core/predict/tileInputs';
import { InferenceClient } from '../../src/inference/client';
import type { ScoredInstance } from '../../src/core/metric/apAtIou';
import { seededRandom } from './support/seededRandom';

const REPO = path.resolve(__dirname, '..', '..', '..');
const SAMPLE = path.resolve(REPO, '..', 'shared', 'data', 'hhv-sample');
const DEMO_MODEL = path.join(REPO, 'media', 'model', 'demo-unet.onnx');
const WORKER = path.join(REPO, 'out', 'src', 'inference', 'worker.js');

const grid = (w: number, h: number): InputGeometry => ({ tileWidth: w, tileHeight: h, inputWidth: w, inputHeight: h, scaleX: 1, scaleY: 1 });

/** The reference: full decode (a probability for every pixel), then the shared post-processing. */
function reference(t: RawTensor, activation: 'sigmoid' | 'softmax' | 'none' | 'auto', g: InputGeometry, opts: Partial<PostprocessOptions>, glom?: Uint8Array): ScoredInstance[] {
  const full = decodeSemantic(t, { classNames: ['blood_vessel'], activation }, g);
  return probabilityToInstances(full.probabilities[vesselClassIndex(full.classNames)], g.tileHeight, g.tileWidth, opts, glom);
}

const same = (a: ScoredInstance[], b: ScoredInstance[]) => {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) {
    assert.equal(a[i].confidence, b[i].confidence, `confidence of instance ${i}`);
    assert.deepEqual({ ...a[i].mask, data: Array.from(a[i].mask.data) }, { ...b[i].mask, data: Array.from(b[i].mask.data) });
  }
};

describe('semantic output straight to instances (the worker-side fast path)', () => {
  it('equals full decode + post-processing on logits crowded around the threshold (float32 ties included)', () => {
    const rnd = seededRandom(7);
    const w = 96, h = 64;
    for (const threshold of [0.5, 0.3, 0.9, 0.02]) {
      const xt = Math.log(threshold / (1 - threshold));
      const data = new Float32Array(w * h);
      // Blobs of logits within +-2e-3 of the threshold's logit (inside and outside the margin),
      // some exactly at the float32 nearest to it, and far-off background.
      for (let i = 0; i < data.length; i++) {
        const r = rnd();
        data[i] = r < 0.5 ? xt + (rnd() - 0.5) * 4e-3 : r < 0.55 ? Math.fround(xt) : -6 + rnd() * 3;
      }
      const t: RawTensor = { dims: [1, 1, h, w], data };
      const opts = { threshold, minArea: 1 };
      const fast = semanticOutputToInstances(t, { classNames: ['blood_vessel'], activation: 'sigmoid' }, grid(w, h), vesselClassIndex, opts);
      assert.equal(fast.fastPath, true);
      assert.equal(fast.prediction.activation, 'sigmoid');
      assert.deepEqual(fast.prediction.probabilities, []);
      const ref = reference(t, 'sigmoid', grid(w, h), opts);
      assert.ok(ref.length > 3, `the case has instances (${ref.length})`);
      same(fast.instances, ref);
    }
  });

  it('on uint8 levels (as Predict runs it) equals full decode + quantise + post-processing, logits crowded around the rounding edge of the first passing level', () => {
    const rnd = seededRandom(19);
    const w = 96, h = 64;
    for (const threshold of [0.5, 0.4, 0.3, 0.9, 0.02]) {
      const pf = levelsFloor(threshold);
      // The lowest passing level: quantising pf lifts it to a value >= threshold, a hair below does not.
      assert.ok(quantiseToLevels(Float32Array.of(pf + 1e-7))[0] >= threshold && quantiseToLevels(Float32Array.of(pf - 1e-6))[0] < threshold, `levels floor of ${threshold}`);
      const xf = Math.log(pf / (1 - pf));
      const data = new Float32Array(w * h);
      for (let i = 0; i < data.length; i++) {
        const r = rnd();
        data[i] = r < 0.5 ? xf + (rnd() - 0.5) * 4e-3 : r < 0.55 ? Math.fround(xf) : r < 0.7 ? xf + rnd() * 3 : -6 + rnd() * 3;
      }
      const t: RawTensor = { dims: [1, 1, h, w], data };
      const opts = { threshold, minArea: 1, levels: PROBABILITY_LEVELS };
      const fast = semanticOutputToInstances(t, { classNames: ['blood_vessel'], activation: 'sigmoid' }, grid(w, h), vesselClassIndex, opts);
      assert.equal(fast.fastPath, true);
      const ref = reference(t, 'sigmoid', grid(w, h), opts);
      assert.ok(ref.length > 3, `the case has instances (${ref.length})`);
      same(fast.instances, ref);
      // And every confidence is a mean of levels: the float map's plain post-processing differs.
      const plain = reference(t, 'sigmoid', grid(w, h), { threshold, minArea: 1 });
      assert.notDeepEqual(plain.map((p) => p.confidence), ref.map((p) => p.confidence));
    }
  });

  it("resolves 'auto' like decodeSemantic: logits -> sigmoid, values already in [0,1] -> none; glomerulus removal and dilation apply", () => {
    const rnd = seededRandom(11);
    const w = 64, h = 64;
    const logits = Float32Array.from({ length: w * h }, () => (rnd() - 0.5) * 8);
    const probs = Float32Array.from({ length: w * h }, () => rnd());
    const glom = new Uint8Array(w * h).fill(1, 0, w * 20);
    const opts = { threshold: 0.5, minArea: 3, dilation: 1 };
    for (const data of [logits, probs]) {
      const t: RawTensor = { dims: [1, 1, h, w], data };
      const fast = semanticOutputToInstances(t, { classNames: ['blood_vessel'], activation: 'auto' }, grid(w, h), vesselClassIndex, opts, glom);
      assert.equal(fast.fastPath, true);
      assert.equal(fast.prediction.activation, data === logits ? 'sigmoid' : 'none');
      same(fast.instances, reference(t, 'auto', grid(w, h), opts, glom));
    }
  });

  it('softmax, a resized input and thresholds outside (0, 1) take the full path with the same result', () => {
    const rnd = seededRandom(3);
    const w = 32, h = 32;
    const two: RawTensor = { dims: [1, 2, h, w], data: Float32Array.from({ length: 2 * w * h }, () => (rnd() - 0.5) * 6) };
    const soft = semanticOutputToInstances(two, { classNames: ['background', 'blood_vessel'], activation: 'softmax' }, grid(w, h), vesselClassIndex, { minArea: 1 });
    assert.equal(soft.fastPath, false);
    assert.equal(soft.classIndex, 1);
    const full = decodeSemantic(two, { classNames: ['background', 'blood_vessel'], activation: 'softmax' }, grid(w, h));
    same(soft.instances, probabilityToInstances(full.probabilities[1], h, w, { minArea: 1 }));

    const one: RawTensor = { dims: [1, 1, h, w], data: Float32Array.from({ length: w * h }, () => (rnd() - 0.5) * 40) };
    const atOne = semanticOutputToInstances(one, { classNames: ['blood_vessel'], activation: 'sigmoid' }, grid(w, h), vesselClassIndex, { threshold: 1, minArea: 1 });
    assert.equal(atOne.fastPath, false);
    same(atOne.instances, reference(one, 'sigmoid', grid(w, h), { threshold: 1, minArea: 1 }));

    const resized: InputGeometry = { tileWidth: 64, tileHeight: 64, inputWidth: 32, inputHeight: 32, scaleX: 0.5, scaleY: 0.5 };
    const r = semanticOutputToInstances(one, { classNames: ['blood_vessel'], activation: 'sigmoid' }, resized, vesselClassIndex, { minArea: 1 });
    assert.equal(r.fastPath, false);
    same(r.instances, reference(one, 'sigmoid', resized, { minArea: 1 }));
  });
});

describe('predictTile with worker-side post-processing, on the demo model and real sample tiles', () => {
  const client = new InferenceClient({ workerPath: WORKER, timeoutMs: 120_000 });
  after(() => client.dispose());

  it('gives exactly the instances of the raw logits decoded and post-processed here, with and without glomerulus removal', async () => {
    const index = await indexDataset(SAMPLE);
    const tile = [...index.tiles.values()].find((t) => t.image && t.polygonsLine !== undefined)!;
    const input = await loadIndexedTile(index, tile.id);
    const settings = { ...DEFAULT_PREDICT_SETTINGS, modelPath: DEMO_MODEL, provider: 'cpu' as const };
    // Predict post-processes on the uint8 levels the tuning cache stores.
    const opts = { threshold: settings.threshold, minArea: settings.minArea, dilation: settings.dilation, levels: PROBABILITY_LEVELS };
    const raw = await client.predict({ modelPath: DEMO_MODEL, image: input.image, provider: 'cpu', includeRaw: true });
    assert.equal(raw.postprocessed, undefined, 'no post-processing unless asked');
    const logits = Object.values(raw.raw!)[0];
    const t: RawTensor = { dims: logits.dims, data: logits.data };
    const check = async (annotations: readonly Annotation[]) => {
      const gt = rasterizeGroundTruth(annotations, 512, 512);
      const expected = reference(t, 'sigmoid', grid(512, 512), opts, gt.glomerulus);
      const r = await predictTile(client, { ...input, annotations }, settings);
      assert.equal(r.vessels.length, expected.length);
      for (let i = 0; i < expected.length; i++) {
        assert.equal(r.vessels[i].confidence, expected[i].confidence);
        assert.deepEqual(Array.from(r.vessels[i].mask.data), Array.from(expected[i].mask.data));
      }
      assert.ok(r.postprocessMs > 0 && r.inferenceMs > r.runMs, `timings ${r.postprocessMs} / ${r.inferenceMs} / ${r.runMs}`);
      return expected.length;
    };
    const plain = await check(input.annotations!);
    assert.ok(plain > 0, `the demo model finds vessels on ${tile.id}`);
    // The sample holds no glomerulus polygon: draw one by hand around the first predicted
    // vessel's box (the worker must then drop that vessel, and only because of the mask it got).
    const first = reference(t, 'sigmoid', grid(512, 512), opts)[0].mask;
    const [x0, y0, x1, y1] = [first.x - 2, first.y - 2, first.x + first.width + 2, first.y + first.height + 2];
    const square: Ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]];
    const withGlomerulus = await check([...input.annotations!, { type: 'glomerulus', rings: [square], area: 0 }]);
    const removedSome = withGlomerulus < plain;
    assert.ok(removedSome, 'some real glomerulus polygon removes a predicted vessel');
  });
});
