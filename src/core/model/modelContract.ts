/**
 * The model contract: what a segmentation ONNX model expects as input and what its outputs mean.
 * Read from a sidecar `<model>.onnx.json`, from ONNX metadata_props (our own
 * `vasculature_explorer.contract` key, or ultralytics' flat `task`/`names`/`imgsz` keys), and
 * otherwise detected from the input/output names and shapes.
 */
import { limits, raiseHint } from '../limits';

import { parseInstanceSplit, type InstanceSplitOptions } from './instanceSplit';

/** The three output layouts the decoders understand. */
export type OutputKind = 'semantic' | 'instance' | 'yolov8-seg';

/** How raw semantic outputs become probabilities; 'auto' = sigmoid/softmax only if values leave [0,1]. */
export type Activation = 'sigmoid' | 'softmax' | 'none' | 'auto';

/** One model input or output as the runtime reports it; symbolic dims are strings. */
export interface ValueInfo {
  name: string;
  type?: string;
  shape: ReadonlyArray<number | string>;
}

/** The model's inputs and outputs, as listed by the runtime. */
export interface ModelIo {
  inputs: readonly ValueInfo[];
  outputs: readonly ValueInfo[];
}

/** Output tensor names per kind. */
export type OutputNames =
  | { kind: 'semantic'; logits: string }
  | { kind: 'instance'; boxes: string; scores: string; masks: string; labels?: string }
  | { kind: 'yolov8-seg'; detections: string; protos: string };

/** Everything preprocess and the decoders need to know about a model. */
export interface ModelContract {
  outputKind: OutputKind;
  inputName: string;
  /** 4 = [1,3,H,W]; 3 = [3,H,W] (torchvision detection models take a list of CHW images). */
  inputRank: 3 | 4;
  /** Fixed input [height, width]; undefined when the model takes any size. */
  inputSize?: [number, number];
  /** A free-size input must be a multiple of this (e.g. 16 for a 4-level U-Net). */
  sizeMultiple: number;
  channelOrder: 'RGB' | 'BGR';
  /** Pixel values are divided by this before mean/std. */
  scale: number;
  mean: [number, number, number];
  std: [number, number, number];
  classNames: string[];
  activation: Activation;
  /** Probability threshold for binary masks. */
  threshold: number;
  outputs: OutputNames;
  /** Semantic models: how the foreground becomes instances by default (absent = connected components). */
  instanceSplit?: InstanceSplitOptions;
  /** Where the contract came from. */
  source: 'sidecar' | 'metadata' | 'ultralytics-metadata' | 'detected';
  /** Stain normalisation applied to the tile before the tensor (a model trained on normalised tiles); absent = none. */
  stainNormalise?: StainNormalise;
  /** One line per decision taken without an explicit statement (for logs and the model card view). */
  notes: string[];
}

/** A model that fits no known layout, or a contract that contradicts the model. */
export class ModelContractError extends Error {
  override name = 'ModelContractError';
}

/** The metadata key our own exporter writes (a JSON object). */
export const CONTRACT_METADATA_KEY = 'vasculature_explorer.contract';

type Dim = number | string;
const isNum = (d: Dim | undefined): d is number => typeof d === 'number' && d > 0;

function describeIo(io: ModelIo): string {
  const fmt = (v: ValueInfo) => `${v.name} [${v.shape.join(',')}]${v.type ? ` ${v.type}` : ''}`;
  return `inputs: ${io.inputs.map(fmt).join('; ') || 'none'}; outputs: ${io.outputs.map(fmt).join('; ') || 'none'}`;
}

/** Detects the output layout from names and shapes alone; undefined when nothing fits. */
export function detectOutputs(io: ModelIo): OutputNames | undefined {
  const outs = io.outputs;
  const byName = (re: RegExp) => outs.find((o) => re.test(o.name));
  // torchvision-style instance models: boxes [N,4], scores [N], masks [N,1,H,W] (labels [N]).
  const boxes = byName(/box/i) ?? outs.find((o) => o.shape.length === 2 && o.shape[1] === 4);
  const masks = byName(/mask/i) ?? outs.find((o) => o.shape.length === 4 && o !== boxes);
  const scores = byName(/score|conf/i);
  if (boxes && masks && scores && boxes.shape.length === 2 && masks.shape.length === 4 && scores.shape.length === 1) {
    const labels = byName(/label|class/i);
    return { kind: 'instance', boxes: boxes.name, scores: scores.name, masks: masks.name, ...(labels ? { labels: labels.name } : {}) };
  }
  // YOLOv8-seg: [1, 4+nc+nm, N] detections + [1, nm, h, w] prototypes.
  if (outs.length === 2) {
    const det = outs.find((o) => o.shape.length === 3);
    const proto = outs.find((o) => o.shape.length === 4);
    if (det && proto) {
      const c = det.shape[1];
      const nm = proto.shape[1];
      if (!isNum(c) || !isNum(nm) || c > 4 + nm) return { kind: 'yolov8-seg', detections: det.name, protos: proto.name };
    }
  }
  // Semantic: a single [1,C,H,W] output.
  if (outs.length === 1 && outs[0].shape.length === 4) return { kind: 'semantic', logits: outs[0].name };
  return undefined;
}

/** Parses ultralytics' python-dict `names` metadata: "{0: 'blood_vessel', 1: 'glomerulus'}". */
export function parsePythonNames(text: string): string[] {
  const names: string[] = [];
  for (const m of text.matchAll(/(\d+)\s*:\s*(['"])(.*?)\2/g)) names[Number(m[1])] = m[3];
  return Array.from(names, (n, i) => n ?? `class_${i}`);
}

/** The explicit statements a sidecar or metadata JSON may make (all optional). */
export interface ContractStatements {
  outputKind?: OutputKind;
  inputName?: string;
  inputSize?: [number, number];
  sizeMultiple?: number;
  channelOrder?: 'RGB' | 'BGR';
  scale?: number;
  mean?: [number, number, number];
  std?: [number, number, number];
  classNames?: string[];
  activation?: Activation;
  threshold?: number;
  outputs?: Record<string, string>;
  stainNormalise?: StainNormalise;
  instanceSplit?: InstanceSplitOptions;
}

/** Validates a contract JSON object; `where` names the file (or metadata key) for messages. */
export function parseContractStatements(json: unknown, where: string): ContractStatements {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new ModelContractError(`${where}: the model contract must be a JSON object.`);
  const o = json as Record<string, unknown>;
  const out: ContractStatements = {};
  const bad = (key: string, want: string) => new ModelContractError(`${where}: "${key}" must be ${want}, found ${JSON.stringify(o[key])}. Fix the contract or delete the key to let it be detected.`);
  const triple = (key: string) => {
    const v = o[key];
    if (!Array.isArray(v) || v.length !== 3 || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) throw bad(key, 'an array of 3 numbers');
    return v as [number, number, number];
  };
  if (o.outputKind !== undefined) {
    if (o.outputKind !== 'semantic' && o.outputKind !== 'instance' && o.outputKind !== 'yolov8-seg') throw bad('outputKind', '"semantic", "instance" or "yolov8-seg"');
    out.outputKind = o.outputKind;
  }
  if (o.inputName !== undefined) {
    if (typeof o.inputName !== 'string') throw bad('inputName', 'a string');
    out.inputName = o.inputName;
  }
  if (o.inputSize !== undefined) {
    const v = o.inputSize;
    if (!Array.isArray(v) || v.length !== 2 || !v.every((x) => Number.isInteger(x) && x > 0)) throw bad('inputSize', '[height, width] positive integers');
    out.inputSize = [v[0], v[1]];
  }
  if (o.sizeMultiple !== undefined) {
    if (!Number.isInteger(o.sizeMultiple) || (o.sizeMultiple as number) < 1) throw bad('sizeMultiple', 'a positive integer');
    out.sizeMultiple = o.sizeMultiple as number;
  }
  if (o.channelOrder !== undefined) {
    if (o.channelOrder !== 'RGB' && o.channelOrder !== 'BGR') throw bad('channelOrder', '"RGB" or "BGR"');
    out.channelOrder = o.channelOrder;
  }
  if (o.scale !== undefined) {
    if (typeof o.scale !== 'number' || !(o.scale > 0)) throw bad('scale', 'a positive number (255 for 0..1 inputs)');
    out.scale = o.scale;
  }
  if (o.mean !== undefined) out.mean = triple('mean');
  if (o.std !== undefined) {
    out.std = triple('std');
    if (out.std.some((s) => s <= 0)) throw bad('std', 'three positive numbers');
  }
  if (o.classNames !== undefined) {
    if (!Array.isArray(o.classNames) || !o.classNames.every((c) => typeof c === 'string')) throw bad('classNames', 'an array of strings');
    out.classNames = o.classNames as string[];
  }
  if (o.activation !== undefined) {
    if (!['sigmoid', 'softmax', 'none', 'auto'].includes(o.activation as string)) throw bad('activation', '"sigmoid", "softmax", "none" or "auto"');
    out.activation = o.activation as Activation;
  }
  if (o.threshold !== undefined) {
    if (typeof o.threshold !== 'number' || !(o.threshold > 0 && o.threshold < 1)) throw bad('threshold', 'a number between 0 and 1');
    out.threshold = o.threshold;
  }
  if (o.outputs !== undefined) {
    if (typeof o.outputs !== 'object' || o.outputs === null || !Object.values(o.outputs).every((v) => typeof v === 'string')) throw bad('outputs', 'an object of output names');
    out.outputs = o.outputs as Record<string, string>;
  }
  if (o.stainNormalise !== undefined) out.stainNormalise = parseStainNormalise(o.stainNormalise, (what) => bad('stainNormalise', what));
  if (o.instanceSplit !== undefined) {
    try {
      out.instanceSplit = parseInstanceSplit(o.instanceSplit, where);
    } catch (e) {
      throw new ModelContractError((e as Error).message);
    }
  }
  return out;
}

/**
 * Stain normalisation a model expects: Reinhard onto a LAB target (OpenCV 8-bit LAB means and
 * stds, e.g. the `avg.mean` / `std.mean` of a RandStainNA LAB yaml), or Macenko onto torchstain's
 * reference or a stated stain matrix (3x2, columns H and E) with its 99th-percentile maxima.
 */
export type StainNormalise =
  | { method: 'reinhard'; target: { mean: [number, number, number]; std: [number, number, number] } }
  | { method: 'macenko'; target: 'reference' | { stainMatrix: [[number, number], [number, number], [number, number]]; maxConcentrations: [number, number] } };

const isNums = (v: unknown, n: number): v is number[] => Array.isArray(v) && v.length === n && v.every((x) => typeof x === 'number' && Number.isFinite(x));

/** Checks a contract's stainNormalise statement; `bad` builds the error that names the file. */
export function parseStainNormalise(x: unknown, bad: (what: string) => Error): StainNormalise {
  const o = x as Record<string, unknown> | null;
  if (typeof o !== 'object' || o === null) throw bad('an object {method, target}');
  if (o.method === 'reinhard') {
    const t = o.target as Record<string, unknown> | null;
    if (typeof t !== 'object' || t === null || !isNums(t.mean, 3) || !isNums(t.std, 3) || !(t.std as number[]).every((v) => v > 0)) throw bad('{method: "reinhard", target: {mean: [L, A, B], std: [L, A, B]}} in OpenCV 8-bit LAB, stds > 0');
    return { method: 'reinhard', target: { mean: t.mean as [number, number, number], std: t.std as [number, number, number] } };
  }
  if (o.method === 'macenko') {
    if (o.target === undefined || o.target === 'reference') return { method: 'macenko', target: 'reference' };
    const t = o.target as Record<string, unknown> | null;
    const m = t?.stainMatrix;
    if (typeof t !== 'object' || t === null || !Array.isArray(m) || m.length !== 3 || !m.every((r) => isNums(r, 2)) || !isNums(t.maxConcentrations, 2) || !(t.maxConcentrations as number[]).every((v) => v > 0)) throw bad('{method: "macenko", target: "reference" | {stainMatrix: [[r,r],[g,g],[b,b]], maxConcentrations: [h, e]}}');
    return { method: 'macenko', target: { stainMatrix: m as [[number, number], [number, number], [number, number]], maxConcentrations: t.maxConcentrations as [number, number] } };
  }
  throw bad('method "reinhard" or "macenko"');
}

/** Reads statements from ONNX metadata_props (our JSON key first, then ultralytics' flat keys). */
export function statementsFromMetadata(metadata: Readonly<Record<string, string>>, modelPath: string): { statements: ContractStatements; source: ModelContract['source'] } | undefined {
  const own = metadata[CONTRACT_METADATA_KEY];
  if (own !== undefined) {
    let json: unknown;
    try {
      json = JSON.parse(own);
    } catch (e) {
      throw new ModelContractError(`${modelPath} (metadata key ${CONTRACT_METADATA_KEY}): not valid JSON (${(e as Error).message}). Re-export the model or add a sidecar ${modelPath}.json.`);
    }
    return { statements: parseContractStatements(json, `${modelPath} (metadata ${CONTRACT_METADATA_KEY})`), source: 'metadata' };
  }
  if (metadata.task !== undefined || metadata.names !== undefined) {
    const s: ContractStatements = { channelOrder: 'RGB', scale: 255, mean: [0, 0, 0], std: [1, 1, 1] };
    if (metadata.task === 'segment') s.outputKind = 'yolov8-seg';
    if (metadata.names) s.classNames = parsePythonNames(metadata.names);
    const sz = metadata.imgsz?.match(/(\d+)\D+(\d+)/);
    if (sz) s.inputSize = [Number(sz[1]), Number(sz[2])];
    return { statements: s, source: 'ultralytics-metadata' };
  }
  return undefined;
}

function outputsFor(kind: OutputKind, stated: Record<string, string> | undefined, detected: OutputNames | undefined, io: ModelIo, where: string): OutputNames {
  const names = new Set(io.outputs.map((o) => o.name));
  const pick = (key: string, fallback: string | undefined): string => {
    const v = stated?.[key] ?? fallback;
    if (v === undefined || !names.has(v)) {
      throw new ModelContractError(`${where}: the contract says outputKind "${kind}" but output "${key}"${v ? ` (${v})` : ''} is not among the model's outputs. Found ${describeIo(io)}.`);
    }
    return v;
  };
  const d = detected?.kind === kind ? (detected as Record<string, string | undefined>) : undefined;
  if (kind === 'semantic') return { kind, logits: pick('logits', d?.logits ?? (io.outputs.length === 1 ? io.outputs[0].name : undefined)) };
  if (kind === 'instance') {
    const labels = stated?.labels ?? d?.labels;
    return { kind, boxes: pick('boxes', d?.boxes), scores: pick('scores', d?.scores), masks: pick('masks', d?.masks), ...(labels && names.has(labels) ? { labels } : {}) };
  }
  return { kind, detections: pick('detections', d?.detections), protos: pick('protos', d?.protos) };
}

/**
 * Builds the contract of a model from what the runtime lists (io) plus, when present, its ONNX
 * metadata and a sidecar JSON (already parsed). Throws ModelContractError listing the model's
 * inputs and outputs when no layout fits.
 */
export function resolveModelContract(io: ModelIo, opts: { modelPath: string; metadata?: Readonly<Record<string, string>>; sidecar?: unknown; sidecarPath?: string }): ModelContract {
  const where = opts.modelPath;
  const notes: string[] = [];
  let statements: ContractStatements = {};
  let source: ModelContract['source'] = 'detected';
  if (opts.sidecar !== undefined) {
    statements = parseContractStatements(opts.sidecar, opts.sidecarPath ?? `${where}.json`);
    source = 'sidecar';
  } else if (opts.metadata) {
    const m = statementsFromMetadata(opts.metadata, where);
    if (m) ({ statements, source } = m);
  }

  if (io.inputs.length !== 1) throw new ModelContractError(`${where}: expected one image input, found ${io.inputs.length}. Found ${describeIo(io)}.`);
  const input = io.inputs[0];
  if (statements.inputName !== undefined && statements.inputName !== input.name) {
    throw new ModelContractError(`${where}: the contract names input "${statements.inputName}" but the model's input is "${input.name}". Fix inputName in the contract.`);
  }
  const rank = input.shape.length;
  if (rank !== 3 && rank !== 4) throw new ModelContractError(`${where}: input ${input.name} has rank ${rank}; expected [1,3,H,W] or [3,H,W]. Found ${describeIo(io)}.`);
  const ch = input.shape[rank - 3];
  if (isNum(ch) && ch !== 3) throw new ModelContractError(`${where}: input ${input.name} has ${ch} channels; only 3-channel (RGB/BGR) models are supported. Found ${describeIo(io)}.`);

  const detected = detectOutputs(io);
  const kind = statements.outputKind ?? detected?.kind;
  if (!kind) {
    throw new ModelContractError(
      `${where}: cannot tell what this model outputs. Expected one of: semantic [1,C,H,W]; instance boxes [N,4] + scores [N] + masks [N,1,H,W]; ` +
        `YOLOv8-seg [1,4+nc+nm,N] + [1,nm,h,w]. Found ${describeIo(io)}. Add a sidecar ${where}.json with "outputKind" and "outputs".`,
    );
  }
  if (!statements.outputKind) notes.push(`output kind "${kind}" detected from output names and shapes`);
  const outputs = outputsFor(kind, statements.outputs, detected, io, where);

  const h = input.shape[rank - 2];
  const w = input.shape[rank - 1];
  let inputSize = statements.inputSize;
  if (isNum(h) && isNum(w)) {
    if (inputSize && (inputSize[0] !== h || inputSize[1] !== w)) notes.push(`contract inputSize ${inputSize.join('x')} ignored: the model's input is fixed at ${h}x${w}`);
    inputSize = [h, w];
  }
  // A contract (or a model's fixed input) may not make every tile cost an enormous tensor.
  const side = limits().modelInputSide;
  const sizeMultiple = statements.sizeMultiple ?? 1;
  if ((inputSize && (inputSize[0] > side || inputSize[1] > side)) || sizeMultiple > side) {
    throw new ModelContractError(`${where}: ${inputSize && (inputSize[0] > side || inputSize[1] > side) ? `input size ${inputSize.join('x')}` : `sizeMultiple ${sizeMultiple}`} is larger than ${side} px; the model was not run: ${raiseHint('modelInputSide')}.`);
  }

  let classNames = statements.classNames;
  if (!classNames) {
    let n = 1;
    if (kind === 'semantic') {
      const c = io.outputs.find((o) => o.name === (outputs as { logits: string }).logits)?.shape[1];
      n = isNum(c) ? c : 1;
    } else if (kind === 'yolov8-seg') {
      const c = io.outputs.find((o) => o.name === (outputs as { detections: string }).detections)?.shape[1];
      const nm = io.outputs.find((o) => o.name === (outputs as { protos: string }).protos)?.shape[1];
      n = isNum(c) && isNum(nm) ? c - 4 - nm : 1;
    }
    classNames = n === 1 ? ['blood_vessel'] : Array.from({ length: n }, (_, i) => `class_${i}`);
    notes.push(`class names not stated: assumed ${JSON.stringify(classNames)}`);
  }
  if (!statements.mean || !statements.std || statements.scale === undefined) notes.push('normalisation not fully stated: missing parts default to pixel/255, mean 0, std 1');

  return {
    outputKind: kind,
    inputName: input.name,
    inputRank: rank,
    ...(inputSize ? { inputSize } : {}),
    sizeMultiple: statements.sizeMultiple ?? (kind === 'yolov8-seg' ? 32 : 1),
    channelOrder: statements.channelOrder ?? 'RGB',
    scale: statements.scale ?? 255,
    mean: statements.mean ?? [0, 0, 0],
    std: statements.std ?? [1, 1, 1],
    classNames,
    activation: statements.activation ?? (kind === 'semantic' ? 'auto' : 'none'),
    threshold: statements.threshold ?? 0.5,
    ...(statements.stainNormalise ? { stainNormalise: statements.stainNormalise } : {}),
    outputs,
    ...(kind === 'semantic' && statements.instanceSplit ? { instanceSplit: statements.instanceSplit } : {}),
    source,
    notes,
  };
}
