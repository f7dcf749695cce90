/** A model that fails on some tiles: the sweep names each tile and why, scores the rest, and cancel stops it. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { indexDataset } from '../../src/core/dataset/datasetIndex';
import type { TuneRunner } from '../../src/core/tuning/tuneDataset';
import { parseGridSpec } from '../../src/core/tuning/gridSpec';
import { OutputCache } from '../../src/core/tuning/outputCache';
import { tuneDataset, tuningTiles } from '../../src/core/tuning/tuneDataset';
import type { DatasetIndex } from '../../src/core/types/types';
import { InferenceClient } from '../../src/inference/client';
import { DEMO_MODEL, SAMPLE, WORKER, tempDir } from './inferenceFixtures';

let index: DatasetIndex, client: InferenceClient;
before(async () => {
  index = await indexDataset(SAMPLE);
  client = new InferenceClient({ workerPath: WORKER, timeoutMs: 300_000 });
});
after(async () => client.dispose());

describe('tuning with a model that fails on a tile', () => {
  it('the failing tile is left out with its id and the model\'s message; the other tiles are swept', async () => {
    const ids = tuningTiles(index, 'all').slice(0, 4);
    const bad = ids[1];
    // The real model, except that its run on one tile's pixels fails the way a broken run does.
    let calls = 0;
    const runner: TuneRunner = {
      describe: (s) => client.describe(s),
      predict: async (req, call) => {
        if (calls++ === 1) throw Object.assign(new Error(`Running ${req.modelPath} failed: output tensor has NaN`), { code: 'run-failed' });
        return client.predict(req, call);
      },
    };
    const r = await tuneDataset(index, runner, { modelPath: DEMO_MODEL, provider: 'cpu', threads: 2, grid: parseGridSpec('threshold=0.5 dilation=0'), ignoreMode: 'count', datasets: 'all', limit: 4, cache: new OutputCache(tempDir('vex-tune-')), workers: 0 });
    assert.equal(r.tiles, 3);
    assert.deepEqual(r.leftOut.map((l) => l.tileId), [bad]);
    assert.match(r.leftOut[0].reason, /the model failed: Running .* failed: output tensor has NaN/);
    assert.equal(r.cells.length, 3);
  });

  it('cancel during the model runs stops with cancelled and no cells', async () => {
    const ac = new AbortController();
    const r = await tuneDataset(index, client, { modelPath: DEMO_MODEL, provider: 'cpu', threads: 2, grid: parseGridSpec('threshold=0.5'), ignoreMode: 'count', datasets: 'all', limit: 6, cache: new OutputCache(tempDir('vex-tune-')), signal: ac.signal, onProgress: (p) => { if (p.phase === 'model' && p.done === 2) ac.abort(); } });
    assert.equal(r.cancelled, true);
    assert.equal(r.cells.length, 0);
    assert.ok(r.fill.ran >= 2 && r.fill.ran < 6, `ran ${r.fill.ran}`);
  });
});
