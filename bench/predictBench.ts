/**
 * Bench section: the whole Predict pipeline (predictTile: preprocess + child round trip + decode +
 * post-processing + matching against the real polygons) against a bare in-process session.run
 * of the same model and input, in the same run; post-processing + matching per real tile; batch
 * tiles/s over the sample with the default settings. Demo model, cpu, 2 intra-op threads.
 */
import { performance } from 'node:perf_hooks';
import { indexDataset } from '../src/core/dataset/datasetIndex';
import { probabilityToInstances } from '../src/core/model/postprocess';
import { predictBatch } from '../src/core/predict/batch';
import { DEFAULT_PREDICT_SETTINGS, predictTile, rasterizeGroundTruth, scoreTile, type PredictSettings, type TileInput } from '../src/core/predict/pipeline';
import { toInputTensor } from '../src/core/model/preprocess';
import { loadIndexedTile } from '../src/core/predict/tileInputs';
import { InferenceClient } from '../src/inference/client';
import { MODEL, SAMPLE, WORKER } from './benchPaths';
import { BenchRow, median, timeMs } from './benchTable';
import { bareDemoSession } from './bareSession';

const THREADS = 2;
const LATENCY_TILES = 16;
/** Wall-clock cap of the batch pass, s (VEX_BENCH_PREDICT_SECONDS overrides). */
const BATCH_SECONDS = Number(process.env.VEX_BENCH_PREDICT_SECONDS ?? 60);

const ms = (v: number, d = 0) => `${v.toFixed(d)} ms`;


/** Runs the section and returns its rows. */
export async function predictBench(): Promise<BenchRow[]> {
  const index = await indexDataset(SAMPLE);
  // Annotated tiles with an image first (scored), then the rest of the sample's images.
  const withImage = [...index.tiles.values()].filter((t) => t.image && t.split === 'train');
  const ids = [...withImage.filter((t) => t.polygonsLine !== undefined), ...withImage.filter((t) => t.polygonsLine === undefined)].map((t) => t.id);
  const inputs = new Map<string, TileInput>();
  for (const id of ids.slice(0, LATENCY_TILES)) inputs.set(id, await loadIndexedTile(index, id));

  const { ort, session, contract } = await bareDemoSession(THREADS);
  const client = new InferenceClient({ workerPath: WORKER, timeoutMs: 300_000 });
  const settings: PredictSettings = { ...DEFAULT_PREDICT_SETTINGS, modelPath: MODEL, provider: 'cpu', threads: THREADS };
  const rows: BenchRow[] = [];
  try {
    const bare = async (t: TileInput) => {
      const x = toInputTensor(t.image, contract); // prepared outside the timed region
      const feeds = { [contract.inputName]: new ort.Tensor('float32', x.data, x.dims) };
      const t0 = performance.now();
      await session.run(feeds);
      return performance.now() - t0;
    };
    const e2e = async (t: TileInput) => {
      const t0 = performance.now();
      const r = await predictTile(client, t, settings);
      return { ms: performance.now() - t0, r };
    };
    const tiles = [...inputs.values()];
    for (let i = 0; i < 2; i++) {
      await bare(tiles[i]);
      await e2e(tiles[i]);
    }
    const bareMs: number[] = [], e2eMs: number[] = [], clientExtra: number[] = [], postMs: number[] = [], rest: number[] = [];
    for (let i = 0; i < LATENCY_TILES; i++) {
      const t = tiles[i % tiles.length];
      bareMs.push(await bare(t));
      const { ms: m, r } = await e2e(t);
      e2eMs.push(m);
      clientExtra.push(r.inferenceMs - r.runMs);
      postMs.push(r.postprocessMs + r.matchMs);
      rest.push(m - r.inferenceMs - r.postprocessMs - r.matchMs);
    }
    const b = median(bareMs), e = median(e2eMs), overhead = e / b - 1;
    rows.push({ benchmark: `predict pipeline: bare session.run, demo U-Net 512x512, cpu ${THREADS} threads (median of ${LATENCY_TILES})`, measured: ms(b), target: '-', verdict: 'info' });
    rows.push({ benchmark: 'predict pipeline: end-to-end predictTile (preprocess, run and post-processing in the child, IPC, matching), same tiles', measured: ms(e), target: '-', verdict: 'info' });
    rows.push({ benchmark: 'predict pipeline: end-to-end overhead over bare session.run', measured: `${(overhead * 100).toFixed(1)} %`, target: '<= 15 %', verdict: overhead <= 0.15 ? 'pass' : 'FAIL' });
    const nonRun = median(clientExtra) + median(postMs) + median(rest);
    rows.push({ benchmark: 'predict pipeline: non-run part (preprocess + IPC round trip / post-processing in the worker + matching / rest) over bare run', measured: `${((nonRun / b) * 100).toFixed(1)} % (${ms(median(clientExtra))} / ${ms(median(postMs), 1)} / ${ms(median(rest), 1)})`, target: '-', verdict: 'info' });

    // Post-processing + matching on real model output and real polygons, timed in process.
    const post: { wall: number; cpu: number }[] = [], raster: number[] = [];
    let vessels = 0;
    for (const t of tiles) {
      const p = (await client.predict({ modelPath: MODEL, image: t.image, provider: 'cpu', threads: THREADS })).prediction;
      if (p.kind !== 'semantic') throw new Error('demo model is not semantic');
      const t0 = performance.now();
      const gt = rasterizeGroundTruth(t.annotations ?? [], t.image.width, t.image.height);
      raster.push(performance.now() - t0);
      post.push(timeMs(() => {
        const inst = probabilityToInstances(p.probabilities[0], t.image.height, t.image.width, { threshold: settings.threshold, minArea: settings.minArea, dilation: settings.dilation }, gt.glomerulus);
        vessels = scoreTile({ tileId: t.tileId, width: t.image.width, height: t.image.height }, inst, gt, settings.ignoreMode).vessels.length;
      }, 5));
    }
    const pm = { wall: median(post.map((x) => x.wall)), cpu: median(post.map((x) => x.cpu)) };
    rows.push({ benchmark: `predict pipeline: post-processing + matching per real tile (threshold, components, filters, IoU match; ${vessels} vessels on the last)`, measured: `${ms(pm.wall, 1)} wall, ${ms(pm.cpu, 1)} cpu`, target: '<= 10 ms', verdict: Math.min(pm.wall, pm.cpu) <= 10 ? 'pass' : 'FAIL' });
    rows.push({ benchmark: 'predict pipeline: rasterising the tile\'s ground-truth polygons (once per tile)', measured: ms(median(raster), 1), target: '-', verdict: 'info' });

    const t0 = performance.now();
    const stop = new AbortController();
    const timer = setTimeout(() => stop.abort(), BATCH_SECONDS * 1000);
    const batch = await predictBatch(client, ids, (id) => inputs.get(id) ? Promise.resolve(inputs.get(id)!) : loadIndexedTile(index, id), settings, { signal: stop.signal });
    clearTimeout(timer);
    const secs = (performance.now() - t0) / 1000;
    rows.push({ benchmark: `predict pipeline: batch over ${batch.tiles.length} of ${ids.length} sample train tiles (decode + predict + score), default settings`, measured: `${(batch.tiles.length / secs).toFixed(2)} tiles/s (AP@0.6 ${batch.score.ap?.toFixed(3) ?? '-'} on ${batch.score.annotatedTiles} annotated, count convention)`, target: '-', verdict: 'info' });
  } finally {
    await client.dispose();
    await session.release();
  }
  return rows;
}

if (require.main === module) {
  predictBench().then(
    (rows) => { for (const r of rows) console.log(`${r.verdict.padEnd(4)} ${r.benchmark}: ${r.measured} (target ${r.target})`); },
    (e: unknown) => { console.error(e); process.exit(1); },
  );
}
