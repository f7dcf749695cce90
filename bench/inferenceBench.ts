/**
 * Bench section: Predict latency through the inference client (preprocess + child round trip +
 * decode) against a bare in-process session.run of the same model and input, in the same run;
 * then batch throughput over the sample's train tiles. Demo model, cpu, 2 intra-op threads.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { toInputTensor, type RgbImage } from '../src/core/model/preprocess';
import { InferenceClient } from '../src/inference/client';
import { MODEL, SAMPLE, WORKER } from './benchPaths';
import { BenchRow, median } from './benchTable';
import { bareDemoSession } from './bareSession';

const THREADS = 2;
/** Tiles timed for the latency comparison (interleaved bare/client). */
const LATENCY_TILES = 8;
/** Wall-clock cap of the throughput pass, s (VEX_BENCH_INFER_SECONDS overrides). */
const THROUGHPUT_SECONDS = Number(process.env.VEX_BENCH_INFER_SECONDS ?? 90);

async function readTile(file: string): Promise<RgbImage> {
  const sharp = (await import('sharp')).default;
  const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: info.channels as 3 | 4, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

const ms = (v: number) => `${v.toFixed(0)} ms`;

/** Runs the section and returns its rows. */
export async function run(): Promise<BenchRow[]> {
  const files = fs.readdirSync(path.join(SAMPLE, 'train')).filter((f) => f.endsWith('.tif')).sort().map((f) => path.join(SAMPLE, 'train', f));
  const tiles: RgbImage[] = [];
  for (const f of files) tiles.push(await readTile(f));

  const { ort, session, contract } = await bareDemoSession(THREADS);
  const client = new InferenceClient({ workerPath: WORKER, timeoutMs: 300_000 });
  const rows: BenchRow[] = [];
  try {
    const bare = async (img: RgbImage) => {
      const t = toInputTensor(img, contract); // prepared outside the timed region
      const feeds = { [contract.inputName]: new ort.Tensor('float32', t.data, t.dims) };
      const t0 = performance.now();
      await session.run(feeds);
      return performance.now() - t0;
    };
    const viaClient = async (img: RgbImage) => (await client.predict({ modelPath: MODEL, image: img, provider: 'cpu', threads: THREADS })).latencyMs;
    // Warm both paths (session creation, first-run allocations).
    for (let i = 0; i < 2; i++) {
      await bare(tiles[i]);
      await viaClient(tiles[i]);
    }
    const bareMs: number[] = [];
    const clientMs: number[] = [];
    const pre: number[] = [];
    const runMs: number[] = [];
    const dec: number[] = [];
    const ipc: number[] = [];
    for (let i = 0; i < LATENCY_TILES; i++) {
      const img = tiles[i % tiles.length];
      bareMs.push(await bare(img));
      const r = await client.predict({ modelPath: MODEL, image: img, provider: 'cpu', threads: THREADS });
      clientMs.push(r.latencyMs);
      pre.push(r.timings.preprocessMs);
      runMs.push(r.timings.runMs);
      dec.push(r.timings.decodeMs);
      ipc.push(r.latencyMs - r.timings.preprocessMs - r.timings.runMs - r.timings.decodeMs);
    }
    const b = median(bareMs);
    const c = median(clientMs);
    const overhead = c / b - 1;
    rows.push({ benchmark: `predict: bare session.run, demo U-Net 512x512, cpu ${THREADS} threads (median of ${LATENCY_TILES})`, measured: ms(b), target: '-', verdict: 'info' });
    rows.push({ benchmark: 'predict: via client (preprocess + child round trip + decode), same tiles', measured: ms(c), target: '-', verdict: 'info' });
    rows.push({ benchmark: 'predict: client overhead over bare session.run', measured: `${(overhead * 100).toFixed(1)} %`, target: '<= 15 %', verdict: overhead <= 0.15 ? 'pass' : 'FAIL' });
    const nonRun = median(pre) + median(dec) + median(ipc);
    rows.push({ benchmark: 'predict: non-run part of the client path (preprocess + decode + IPC) over bare run', measured: `${((nonRun / b) * 100).toFixed(1)} %`, target: '-', verdict: 'info' });
    rows.push({ benchmark: 'predict: client breakdown (median preprocess / run in child / decode / IPC)', measured: `${ms(median(pre))} / ${ms(median(runMs))} / ${ms(median(dec))} / ${ms(median(ipc))}`, target: '-', verdict: 'info' });

    const t0 = performance.now();
    let n = 0;
    for (const img of tiles) {
      await client.predict({ modelPath: MODEL, image: img, provider: 'cpu', threads: THREADS });
      n++;
      if ((performance.now() - t0) / 1000 > THROUGHPUT_SECONDS) break;
    }
    const secs = (performance.now() - t0) / 1000;
    rows.push({ benchmark: `predict: throughput via client over ${n} of ${tiles.length} sample train tiles, ${THREADS} threads`, measured: `${(n / secs).toFixed(2)} tiles/s`, target: '-', verdict: 'info' });
  } finally {
    await client.dispose();
    await session.release();
  }
  return rows;
}

/** Alias in the naming of the other sections. */
export const inferenceBench = run;

if (require.main === module) {
  run().then(
    (rows) => {
      for (const r of rows) console.log(`${r.verdict.padEnd(4)} ${r.benchmark}: ${r.measured} (target ${r.target})`);
    },
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
