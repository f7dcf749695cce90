import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { decodeSemantic, nms } from '../../src/core/model/decodeOutputs';
import { inputSizeFor, toInputTensor } from '../../src/core/model/preprocess';
import { REPO, runPythonJson } from './inferenceFixtures';

const base = { inputRank: 4 as const, sizeMultiple: 1, channelOrder: 'RGB' as const, scale: 255, mean: [0, 0, 0] as [number, number, number], std: [1, 1, 1] as [number, number, number] };

describe('tile pixels to model input', () => {
  it('normalises RGBA with mean/std in CHW order (hand-worked)', () => {
    // Two pixels: (255,0,51,9) and (102,204,255,9); alpha ignored.
    const img = { width: 2, height: 1, channels: 4 as const, data: new Uint8Array([255, 0, 51, 9, 102, 204, 255, 9]) };
    const t = toInputTensor(img, { ...base, mean: [0.5, 0.5, 0.5], std: [0.5, 0.25, 0.5] });
    assert.deepEqual(t.dims, [1, 3, 1, 2]);
    // R: (1-0.5)/0.5=1, (0.4-0.5)/0.5=-0.2; G: (0-0.5)/0.25=-2, (0.8-0.5)/0.25=1.2; B: (0.2-0.5)/0.5=-0.6, (1-0.5)/0.5=1
    const want = [1, -0.2, -2, 1.2, -0.6, 1];
    want.forEach((v, i) => assert.ok(Math.abs(t.data[i] - v) < 1e-6, `element ${i}: ${t.data[i]} != ${v}`));
  });
  it('BGR order puts blue first', () => {
    const img = { width: 1, height: 1, channels: 3 as const, data: new Uint8Array([10, 20, 30]) };
    const t = toInputTensor(img, { ...base, scale: 1, channelOrder: 'BGR' });
    assert.deepEqual(Array.from(t.data), [30, 20, 10]);
  });
  it('a rank-3 model input has no batch dimension', () => {
    const t = toInputTensor({ width: 2, height: 2, channels: 3, data: new Uint8Array(12) }, { ...base, inputRank: 3 });
    assert.deepEqual(t.dims, [3, 2, 2]);
  });
  it('a free-size input pads 500x300 up to a multiple of 16 with zeros', () => {
    assert.deepEqual(inputSizeFor(500, 300, { sizeMultiple: 16 }), { width: 512, height: 304, resize: false });
    const img = { width: 3, height: 2, channels: 3 as const, data: new Uint8Array(18).fill(255) };
    const t = toInputTensor(img, { ...base, sizeMultiple: 4 });
    assert.deepEqual(t.dims, [1, 3, 4, 4]);
    // Row 0 of channel 0: three ones then padding.
    assert.deepEqual(Array.from(t.data.subarray(0, 4)), [1, 1, 1, 0]);
    assert.equal(t.data.reduce((a, b) => a + b, 0), 18);
  });
  it('a reused buffer is written over: the padding of a smaller tile is zero again, not the last tile\'s pixels', () => {
    const c = { ...base, sizeMultiple: 4 };
    const full = toInputTensor({ width: 4, height: 4, channels: 3, data: new Uint8Array(48).fill(255) }, c);
    const again = toInputTensor({ width: 3, height: 2, channels: 3, data: new Uint8Array(18).fill(255) }, c, full.data);
    assert.equal(again.data, full.data, 'the same buffer');
    assert.deepEqual(Array.from(again.data.subarray(0, 8)), [1, 1, 1, 0, 1, 1, 1, 0]);
    assert.equal(again.data.reduce((a, b) => a + b, 0), 18);
    // A buffer of another length is left alone.
    const other = new Float32Array(5);
    assert.notEqual(toInputTensor({ width: 1, height: 1, channels: 3, data: new Uint8Array(3) }, base, other).data, other);
  });
  it('resizing 7x5 to a fixed 11x9 input matches OpenCV INTER_LINEAR', () => {
    const w = 7, h = 5;
    const pixels = Array.from({ length: w * h * 3 }, (_, i) => (i * 37 + 11) % 256);
    const c = { ...base, inputSize: [9, 11] as [number, number], mean: [0.6, 0.4, 0.7] as [number, number, number], std: [0.14, 0.19, 0.12] as [number, number, number] };
    const t = toInputTensor({ width: w, height: h, channels: 3, data: Uint8Array.from(pixels) }, c);
    assert.deepEqual(t.dims, [1, 3, 9, 11]);
    assert.ok(Math.abs(t.geometry.scaleX - 11 / 7) < 1e-12);
    const ref = runPythonJson<number[]>(path.join(REPO, 'scripts', 'model', 'ref_resize.py'), { width: w, height: h, pixels, out: [9, 11], mean: c.mean, std: c.std, scale: 255 });
    assert.equal(ref.length, t.data.length);
    let maxErr = 0;
    ref.forEach((v, i) => (maxErr = Math.max(maxErr, Math.abs(v - t.data[i]))));
    assert.ok(maxErr < 1e-4, `max |ts - cv2| = ${maxErr}`);
  });
});

describe('decoders (hand-worked cases)', () => {
  const g = { tileWidth: 2, tileHeight: 1, inputWidth: 2, inputHeight: 1, scaleX: 1, scaleY: 1 };
  it('semantic logits go through sigmoid when they leave [0,1] (auto)', () => {
    const p = decodeSemantic({ dims: [1, 1, 1, 2], data: Float32Array.from([0, Math.log(3)]) }, { classNames: ['blood_vessel'], activation: 'auto' }, g);
    assert.equal(p.activation, 'sigmoid');
    assert.ok(Math.abs(p.probabilities[0][0] - 0.5) < 1e-6 && Math.abs(p.probabilities[0][1] - 0.75) < 1e-6);
  });
  it('semantic probabilities in [0,1] stay as they are (auto)', () => {
    const p = decodeSemantic({ dims: [1, 1, 1, 2], data: Float32Array.from([0.2, 0.9]) }, { classNames: ['x'], activation: 'auto' }, g);
    assert.equal(p.activation, 'none');
    assert.ok(Math.abs(p.probabilities[0][1] - 0.9) < 1e-6);
  });
  it('two-class softmax: logits (0, ln 3) give (0.25, 0.75)', () => {
    const p = decodeSemantic({ dims: [1, 2, 1, 2], data: Float32Array.from([0, 0, Math.log(3), 0]) }, { classNames: ['a', 'b'], activation: 'softmax' }, g);
    assert.ok(Math.abs(p.probabilities[1][0] - 0.75) < 1e-6 && Math.abs(p.probabilities[0][0] - 0.25) < 1e-6);
    assert.ok(Math.abs(p.probabilities[0][1] - 0.5) < 1e-6);
  });
  it('NMS keeps the best of overlapping same-class boxes and both of different classes', () => {
    // A/B overlap with IoU 81/119 = 0.68; C is far; D overlaps A but is another class.
    const boxes = [[0, 0, 10, 10], [1, 1, 11, 11], [50, 50, 60, 60], [0, 0, 10, 10]];
    assert.deepEqual(nms(boxes, [0.9, 0.8, 0.7, 0.6], [0, 0, 0, 1], 0.5), [0, 2, 3]);
    assert.deepEqual(nms(boxes, [0.9, 0.8, 0.7, 0.6], [0, 0, 0, 1], 0.7), [0, 1, 2, 3], 'IoU 0.68 <= 0.7 keeps both');
  });
});
