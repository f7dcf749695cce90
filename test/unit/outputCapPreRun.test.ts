/**
 * The model output cap is checked BEFORE onnxruntime runs (and allocates the outputs): from the
 * session's output metadata, with symbolic dims resolved from the input's dims. Real ONNX files
 * (scripts/model/export_big_output_model.py, Debian's onnx): a 1x1 Conv to 2048 channels whose
 * output for one 512x512 tile would be 2 GiB is refused with the worker's peak memory far below
 * that; a 16-channel one is refused under an 8 MiB cap and runs under 64 MiB; one whose output
 * dims the metadata leaves open still meets the after-run backstop.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InferenceClient, InferenceRequestError } from '../../src/inference/client';
import { DEFAULT_LIMITS, setLimits } from '../../src/core/limits/limits';
import { estimateOutputBytes, outputCapRefusal } from '../../src/core/model/outputBytes';
import type { RgbImage } from '../../src/core/model/preprocess';
import { PYTHON, readTile, REPO, tempDir, WORKER } from './inferenceFixtures';

const MiB = 1 << 20;

/** Writes export_big_output_model.py's model with C output channels. */
function bigOutputModel(dir: string, channels: number, mode: 'symbolic' | 'static' | 'unknown'): string {
  const file = path.join(dir, `out-${channels}-${mode}.onnx`);
  execFileSync(PYTHON, [path.join(REPO, 'scripts', 'model', 'export_big_output_model.py'), file, String(channels), mode], { timeout: 60_000 });
  return file;
}

/** The peak resident memory (VmHWM) of a process, in bytes. */
function peakRss(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  assert.ok(m, 'VmHWM in /proc/<pid>/status');
  return Number(m[1]) * 1024;
}

/** Runs f with a client whose worker gets this output cap (the client hands limits() to the worker when it starts it, at the first request). */
async function withCap(outputTensorBytes: number, f: (c: InferenceClient) => Promise<void>): Promise<void> {
  setLimits({ outputTensorBytes });
  const c = new InferenceClient({ workerPath: WORKER, timeoutMs: 60_000 });
  try {
    await f(c);
  } finally {
    await c.dispose();
    setLimits({});
  }
}

describe('estimateOutputBytes (pure)', () => {
  const io = (out: (number | string)[], type = 'float32') => ({ inputs: [{ name: 'x', type: 'float32', shape: [1, 3, 'h', 'w'] }], outputs: [{ name: 'y', type, shape: out }] });
  it('resolves symbolic dims from the input, counts element sizes by type', () => {
    assert.deepEqual(estimateOutputBytes(io([1, 8, 'h', 'w']), 'x', [1, 3, 512, 256]), { outputs: [{ name: 'y', dims: [1, 8, 512, 256], bytes: 8 * 512 * 256 * 4, exact: true }], bytes: 8 * 512 * 256 * 4, exact: true });
    assert.equal(estimateOutputBytes(io([1, 8, 'h', 'w'], 'float16'), 'x', [1, 3, 512, 512]).bytes, 8 * 512 * 512 * 2);
    assert.equal(estimateOutputBytes(io([1, 8, 'h', 'w'], 'int64'), 'x', [1, 3, 512, 512]).bytes, 8 * 512 * 512 * 8);
  });
  it('dims it cannot resolve count as 1: a lower bound, marked not exact', () => {
    const e = estimateOutputBytes(io([1, 8, 'n', -1]), 'x', [1, 3, 512, 512]);
    assert.deepEqual([e.bytes, e.exact, e.outputs[0].dims], [32, false, [1, 8, '?', '?']]);
  });
  it('the refusal names the cap and its setting, and says the model was not run', () => {
    const m = outputCapRefusal(io([1, 2048, 'h', 'w']), 'x', [1, 3, 512, 512], '/m.onnx');
    assert.ok(m);
    assert.match(m, /would hold 2147483648 bytes/);
    assert.match(m, /1024 MiB output cap; the model was not run/);
    assert.match(m, /vasculatureExplorer\.limits\.outputTensorMiB/);
    assert.equal(outputCapRefusal(io([1, 1, 'h', 'w']), 'x', [1, 3, 512, 512], '/m.onnx'), undefined);
  });
});

describe('a real ONNX model with a huge output is refused before it runs', () => {
  let dir: string;
  let image: RgbImage;
  before(async () => {
    dir = tempDir('vex-bigout-');
    image = await readTile('00168d1b7522');
  });
  after(() => setLimits({}));

  it('2048 channels (2 GiB for a 512x512 tile, symbolic h/w): refused under the default 1 GiB cap; the worker never got near 2 GiB', async () => {
    const model = bigOutputModel(dir, 2048, 'symbolic');
    await withCap(DEFAULT_LIMITS.outputTensorBytes, async (c) => {
      const t0 = performance.now();
      const e = await c.predict({ modelPath: model, image, provider: 'cpu', threads: 1 }).then(() => undefined, (x: unknown) => x);
      const ms = performance.now() - t0;
      assert.ok(e instanceof InferenceRequestError, String(e));
      assert.equal(e.code, 'limit');
      assert.match(e.message, /input input of \[1,3,512,512\] the model's outputs would hold 2147483648 bytes \(logits \[1,2048,512,512\]/);
      assert.match(e.message, /the model was not run/);
      assert.match(e.message, /vasculatureExplorer\.limits\.outputTensorMiB/);
      assert.ok(e.message.includes(model), 'names the model file');
      const peak = peakRss(c.pid!);
      console.log(`2 GiB-output model refused in ${ms.toFixed(0)} ms; worker peak RSS ${(peak / MiB).toFixed(0)} MiB`);
      assert.ok(peak < 512 * MiB, `worker peak RSS ${(peak / MiB).toFixed(0)} MiB: the outputs were allocated`);
    });
    // The control: the same model at 256 channels (256 MiB of output, under the cap) runs, and the worker's peak shows the allocation.
    await withCap(DEFAULT_LIMITS.outputTensorBytes, async (c) => {
      const r = await c.predict({ modelPath: bigOutputModel(dir, 256, 'symbolic'), image, provider: 'cpu', threads: 1 });
      assert.deepEqual(r.outputShapes.logits, [1, 256, 512, 512]);
      const peak = peakRss(c.pid!);
      console.log(`control: 256 MiB-output model ran; worker peak RSS ${(peak / MiB).toFixed(0)} MiB`);
      assert.ok(peak > 256 * MiB, `control peak ${(peak / MiB).toFixed(0)} MiB`);
    });
  });

  it('16 channels, static dims (16 MiB): refused before running under an 8 MiB cap, runs under 64 MiB', async () => {
    const model = bigOutputModel(dir, 16, 'static');
    await withCap(8 * MiB, async (small) => {
      await assert.rejects(small.predict({ modelPath: model, image, provider: 'cpu', threads: 1 }), (e: InferenceRequestError) => e.code === 'limit' && /would hold 16777216 bytes/.test(e.message) && /8 MiB output cap; the model was not run/.test(e.message));
    });
    await withCap(64 * MiB, async (big) => {
      const r = await big.predict({ modelPath: model, image, provider: 'cpu', threads: 1 });
      assert.deepEqual(r.outputShapes.logits, [1, 16, 512, 512]);
    });
  });

  it("output dims the metadata leaves open: the pre-run estimate can't refuse, the after-run backstop does", async () => {
    const model = bigOutputModel(dir, 16, 'unknown');
    await withCap(8 * MiB, async (c) => {
      const d = await c.describe({ modelPath: model, provider: 'cpu', threads: 1 });
      assert.deepEqual(d.io.outputs[0].shape, [1, 16, 'oh', 'ow']);
      await assert.rejects(c.predict({ modelPath: model, image, provider: 'cpu', threads: 1 }), (e: InferenceRequestError) => e.code === 'limit' && /outputs for one tile hold 16777216 bytes; they were dropped/.test(e.message) && /limits\.outputTensorMiB/.test(e.message));
    });
  });
});

