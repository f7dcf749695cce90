import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { InstancePrediction } from '../../src/core/model/decodeOutputs';
import type { RgbImage } from '../../src/core/model/preprocess';
import { InferenceCancelledError, InferenceClient, InferenceCrashError, InferenceRequestError, InferenceTimeoutError } from '../../src/inference/client';
import { DEMO_MODEL, MASKRCNN, REPO, WORKER, YOLOSEG, ensureTestModels, readTile, runPythonJson, tempDir } from './inferenceFixtures';

interface Expected {
  tiles: { id: string; positivePixels: number; meanProb: number; probe: { pixel: [number, number]; logit: number }[] }[];
}
const expected = JSON.parse(fs.readFileSync(path.join(REPO, 'media', 'model', 'demo-unet.expected.json'), 'utf8')) as Expected;
const HELD_OUT = expected.tiles[0].id;

const logs: string[] = [];
const client = new InferenceClient({ workerPath: WORKER, timeoutMs: 120_000, log: (level, m) => logs.push(`${level} ${m}`) });
let tile: RgbImage;

before(async () => {
  ensureTestModels();
  tile = await readTile(HELD_OUT);
});
after(() => client.dispose());

describe('the demo model in the child process', () => {
  it('runs on a real held-out tile: [1,1,512,512] logits that match torch', async () => {
    const r = await client.predict({ modelPath: DEMO_MODEL, image: tile, provider: 'cpu' });
    assert.deepEqual(r.outputShapes, { logits: [1, 1, 512, 512] });
    assert.equal(r.provider, 'cpu');
    assert.deepEqual(r.fallbackReasons, []);
    assert.equal(r.contract.source, 'sidecar');
    assert.equal(r.prediction.kind, 'semantic');
    if (r.prediction.kind !== 'semantic') return;
    const prob = r.prediction.probabilities[0];
    assert.equal(prob.length, 512 * 512);
    const want = expected.tiles[0];
    for (const p of want.probe) {
      const torchProb = 1 / (1 + Math.exp(-p.logit));
      assert.ok(Math.abs(prob[p.pixel[0] * 512 + p.pixel[1]] - torchProb) < 1e-3, `pixel ${p.pixel}: ${prob[p.pixel[0] * 512 + p.pixel[1]]} vs torch ${torchProb}`);
    }
    const positives = prob.reduce((n, v) => n + (v >= 0.5 ? 1 : 0), 0);
    assert.ok(Math.abs(positives - want.positivePixels) <= Math.max(20, want.positivePixels * 0.002), `positive pixels ${positives} vs torch ${want.positivePixels}`);
    assert.ok(r.latencyMs >= r.timings.runMs, 'the round trip includes the run');
  });

  it("'cuda' on a machine without CUDA falls back to cpu and says why", async () => {
    const before = logs.length;
    const r = await client.predict({ modelPath: DEMO_MODEL, image: tile, provider: 'cuda' });
    assert.equal(r.provider, 'cpu');
    assert.equal(r.fallbackReasons.length, 1);
    assert.match(r.fallbackReasons[0], /^cuda: .*(Failed to load shared library|CUDA)/i);
    assert.ok(logs.slice(before).some((l) => /^warn .*provider cuda unavailable/.test(l)), `no fallback log line in ${JSON.stringify(logs.slice(before))}`);
  });

  it('a corrupt model file gives a clear error and the next request with the good model works', async () => {
    const bad = path.join(tempDir(), 'garbage.onnx');
    fs.writeFileSync(bad, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 131 + 7) % 256)));
    const pid = client.pid;
    await assert.rejects(client.predict({ modelPath: bad, image: tile, provider: 'cpu' }), (e: Error) => {
      assert.ok(e instanceof InferenceRequestError);
      assert.equal(e.code, 'model-load-failed');
      assert.ok(e.message.includes(bad), e.message);
      assert.match(e.message, /not a valid ONNX model/);
      return true;
    });
    const r = await client.predict({ modelPath: DEMO_MODEL, image: tile, provider: 'cpu' });
    assert.deepEqual(r.outputShapes.logits, [1, 1, 512, 512]);
    assert.equal(client.pid, pid, 'the worker survived the bad model');
  });

  it('a missing model file says so and names the setting', async () => {
    await assert.rejects(client.predict({ modelPath: '/nonexistent/model.onnx', image: tile }), /Model file not found: \/nonexistent\/model\.onnx\. Check the vasculatureExplorer\.modelPath/);
  });
});

describe('the child process dies, hangs or is cancelled; the parent carries on', () => {
  it('a killed child (simulated native crash) rejects the run and the next request restarts it', async () => {
    await client.predict({ modelPath: DEMO_MODEL, image: tile, provider: 'cpu' }); // warm
    const pid = client.pid!;
    const restarts = client.restarts;
    const run = client.predict({ modelPath: DEMO_MODEL, image: tile, provider: 'cpu' });
    setTimeout(() => process.kill(pid, 'SIGKILL'), 20);
    await assert.rejects(run, (e: Error) => e instanceof InferenceCrashError && /signal SIGKILL/.test(e.message));
    const r = await client.predict({ modelPath: DEMO_MODEL, image: tile, provider: 'cpu' });
    assert.deepEqual(r.outputShapes.logits, [1, 1, 512, 512]);
    assert.notEqual(client.pid, pid);
    assert.equal(client.restarts, restarts + 1);
  });

  it('cancelling a run through its AbortSignal rejects it and stops the child', async () => {
    const pid = client.pid!;
    const ac = new AbortController();
    const run = client.predict({ modelPath: DEMO_MODEL, image: tile, provider: 'cpu' }, { signal: ac.signal });
    setTimeout(() => ac.abort(), 20);
    await assert.rejects(run, InferenceCancelledError);
    assert.throws(() => process.kill(pid, 0), /ESRCH/, 'the old worker is gone');
    const r = await client.predict({ modelPath: DEMO_MODEL, image: tile, provider: 'cpu' });
    assert.equal(r.prediction.kind, 'semantic');
  });

  it('a run past its timeout is stopped with a timeout error', async () => {
    await assert.rejects(client.predict({ modelPath: DEMO_MODEL, image: tile, provider: 'cpu' }, { timeoutMs: 5 }), (e: Error) => e instanceof InferenceTimeoutError && /longer than 0\.0 s/.test(e.message));
    const r = await client.predict({ modelPath: DEMO_MODEL, image: tile, provider: 'cpu' });
    assert.equal(r.prediction.kind, 'semantic');
  });
});

describe('each output kind end to end on a real exported model', () => {
  it('torchvision Mask R-CNN: boxes [8,4], masks [8,1,512,512], kind detected, mask areas = raw pixels >= 0.5', async () => {
    const r = await client.predict({ modelPath: MASKRCNN, image: tile, provider: 'cpu', includeRaw: true, decode: { scoreThreshold: 0 } });
    assert.equal(r.contract.source, 'detected');
    assert.equal(r.contract.outputKind, 'instance');
    assert.deepEqual(r.outputShapes, { boxes: [8, 4], labels: [8], scores: [8], masks: [8, 1, 512, 512] });
    const p = r.prediction as InstancePrediction;
    assert.equal(p.kind, 'instances');
    assert.equal(p.instances.length, 8);
    const boxes = r.raw!.boxes.data as Float32Array;
    const masks = r.raw!.masks.data as Float32Array;
    for (let i = 0; i < 8; i++) {
      let count = 0;
      for (let k = i * 512 * 512; k < (i + 1) * 512 * 512; k++) if (masks[k] >= 0.5) count++;
      const inst = p.instances.find((x) => x.box.every((v, j) => v === boxes[i * 4 + j]));
      assert.ok(inst, `instance ${i} missing`);
      assert.equal(inst.area, count, `instance ${i}`);
      assert.equal(inst.mask.data.reduce((a, b) => a + b, 0), count);
    }
  });

  it('YOLOv8-seg: [1,38,8400] + [1,32,160,160] decoded like an independent numpy/OpenCV decoder', async () => {
    const r = await client.predict({ modelPath: YOLOSEG, image: tile, provider: 'cpu', includeRaw: true });
    assert.deepEqual(r.outputShapes, { output0: [1, 38, 8400], output1: [1, 32, 160, 160] });
    assert.equal(r.contract.source, 'ultralytics-metadata');
    assert.deepEqual(r.contract.classNames, ['blood_vessel', 'glomerulus']);
    const dir = tempDir();
    const det = path.join(dir, 'det.f32');
    const protos = path.join(dir, 'protos.f32');
    fs.writeFileSync(det, r.raw!.output0.data as Float32Array);
    fs.writeFileSync(protos, r.raw!.output1.data as Float32Array);
    const ref = runPythonJson<{ cls: number; score: number; box: number[]; area: number }[]>(path.join(REPO, 'scripts', 'model', 'ref_decode_yolo.py'), {
      det, detDims: [1, 38, 8400], protos, protoDims: [1, 32, 160, 160], inputSize: [640, 640], tileSize: [512, 512], conf: 0.25, iou: 0.7,
    });
    const p = r.prediction as InstancePrediction;
    assert.ok(ref.length >= 3, `the test model should find several instances on a real tile, found ${ref.length}`);
    assert.equal(p.instances.length, ref.length);
    p.instances.forEach((inst, i) => {
      assert.equal(inst.classIndex, ref[i].cls);
      assert.ok(Math.abs(inst.score - ref[i].score) < 1e-6);
      inst.box.forEach((v, j) => assert.ok(Math.abs(v - ref[i].box[j] / 1.25) < 1e-3, `box ${i}`));
      assert.ok(Math.abs(inst.area - ref[i].area) <= 2, `instance ${i}: area ${inst.area} vs numpy ${ref[i].area}`);
    });
    assert.ok(p.instances.some((x) => x.area > 0), 'masks are not all empty');
  });
});
