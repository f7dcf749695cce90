/**
 * A short, prepared check of the extension's own Predict path on a machine with a GPU: the
 * inference worker (child process) + predictTile (post-processing, matching against the real
 * polygons) with provider 'auto' (which tries cuda, then webgpu, then cpu and says why) and
 * 'cpu', beside a bare in-process session.run on each provider, on the same real tiles.
 * `prepare <sample> <outDir>` (here, with sharp): writes the tiles as raw RGBA + their annotations.
 * `run <outDir> [timed]` (on the GPU machine, no sharp needed): prints one JSON line per provider.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { indexDataset } from '../../src/core/dataset/datasetIndex';
import { resolveModelContract } from '../../src/core/model/modelContract';
import { DEFAULT_PREDICT_SETTINGS, predictTile, type TileInput } from '../../src/core/predict/pipeline';
import { toInputTensor } from '../../src/core/model/preprocess';
import { loadIndexedTile } from '../../src/core/predict/tileInputs';
import type { Annotation } from '../../src/core/types/types';
import { InferenceClient } from '../../src/inference/client';
import type { ProviderSetting } from '../../src/inference/protocol';

const REPO = path.resolve(__dirname, '..', '..', '..');
const MODEL = path.join(REPO, 'media', 'model', 'demo-unet.onnx');
const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1];

async function prepare(sample: string, outDir: string): Promise<void> {
  const index = await indexDataset(sample);
  const ids = [...index.tiles.values()].filter((t) => t.image && t.polygonsLine !== undefined).slice(0, 8).map((t) => t.id);
  const meta: { tileId: string; group: string; width: number; height: number; annotations: Annotation[] }[] = [];
  const chunks: Buffer[] = [];
  for (const id of ids) {
    const t = await loadIndexedTile(index, id);
    meta.push({ tileId: t.tileId, group: t.group ?? '', width: t.image.width, height: t.image.height, annotations: [...(t.annotations ?? [])] });
    chunks.push(Buffer.from(t.image.data.buffer, t.image.data.byteOffset, t.image.data.length));
  }
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'tiles.json'), JSON.stringify(meta));
  fs.writeFileSync(path.join(outDir, 'tiles.rgba'), Buffer.concat(chunks));
  console.log(`prepared ${ids.length} tiles in ${outDir}`);
}

async function run(dir: string, timed: number): Promise<void> {
  const meta = JSON.parse(fs.readFileSync(path.join(dir, 'tiles.json'), 'utf8')) as { tileId: string; group: string; width: number; height: number; annotations: Annotation[] }[];
  const raw = fs.readFileSync(path.join(dir, 'tiles.rgba'));
  let off = 0;
  const tiles: TileInput[] = meta.map((m) => {
    const n = m.width * m.height * 4;
    const data = new Uint8Array(raw.buffer, raw.byteOffset + off, n);
    off += n;
    return { tileId: m.tileId, group: m.group, image: { width: m.width, height: m.height, channels: 4, data }, annotations: m.annotations };
  });
  const ort = await import('onnxruntime-node');
  const client = new InferenceClient({ workerPath: path.join(REPO, 'out', 'src', 'inference', 'worker.js'), timeoutMs: 300_000, log: (l, m) => console.error(`[${l}] ${m}`) });
  const sidecar = JSON.parse(fs.readFileSync(`${MODEL}.json`, 'utf8'));
  try {
    for (const setting of ['auto', 'cpu'] as ProviderSetting[]) {
      const s = { ...DEFAULT_PREDICT_SETTINGS, modelPath: MODEL, provider: setting, threads: 2 };
      const first = await predictTile(client, tiles[0], s);
      const ep = first.provider; // what the worker actually used
      let session;
      try {
        session = await ort.InferenceSession.create(MODEL, { executionProviders: [ep], ...(ep === 'cpu' ? { intraOpNumThreads: 2, interOpNumThreads: 1 } : {}), graphOptimizationLevel: 'all' });
      } catch (e) {
        console.log(JSON.stringify({ setting, provider: ep, bareError: String(e).split('\n')[0] }));
      }
      const io = session ? { inputs: session.inputMetadata.map((m) => ({ name: m.name, shape: m.isTensor ? [...m.shape] : [] })), outputs: session.outputMetadata.map((m) => ({ name: m.name, shape: m.isTensor ? [...m.shape] : [] })) } : undefined;
      const contract = io ? resolveModelContract(io, { modelPath: MODEL, sidecar }) : undefined;
      const bareMs: number[] = [], e2eMs: number[] = [], runMs: number[] = [], postMs: number[] = [];
      let tp = 0, fp = 0, fn = 0;
      for (let k = 0; k < timed + 2; k++) {
        const t = tiles[k % tiles.length];
        if (session && contract) {
          const x = toInputTensor(t.image, contract);
          const feeds = { [contract.inputName]: new ort.Tensor('float32', x.data, x.dims) };
          const b0 = performance.now();
          await session.run(feeds);
          if (k >= 2) bareMs.push(performance.now() - b0);
        }
        const t0 = performance.now();
        const r = await predictTile(client, t, s);
        if (k < 2) continue;
        e2eMs.push(performance.now() - t0);
        runMs.push(r.runMs);
        postMs.push(r.postprocessMs + r.matchMs);
        if (k < tiles.length + 2) { tp += r.tp; fp += r.fp; fn += r.fn; }
      }
      const b = bareMs.length ? median(bareMs) : NaN, e = median(e2eMs);
      console.log(JSON.stringify({ setting, provider: ep, fallbackReasons: first.fallbackReasons, bareRunMs: +b.toFixed(2), workerRunMs: +median(runMs).toFixed(2), e2eMs: +e.toFixed(2), postMatchMs: +median(postMs).toFixed(2), overheadPct: +((e / b - 1) * 100).toFixed(1), tp, fp, fn }));
      await session?.release();
    }
  } finally {
    await client.dispose();
  }
}

const [mode, a, b] = process.argv.slice(2);
(mode === 'prepare' ? prepare(a, b) : run(a, Number(b ?? 10))).catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : String(e));
  process.exit(1);
});
