/** Flip/rotate test-time augmentation: transform an input, un-transform and average the outputs. */

/** The dihedral transforms used for TTA. rot90 turns counter-clockwise, as numpy/torch rot90 (k=1). */
export type TtaTransform = 'identity' | 'hflip' | 'vflip' | 'rot90' | 'rot180' | 'rot270' | 'transpose';

/** All transforms, identity first. */
export const TTA_TRANSFORMS: readonly TtaTransform[] = ['identity', 'hflip', 'vflip', 'rot90', 'rot180', 'rot270', 'transpose'];

/** The transform that undoes t. */
export function inverseTransform(t: TtaTransform): TtaTransform {
  return t === 'rot90' ? 'rot270' : t === 'rot270' ? 'rot90' : t;
}

/** Output size of t applied to a height x width image. */
export function transformedSize(t: TtaTransform, height: number, width: number): { height: number; width: number } {
  return t === 'rot90' || t === 'rot270' || t === 'transpose' ? { height: width, width: height } : { height, width };
}

/** Applies t to a row-major image with `channels` interleaved values per pixel (HWC; 1 for a map). */
export function transformPixels<T extends Float32Array | Uint8Array>(src: T, height: number, width: number, t: TtaTransform, channels = 1): T {
  if (src.length !== height * width * channels) {
    throw new Error(`image has ${src.length} values, expected ${height}x${width}x${channels}`);
  }
  const out = new (src.constructor as new (n: number) => T)(src.length);
  const { width: ow } = transformedSize(t, height, width);
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      let dr: number, dc: number;
      switch (t) {
        case 'identity': dr = r; dc = c; break;
        case 'hflip': dr = r; dc = width - 1 - c; break;
        case 'vflip': dr = height - 1 - r; dc = c; break;
        case 'rot180': dr = height - 1 - r; dc = width - 1 - c; break;
        case 'transpose': dr = c; dc = r; break;
        case 'rot90': dr = width - 1 - c; dc = r; break;
        case 'rot270': dr = c; dc = height - 1 - r; break;
      }
      const s = (r * width + c) * channels, d = (dr * ow + dc) * channels;
      for (let k = 0; k < channels; k++) out[d + k] = src[s + k];
    }
  }
  return out;
}

/** One model output made on a transformed input: its map and the transform of that input. */
export interface TransformedMap {
  transform: TtaTransform;
  /** The output map, in the transformed frame (row-major). */
  data: Float32Array;
}

/** Averages model outputs after undoing each one's transform; height/width are of the original tile. */
export function averageUntransformed(maps: readonly TransformedMap[], height: number, width: number): Float32Array {
  if (maps.length === 0) throw new Error('no probability maps to average');
  const sum = new Float32Array(height * width);
  for (const m of maps) {
    const size = transformedSize(m.transform, height, width);
    const back = transformPixels(m.data, size.height, size.width, inverseTransform(m.transform));
    for (let i = 0; i < sum.length; i++) sum[i] += back[i];
  }
  for (let i = 0; i < sum.length; i++) sum[i] /= maps.length;
  return sum;
}
