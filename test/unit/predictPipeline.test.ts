/** The Predict pipeline: hand-worked tiles through a scripted model, then the real demo U-Net, Mask R-CNN and YOLOv8-seg files. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { indexDataset } from '../../src/core/dataset/datasetIndex';
import type { InstancePrediction, Prediction } from '../../src/core/model/decodeOutputs';
import type { InstanceMask } from '../../src/core/geometry/instanceMask';
import type { ModelContract } from '../../src/core/model/modelContract';
import { scoreTiles } from '../../src/core/predict/batch';
import { DEFAULT_PREDICT_SETTINGS, TTA_ON, predictTile, rasterizeInstance, type PredictSettings, type Predictor } from '../../src/core/predict/pipeline';
import { instanceFromFullMask } from '../../src/core/geometry/instanceMask';
import { toPredictionLayer } from '../../src/core/predict/predictionLayer';
import type { RgbImage } from '../../src/core/model/preprocess';
import { rasterizeAnnotation } from '../../src/core/geometry/rasterize';
import { loadIndexedTile } from '../../src/core/predict/tileInputs';
import type { Annotation, DatasetIndex, Ring } from '../../src/core/types/types';
import { InferenceClient } from '../../src/inference/client';
import { DEMO_MODEL, MASKRCNN, REPO, SAMPLE, WORKER, YOLOSEG, ensureTestModels } from './inferenceFixtures';

const N = 64;
const square = (x0: number, y0: number, x1: number, y1: number): Ring => [[x0, y0], [x1, y0], [x1, y1], [x0, y1]];
const ann = (type: Annotation['type'], ring: Ring): Annotation => ({ type, rings: [ring], area: 0 });
const blank = (): RgbImage => ({ width: N, height: N, channels: 4, data: new Uint8Array(N * N * 4) });

/** A probability map with rectangles [x0, y0, x1, y1] (inclusive) at the given values. */
function map(rects: [number, number, number, number, number][]): Float32Array {
  const p = new Float32Array(N * N);
  for (const [x0, y0, x1, y1, v] of rects) for (let r = y0; r <= y1; r++) for (let c = x0; c <= x1; c++) p[r * N + c] = v;
  return p;
}

const contract = (kind: ModelContract['outputKind']): ModelContract => ({ outputKind: kind, inputName: 'x', inputRank: 4, sizeMultiple: 1, channelOrder: 'RGB', scale: 255, mean: [0, 0, 0], std: [1, 1, 1], classNames: ['blood_vessel'], activation: 'none', threshold: 0.5, outputs: { kind: 'semantic', logits: 'y' }, source: 'sidecar', notes: [] });

/** A scripted model: answers with `answer(image)`; counts calls. */
function scripted(answer: (img: RgbImage) => Prediction, kind: ModelContract['outputKind'] = 'semantic'): Predictor & { calls: number } {
  const p = {
    calls: 0,
    async predict(req: { image: RgbImage }) {
      p.calls++;
      return { prediction: answer(req.image), provider: 'cpu', fallbackReasons: [], latencyMs: 1, timings: { runMs: 1 }, contract: contract(kind) };
    },
  };
  return p;
}
const semantic = (prob: Float32Array): Prediction => ({ kind: 'semantic', width: N, height: N, classNames: ['blood_vessel'], probabilities: [prob], activation: 'none' });
const settings = (over: Partial<PredictSettings> = {}): PredictSettings => ({ ...DEFAULT_PREDICT_SETTINGS, modelPath: '/m.onnx', minArea: 1, ...over });

// Hand-worked tile: GT A = 20x20 at (10,10); GT B = 20x20 at (40,5); GT C = 10x10 at (5,45) (missed).
// Prediction A' = A exactly (p 0.9): IoU 1. B' = B shifted right by 5 (p 0.8): 15x20 overlap -> 300/500 = 0.6.
// Prediction F (p 0.7) = 8x8 at (40,40): no GT -> FP. Ranked TP, TP, FP over 3 GT: AP = 2/3.
const GT = [ann('blood_vessel', square(10, 10, 29, 29)), ann('blood_vessel', square(40, 5, 59, 24)), ann('blood_vessel', square(5, 45, 14, 54))];
const PROB = map([[10, 10, 29, 29, 0.9], [45, 5, 63, 24, 0.8], [40, 40, 47, 47, 0.7]]);
// B' is clipped at the tile edge (63): columns 45..63 = 19 wide, so overlap 15*20 = 300, union 400 + 380 - 300 = 480: IoU 0.625.

describe('predictTile on a hand-worked tile (scripted semantic model)', () => {
  it('matches at IoU >= 0.6: TP, TP, FP and one FN; AP 2/3; IoU and confidence as worked by hand', async () => {
    const r = await predictTile(scripted(() => semantic(PROB)), { tileId: 't', group: '1', image: blank(), annotations: GT }, settings({ removeInsideGlomerulus: false }));
    assert.deepEqual(r.vessels.map((v) => [v.outcome, v.confidence, Number(v.iou.toFixed(4)), v.mask.area]), [
      ['tp', 0.9, 1, 400], ['tp', 0.8, 0.625, 380], ['fp', 0.7, 0, 64],
      // Predict reads semantic maps on uint8 levels (as the tuning cache stores them): f32(0.9) * 255 = 229.49... -> 229 / 255.
    ].map(([o, c, i, a]) => [o, Math.fround(Math.round(Math.fround(c as number) * 255) / 255), i, a]));
    assert.deepEqual([r.tp, r.fp, r.fn, r.groundTruth.length], [2, 1, 1, 3]);
    assert.ok(Math.abs(r.ap! - 2 / 3) < 1e-12, `AP ${r.ap}`);
    assert.deepEqual(r.groundTruthIou.map((x) => Number(x.toFixed(4))), [1, 0.625, 0]);
  });

  it('the drawable layer holds one outline per prediction plus the missed ground truth, coloured by outcome', async () => {
    const r = await predictTile(scripted(() => semantic(PROB)), { tileId: 't', image: blank(), annotations: GT }, settings());
    const layer = toPredictionLayer(r, { source: 'predict', label: 'm.onnx', convention: 'c' });
    assert.deepEqual(layer.shapes.map((s) => [s.outcome, s.bbox]), [['tp', [10, 10, 29, 29]], ['tp', [45, 5, 63, 24]], ['fp', [40, 40, 47, 47]], ['fn', [5, 45, 14, 54]]]);
    // The outline of the 20x20 square A runs along its border: 4 corners present, 76 boundary pixels.
    const ringA = layer.shapes[0].rings[0];
    assert.equal(ringA.length / 2, 76);
    assert.ok(ringA.every((v) => v >= 10 && v <= 29));
  });

  it('glomerulus removal drops the prediction inside a glomerulus; ignore mode scores it as neither TP nor FP', async () => {
    const withGlom = [...GT, ann('glomerulus', square(38, 38, 50, 50))];
    const removed = await predictTile(scripted(() => semantic(PROB)), { tileId: 't', image: blank(), annotations: withGlom }, settings({ removeInsideGlomerulus: true }));
    assert.deepEqual([removed.vessels.length, removed.tp, removed.fp, removed.fn], [2, 2, 0, 1]);
    const counted = await predictTile(scripted(() => semantic(PROB)), { tileId: 't', image: blank(), annotations: withGlom }, settings({ removeInsideGlomerulus: false, ignoreMode: 'count' }));
    assert.deepEqual([counted.tp, counted.fp, counted.ignored], [2, 1, 0]);
    const ignored = await predictTile(scripted(() => semantic(PROB)), { tileId: 't', image: blank(), annotations: withGlom }, settings({ removeInsideGlomerulus: false, ignoreMode: 'ignore' }));
    assert.deepEqual([ignored.tp, ignored.fp, ignored.ignored, ignored.vessels[2].outcome], [2, 0, 1, 'ignored']);
    assert.equal(ignored.ap, 2 / 3);
  });

  it('minArea and dilation apply after the threshold: the 8x8 FP (64 px) goes at minArea 65; dilation 1 grows 20x20 to 22x22', async () => {
    const r = await predictTile(scripted(() => semantic(PROB)), { tileId: 't', image: blank(), annotations: GT }, settings({ minArea: 65, dilation: 1 }));
    // B' (cols 45..63, rows 5..24) grows to cols 44..63 (clipped at the edge: 20) x rows 4..25 (22).
    assert.deepEqual(r.vessels.map((v) => v.mask.area), [22 * 22, 20 * 22]);
  });

  it('a tile without annotations is predicted but not scored', async () => {
    const r = await predictTile(scripted(() => semantic(PROB)), { tileId: 't', image: blank() }, settings());
    assert.deepEqual([r.annotated, r.vessels.length, r.ap, r.vessels[0].outcome], [false, 3, undefined, 'none']);
  });
});

describe('TTA runs the model on each transformed input and averages the maps back in the tile frame', () => {
  it('an equivariant model (probability = red channel) gives the same instances as without TTA, in 4 model calls', async () => {
    const img = blank();
    for (let r = 10; r < 30; r++) for (let c = 12; c < 40; c++) img.data[(r * N + c) * 4] = 230;
    const red = (im: RgbImage): Prediction => {
      const p = new Float32Array(im.width * im.height);
      for (let i = 0; i < p.length; i++) p[i] = im.data[i * im.channels] / 255;
      return { kind: 'semantic', width: im.width, height: im.height, classNames: ['blood_vessel'], probabilities: [p], activation: 'none' };
    };
    const model = scripted(red);
    const r = await predictTile(model, { tileId: 't', image: img }, settings({ tta: TTA_ON }));
    assert.equal(model.calls, 4);
    assert.deepEqual(r.tta, ['identity', 'hflip', 'vflip', 'rot180']);
    assert.deepEqual(r.vessels.map((v) => [v.mask.x, v.mask.y, v.mask.width, v.mask.height, v.mask.area]), [[12, 10, 28, 20, 560]]);
  });

  it('a model that ignores its input has its single corner blob spread over four corners at 1/4 each: nothing passes 0.5', async () => {
    const fixed = map([[0, 0, 9, 9, 1]]);
    const r = await predictTile(scripted(() => semantic(fixed)), { tileId: 't', image: blank() }, settings({ tta: TTA_ON }));
    assert.equal(r.vessels.length, 0);
    const low = await predictTile(scripted(() => semantic(fixed)), { tileId: 't', image: blank() }, settings({ tta: TTA_ON, threshold: 0.25 }));
    assert.deepEqual(low.vessels.map((v) => [v.mask.x, v.mask.y]).sort(), [[0, 0], [0, 54], [54, 0], [54, 54]]);
  });
});

describe('instance-kind models through the pipeline (scripted)', () => {
  it('keeps the vessel class, drops masks under minArea and inside glomeruli, then dilates; scores are the confidences', async () => {
    const box = (x: number, y: number, w: number, h: number) => ({ x, y, width: w, height: h, data: new Uint8Array(w * h).fill(1) });
    const pred: InstancePrediction = {
      kind: 'instances', width: N, height: N, classNames: ['blood_vessel', 'glomerulus'], instances: [
        { classIndex: 0, className: 'blood_vessel', score: 0.95, box: [10, 10, 30, 30], mask: box(10, 10, 20, 20), area: 400 },
        { classIndex: 1, className: 'glomerulus', score: 0.9, box: [0, 0, 10, 10], mask: box(0, 0, 10, 10), area: 100 },
        { classIndex: 0, className: 'blood_vessel', score: 0.5, box: [50, 50, 53, 53], mask: box(50, 50, 3, 3), area: 9 },
        { classIndex: 0, className: 'blood_vessel', score: 0.4, box: [40, 40, 46, 46], mask: box(40, 40, 6, 6), area: 36 },
      ],
    };
    const anns = [...GT, ann('glomerulus', square(38, 38, 50, 50))];
    const r = await predictTile(scripted(() => pred, 'instance'), { tileId: 't', image: blank(), annotations: anns }, settings({ minArea: 10, dilation: 1, tta: TTA_ON }));
    assert.deepEqual(r.vessels.map((v) => [v.confidence, v.mask.x, v.mask.y, v.mask.area, v.outcome]), [[0.95, 9, 9, 22 * 22, 'tp']]); // dilated A covers GT A: IoU 400/484 = 0.83
    assert.ok(Math.abs(r.vessels[0].iou - 400 / 484) < 1e-12);
    assert.ok(r.notes.some((n) => /TTA skipped/.test(n)));
  });
});

describe('ground truth rasterised as bounding-box crops', () => {
  it('gives exactly the full-tile rasteriser\'s pixels for every real blood_vessel polygon of the sample (border-clipped ones included)', () => {
    let n = 0, border = 0;
    for (const line of fs.readFileSync(path.join(SAMPLE, 'polygons.jsonl'), 'utf8').split('\n').filter((l) => l.trim())) {
      for (const a of (JSON.parse(line) as { annotations: { coordinates: Ring[] }[] }).annotations) {
        const crop = rasterizeInstance({ rings: a.coordinates }, 512, 512);
        const full = instanceFromFullMask(rasterizeAnnotation({ rings: a.coordinates }), 512, 512);
        assert.deepEqual([crop.x, crop.y, crop.width, crop.height, crop.area], [full.x, full.y, full.width, full.height, full.area]);
        assert.ok(Buffer.from(crop.data).equals(Buffer.from(full.data)));
        n++;
        if (a.coordinates[0].some(([x, y]) => x === 0 || y === 0 || x === 511 || y === 511)) border++;
      }
    }
    assert.ok(n > 1800 && border > 50, `${n} polygons, ${border} on the border`);
  });
});

describe('batch metric over tiles and per WSI', () => {
  it('ranks every prediction of every tile together (one global AP), and per WSI separately', async () => {
    const a = await predictTile(scripted(() => semantic(PROB)), { tileId: 'a', group: '1', image: blank(), annotations: GT }, settings());
    // Tile b: one GT, one exact prediction at p 0.75 (between B' 0.8 and F 0.7 of tile a).
    const b = await predictTile(scripted(() => semantic(map([[0, 0, 9, 9, 0.75]]))), { tileId: 'b', group: '2', image: blank(), annotations: [ann('blood_vessel', square(0, 0, 9, 9))] }, settings());
    const s = scoreTiles([a, b], 'count');
    // Ranked: 0.9 TP, 0.8 TP, 0.75 TP, 0.7 FP over 4 GT -> precision 1 up to recall 3/4: AP = 0.75.
    assert.equal(s.ap, 0.75);
    assert.deepEqual([s.tp, s.fp, s.fn, s.numGt], [3, 1, 1, 4]);
    assert.deepEqual(s.perWsi.map((g) => [g.group, g.ap, g.tp, g.fp, g.fn]), [['1', 2 / 3, 2, 1, 1], ['2', 1, 1, 0, 0]]);
    assert.match(s.convention, /count as background/);
  });
});

describe('real ONNX models end to end through predictTile (the child process, cpu)', () => {
  const client = new InferenceClient({ workerPath: WORKER, timeoutMs: 120_000 });
  let index: DatasetIndex;
  before(async () => {
    ensureTestModels();
    index = await indexDataset(SAMPLE);
  });
  after(() => client.dispose());

  const expected = JSON.parse(fs.readFileSync(path.join(REPO, 'media', 'model', 'demo-unet.expected.json'), 'utf8')) as { tiles: { id: string; positivePixels: number }[] };
  const lines = new Map(fs.readFileSync(path.join(SAMPLE, 'polygons.jsonl'), 'utf8').split('\n').filter((l) => l.trim()).map((l) => {
    const j = JSON.parse(l) as { id: string; annotations: { type: string; coordinates: Ring[] }[] };
    return [j.id, j.annotations] as const;
  }));
  const full = (m: InstanceMask): Uint8Array => {
    const out = new Uint8Array(512 * 512);
    for (let r = 0; r < m.height; r++) for (let c = 0; c < m.width; c++) if (m.data[r * m.width + c]) out[(r + m.y) * 512 + c + m.x] = 1;
    return out;
  };

  for (const t of expected.tiles.slice(0, 2)) {
    it(`demo U-Net on held-out tile ${t.id}: vessel pixels = torch's positive pixels; every TP has IoU >= 0.6 with a real polygon`, async () => {
      const r = await predictTile(client, await loadIndexedTile(index, t.id), { ...DEFAULT_PREDICT_SETTINGS, modelPath: DEMO_MODEL, provider: 'cpu', minArea: 0 });
      assert.equal(r.outputKind, 'semantic');
      assert.equal(r.provider, 'cpu');
      const pixels = r.vessels.reduce((a, v) => a + v.mask.area, 0);
      assert.ok(Math.abs(pixels - t.positivePixels) <= Math.max(20, t.positivePixels * 0.002), `${pixels} vs torch ${t.positivePixels}`);
      const polys = lines.get(t.id)!.filter((a) => a.type === 'blood_vessel').map((a) => rasterizeAnnotation({ rings: a.coordinates }));
      assert.equal(r.tp + r.fn, polys.length, 'every ground-truth vessel is either matched or missed');
      assert.equal(r.tp + r.fp, r.vessels.length);
      for (const v of r.vessels.filter((x) => x.outcome === 'tp')) {
        const pm = full(v.mask), gm = polys[v.gt];
        let inter = 0, union = 0;
        for (let i = 0; i < pm.length; i++) { inter += pm[i] & gm[i]; union += pm[i] | gm[i]; }
        assert.ok(Math.abs(inter / union - v.iou) < 1e-12 && v.iou >= 0.6, `IoU ${inter / union} vs ${v.iou}`);
      }
    });
  }

  it('torchvision Mask R-CNN file: vessels = the raw masks with >= minArea pixels at 0.5, with the model scores', async () => {
    const tile = await loadIndexedTile(index, expected.tiles[0].id);
    const raw = await client.predict({ modelPath: MASKRCNN, image: tile.image, provider: 'cpu', includeRaw: true, decode: { scoreThreshold: 0 } });
    const masks = raw.raw!.masks.data as Float32Array, scores = raw.raw!.scores.data as Float32Array;
    const want: [number, number][] = [];
    for (let i = 0; i < scores.length; i++) {
      let n = 0;
      for (let k = i * 512 * 512; k < (i + 1) * 512 * 512; k++) if (masks[k] >= 0.5) n++;
      if (n >= 10) want.push([Number(scores[i].toFixed(6)), n]);
    }
    const r = await predictTile(client, tile, { ...DEFAULT_PREDICT_SETTINGS, modelPath: MASKRCNN, provider: 'cpu', scoreThreshold: 0, removeInsideGlomerulus: false });
    assert.equal(r.outputKind, 'instance');
    assert.deepEqual(r.vessels.map((v) => [Number(v.confidence.toFixed(6)), v.mask.area]).sort(), want.sort());
    assert.equal(r.tp + r.fn, lines.get(tile.tileId)!.filter((a) => a.type === 'blood_vessel').length);
  });

  it('YOLOv8-seg file: vessels = the decoded blood_vessel instances (class 0) of >= minArea pixels', async () => {
    const tile = await loadIndexedTile(index, expected.tiles[0].id);
    const raw = await client.predict({ modelPath: YOLOSEG, image: tile.image, provider: 'cpu' });
    const inst = (raw.prediction as InstancePrediction).instances.filter((x) => x.classIndex === 0 && x.area >= 10);
    const r = await predictTile(client, tile, { ...DEFAULT_PREDICT_SETTINGS, modelPath: YOLOSEG, provider: 'cpu' });
    assert.equal(r.outputKind, 'yolov8-seg');
    assert.ok(inst.length >= 1, 'the test model finds at least one vessel-class instance on this tile');
    assert.deepEqual(r.vessels.map((v) => [v.confidence, v.mask.area]), inst.map((x) => [x.score, x.area]));
  });
});
