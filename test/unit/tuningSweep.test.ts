/**
 * The tuning sweep from cached outputs against re-running the model through the Predict pipeline
 * for every cell of a small grid, for the three output kinds on their real ONNX files (demo
 * U-Net, tiny Mask R-CNN, tiny YOLOv8-seg) over real sample tiles; and the shared-work sweep
 * against the naive per-cell post-processing + matching of the same cached maps.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { indexDataset } from '../../src/core/dataset/datasetIndex';
import { predictBatch } from '../../src/core/predict/batch';
import { DEFAULT_PREDICT_SETTINGS, rasterizeGroundTruth, scoreTile, type PredictSettings, type Predictor } from '../../src/core/predict/pipeline';
import { scoreTiles } from '../../src/core/predict/batch';
import { loadIndexedTile, tileAnnotations } from '../../src/core/predict/tileInputs';
import { probabilityToInstances } from '../../src/core/model/postprocess';
import { PROBABILITY_LEVELS } from '../../src/core/model/componentStats';
import { cellPredictSettings, gridCells, parseGridSpec, TTA_VARIANTS, type SweepGrid } from '../../src/core/tuning/gridSpec';
import { OutputCache, decodeCachedOutput } from '../../src/core/tuning/outputCache';
import { tuneDataset, tuningTiles, type TuneResult } from '../../src/core/tuning/tuneDataset';
import { averageMaps } from '../../src/core/tuning/sweepTile';
import { dequantiseProbability } from '../../src/core/tuning/outputCache';
import type { DatasetIndex } from '../../src/core/types/types';
import { InferenceClient } from '../../src/inference/client';
import { DEMO_MODEL, MASKRCNN, SAMPLE, WORKER, YOLOSEG, ensureTestModels, tempDir } from './inferenceFixtures';

const TILES = 3;

let index: DatasetIndex;
let client: InferenceClient;
let ids: string[];

before(async () => {
  ensureTestModels();
  index = await indexDataset(SAMPLE);
  // The first annotated tiles, plus the first one with a glomerulus (so removal is exercised).
  const all = tuningTiles(index, 'all');
  const glom = all.find((id) => index.tiles.get(id)!.counts.glomerulus > 0);
  ids = [...new Set([...(glom ? [glom] : []), ...all])].slice(0, TILES);
  client = new InferenceClient({ workerPath: WORKER, timeoutMs: 300_000 });
});
after(async () => client.dispose());

/** The dataset index restricted to `ids` (so tuneDataset sweeps exactly those tiles). */
function only(ix: DatasetIndex, keep: readonly string[]): DatasetIndex {
  return { ...ix, tiles: new Map(keep.map((id) => [id, ix.tiles.get(id)!])) };
}

/** Re-runs the model through predictBatch with each cell's settings; returns the batch scores in cell order. */
async function rerunEveryCell(model: string, grid: SweepGrid, kind: 'semantic' | 'instance' | 'yolov8-seg', predictor: Predictor = client) {
  const out = [];
  for (const cell of gridCells(grid)) {
    const s: PredictSettings = { ...DEFAULT_PREDICT_SETTINGS, modelPath: model, provider: 'cpu', threads: 2, ...cellPredictSettings(cell, kind) };
    const r = await predictBatch(predictor, ids, (id) => loadIndexedTile(index, id), s);
    assert.equal(r.failures.length, 0, JSON.stringify(r.failures));
    out.push(r.score);
  }
  return out;
}

async function sweep(model: string, grid: SweepGrid, cacheDir: string): Promise<TuneResult> {
  return tuneDataset(only(index, ids), client, { modelPath: model, provider: 'cpu', threads: 2, grid, ignoreMode: 'count', datasets: 'all', cache: new OutputCache(cacheDir), workers: 2 });
}

describe('cached-output sweep equals re-running the model for every cell', () => {
  it('instance model (tiny Mask R-CNN): AP, TP, FP, FN identical in all 16 cells', async () => {
    const grid = parseGridSpec('threshold=0.05,0.3 dilation=0,1 min-area=0,32 tta=none glomerulus=keep,remove');
    const r = await sweep(MASKRCNN, grid, tempDir('vex-tune-'));
    assert.equal(r.model.outputKind, 'instance');
    assert.equal(r.tiles, ids.length);
    const ref = await rerunEveryCell(MASKRCNN, grid, 'instance');
    r.cells.forEach((c, k) => assert.deepEqual([c.ap, c.tp, c.fp, c.fn], [ref[k].ap ?? null, ref[k].tp, ref[k].fp, ref[k].fn], `cell ${k} ${JSON.stringify(c.params)}`));
    assert.ok(r.cells.some((c) => c.tp > 0), 'some cell finds a vessel (otherwise the comparison is vacuous)');
  });

  it('YOLOv8-seg (tiny, raw boxes/coefficients/prototypes cached): AP, TP, FP, FN identical in all 16 cells', async () => {
    const grid = parseGridSpec('threshold=0.05,0.3 dilation=0,2 min-area=0,32 tta=none glomerulus=keep,remove');
    const dir = tempDir('vex-tune-');
    const r = await sweep(YOLOSEG, grid, dir);
    assert.equal(r.model.outputKind, 'yolov8-seg');
    const ref = await rerunEveryCell(YOLOSEG, grid, 'yolov8-seg');
    r.cells.forEach((c, k) => assert.deepEqual([c.ap, c.tp, c.fp, c.fn], [ref[k].ap ?? null, ref[k].tp, ref[k].fp, ref[k].fn], `cell ${k} ${JSON.stringify(c.params)}`));
    assert.ok(r.cells.some((c) => c.tp + c.fp > 0), 'some cell has detections');
  });

  it('semantic (demo U-Net, uint8 maps): AP, TP, FP, FN identical to re-running plain Predict in every cell (TTA none/flip/rot4 included)', async () => {
    const dir = tempDir('vex-tune-');
    const grid = parseGridSpec('threshold=0.4,0.6 dilation=0,1 min-area=0,32 tta=none glomerulus=remove');
    const r = await sweep(DEMO_MODEL, grid, dir);
    const tta = parseGridSpec('threshold=0.5 dilation=0 min-area=10 tta=flip,rot4 glomerulus=remove');
    const rt = await sweep(DEMO_MODEL, tta, dir);
    assert.equal(rt.fill.reused, ids.length, 'the identity outputs of the first sweep are reused, not re-run');
    let counts = 0;
    for (const [res, g] of [[r, grid], [rt, tta]] as const) {
      // Plain Predict: the worker's fast path without TTA, the client's TTA average with it; both on the cache's uint8 levels.
      const plain = await rerunEveryCell(DEMO_MODEL, g, 'semantic');
      res.cells.forEach((c, k) => {
        assert.deepEqual([c.ap, c.tp, c.fp, c.fn], [plain[k].ap ?? null, plain[k].tp, plain[k].fp, plain[k].fn], `cell ${k} ${JSON.stringify(c.params)}`);
        counts += c.tp + c.fp + c.fn;
      });
    }
    assert.ok(counts > 0 && r.cells.some((c) => c.tp > 0), 'some cell finds a vessel (otherwise the comparison is vacuous)');
  });

  it('shared-work semantic sweep equals the naive per-cell post-processing + matching of the same cached maps exactly', async () => {
    const dir = tempDir('vex-tune-');
    const grid = parseGridSpec('threshold=0.3,0.6 dilation=0,2 min-area=0,64 tta=none,flip glomerulus=keep,remove');
    const r = await sweep(DEMO_MODEL, grid, dir);
    const cache = new OutputCache(dir);
    const hashDir = fs.readdirSync(dir)[0];
    const cells = gridCells(grid);
    const tiles = await Promise.all(ids.map(async (id) => {
      const anns = (await tileAnnotations(index, id))!;
      const maps = new Map(['identity', 'hflip', 'vflip', 'rot180'].map((t) => [t, dequantiseProbability((decodeCachedOutput(fs.readFileSync(path.join(dir, hashDir, t, `${id}.vec`)), id) as { probability: Uint8Array }).probability)]));
      return { id, gt: rasterizeGroundTruth(anns, 512, 512), maps };
    }));
    void cache;
    cells.forEach((cell, k) => {
      const scored = tiles.map((t) => {
        const prob = averageMaps(TTA_VARIANTS[cell.tta].map((x) => t.maps.get(x)!));
        const preds = probabilityToInstances(prob, 512, 512, { threshold: cell.threshold, minArea: cell.minArea, dilation: cell.dilation, levels: PROBABILITY_LEVELS }, cell.glomerulus === 'remove' ? t.gt.glomerulus : undefined);
        return scoreTile({ tileId: t.id, width: 512, height: 512 }, preds, t.gt, 'count');
      });
      const s = scoreTiles(scored, 'count');
      assert.deepEqual([r.cells[k].ap, r.cells[k].tp, r.cells[k].fp, r.cells[k].fn], [s.ap ?? null, s.tp, s.fp, s.fn], `cell ${k} ${JSON.stringify(cell)}`);
    });
  });
});
