/**
 * Bench section `model`: CPU inference of the training program's U-Net (training/train.py, default
 * width, two output channels) beside the bundled demo model, bare session.run on 512x512 sample
 * tiles, 2 intra-op threads, interleaved. The baseline is exported by the program itself after one
 * optimiser step on the sample's labels: its run time depends on the graph, not on the weights.
 * Also its file size (the issue's <= 10 MB) and the program's smoke cost.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { DEFAULT_LABEL_OPTIONS } from '../src/core/labels/labelOptions';
import { prepareLabels } from '../src/core/labels/prepareLabels';
import { toInputTensor, type RgbImage } from '../src/core/model/preprocess';
import { resolveModelContract } from '../src/core/model/modelContract';
import { sessionIo, sessionOptions } from '../src/inference/sessionCache';
import { MODEL, REPO, SAMPLE } from './benchPaths';
import { BenchRow, median } from './benchTable';

const THREADS = 2;
const TILES = 8;
const TARGET_MS = 150;
const TARGET_BYTES = 10 * 1024 * 1024;

async function readTile(file: string): Promise<RgbImage> {
  const sharp = (await import('sharp')).default;
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: 3, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

async function session(ort: typeof import('onnxruntime-node'), file: string) {
  const s = await ort.InferenceSession.create(file, sessionOptions('cpu', THREADS));
  const contract = resolveModelContract(sessionIo(s), { modelPath: file, sidecar: JSON.parse(fs.readFileSync(`${file}.json`, 'utf8')) });
  return { s, contract };
}

export async function run(): Promise<BenchRow[]> {
  const python = process.env.VE_PYTHON ?? '/usr/bin/python3';
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 've-model-bench-'));
  try {
    const labels = path.join(tmp, 'labels');
    await prepareLabels({ root: SAMPLE, out: labels, options: { ...DEFAULT_LABEL_OPTIONS, formats: { binaryMasks: { value: 1 }, instancePng: true } } });
    const out = path.join(tmp, 'model');
    const t0 = performance.now();
    execFileSync(python, [path.join(REPO, 'training', 'train.py'), '--labels', labels, '--fold', 'all', '--out', out, '--epochs', '1', '--steps', '1', '--batch', '1', '--size', '64', '--threads', String(THREADS)], { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 16 << 20 });
    const exportS = (performance.now() - t0) / 1000;
    const baseline = path.join(out, 'baseline-unet.onnx');
    const bytes = fs.statSync(baseline).size;

    const files = fs.readdirSync(path.join(SAMPLE, 'train')).filter((f) => f.endsWith('.tif')).sort().slice(0, TILES).map((f) => path.join(SAMPLE, 'train', f));
    const tiles = await Promise.all(files.map(readTile));
    const ort = await import('onnxruntime-node');
    const demo = await session(ort, MODEL);
    const base = await session(ort, baseline);
    try {
      const time = async (m: typeof demo, img: RgbImage) => {
        const t = toInputTensor(img, m.contract);
        const feeds = { [m.contract.inputName]: new ort.Tensor('float32', t.data, t.dims) };
        const a = performance.now();
        await m.s.run(feeds);
        return performance.now() - a;
      };
      for (const img of tiles.slice(0, 2)) { await time(demo, img); await time(base, img); }
      const d: number[] = [], b: number[] = [];
      for (const img of tiles) { d.push(await time(demo, img)); b.push(await time(base, img)); }
      const bm = median(b), dm = median(d);
      const load = os.loadavg()[0] / os.cpus().length;
      return [
        { benchmark: `model: bare session.run, bundled demo U-Net (1 channel), 512x512, cpu ${THREADS} threads (median of ${TILES})`, measured: `${dm.toFixed(0)} ms`, target: '-', verdict: 'info' },
        { benchmark: `model: bare session.run, training program's U-Net (2 channels: vessel + interior), same tiles, interleaved (load ${load.toFixed(1)}/core)`, measured: `${bm.toFixed(0)} ms; ${(bm / dm).toFixed(2)}x the demo model`, target: `<= ${TARGET_MS} ms`, verdict: bm <= TARGET_MS ? 'pass' : 'FAIL' },
        { benchmark: "model: the training program's ONNX file (contract in metadata)", measured: `${(bytes / 1024 / 1024).toFixed(1)} MB`, target: '<= 10 MB', verdict: bytes <= TARGET_BYTES ? 'pass' : 'FAIL' },
        { benchmark: 'model: train.py start to ONNX written (1 step, torch import and export included)', measured: `${exportS.toFixed(1)} s`, target: '-', verdict: 'info' },
      ];
    } finally {
      await demo.s.release();
      await base.s.release();
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
