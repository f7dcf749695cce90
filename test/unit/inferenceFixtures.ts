/** Shared fixtures of the inference tests: paths, real tiles decoded with sharp, exported test models. */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RgbImage } from '../../src/core/model/preprocess';

export const REPO = (() => {
  let d = __dirname;
  while (!fs.existsSync(path.join(d, 'package.json'))) d = path.dirname(d);
  return d;
})();
export const SAMPLE = path.resolve(REPO, '..', 'shared', 'data', 'hhv-sample');
export const PYTHON = '/usr/bin/python3';
export const DEMO_MODEL = path.join(REPO, 'media', 'model', 'demo-unet.onnx');
export const WORKER = path.join(REPO, 'out', 'src', 'inference', 'worker.js');
export const TEST_MODELS = path.join(REPO, 'test-output', 'models');
export const MASKRCNN = path.join(TEST_MODELS, 'tiny-maskrcnn.onnx');
export const YOLOSEG = path.join(TEST_MODELS, 'tiny-yolov8seg.onnx');

/** Exports the Mask R-CNN and YOLOv8-seg test models when they are missing (~30 s). */
export function ensureTestModels(): void {
  if (fs.existsSync(MASKRCNN) && fs.existsSync(YOLOSEG)) return;
  execFileSync(PYTHON, [path.join(REPO, 'scripts', 'model', 'export_test_models.py'), TEST_MODELS], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 300_000 });
}

/** A real sample tile as raw RGB pixels. */
export async function readTile(id: string): Promise<RgbImage> {
  const sharp = (await import('sharp')).default;
  const { data, info } = await sharp(path.join(SAMPLE, 'train', `${id}.tif`)).raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: info.channels as 3 | 4, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

/** A fresh temp folder. */
export function tempDir(prefix = 'vex-inf-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Runs a python script with a JSON argument file and parses its JSON stdout. */
export function runPythonJson<T>(script: string, input: unknown): T {
  const dir = tempDir('vex-py-');
  const arg = path.join(dir, 'input.json');
  fs.writeFileSync(arg, JSON.stringify(input));
  const out = execFileSync(PYTHON, [script, arg], { encoding: 'utf8', timeout: 120_000 });
  return JSON.parse(out) as T;
}
