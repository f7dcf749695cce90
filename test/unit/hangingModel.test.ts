/** A real ONNX model that never answers (a Loop of 2^62 steps): the tile fails after the timeout, the worker is restarted, and the next tile runs on the demo model. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { InferenceClient, InferenceTimeoutError } from '../../src/inference/client';
import { DEMO_MODEL, PYTHON, readTile, REPO, tempDir, WORKER } from './inferenceFixtures';

/** Writes the hanging model into a temp folder (scripts/model/export_hanging_model.py). */
export function hangingModel(): string {
  const file = path.join(tempDir('vex-hang-'), 'hanging.onnx');
  execFileSync(PYTHON, [path.join(REPO, 'scripts', 'model', 'export_hanging_model.py'), file], { timeout: 60_000 });
  return file;
}

describe('a model that never returns', () => {
  let client: InferenceClient;
  let model: string;
  before(() => {
    model = hangingModel();
    client = new InferenceClient({ workerPath: WORKER, timeoutMs: 3000 });
  });
  after(() => client.dispose());

  it('fails after the timeout, restarts the worker, and the next tile runs', async () => {
    const image = await readTile('00168d1b7522');
    const t0 = performance.now();
    await assert.rejects(client.predict({ modelPath: model, image, provider: 'cpu', threads: 1 }), InferenceTimeoutError);
    const waited = performance.now() - t0;
    assert.ok(waited >= 2900 && waited < 15000, `failed after ${waited.toFixed(0)} ms (timeout 3000 ms)`);
    const r = await client.predict({ modelPath: DEMO_MODEL, image, provider: 'cpu', threads: 1 }, { timeoutMs: 60_000 });
    assert.equal(r.provider, 'cpu');
    assert.ok(client.restarts >= 1, 'a fresh worker ran the next tile');
  });
});
