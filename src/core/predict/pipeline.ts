/**
 * Predict on one tile, the same way for the CLI, the extension and batches: decoded tile ->
 * model (through any Predictor, e.g. the InferenceClient) -> blood_vessel instances (semantic:
 * threshold + components, optional TTA and glomerulus removal; instance kinds: the model's masks
 * and scores, then min area / glomerulus removal / dilation) -> matched against the tile's
 * rasterised blood_vessel ground truth at IoU 0.6 -> per-tile outcomes and AP.
 */
import { performance } from 'node:perf_hooks';
import { averagePrecision, DEFAULT_AP_OPTIONS, matchTile, stableOrderByConfidence, type IgnoreMode, type ScoredInstance, type TileForScoring } from '../metric';
import type { DecodeOptions, Prediction } from '../model';
import { instanceFromFullMask, type InstanceMask } from '../geometry';
import type { ModelContract } from '../model';
import { DEFAULT_POSTPROCESS, dilateInstance, instancesFromTta, probabilityToInstances, PROBABILITY_LEVELS, splitChannelIndex, type PostprocessOptions } from '../model';
import type { RgbImage } from '../model';
import { rasterizeAnnotation } from '../geometry';
import { transformedSize, transformPixels, type TtaTransform } from '../model';
import type { Annotation } from '../types';
import type { PostprocessedInstances, PostprocessRequest, ProviderSetting } from '../model';

/** Every knob of a Predict run; single-tile and batch runs use the same DEFAULT_PREDICT_SETTINGS. */
export interface PredictSettings {
  /** Absolute path of the .onnx model. */
  modelPath: string;
  provider: ProviderSetting;
  /** onnxruntime intra-op threads. */
  threads: number;
  /** Probability threshold of semantic models. */
  threshold: number;
  /** Instances with fewer pixels are dropped (before dilation). */
  minArea: number;
  /** Grow every instance by this many px (0 = off). */
  dilation: number;
  /** Flip/rotate test-time augmentation (semantic models; [] or ['identity'] = off). */
  tta: readonly TtaTransform[];
  /** Drop instances that lie mostly (>= 50 %) inside the tile's glomerulus polygons. */
  removeInsideGlomerulus: boolean;
  /** How predictions on unsure/glomerulus regions score: 'count' = false positives, 'ignore' = neither TP nor FP. */
  ignoreMode: IgnoreMode;
  /** Minimum score of instance-model detections. */
  scoreThreshold: number;
}

/** The transforms used when TTA is switched on: the four flips of the dihedral group. */
export const TTA_ON: readonly TtaTransform[] = Object.freeze(['identity', 'hflip', 'vflip', 'rot180'] as TtaTransform[]);

/** Defaults shared by single-tile Predict, batch Predict and the CLI (model path left empty). */
export const DEFAULT_PREDICT_SETTINGS: Readonly<Omit<PredictSettings, 'modelPath'>> = Object.freeze({
  provider: 'auto' as ProviderSetting,
  threads: 2,
  threshold: DEFAULT_POSTPROCESS.threshold,
  minArea: DEFAULT_POSTPROCESS.minArea,
  dilation: DEFAULT_POSTPROCESS.dilation,
  tta: Object.freeze([]) as readonly TtaTransform[],
  removeInsideGlomerulus: true,
  ignoreMode: DEFAULT_AP_OPTIONS.ignoreMode,
  scoreThreshold: 0.25,
});

/** One line that states the scoring convention; every UI that shows an AP shows it. */
export function scoringConvention(mode: IgnoreMode): string {
  return mode === 'ignore'
    ? 'AP@0.6, blood_vessel only; predictions on unsure/glomerulus regions are ignored (neither TP nor FP)'
    : 'AP@0.6, blood_vessel only; unsure/glomerulus regions count as background (predictions there are FP)';
}

/** What the pipeline needs from a model runner; InferenceClient fits it. */
export interface Predictor {
  predict(
    req: { modelPath: string; image: RgbImage; provider?: ProviderSetting; threads?: number; decode?: DecodeOptions; postprocess?: PostprocessRequest },
    call?: { signal?: AbortSignal; timeoutMs?: number },
  ): Promise<{ prediction: Prediction; postprocessed?: PostprocessedInstances; provider: string; fallbackReasons: string[]; latencyMs: number; timings: { runMs: number }; contract: ModelContract }>;
}

/** One tile to predict on: pixels plus, when known, its annotations and group (WSI). */
export interface TileInput {
  tileId: string;
  /** Grouping key for per-WSI tables, e.g. '1'; '' when unknown. */
  group?: string;
  image: RgbImage;
  /** The tile's annotations; undefined = not annotated (no scoring). */
  annotations?: readonly Annotation[];
}

/** One predicted vessel with its outcome against the ground truth. */
export interface PredictedVessel {
  mask: InstanceMask;
  confidence: number;
  /** 'none' when the tile has no annotations to compare with. */
  outcome: 'tp' | 'fp' | 'ignored' | 'none';
  /** IoU with the matched ground truth (tp) or with the best-overlapping one (0 when none). */
  iou: number;
  /** Ground-truth index matched (tp) or best-overlapping (-1 when none). */
  gt: number;
}

/** The ground truth of a tile, rasterised. */
export interface TileGroundTruth {
  vessels: InstanceMask[];
  /** unsure + glomerulus regions (scored per ignoreMode). */
  ignoreRegions: InstanceMask[];
  /** Union of glomerulus polygons (row-major), when the tile has any. */
  glomerulus?: Uint8Array;
}

/** One tile's predicted vessels scored against its ground truth (from Predict or from a submission). */
export interface ScoredTile {
  tileId: string;
  /** Grouping key (the source WSI as text; '' when unknown). */
  group: string;
  width: number;
  height: number;
  vessels: PredictedVessel[];
  /** Ground-truth vessels (empty when the tile is not annotated). */
  groundTruth: InstanceMask[];
  /** Per ground truth: IoU of its match, 0 = missed (a false negative). */
  groundTruthIou: number[];
  annotated: boolean;
  tp: number;
  fp: number;
  fn: number;
  ignored: number;
  /** This tile's AP@0.6; undefined when it has no blood_vessel ground truth. */
  ap?: number;
  ignoreMode: IgnoreMode;
}

/** Everything one Predict produced for one tile: the scored tile plus how the model ran. */
export interface TilePrediction extends ScoredTile {
  /** The provider that ran the model, and why earlier ones were abandoned. */
  provider: string;
  fallbackReasons: string[];
  modelPath: string;
  outputKind: ModelContract['outputKind'];
  /** Wall time of the model calls (all TTA passes, as the caller saw them), ms. */
  inferenceMs: number;
  /** session.run time inside the worker, summed over TTA passes, ms. */
  runMs: number;
  /** Post-processing (threshold, components, filters) and matching, ms. */
  postprocessMs: number;
  matchMs: number;
  /** Transforms actually used (['identity'] when TTA was off or not applicable). */
  tta: TtaTransform[];
  /** Remarks for the log (TTA not applicable, nothing to remove, ...). */
  notes: string[];
}

/**
 * One annotation as a bounding-box crop. With integer, non-negative vertices (the dataset's) the
 * polygon is filled in a canvas the size of its box, shifted by whole pixels, which gives the
 * same pixels as filling the full tile; any other ring is filled at full size.
 */
export function rasterizeInstance(a: Pick<Annotation, 'rings'>, width: number, height: number): InstanceMask {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity, plain = true;
  for (const ring of a.rings) {
    for (const [x, y] of ring) {
      if (!Number.isInteger(x) || !Number.isInteger(y) || x < 0 || y < 0) plain = false;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  if (!plain) return instanceFromFullMask(rasterizeAnnotation(a, width, height), height, width);
  x1 = Math.min(x1, width - 1);
  y1 = Math.min(y1, height - 1);
  if (x0 > x1 || y0 > y1) return { x: 0, y: 0, width: 0, height: 0, data: new Uint8Array(0), area: 0 };
  const w = x1 - x0 + 1, h = y1 - y0 + 1;
  const shifted = a.rings.map((r) => r.map(([x, y]) => [x - x0, y - y0] as [number, number]));
  const crop = instanceFromFullMask(rasterizeAnnotation({ rings: shifted }, w, h), h, w);
  return { ...crop, x: crop.x + x0, y: crop.y + y0 };
}

/** Rasterises a tile's annotations: one mask per blood_vessel, ignore regions, the glomerulus union. */
export function rasterizeGroundTruth(annotations: readonly Annotation[], width: number, height: number): TileGroundTruth {
  const vessels: InstanceMask[] = [], ignoreRegions: InstanceMask[] = [];
  let glomerulus: Uint8Array | undefined;
  for (const a of annotations) {
    const inst = rasterizeInstance(a, width, height);
    if (inst.area === 0) continue;
    if (a.type === 'blood_vessel') {
      vessels.push(inst);
      continue;
    }
    ignoreRegions.push(inst);
    if (a.type === 'glomerulus') {
      glomerulus ??= new Uint8Array(width * height);
      for (let r = 0; r < inst.height; r++) {
        for (let c = 0; c < inst.width; c++) if (inst.data[r * inst.width + c]) glomerulus[(r + inst.y) * width + c + inst.x] = 1;
      }
    }
  }
  return { vessels, ignoreRegions, ...(glomerulus ? { glomerulus } : {}) };
}

/** Index of the blood_vessel class in a model's class list (single-class models: 0). */
export function vesselClassIndex(classNames: readonly string[]): number {
  const k = classNames.indexOf('blood_vessel');
  if (k >= 0) return k;
  const fg = classNames.filter((c) => !/^(background|__background__|bg)$/i.test(c));
  if (fg.length === 1) return classNames.indexOf(fg[0]);
  throw new Error(`the model's classes are [${classNames.join(', ')}]: none is "blood_vessel". Name the vessel class "blood_vessel" in the model's contract (sidecar <model>.json "classNames").`);
}

/** Instance-model instances of the vessel class -> scored instances with the settings applied. */
function instancesFromModel(p: Extract<Prediction, { kind: 'instances' }>, s: Pick<PredictSettings, 'minArea' | 'dilation' | 'removeInsideGlomerulus'>, glomerulus: Uint8Array | undefined): ScoredInstance[] {
  const vessel = vesselClassIndex(p.classNames);
  const out: ScoredInstance[] = [];
  for (const inst of p.instances) {
    if (p.classNames.length > 1 && inst.classIndex !== vessel) continue;
    const m = inst.mask;
    let area = 0, inGlom = 0;
    for (let r = 0; r < m.height; r++) {
      for (let c = 0; c < m.width; c++) {
        if (!m.data[r * m.width + c]) continue;
        area++;
        if (glomerulus && glomerulus[(r + m.y) * p.width + c + m.x]) inGlom++;
      }
    }
    if (area === 0 || area < s.minArea) continue;
    if (s.removeInsideGlomerulus && glomerulus && inGlom / area >= DEFAULT_POSTPROCESS.glomerulusInsideFraction) continue;
    let mask: InstanceMask = { x: m.x, y: m.y, width: m.width, height: m.height, data: m.data, area };
    if (s.dilation > 0) mask = dilateInstance(mask, s.dilation, p.height, p.width);
    out.push({ mask, confidence: Math.min(1, Math.max(0, inst.score)) });
  }
  return out.sort((a, b) => b.confidence - a.confidence);
}

/** Applies a TTA transform to interleaved tile pixels. */
function transformImage(img: RgbImage, t: TtaTransform): RgbImage {
  if (t === 'identity') return img;
  const data = transformPixels(img.data instanceof Uint8Array ? img.data : new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.length), img.height, img.width, t, img.channels);
  const size = transformedSize(t, img.height, img.width);
  return { width: size.width, height: size.height, channels: img.channels, data };
}

/** Matches a tile's predictions against its ground truth (undefined = not annotated): outcomes, counts and AP. */
export function scoreTile(tile: { tileId: string; group?: string; width: number; height: number }, predictions: readonly ScoredInstance[], gt: TileGroundTruth | undefined, ignoreMode: IgnoreMode): ScoredTile {
  const base = { tileId: tile.tileId, group: tile.group ?? '', width: tile.width, height: tile.height, ignoreMode };
  if (!gt) {
    return { ...base, vessels: predictions.map((p) => ({ mask: p.mask, confidence: p.confidence, outcome: 'none', iou: 0, gt: -1 })), groundTruth: [], groundTruthIou: [], annotated: false, tp: 0, fp: 0, fn: 0, ignored: 0 };
  }
  const forScoring: TileForScoring = { tileId: tile.tileId, predictions, groundTruth: gt.vessels, ignoreRegions: gt.ignoreRegions };
  const m = matchTile(forScoring, { ignoreMode });
  const vessels = predictions.map((p, k): PredictedVessel => ({ mask: p.mask, confidence: p.confidence, outcome: m.predictions[k].outcome, iou: m.predictions[k].iou, gt: m.predictions[k].gt }));
  const ap = gt.vessels.length > 0 ? tileAp(vessels, gt.vessels.length) : undefined;
  return { ...base, vessels, groundTruth: gt.vessels, groundTruthIou: m.gtIou, annotated: true, tp: m.tp, fp: m.fp, fn: m.fn, ignored: m.ignored, ...(ap !== undefined ? { ap } : {}) };
}

/** AP of already-matched predictions (ignored ones left out) against numGt ground truths. */
function tileAp(vessels: readonly PredictedVessel[], numGt: number): number {
  const kept = vessels.filter((v) => v.outcome === 'tp' || v.outcome === 'fp');
  const order = stableOrderByConfidence(kept.map((v) => v.confidence));
  return averagePrecision(order.map((i) => kept[i].outcome === 'tp'), order.map((i) => kept[i].confidence), numGt).ap;
}

/** Runs the model on one tile (TTA passes included) and scores the result; cancellable through call.signal. */
export async function predictTile(predictor: Predictor, input: TileInput, settings: PredictSettings, call: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<TilePrediction> {
  const { width, height } = input.image;
  const notes: string[] = [];
  const req = { modelPath: settings.modelPath, provider: settings.provider, threads: settings.threads, decode: { scoreThreshold: settings.scoreThreshold } };
  // Semantic maps on uint8 levels, as the tuning cache stores them, so a sweep's cell equals Predict with its settings exactly.
  const pp: Partial<PostprocessOptions> = { threshold: settings.threshold, minArea: settings.minArea, dilation: settings.dilation, levels: PROBABILITY_LEVELS };
  const wantTta = settings.tta.filter((t) => t !== 'identity');
  // Glomerulus removal in the worker needs the glomerulus mask up front; otherwise the model
  // runs in the worker while the ground truth is rasterised here.
  const needGlomerulusFirst = wantTta.length === 0 && settings.removeInsideGlomerulus && !!input.annotations?.some((a) => a.type === 'glomerulus');
  let gt: TileGroundTruth | undefined = needGlomerulusFirst ? rasterizeGroundTruth(input.annotations!, width, height) : undefined;
  const glomerulus = () => (settings.removeInsideGlomerulus ? gt?.glomerulus : undefined);
  // Without TTA a semantic map is post-processed in the worker: instances come back, not a float map.
  const postprocess: PostprocessRequest | undefined = wantTta.length === 0 ? { options: pp, ...(glomerulus() ? { glomerulusMask: glomerulus() } : {}) } : undefined;
  const running = predictor.predict({ ...req, image: input.image, ...(postprocess ? { postprocess } : {}) }, call);
  try {
    if (!gt && input.annotations) gt = rasterizeGroundTruth(input.annotations, width, height);
  } catch (e) {
    running.catch(() => undefined);
    throw e;
  }
  const first = await running;
  let inferenceMs = first.latencyMs, runMs = first.timings.runMs, postprocessMs = 0;
  let predictions: ScoredInstance[];
  let tta: TtaTransform[] = ['identity'];
  if (first.prediction.kind === 'semantic' && first.postprocessed) {
    predictions = first.postprocessed.instances;
    // Reported as post-processing, not as model time, wherever it ran.
    postprocessMs = first.postprocessed.ms;
    inferenceMs -= postprocessMs;
  } else if (first.prediction.kind === 'semantic') {
    const k = vesselClassIndex(first.prediction.classNames);
    // A contract's watershed split (its channel is averaged over the TTA passes like the vessel map).
    const split = pp.split ?? first.contract.instanceSplit;
    const s = split ? splitChannelIndex(split, first.prediction.classNames) : undefined;
    if (split) pp.split = split;
    const maps = [{ transform: 'identity' as TtaTransform, data: first.prediction.probabilities[k] }];
    const splitMaps = s === undefined ? [] : [{ transform: 'identity' as TtaTransform, data: first.prediction.probabilities[s] }];
    for (const t of wantTta) {
      const r = await predictor.predict({ ...req, image: transformImage(input.image, t) }, call);
      if (r.prediction.kind !== 'semantic') throw new Error(`model output kind changed between TTA passes (${r.prediction.kind})`);
      inferenceMs += r.latencyMs;
      runMs += r.timings.runMs;
      maps.push({ transform: t, data: r.prediction.probabilities[k] });
      if (s !== undefined) splitMaps.push({ transform: t, data: r.prediction.probabilities[s] });
    }
    tta = maps.map((m) => m.transform);
    const tp0 = performance.now();
    // Without TTA the one map is used as it is (averaging would copy it three times).
    predictions = maps.length === 1 ? probabilityToInstances(maps[0].data, height, width, pp, glomerulus(), splitMaps[0]?.data) : instancesFromTta(maps, height, width, pp, glomerulus(), splitMaps);
    postprocessMs = performance.now() - tp0;
  } else {
    if (wantTta.length > 0) notes.push(`TTA skipped: it averages probability maps, and this ${first.contract.outputKind} model returns instances`);
    const tp0 = performance.now();
    predictions = instancesFromModel(first.prediction, settings, glomerulus());
    postprocessMs = performance.now() - tp0;
  }
  if (settings.removeInsideGlomerulus && !gt?.glomerulus) notes.push('no glomerulus polygons on this tile: nothing to remove');
  const tm0 = performance.now();
  const scored = scoreTile({ tileId: input.tileId, group: input.group, width, height }, predictions, gt, settings.ignoreMode);
  const matchMs = performance.now() - tm0;
  return {
    ...scored,
    provider: first.provider,
    fallbackReasons: first.fallbackReasons,
    modelPath: settings.modelPath,
    outputKind: first.contract.outputKind,
    inferenceMs,
    runMs,
    postprocessMs,
    matchMs,
    tta,
    notes,
  };
}
