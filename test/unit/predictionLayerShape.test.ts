/** predictionLayerProblem: the webview's shape check of a prediction layer, on hand-built layers. */
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PredictionLayer } from '../../src/core/predict/predictionLayer';
import { predictionLayerProblem } from '../../src/shared/tileViewerProtocol';

function layer(): PredictionLayer {
  return {
    tileId: 'eda294658a0a', source: 'predict', label: 'demo-unet.onnx', width: 512, height: 512, annotated: true,
    shapes: [
      { outcome: 'tp', confidence: 0.91, iou: 0.72, rings: [[10, 10, 20, 10, 20, 20]], bbox: [10, 10, 20, 20], area: 50, index: 0 },
      { outcome: 'fn', iou: 0, rings: [[30, 30, 40, 30, 40, 40]], bbox: [30, 30, 40, 40], area: 50, index: 0 },
    ],
    ap: 0.5, tp: 1, fp: 0, fn: 1, ignored: 0, convention: 'AP@0.6, blood_vessel only', colors: { tp: '#009e73', fp: '#cc3311', fn: '#aa4499' },
  };
}

test('a well-formed layer passes, ap null included', () => {
  assert.equal(predictionLayerProblem(layer()), undefined);
  assert.equal(predictionLayerProblem({ ...layer(), ap: null }), undefined);
});

test('each malformed part is named', () => {
  assert.equal(predictionLayerProblem(null), 'prediction layer is not an object');
  const oddRing = layer();
  oddRing.shapes[1].rings = [[1, 2, 3]];
  assert.equal(predictionLayerProblem(oddRing), 'prediction layer: shape 1 rings must be flat [x, y, ...] number arrays');
  assert.equal(predictionLayerProblem({ ...layer(), colors: { tp: 'red', fp: '#cc3311', fn: '#aa4499' } }), 'prediction layer: colors must hold #rrggbb for tp, fp and fn');
  assert.equal(predictionLayerProblem({ ...layer(), shapes: [{ ...layer().shapes[0], outcome: 'maybe' }] }), 'prediction layer: shape 0 has no known outcome');
  assert.equal(predictionLayerProblem({ ...layer(), ap: 'high' }), 'prediction layer: ap must be a number or null');
  assert.equal(predictionLayerProblem({ ...layer(), tp: 1.5 }), 'prediction layer: tp, fp, fn and ignored must be integers');
});
