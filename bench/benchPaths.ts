/** Paths the inference and predict bench sections share (compiled to out/bench/, so the repo is two up). */
import * as path from 'node:path';

export const REPO = path.resolve(__dirname, '..', '..');
export const SAMPLE = path.resolve(REPO, '..', 'shared', 'data', 'hhv-sample');
export const MODEL = path.join(REPO, 'media', 'model', 'demo-unet.onnx');
export const WORKER = path.join(REPO, 'out', 'src', 'inference', 'worker.js');
