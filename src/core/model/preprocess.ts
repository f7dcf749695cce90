/**
 * Tile pixels -> model input tensor: RGB(A) uint8 HxW -> float32 (N)CHW with the contract's
 * channel order, scale and mean/std, resized (bilinear, half-pixel centres like OpenCV's
 * INTER_LINEAR) to a fixed model input or padded up to the model's size multiple. The returned
 * geometry maps model-input coordinates back to tile pixels for the decoders.
 */
import type { ModelContract } from './modelContract';

/** Decoded tile pixels, row-major, 3 (RGB) or 4 (RGBA) interleaved channels. */
export interface RgbImage {
  width: number;
  height: number;
  channels: 3 | 4;
  data: Uint8Array | Uint8ClampedArray;
}

/** How the tile sits inside the model input. */
export interface InputGeometry {
  tileWidth: number;
  tileHeight: number;
  /** The model input's full size (content + padding). */
  inputWidth: number;
  inputHeight: number;
  /** Input pixels per tile pixel. */
  scaleX: number;
  scaleY: number;
}

/** A float32 tensor ready for the runtime. */
export interface InputTensor {
  data: Float32Array;
  dims: number[];
  geometry: InputGeometry;
}

/** Bilinear sample of a float plane at fractional pixel coords (half-pixel centres), edges clamped. */
export function sampleBilinear(plane: Float32Array, w: number, h: number, fx: number, fy: number): number {
  const x = Math.min(Math.max(fx, 0), w - 1);
  const y = Math.min(Math.max(fy, 0), h - 1);
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const x1 = Math.min(x0 + 1, w - 1);
  const y1 = Math.min(y0 + 1, h - 1);
  const ax = x - x0;
  const ay = y - y0;
  const top = plane[y0 * w + x0] * (1 - ax) + plane[y0 * w + x1] * ax;
  const bottom = plane[y1 * w + x0] * (1 - ax) + plane[y1 * w + x1] * ax;
  return top * (1 - ay) + bottom * ay;
}

/** Resizes one float plane to (ow, oh) with OpenCV INTER_LINEAR semantics (no antialiasing). */
export function resizePlane(src: Float32Array, w: number, h: number, ow: number, oh: number, out: Float32Array = new Float32Array(ow * oh)): Float32Array {
  if (ow === w && oh === h) {
    out.set(src);
    return out;
  }
  const sx = w / ow;
  const sy = h / oh;
  for (let y = 0; y < oh; y++) {
    const fy = (y + 0.5) * sy - 0.5;
    for (let x = 0; x < ow; x++) out[y * ow + x] = sampleBilinear(src, w, h, (x + 0.5) * sx - 0.5, fy);
  }
  return out;
}

/** The model input size for a tile: the contract's fixed size, else the tile padded up to sizeMultiple. */
export function inputSizeFor(tileWidth: number, tileHeight: number, contract: Pick<ModelContract, 'inputSize' | 'sizeMultiple'>): { width: number; height: number; resize: boolean } {
  if (contract.inputSize) return { height: contract.inputSize[0], width: contract.inputSize[1], resize: contract.inputSize[0] !== tileHeight || contract.inputSize[1] !== tileWidth };
  const m = Math.max(1, contract.sizeMultiple);
  return { width: Math.ceil(tileWidth / m) * m, height: Math.ceil(tileHeight / m) * m, resize: false };
}

/**
 * Converts tile pixels into the model's input tensor (dims [1,3,H,W] or [3,H,W]). `reuse`, when
 * it has exactly the tensor's length, is written over (padding zeroed) instead of allocating.
 */
export function toInputTensor(img: RgbImage, contract: Pick<ModelContract, 'inputSize' | 'sizeMultiple' | 'inputRank' | 'channelOrder' | 'scale' | 'mean' | 'std'>, reuse?: Float32Array): InputTensor {
  const { width: w, height: h, channels: ch, data } = img;
  if (data.length !== w * h * ch) throw new Error(`toInputTensor: pixel buffer holds ${data.length} bytes, expected ${w}x${h}x${ch} = ${w * h * ch}. Decode the image as raw RGB or RGBA.`);
  const size = inputSizeFor(w, h, contract);
  const { width: iw, height: ih } = size;
  const planes = iw * ih;
  const reused = reuse?.length === 3 * planes;
  const out = reused ? reuse : new Float32Array(3 * planes);
  if (!size.resize) {
    if (reused && (iw !== w || ih !== h)) out.fill(0);
    // Straight into the output rows (padding right/bottom stays 0, i.e. the mean colour after
    // normalisation): the same arithmetic as the plane path below, without the plane copy.
    for (let c = 0; c < 3; c++) {
      const srcC = contract.channelOrder === 'BGR' ? 2 - c : c;
      const k = 1 / (contract.scale * contract.std[c]);
      const b = contract.mean[c] / contract.std[c];
      for (let y = 0; y < h; y++) {
        let o = c * planes + y * iw;
        for (let s = y * w * ch + srcC, end = s + w * ch; s < end; s += ch) out[o++] = data[s] * k - b;
      }
    }
    return { data: out, dims: contract.inputRank === 3 ? [3, ih, iw] : [1, 3, ih, iw], geometry: { tileWidth: w, tileHeight: h, inputWidth: iw, inputHeight: ih, scaleX: 1, scaleY: 1 } };
  }
  const plane = new Float32Array(w * h);
  for (let c = 0; c < 3; c++) {
    const srcC = contract.channelOrder === 'BGR' ? 2 - c : c;
    const k = 1 / (contract.scale * contract.std[c]);
    const b = contract.mean[c] / contract.std[c];
    for (let p = 0; p < w * h; p++) plane[p] = data[p * ch + srcC] * k - b;
    resizePlane(plane, w, h, iw, ih, out.subarray(c * planes, (c + 1) * planes));
  }
  const geometry: InputGeometry = { tileWidth: w, tileHeight: h, inputWidth: iw, inputHeight: ih, scaleX: iw / w, scaleY: ih / h };
  return { data: out, dims: contract.inputRank === 3 ? [3, ih, iw] : [1, 3, ih, iw], geometry };
}
