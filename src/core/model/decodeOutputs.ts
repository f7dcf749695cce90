/**
 * Decoders of the three output kinds into tile-resolution results: per-class probability maps
 * (semantic) or instance lists with box-local binary masks (torchvision instance models and
 * YOLOv8-seg: boxes, per-class NMS, masks = sigmoid(coeffs @ protos) upsampled and cropped).
 */
import type { ModelContract } from './modelContract';
import { sampleBilinear, type InputGeometry } from './preprocess';

/** A raw output tensor as the runtime returns it. */
export interface RawTensor {
  dims: readonly number[];
  data: Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array;
}

/** Per-class probability maps at tile resolution. */
export interface SemanticPrediction {
  kind: 'semantic';
  width: number;
  height: number;
  classNames: string[];
  /** One row-major width*height map per class, values in [0,1]. */
  probabilities: Float32Array[];
  /** The activation actually applied (resolves 'auto'). */
  activation: 'sigmoid' | 'softmax' | 'none';
}

/** A binary mask stored over its bounding rectangle in tile pixels. */
export interface BoxMask {
  x: number;
  y: number;
  width: number;
  height: number;
  /** Row-major width*height, 1 = inside. */
  data: Uint8Array;
}

/** One predicted instance in tile coordinates. */
export interface PredictedInstance {
  classIndex: number;
  className: string;
  score: number;
  /** [x1, y1, x2, y2] in tile pixels (edges, not centres). */
  box: [number, number, number, number];
  mask: BoxMask;
  /** Mask pixel count. */
  area: number;
}

/** Instances of one tile, sorted by score descending. */
export interface InstancePrediction {
  kind: 'instances';
  width: number;
  height: number;
  classNames: string[];
  instances: PredictedInstance[];
}

export type Prediction = SemanticPrediction | InstancePrediction;

/** Thresholds for instance decoding. */
export interface DecodeOptions {
  /** Minimum score kept (default 0.25). */
  scoreThreshold?: number;
  /** NMS IoU (YOLOv8-seg only; default 0.7 as in ultralytics predict). */
  iouThreshold?: number;
  /** At most this many instances (default 300). */
  maxDetections?: number;
}

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
const toFloat = (t: RawTensor): Float32Array => (t.data instanceof Float32Array ? t.data : Float32Array.from(t.data as ArrayLike<number | bigint>, (v) => Number(v)));

function checkDims(t: RawTensor | undefined, name: string, rank: number, what: string): RawTensor {
  if (!t) throw new Error(`decode: the model returned no output "${name}" (${what}).`);
  if (t.dims.length !== rank) throw new Error(`decode: output "${name}" has shape [${t.dims.join(',')}], expected ${what}.`);
  return t;
}

/** Semantic [1,C,h,w] output -> per-class probabilities at tile resolution. */
export function decodeSemantic(t: RawTensor, contract: Pick<ModelContract, 'classNames' | 'activation'>, g: InputGeometry): SemanticPrediction {
  checkDims(t, 'logits', 4, '[1,C,H,W]');
  const [, c, oh, ow] = t.dims;
  const data = toFloat(t);
  let activation = contract.activation;
  if (activation === 'auto') {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < data.length; i++) {
      if (data[i] < lo) lo = data[i];
      if (data[i] > hi) hi = data[i];
    }
    activation = lo >= 0 && hi <= 1 ? 'none' : c === 1 ? 'sigmoid' : 'softmax';
  }
  const { tileWidth: w, tileHeight: h } = g;
  // Output pixels per input pixel (a model may output at a stride).
  const rx = ow / g.inputWidth;
  const ry = oh / g.inputHeight;
  const planes: Float32Array[] = [];
  for (let k = 0; k < c; k++) {
    const src = data.subarray(k * ow * oh, (k + 1) * ow * oh);
    if (ow === w && oh === h && g.scaleX === 1 && g.scaleY === 1) {
      planes.push(src.slice());
      continue;
    }
    const dst = new Float32Array(w * h);
    for (let y = 0; y < h; y++) {
      const fy = ((y + 0.5) * g.scaleY) * ry - 0.5;
      for (let x = 0; x < w; x++) dst[y * w + x] = sampleBilinear(src, ow, oh, ((x + 0.5) * g.scaleX) * rx - 0.5, fy);
    }
    planes.push(dst);
  }
  if (activation === 'sigmoid') {
    for (const p of planes) for (let i = 0; i < p.length; i++) p[i] = sigmoid(p[i]);
  } else if (activation === 'softmax') {
    for (let i = 0; i < w * h; i++) {
      let m = -Infinity;
      for (const p of planes) m = Math.max(m, p[i]);
      let s = 0;
      for (const p of planes) s += Math.exp(p[i] - m);
      for (const p of planes) p[i] = Math.exp(p[i] - m) / s;
    }
  }
  const classNames = contract.classNames.length === c ? contract.classNames : Array.from({ length: c }, (_, i) => contract.classNames[i] ?? `class_${i}`);
  return { kind: 'semantic', width: w, height: h, classNames, probabilities: planes, activation };
}

/** Box IoU of [x1,y1,x2,y2] boxes. */
export function boxIou(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const iw = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const ih = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const inter = iw * ih;
  const union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
  return union > 0 ? inter / union : 0;
}

/** Greedy NMS within each class: indices kept, by descending score (ties: lower index first). */
export function nms(boxes: ArrayLike<number>[], scores: ArrayLike<number>, classes: ArrayLike<number>, iouThreshold: number, maxDetections = Infinity): number[] {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b] - scores[a] || a - b);
  const kept: number[] = [];
  for (const i of order) {
    if (kept.length >= maxDetections) break;
    if (kept.every((j) => classes[j] !== classes[i] || boxIou(boxes[i], boxes[j]) <= iouThreshold)) kept.push(i);
  }
  return kept;
}

/** The integer tile-pixel rectangle covering an input-space box. */
function tileRect(box: [number, number, number, number], g: InputGeometry) {
  const x0 = Math.max(0, Math.floor(box[0] / g.scaleX));
  const y0 = Math.max(0, Math.floor(box[1] / g.scaleY));
  const x1 = Math.min(g.tileWidth, Math.ceil(box[2] / g.scaleX));
  const y1 = Math.min(g.tileHeight, Math.ceil(box[3] / g.scaleY));
  return { x: x0, y: y0, width: Math.max(0, x1 - x0), height: Math.max(0, y1 - y0) };
}

function finishInstance(classIndex: number, classNames: string[], score: number, boxIn: [number, number, number, number], g: InputGeometry, inside: (xIn: number, yIn: number) => boolean): PredictedInstance {
  const r = tileRect(boxIn, g);
  const data = new Uint8Array(r.width * r.height);
  let area = 0;
  for (let y = 0; y < r.height; y++) {
    const yIn = (r.y + y + 0.5) * g.scaleY;
    for (let x = 0; x < r.width; x++) {
      if (inside((r.x + x + 0.5) * g.scaleX, yIn)) {
        data[y * r.width + x] = 1;
        area++;
      }
    }
  }
  const box: [number, number, number, number] = [boxIn[0] / g.scaleX, boxIn[1] / g.scaleY, boxIn[2] / g.scaleX, boxIn[3] / g.scaleY];
  return { classIndex, className: classNames[classIndex] ?? `class_${classIndex}`, score, box, mask: { ...r, data }, area };
}

/**
 * torchvision-style outputs (boxes [N,4] input px, scores [N], masks [N,1,H,W] probabilities,
 * labels [N] 1-based with 0 = background) -> instances whose mask prob >= threshold.
 */
export function decodeInstanceOutputs(out: { boxes: RawTensor; scores: RawTensor; masks: RawTensor; labels?: RawTensor }, contract: Pick<ModelContract, 'classNames' | 'threshold'>, g: InputGeometry, opts: DecodeOptions = {}): InstancePrediction {
  checkDims(out.boxes, 'boxes', 2, '[N,4]');
  checkDims(out.scores, 'scores', 1, '[N]');
  checkDims(out.masks, 'masks', 4, '[N,1,H,W]');
  const n = out.scores.dims[0];
  const boxes = toFloat(out.boxes);
  const scores = toFloat(out.scores);
  const masks = toFloat(out.masks);
  const labels = out.labels ? toFloat(out.labels) : undefined;
  const [, , mh, mw] = out.masks.dims;
  const minScore = opts.scoreThreshold ?? 0.25;
  const instances: PredictedInstance[] = [];
  for (let i = 0; i < n && instances.length < (opts.maxDetections ?? 300); i++) {
    if (scores[i] < minScore) continue;
    const plane = masks.subarray(i * mh * mw, (i + 1) * mh * mw);
    const rx = mw / g.inputWidth;
    const ry = mh / g.inputHeight;
    // torchvision pastes masks over the whole image: bound the search by the thresholded pixels.
    let bx0 = mw, by0 = mh, bx1 = -1, by1 = -1;
    for (let y = 0; y < mh; y++) {
      for (let x = 0; x < mw; x++) {
        if (plane[y * mw + x] >= contract.threshold) {
          if (x < bx0) bx0 = x;
          if (x > bx1) bx1 = x;
          if (y < by0) by0 = y;
          if (y > by1) by1 = y;
        }
      }
    }
    const region: [number, number, number, number] = bx1 < 0 ? [0, 0, 0, 0] : [Math.max(0, (bx0 - 1) / rx), Math.max(0, (by0 - 1) / ry), Math.min(g.inputWidth, (bx1 + 2) / rx), Math.min(g.inputHeight, (by1 + 2) / ry)];
    const inst = finishInstance(labels ? Math.max(0, labels[i] - 1) : 0, contract.classNames, scores[i], region, g, (xIn, yIn) => sampleBilinear(plane, mw, mh, xIn * rx - 0.5, yIn * ry - 0.5) >= contract.threshold);
    inst.box = [boxes[i * 4] / g.scaleX, boxes[i * 4 + 1] / g.scaleY, boxes[i * 4 + 2] / g.scaleX, boxes[i * 4 + 3] / g.scaleY];
    instances.push(shrinkToMask(inst));
  }
  instances.sort((a, b) => b.score - a.score);
  return { kind: 'instances', width: g.tileWidth, height: g.tileHeight, classNames: contract.classNames, instances };
}

/** Crops an instance's mask rectangle to its set pixels. */
function shrinkToMask(inst: PredictedInstance): PredictedInstance {
  const m = inst.mask;
  let x0 = m.width, y0 = m.height, x1 = -1, y1 = -1;
  for (let y = 0; y < m.height; y++) {
    for (let x = 0; x < m.width; x++) {
      if (m.data[y * m.width + x]) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  if (x1 < 0) return { ...inst, mask: { x: m.x, y: m.y, width: 0, height: 0, data: new Uint8Array(0) } };
  const w = x1 - x0 + 1;
  const h = y1 - y0 + 1;
  const data = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) data.set(m.data.subarray((y + y0) * m.width + x0, (y + y0) * m.width + x0 + w), y * w);
  return { ...inst, mask: { x: m.x + x0, y: m.y + y0, width: w, height: h, data } };
}

/**
 * YOLOv8-seg outputs -> instances. det [1, 4+nc+nm, N]: cx,cy,w,h in input px, nc class scores
 * (already sigmoid), nm mask coefficients; protos [1, nm, ph, pw]. Per-class greedy NMS; mask =
 * sigmoid(coeffs @ protos) bilinearly upsampled to the input, kept inside the box, prob > 0.5.
 */
export function decodeYoloSeg(det: RawTensor, protos: RawTensor, contract: Pick<ModelContract, 'classNames'>, g: InputGeometry, opts: DecodeOptions = {}): InstancePrediction {
  checkDims(det, 'detections', 3, '[1,4+nc+nm,N]');
  checkDims(protos, 'protos', 4, '[1,nm,h,w]');
  const [, c, n] = det.dims;
  const [, nm, ph, pw] = protos.dims;
  const nc = c - 4 - nm;
  if (nc < 1) throw new Error(`decode: YOLOv8-seg detections have ${c} rows but prototypes have ${nm} channels: ${c} - 4 - ${nm} leaves no class scores.`);
  const d = toFloat(det);
  const p = toFloat(protos);
  const minScore = opts.scoreThreshold ?? 0.25;
  const cand: number[] = [];
  const candBoxes: [number, number, number, number][] = [];
  const candScores: number[] = [];
  const candClasses: number[] = [];
  for (let a = 0; a < n; a++) {
    let best = -1;
    let bestK = 0;
    for (let k = 0; k < nc; k++) {
      const s = d[(4 + k) * n + a];
      if (s > best) {
        best = s;
        bestK = k;
      }
    }
    if (best < minScore) continue;
    const cx = d[a], cy = d[n + a], bw = d[2 * n + a], bh = d[3 * n + a];
    cand.push(a);
    candBoxes.push([cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2]);
    candScores.push(best);
    candClasses.push(bestK);
  }
  const kept = nms(candBoxes, candScores, candClasses, opts.iouThreshold ?? 0.7, opts.maxDetections ?? 300);
  const sx = pw / g.inputWidth;
  const sy = ph / g.inputHeight;
  const instances = kept.map((j) => {
    const a = cand[j];
    const box = candBoxes[j];
    // Mask probabilities at prototype resolution over the box's neighbourhood only.
    const px0 = Math.max(0, Math.floor(box[0] * sx) - 1), px1 = Math.min(pw - 1, Math.ceil(box[2] * sx) + 1);
    const py0 = Math.max(0, Math.floor(box[1] * sy) - 1), py1 = Math.min(ph - 1, Math.ceil(box[3] * sy) + 1);
    const prob = new Float32Array(pw * ph);
    for (let y = py0; y <= py1; y++) {
      for (let x = px0; x <= px1; x++) {
        let v = 0;
        for (let m = 0; m < nm; m++) v += d[(4 + nc + m) * n + a] * p[m * ph * pw + y * pw + x];
        prob[y * pw + x] = sigmoid(v);
      }
    }
    const clipped: [number, number, number, number] = [Math.max(0, box[0]), Math.max(0, box[1]), Math.min(g.inputWidth, box[2]), Math.min(g.inputHeight, box[3])];
    return shrinkToMask(
      finishInstance(candClasses[j], contract.classNames, candScores[j], clipped, g, (xIn, yIn) =>
        xIn >= box[0] && xIn < box[2] && yIn >= box[1] && yIn < box[3] && sampleBilinear(prob, pw, ph, xIn * sx - 0.5, yIn * sy - 0.5) > 0.5),
    );
  });
  return { kind: 'instances', width: g.tileWidth, height: g.tileHeight, classNames: contract.classNames, instances };
}

/** Decodes a model's outputs by the contract's kind. */
export function decodeOutputs(outputs: Readonly<Record<string, RawTensor>>, contract: ModelContract, g: InputGeometry, opts: DecodeOptions = {}): Prediction {
  const o = contract.outputs;
  switch (o.kind) {
    case 'semantic':
      return decodeSemantic(checkDims(outputs[o.logits], o.logits, 4, '[1,C,H,W]'), contract, g);
    case 'instance':
      return decodeInstanceOutputs({ boxes: outputs[o.boxes], scores: outputs[o.scores], masks: outputs[o.masks], ...(o.labels && outputs[o.labels] ? { labels: outputs[o.labels] } : {}) }, contract, g, opts);
    case 'yolov8-seg':
      return decodeYoloSeg(checkDims(outputs[o.detections], o.detections, 3, '[1,4+nc+nm,N]'), checkDims(outputs[o.protos], o.protos, 4, '[1,nm,h,w]'), contract, g, opts);
  }
}
