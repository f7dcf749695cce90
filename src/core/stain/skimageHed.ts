/**
 * scikit-image's haematoxylin-eosin-DAB separation (skimage.color.rgb2hed / hed2rgb, releases since
 * 2021): OD = log(max(rgb / 255, 1e-6)) / log(1e-6), stains = OD x inv(rgb_from_hed) clipped at 0;
 * back: rgb = clip(exp(-(stains x -log(1e-6)) x rgb_from_hed), 0, 1). Float64 throughout.
 */

/** skimage's rgb_from_hed (rows: haematoxylin, eosin, DAB). */
export const RGB_FROM_HED: readonly number[] = [0.65, 0.7, 0.29, 0.07, 0.99, 0.11, 0.27, 0.57, 0.78];

/** Inverse of a row-major 3x3 matrix. */
export function invert3(m: readonly number[]): number[] {
  const [a, b, c, d, e, f, g, h, i] = m;
  const A = e * i - f * h, B = -(d * i - f * g), C = d * h - e * g;
  const det = a * A + b * B + c * C;
  return [A / det, -(b * i - c * h) / det, (b * f - c * e) / det, B / det, (a * i - c * g) / det, -(a * f - c * d) / det, C / det, -(a * h - b * g) / det, (a * e - b * d) / det];
}

/** skimage's hed_from_rgb = inv(rgb_from_hed). */
export const HED_FROM_RGB: readonly number[] = invert3(RGB_FROM_HED);

const LOG_ADJUST = Math.log(1e-6);
/** Optical density per 8-bit value: log(max(v / 255, 1e-6)) / log(1e-6). */
export const HED_OD: Float64Array = (() => {
  const t = new Float64Array(256);
  for (let v = 0; v < 256; v++) t[v] = Math.log(Math.max(v / 255, 1e-6)) / LOG_ADJUST;
  return t;
})();

/** RGB (or RGBA, stride `channels`) bytes -> H, E, D stain concentrations (3 floats per pixel). */
export function rgbToHed(src: Uint8Array, channels: number, out: Float64Array = new Float64Array((src.length / channels) * 3)): Float64Array {
  const m = HED_FROM_RGB;
  const n = src.length / channels;
  for (let p = 0, s = 0, o = 0; p < n; p++, s += channels, o += 3) {
    const r = HED_OD[src[s]], g = HED_OD[src[s + 1]], b = HED_OD[src[s + 2]];
    const h = r * m[0] + g * m[3] + b * m[6];
    const e = r * m[1] + g * m[4] + b * m[7];
    const d = r * m[2] + g * m[5] + b * m[8];
    out[o] = h > 0 ? h : 0;
    out[o + 1] = e > 0 ? e : 0;
    out[o + 2] = d > 0 ? d : 0;
  }
  return out;
}

/** H, E, D concentrations (3 floats per pixel) -> RGB floats in 0..1 (skimage's hed2rgb). */
export function hedToRgbFloat(src: Float64Array, out: Float64Array = new Float64Array(src.length)): Float64Array {
  const m = RGB_FROM_HED;
  const k = -LOG_ADJUST;
  for (let o = 0; o < src.length; o += 3) {
    const h = src[o] * k, e = src[o + 1] * k, d = src[o + 2] * k;
    for (let c = 0; c < 3; c++) {
      const v = Math.exp(-(h * m[c] + e * m[3 + c] + d * m[6 + c]));
      out[o + c] = v > 1 ? 1 : v < 0 ? 0 : v;
    }
  }
  return out;
}
