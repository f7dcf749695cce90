/**
 * Per-fold and per-WSI AP of the tuning sweep on the real sample (demo U-Net, every annotated
 * tile, a folds.csv written here) against an independent numpy computation from the predicted
 * masks (test/unit/py/tuning_ref.py); the best-by-worst-fold cell is the one numpy picks.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { indexDataset } from '../../src/core/dataset/datasetIndex';
import { probabilityToInstances } from '../../src/core/model/postprocess';
import { rasterizeGroundTruth } from '../../src/core/predict/pipeline';
import { tileAnnotations } from '../../src/core/predict/tileInputs';
import type { InstanceMask } from '../../src/core/geometry/instanceMask';
import { parseFoldsCsv } from '../../src/core/tuning/foldsCsv';
import { gridCells, parseGridSpec } from '../../src/core/tuning/gridSpec';
import { decodeCachedOutput, dequantiseProbability, OutputCache } from '../../src/core/tuning/outputCache';
import { tuneDataset, tuningTiles, type TuneResult } from '../../src/core/tuning/tuneDataset';
import type { DatasetIndex } from '../../src/core/types/types';
import { InferenceClient } from '../../src/inference/client';
import { DEMO_MODEL, SAMPLE, WORKER, tempDir } from './inferenceFixtures';
import { runPython } from './support/runPython';

interface PyCell { ap: number | null; perWsi: Record<string, number | null>; perFold: Record<string, number | null>; min: number; mean: number; max: number }

const crop = (m: InstanceMask) => ({ x: m.x, y: m.y, w: m.width, h: m.height, b64: Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength).toString('base64') });
const close = (a: number | null | undefined, b: number | null | undefined, what: string) => {
  if (a === null || b === null || a === undefined || b === undefined) return assert.equal(a ?? null, b ?? null, what);
  assert.ok(Math.abs(a - b) < 1e-9, `${what}: ${a} vs numpy ${b}`);
};

let index: DatasetIndex, client: InferenceClient, result: TuneResult, cacheDir: string, ids: string[];
const grid = parseGridSpec('threshold=0.3,0.5,0.7 dilation=0,1 min-area=0,64 tta=none glomerulus=remove');

before(async () => {
  index = await indexDataset(SAMPLE);
  ids = tuningTiles(index, 'all');
  // A folds file as the training-data exporter writes it, plus lines a person gets wrong.
  const lines = ['id,fold', ...ids.map((id, k) => `${id},${k % 3}`), 'not-a-tile,1', `${ids[0]},2`, `${ids[1]},x`];
  const dir = tempDir('vex-folds-');
  fs.writeFileSync(path.join(dir, 'folds.csv'), lines.join('\n'));
  const parsed = parseFoldsCsv(fs.readFileSync(path.join(dir, 'folds.csv'), 'utf8'), 'folds.csv', new Set(index.tiles.keys()));
  assert.deepEqual(parsed.problems.map((p) => p.line), [ids.length + 2, ids.length + 3, ids.length + 4]);
  assert.match(parsed.problems[0].message, /folds\.csv:\d+: tile not-a-tile is not in the dataset/);
  assert.match(parsed.problems[2].message, /fold "x" .* is not an integer/);
  client = new InferenceClient({ workerPath: WORKER, timeoutMs: 300_000 });
  cacheDir = tempDir('vex-tune-');
  result = await tuneDataset(index, client, { modelPath: DEMO_MODEL, provider: 'cpu', threads: 2, grid, ignoreMode: 'count', datasets: 'all', folds: parsed.folds, cache: new OutputCache(cacheDir), workers: 2 });
});
after(async () => client.dispose());

describe('tuning per fold and per WSI on the sample', () => {
  it('every annotated tile of the sample is swept, over 4 WSIs and 3 folds', () => {
    assert.equal(result.tiles, ids.length);
    assert.equal(result.leftOut.length, 0);
    assert.deepEqual(Object.keys(result.cells[0].perWsi).sort(), ['1', '2', '3', '4']);
    assert.deepEqual(Object.keys(result.cells[0].perFold), ['0', '1', '2']);
  });

  it('per-cell AP overall, per WSI and per fold, the fold spread and the best cells equal numpy on the predicted masks', async () => {
    const hashDir = fs.readdirSync(cacheDir)[0];
    const cells = gridCells(grid);
    const tiles = await Promise.all(ids.map(async (id, k) => {
      const gt = rasterizeGroundTruth((await tileAnnotations(index, id))!, 512, 512);
      const q = decodeCachedOutput(fs.readFileSync(path.join(cacheDir, hashDir, 'identity', `${id}.vec`)), id) as { probability: Uint8Array };
      const prob = dequantiseProbability(q.probability);
      return {
        wsi: String(index.tiles.get(id)!.wsi), fold: String(k % 3), gts: gt.vessels.map(crop),
        cells: cells.map((c) => probabilityToInstances(prob, 512, 512, { threshold: c.threshold, minArea: c.minArea, dilation: c.dilation }, gt.glomerulus).map((p) => ({ conf: p.confidence, mask: crop(p.mask) }))),
      };
    }));
    const py = runPython<{ cells: PyCell[]; byMean: number; byWorstFold: number }>('tuning_ref.py', { h: 512, w: 512, cells: cells.length, tiles });
    assert.ok(py.cells.some((c) => (c.ap ?? 0) > 0), 'some cell scores above 0 (the comparison is not vacuous)');
    result.cells.forEach((c, k) => {
      const p = py.cells[k];
      close(c.ap, p.ap, `cell ${k} AP`);
      for (const w of Object.keys(p.perWsi)) close(c.perWsi[w], p.perWsi[w], `cell ${k} WSI ${w}`);
      for (const f of Object.keys(p.perFold)) close(c.perFold[f], p.perFold[f], `cell ${k} fold ${f}`);
      close(c.spread.min, p.min, `cell ${k} worst fold`);
      close(c.spread.mean, p.mean, `cell ${k} mean fold`);
      close(c.spread.max, p.max, `cell ${k} best fold`);
    });
    assert.equal(result.best?.groups, 'fold');
    assert.equal(result.best?.byWorstFold, py.byWorstFold);
    assert.equal(result.best?.byMean, py.byMean);
  });
});
