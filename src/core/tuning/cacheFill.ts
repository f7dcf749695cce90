/**
 * Runs the model once per tile and TTA transform (through any runner; the inference child's
 * InferenceClient fits) and stores the raw outputs in the OutputCache; entries already there
 * are reused, so a sweep never re-runs the model. A tile that fails is recorded and skipped.
 */
import type { DecodeOptions, ModelContract, Prediction, ProviderSetting, RawTensor, RgbImage, TtaTransform } from '../model';
import { inverseTransform, toInputTensor, transformedSize, transformPixels } from '../model';
import { vesselClassIndex } from '../predict';
import { quantiseProbability, type CacheKey, type CachedOutput, type OutputCache } from './outputCache';

/** What the cache fill needs from a model runner (InferenceClient fits). */
export interface OutputRunner {
  predict(
    req: { modelPath: string; image: RgbImage; provider?: ProviderSetting; threads?: number; decode?: DecodeOptions; includeRaw?: boolean },
    call?: { signal?: AbortSignal; timeoutMs?: number },
  ): Promise<{ prediction: Prediction; raw?: Record<string, RawTensor>; contract: ModelContract; provider: string }>;
}

/** The model and how to run it. */
export interface FillSpec {
  modelPath: string;
  /** The model file's hash (modelFileHash). */
  modelHash: string;
  provider: ProviderSetting;
  threads: number;
  /** Transforms to cache for semantic models (instance models: identity only, as Predict runs them). */
  transforms: readonly TtaTransform[];
  /** Instance models: keep detections with score >= floor (the lowest threshold swept). */
  floor: number;
}

/** A tile to run: its id and how to get its pixels. */
export interface FillTile {
  tileId: string;
  load: () => Promise<RgbImage>;
}

/** What the fill did. */
export interface FillResult {
  outputKind?: ModelContract['outputKind'];
  /** The provider that ran the model (undefined when every entry was cached). */
  provider?: string;
  ran: number;
  reused: number;
  bytesWritten: number;
  failures: { tileId: string; message: string }[];
  cancelled: boolean;
  ms: number;
}

/** The cache key of one tile and transform. */
export function cacheKey(spec: Pick<FillSpec, 'modelHash' | 'provider'>, tileId: string, transform: TtaTransform): CacheKey {
  return { modelHash: spec.modelHash, provider: spec.provider, transform, tileId };
}

function transformImage(img: RgbImage, t: TtaTransform): RgbImage {
  if (t === 'identity') return img;
  const src = img.data instanceof Uint8Array ? img.data : new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.length);
  const size = transformedSize(t, img.height, img.width);
  return { width: size.width, height: size.height, channels: img.channels, data: transformPixels(src, img.height, img.width, t, img.channels) };
}

/** One model run's outputs as a cache entry (semantic maps go back to the tile's frame first). */
export function toCachedOutput(r: Awaited<ReturnType<OutputRunner['predict']>>, image: RgbImage, transform: TtaTransform, floor: number): CachedOutput {
  const p = r.prediction;
  if (p.kind === 'semantic') {
    const map = p.probabilities[vesselClassIndex(p.classNames)];
    const back = transform === 'identity' ? map : transformPixels(map, p.height, p.width, inverseTransform(transform));
    const size = transformedSize(transform, p.height, p.width);
    return { kind: 'semantic', width: size.width, height: size.height, probability: quantiseProbability(back) };
  }
  const c = r.contract;
  if (c.outputs.kind === 'yolov8-seg') {
    const det = r.raw?.[c.outputs.detections], protos = r.raw?.[c.outputs.protos];
    if (!det || !protos) throw new Error('the runner returned no raw YOLOv8-seg outputs (includeRaw)');
    const [, rows, n] = det.dims;
    const d = det.data instanceof Float32Array ? det.data : Float32Array.from(det.data as ArrayLike<number>, Number);
    const nm = protos.dims[1], nc = rows - 4 - nm;
    const keep: number[] = [];
    for (let a = 0; a < n; a++) {
      let best = -1;
      for (let k = 0; k < nc; k++) best = Math.max(best, d[(4 + k) * n + a]);
      if (best >= floor) keep.push(a);
    }
    const m = keep.length, out = new Float32Array(rows * m);
    for (let row = 0; row < rows; row++) for (let j = 0; j < m; j++) out[row * m + j] = d[row * n + keep[j]];
    const pd = protos.data instanceof Float32Array ? protos.data : Float32Array.from(protos.data as ArrayLike<number>, Number);
    return { kind: 'yolov8-seg', width: image.width, height: image.height, classNames: p.classNames, floor, geometry: toInputTensor(image, c).geometry, detections: { dims: [1, rows, m], data: out }, protos: { dims: [...protos.dims], data: pd.slice() } };
  }
  return { kind: 'instance', width: p.width, height: p.height, classNames: p.classNames, floor, instances: p.instances.map((i) => ({ classIndex: i.classIndex, score: i.score, x: i.mask.x, y: i.mask.y, width: i.mask.width, height: i.mask.height, data: i.mask.data })) };
}

const MODEL_FAILURE = /model-(load-failed|not-found)|Model file not found|not a valid ONNX|contract/i;

/** Makes sure every tile has a cached output per transform; runs the model only for the missing ones. */
export async function fillOutputCache(runner: OutputRunner, cache: OutputCache, tiles: readonly FillTile[], spec: FillSpec, opts: { outputKind: ModelContract['outputKind']; signal?: AbortSignal; onProgress?: (done: number, total: number, tileId: string) => void } ): Promise<FillResult> {
  const t0 = performance.now();
  const transforms = opts.outputKind === 'semantic' ? [...new Set<TtaTransform>(['identity', ...spec.transforms])] : (['identity'] as TtaTransform[]);
  const res: FillResult = { outputKind: opts.outputKind, ran: 0, reused: 0, bytesWritten: 0, failures: [], cancelled: false, ms: 0 };
  for (let k = 0; k < tiles.length; k++) {
    if (opts.signal?.aborted) {
      res.cancelled = true;
      break;
    }
    const tile = tiles[k];
    let image: RgbImage | undefined;
    try {
      for (const t of transforms) {
        const key = cacheKey(spec, tile.tileId, t);
        if (cache.has(key)) {
          const hit = opts.outputKind === 'semantic' ? true : ((cache.read(key) as { floor?: number } | undefined)?.floor ?? Infinity) <= spec.floor;
          if (hit) {
            res.reused++;
            continue;
          }
        }
        image ??= await tile.load();
        const r = await runner.predict({ modelPath: spec.modelPath, image: transformImage(image, t), provider: spec.provider, threads: spec.threads, decode: { scoreThreshold: spec.floor }, ...(opts.outputKind === 'yolov8-seg' ? { includeRaw: true } : {}) }, { signal: opts.signal });
        res.provider ??= r.provider;
        if (r.contract.outputKind !== opts.outputKind) throw new Error(`the model's output kind is ${r.contract.outputKind}, expected ${opts.outputKind}`);
        res.bytesWritten += cache.write(key, toCachedOutput(r, transformImage(image, t), t, spec.floor));
        res.ran++;
      }
    } catch (e) {
      if (opts.signal?.aborted) {
        res.cancelled = true;
        break;
      }
      const message = e instanceof Error ? e.message : String(e);
      res.failures.push({ tileId: tile.tileId, message });
      if (MODEL_FAILURE.test(`${(e as { code?: string }).code ?? ''} ${message}`)) break;
    }
    opts.onProgress?.(k + 1, tiles.length, tile.tileId);
  }
  res.ms = performance.now() - t0;
  return res;
}
