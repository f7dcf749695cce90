/**
 * OpenCV's 8-bit RGB <-> HSV (cv2.COLOR_BGR2HSV / COLOR_HSV2BGR on uint8): H in 0..180 (degrees / 2),
 * S and V in 0..255. A port of OpenCV 4's RGB2HSV_b fixed-point tables and HSV2RGB_b's float path,
 * checked against cv2 on all 16.7M values in test/unit/stainColour.test.ts.
 */
import { cvRound } from './opencvLab';

const HSV_SHIFT = 12;
let sdiv: Int32Array | undefined;
let hdiv: Int32Array | undefined;

/** RGB2HSV_b's division tables: sdiv[v] = round((255 << 12) / v), hdiv[d] = round((180 << 12) / (6 d)). */
export function hsvDivTables(): { sdiv: Int32Array; hdiv: Int32Array } {
  if (!sdiv || !hdiv) {
    sdiv = new Int32Array(256);
    hdiv = new Int32Array(256);
    for (let i = 1; i < 256; i++) {
      sdiv[i] = cvRound((255 << HSV_SHIFT) / i);
      hdiv[i] = cvRound((180 << HSV_SHIFT) / (6 * i));
    }
  }
  return { sdiv, hdiv };
}

/** RGB (or RGBA, stride `channels`) bytes -> OpenCV 8-bit HSV (H 0..179), 3 bytes per pixel. */
export function rgbToHsvCv(src: Uint8Array, channels: number, out: Uint8Array = new Uint8Array((src.length / channels) * 3)): Uint8Array {
  const { sdiv: sd, hdiv: hd } = hsvDivTables();
  const half = 1 << (HSV_SHIFT - 1);
  const n = src.length / channels;
  for (let p = 0, s = 0, o = 0; p < n; p++, s += channels, o += 3) {
    const r = src[s], g = src[s + 1], b = src[s + 2];
    let v = b, vmin = b;
    if (g > v) v = g;
    if (r > v) v = r;
    if (g < vmin) vmin = g;
    if (r < vmin) vmin = r;
    const diff = v - vmin;
    const sat = (diff * sd[v] + half) >> HSV_SHIFT;
    let h = v === r ? g - b : v === g ? b - r + 2 * diff : r - g + 4 * diff;
    h = (h * hd[diff] + half) >> HSV_SHIFT;
    if (h < 0) h += 180;
    out[o] = h > 255 ? 255 : h;
    out[o + 1] = sat;
    out[o + 2] = v;
  }
  return out;
}

const f = Math.fround;
const HSCALE = f(6 / 180);
const INV255 = f(1 / 255);

/**
 * OpenCV 8-bit HSV (3 bytes per pixel, H may exceed 180 and wraps) -> RGB with stride `outChannels`.
 * Follows the vectorised path cv2 takes on rows whose width is a multiple of its vector block
 * (every 512-px tile): float32 maths, then the value x 255 truncated. Bit-exact with the cv2 4.6
 * AVX2 build (its compiler fuses 1 - s*h into one multiply-add); a build without FMA differs by 1
 * on about 0.01 % of values.
 */
export function hsvCvToRgb(src: Uint8Array, outChannels: 3 | 4 = 3, out: Uint8Array = new Uint8Array((src.length / 3) * outChannels)): Uint8Array {
  const n = src.length / 3;
  const six = f(1 / 6);
  for (let p = 0, s = 0, o = 0; p < n; p++, s += 3, o += outChannels) {
    let h = f(src[s] * HSCALE);
    const sat = f(src[s + 1] * INV255), v = f(src[s + 2] * INV255);
    const pre = Math.trunc(h);
    h = f(h - pre);
    const t0 = v;
    const t1 = f(v * f(1 - sat));
    // cv2's AVX2 build contracts 1 - s*h into one fused multiply-add (a single rounding).
    const t2 = f(v * f(1 - sat * h));
    const t3 = f(v * f(1 - sat * f(1 - h)));
    const sector = pre - Math.trunc(f(pre * six)) * 6;
    let bb: number, gg: number, rr: number;
    switch (sector) {
      case 0: bb = t1; gg = t3; rr = t0; break;
      case 1: bb = t1; gg = t0; rr = t2; break;
      case 2: bb = t3; gg = t0; rr = t1; break;
      case 3: bb = t0; gg = t2; rr = t1; break;
      case 4: bb = t0; gg = t1; rr = t3; break;
      default: bb = t2; gg = t1; rr = t0; break;
    }
    const R = Math.trunc(f(rr * 255)), G = Math.trunc(f(gg * 255)), B = Math.trunc(f(bb * 255));
    out[o] = R < 0 ? 0 : R > 255 ? 255 : R;
    out[o + 1] = G < 0 ? 0 : G > 255 ? 255 : G;
    out[o + 2] = B < 0 ? 0 : B > 255 ? 255 : B;
    if (outChannels === 4) out[o + 3] = 255;
  }
  return out;
}
