/**
 * The bytes a model's outputs will take for one input, worked out from the session's output
 * metadata before anything runs: symbolic dims resolved from the input's (the contract's
 * inputSize / sizeMultiple decide the input dims), element sizes from the tensor types.
 */
import { formatLimit, limits, raiseHint } from '../limits';
import type { ModelIo } from './modelContract';

const ELEMENT_BYTES: Readonly<Record<string, number>> = {
  float32: 4, float: 4, float16: 2, float64: 8, double: 8, bfloat16: 2,
  int8: 1, uint8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4, int64: 8, uint64: 8, bool: 1,
};

/** One output's expected size. */
export interface OutputEstimate {
  name: string;
  /** The shape with every dim that could be resolved; '?' where not (counted as 1). */
  dims: (number | '?')[];
  /** Bytes (a lower bound when `exact` is false: unresolved dims count as 1, an unknown type as 1 byte). */
  bytes: number;
  exact: boolean;
}

/** Expected output sizes for one run whose input `inputName` has `inputDims`. */
export function estimateOutputBytes(io: ModelIo, inputName: string, inputDims: readonly number[]): { outputs: OutputEstimate[]; bytes: number; exact: boolean } {
  // Symbolic dim names the input declares, valued from the dims it will get.
  const symbols = new Map<string, number>();
  const input = io.inputs.find((i) => i.name === inputName);
  input?.shape.forEach((d, k) => {
    if (typeof d === 'string' && d !== '' && inputDims[k] !== undefined) symbols.set(d, inputDims[k]);
  });
  const outputs: OutputEstimate[] = [];
  for (const o of io.outputs) {
    let exact = o.type !== undefined && ELEMENT_BYTES[o.type] !== undefined;
    let elements = 1;
    const dims: (number | '?')[] = [];
    for (const d of o.shape) {
      const v = typeof d === 'string' ? symbols.get(d) : Number.isInteger(d) && d >= 0 ? d : undefined;
      if (v === undefined) {
        exact = false;
        dims.push('?');
      } else {
        dims.push(v);
        elements *= v;
      }
    }
    outputs.push({ name: o.name, dims, bytes: elements * (ELEMENT_BYTES[o.type ?? ''] ?? 1), exact });
  }
  return { outputs, bytes: outputs.reduce((a, o) => a + o.bytes, 0), exact: outputs.every((o) => o.exact) };
}

/** The refusal, before the model runs, when its outputs for this input would exceed the output tensor cap; undefined when they fit (or cannot be known to exceed it). */
export function outputCapRefusal(io: ModelIo, inputName: string, inputDims: readonly number[], modelPath: string): string | undefined {
  const e = estimateOutputBytes(io, inputName, inputDims);
  const cap = limits().outputTensorBytes;
  if (e.bytes <= cap) return undefined;
  const parts = e.outputs.map((o) => `${o.name} [${o.dims.join(',')}] ${o.bytes} bytes`).join(', ');
  return `${modelPath}: for an input ${inputName} of [${inputDims.join(',')}] the model's outputs would hold ${e.exact ? '' : 'at least '}${e.bytes} bytes (${parts}), over the ${formatLimit('outputTensorBytes')} output cap; the model was not run: ${raiseHint('outputTensorBytes')}.`;
}
