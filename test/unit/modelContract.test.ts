import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { CONTRACT_METADATA_KEY, ModelContractError, detectOutputs, parsePythonNames, resolveModelContract, type ModelIo } from '../../src/core/model/modelContract';
import { readOnnxMetadata } from '../../src/inference/onnxMetadata';
import { DEMO_MODEL, YOLOSEG, ensureTestModels, tempDir } from './inferenceFixtures';

const unetIo: ModelIo = { inputs: [{ name: 'image', shape: [1, 3, 'height', 'width'] }], outputs: [{ name: 'logits', shape: [1, 1, 'height', 'width'] }] };
const yoloIo: ModelIo = { inputs: [{ name: 'images', shape: [1, 3, 640, 640] }], outputs: [{ name: 'output0', shape: [1, 38, 8400] }, { name: 'output1', shape: [1, 32, 160, 160] }] };
const rcnnIo: ModelIo = {
  inputs: [{ name: 'image', shape: [3, 'height', 'width'] }],
  outputs: [{ name: 'boxes', shape: ['n', 4] }, { name: 'labels', shape: ['n'] }, { name: 'scores', shape: ['n'] }, { name: 'masks', shape: ['n', 1, 'height', 'width'] }],
};

describe('output kind detection from names and shapes', () => {
  it('a single [1,C,H,W] output is semantic, with C classes and auto activation', () => {
    const c = resolveModelContract({ inputs: unetIo.inputs, outputs: [{ name: 'out', shape: [1, 3, 'h', 'w'] }] }, { modelPath: 'x.onnx' });
    assert.equal(c.outputKind, 'semantic');
    assert.deepEqual(c.outputs, { kind: 'semantic', logits: 'out' });
    assert.deepEqual(c.classNames, ['class_0', 'class_1', 'class_2']);
    assert.equal(c.activation, 'auto');
    assert.equal(c.inputSize, undefined, 'symbolic H/W means any size');
    assert.equal(c.source, 'detected');
  });
  it('boxes + labels + scores + masks is an instance model with a rank-3 input', () => {
    const c = resolveModelContract(rcnnIo, { modelPath: 'm.onnx' });
    assert.deepEqual(c.outputs, { kind: 'instance', boxes: 'boxes', scores: 'scores', masks: 'masks', labels: 'labels' });
    assert.equal(c.inputRank, 3);
  });
  it('[1,38,8400] + [1,32,160,160] is YOLOv8-seg with 38-4-32 = 2 classes and a fixed 640 input', () => {
    const c = resolveModelContract(yoloIo, { modelPath: 'y.onnx' });
    assert.deepEqual(c.outputs, { kind: 'yolov8-seg', detections: 'output0', protos: 'output1' });
    assert.deepEqual(c.classNames, ['class_0', 'class_1']);
    assert.deepEqual(c.inputSize, [640, 640]);
  });
  it('a classifier fits nothing and the error lists every input and output found', () => {
    const io: ModelIo = { inputs: [{ name: 'data', shape: [1, 3, 224, 224], type: 'float32' }], outputs: [{ name: 'prob', shape: [1, 1000], type: 'float32' }] };
    assert.equal(detectOutputs(io), undefined);
    assert.throws(() => resolveModelContract(io, { modelPath: '/m/resnet.onnx' }), (e: Error) => {
      assert.ok(e instanceof ModelContractError);
      assert.match(e.message, /\/m\/resnet\.onnx/);
      assert.match(e.message, /data \[1,3,224,224\] float32/);
      assert.match(e.message, /prob \[1,1000\] float32/);
      assert.match(e.message, /sidecar/);
      return true;
    });
  });
  it('a 1-channel input is refused with the channel count', () => {
    assert.throws(() => resolveModelContract({ inputs: [{ name: 'x', shape: [1, 1, 512, 512] }], outputs: unetIo.outputs }, { modelPath: 'g.onnx' }), /1 channels/);
  });
});

describe('contract statements from metadata and sidecars', () => {
  it('ultralytics names metadata is a python dict', () => {
    assert.deepEqual(parsePythonNames("{0: 'blood_vessel', 1: 'glomerulus', 2: \"unsure\"}"), ['blood_vessel', 'glomerulus', 'unsure']);
  });
  it('ultralytics task/names/imgsz metadata set kind, class names and 0..1 RGB input', () => {
    const c = resolveModelContract(yoloIo, { modelPath: 'y.onnx', metadata: { task: 'segment', names: "{0: 'blood_vessel', 1: 'glomerulus'}", imgsz: '[640, 640]' } });
    assert.equal(c.source, 'ultralytics-metadata');
    assert.deepEqual(c.classNames, ['blood_vessel', 'glomerulus']);
    assert.equal(c.scale, 255);
    assert.deepEqual(c.mean, [0, 0, 0]);
  });
  it('a sidecar wins over metadata', () => {
    const c = resolveModelContract(unetIo, { modelPath: 'u.onnx', metadata: { [CONTRACT_METADATA_KEY]: JSON.stringify({ classNames: ['from_metadata'] }) }, sidecar: { classNames: ['from_sidecar'], activation: 'sigmoid' } });
    assert.deepEqual(c.classNames, ['from_sidecar']);
    assert.equal(c.source, 'sidecar');
    assert.equal(c.activation, 'sigmoid');
  });
  it('a bad sidecar value names the file and the key', () => {
    assert.throws(() => resolveModelContract(unetIo, { modelPath: 'u.onnx', sidecar: { mean: [0.5, 0.5] }, sidecarPath: '/models/u.onnx.json' }), /\/models\/u\.onnx\.json: "mean" must be an array of 3 numbers, found \[0\.5,0\.5\]/);
  });
  it('a contract that names an output the model lacks is refused with the outputs found', () => {
    assert.throws(() => resolveModelContract(unetIo, { modelPath: 'u.onnx', sidecar: { outputKind: 'instance' } }), /output "boxes" is not among the model's outputs\. Found inputs: image \[1,3,height,width\]; outputs: logits/);
  });
  it('metadata that is not JSON is reported with the key', () => {
    assert.throws(() => resolveModelContract(unetIo, { modelPath: 'u.onnx', metadata: { [CONTRACT_METADATA_KEY]: '{oops' } }), /metadata key vasculature_explorer\.contract\): not valid JSON/);
  });
});

describe('ONNX metadata_props reader', () => {
  before(() => ensureTestModels());
  it('reads the demo model contract, identical to its sidecar JSON', () => {
    const md = readOnnxMetadata(fs.readFileSync(DEMO_MODEL), DEMO_MODEL);
    assert.deepEqual(Object.keys(md), [CONTRACT_METADATA_KEY]);
    assert.deepEqual(JSON.parse(md[CONTRACT_METADATA_KEY]), JSON.parse(fs.readFileSync(`${DEMO_MODEL}.json`, 'utf8')));
  });
  it('reads the five ultralytics-style keys of the YOLOv8-seg test model', () => {
    const md = readOnnxMetadata(fs.readFileSync(YOLOSEG));
    assert.equal(md.task, 'segment');
    assert.equal(md.names, "{0: 'blood_vessel', 1: 'glomerulus'}");
    assert.equal(md.imgsz, '[640, 640]');
    assert.equal(Object.keys(md).length, 5);
  });
  it('a truncated model throws a message that says truncated', () => {
    const bytes = fs.readFileSync(YOLOSEG);
    const cut = path.join(tempDir(), 'cut.onnx');
    fs.writeFileSync(cut, bytes.subarray(0, 1000));
    assert.throws(() => readOnnxMetadata(fs.readFileSync(cut), cut), /truncated|not an ONNX model/);
  });
});
