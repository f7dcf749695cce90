/**
 * A semantic model's raw output straight to blood_vessel instances, for the inference worker:
 * the same instances as decodeSemantic then probabilityToInstances on the class's map, but the
 * sigmoid is computed only where a pixel can reach the threshold (the logit threshold, with a
 * margin inside which the exact float32 probability decides), and no per-class map crosses the
 * process boundary. Anything off the fast path (softmax, resizing, strides) takes the full path.
 */
import type { ScoredInstance } from '../metric';
import { decodeSemantic, type RawTensor, type SemanticPrediction } from './decodeOutputs';
import { splitChannelIndex } from './instanceSplit';
import type { ModelContract } from './modelContract';
import { levelsFloor } from './componentStats';
import { DEFAULT_POSTPROCESS, probabilityToInstances, type PostprocessOptions } from './postprocess';
import type { InputGeometry } from './preprocess';

/** Logits this close to the threshold's logit get the exact float32 probability compared. */
const LOGIT_MARGIN = 1e-3;

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

let scratch: Float32Array | undefined;

/** The instances of one class of a semantic output, plus the prediction's description (probabilities left empty). */
export interface SemanticInstances {
  /** kind, size, class names and activation of the prediction; probabilities is [] (not sent). */
  prediction: SemanticPrediction;
  classIndex: number;
  instances: ScoredInstance[];
  /** True when the logit-threshold fast path ran (no full probability map was made). */
  fastPath: boolean;
}

function resolveActivation(data: Float32Array, c: number, activation: ModelContract['activation']): 'sigmoid' | 'softmax' | 'none' {
  if (activation !== 'auto') return activation;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo >= 0 && hi <= 1 ? 'none' : c === 1 ? 'sigmoid' : 'softmax';
}

/**
 * Semantic [1,C,h,w] output -> scored instances of class `pickClass(classNames)`, equal to
 * probabilityToInstances(decodeSemantic(t).probabilities[k], ...).
 */
export function semanticOutputToInstances(
  t: RawTensor,
  contract: Pick<ModelContract, 'classNames' | 'activation'> & Partial<Pick<ModelContract, 'instanceSplit'>>,
  g: InputGeometry,
  pickClass: (classNames: readonly string[]) => number,
  requested: Partial<PostprocessOptions> = {},
  glomerulusMask?: Uint8Array,
): SemanticInstances {
  // A split asked for in the options wins; otherwise the contract's (if any).
  const split = requested.split ?? contract.instanceSplit;
  const options: Partial<PostprocessOptions> = split ? { ...requested, split } : requested;
  const [, c, oh, ow] = t.dims;
  const { tileWidth: w, tileHeight: h } = g;
  const threshold = options.threshold ?? DEFAULT_POSTPROCESS.threshold;
  const sameGrid = t.dims.length === 4 && ow === w && oh === h && g.scaleX === 1 && g.scaleY === 1;
  if (sameGrid && t.data instanceof Float32Array && threshold > 0 && threshold < 1) {
    const activation = resolveActivation(t.data, c, contract.activation);
    if (activation !== 'softmax') {
      const classNames = contract.classNames.length === c ? contract.classNames : Array.from({ length: c }, (_, i) => contract.classNames[i] ?? `class_${i}`);
      const k = pickClass(classNames);
      const n = w * h;
      const logits = t.data.subarray(k * n, (k + 1) * n);
      let probability: Float32Array = logits;
      if (activation === 'sigmoid') {
        // Pixels left at 0 are below the threshold for sure: sigmoid is monotonic and the margin
        // is far wider than float32 rounding, so only pixels at or above (xt - margin) need a value.
        // One scratch map serves every call (probabilityToInstances keeps none of it).
        probability = scratch?.length === n ? scratch.fill(0) : (scratch = new Float32Array(n));
        // On levels a pixel counts from the lowest probability that rounds up to a passing level.
        const pf = options.levels ? levelsFloor(threshold, options.levels) : threshold;
        const floor = Math.log(pf / (1 - pf)) - LOGIT_MARGIN;
        for (let i = 0; i < n; i++) if (logits[i] >= floor) probability[i] = sigmoid(logits[i]);
      }
      const s = split ? splitChannelIndex(split, classNames) : undefined;
      let splitMap: Float32Array | undefined;
      if (s !== undefined) {
        const raw = t.data.subarray(s * n, (s + 1) * n);
        splitMap = activation === 'sigmoid' ? Float32Array.from(raw, sigmoid) : raw;
      }
      const instances = probabilityToInstances(probability, h, w, options, glomerulusMask, splitMap);
      return { prediction: { kind: 'semantic', width: w, height: h, classNames, probabilities: [], activation }, classIndex: k, instances, fastPath: true };
    }
  }
  const full = decodeSemantic(t, contract, g);
  const k = pickClass(full.classNames);
  const s = split ? splitChannelIndex(split, full.classNames) : undefined;
  const instances = probabilityToInstances(full.probabilities[k], h, w, options, glomerulusMask, s === undefined ? undefined : full.probabilities[s]);
  return { prediction: { ...full, probabilities: [] }, classIndex: k, instances, fastPath: false };
}
