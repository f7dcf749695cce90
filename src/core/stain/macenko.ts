/**
 * Macenko stain normalisation, as torchstain's numpy version (from schaugf/HEnorm_python):
 * OD = -log((I + 1) / Io); tissue = pixels with OD >= beta in every channel; the plane of the two
 * largest eigenvectors of their OD covariance; stain vectors at the alpha and 100 - alpha
 * percentiles of the angle; concentrations by least squares; 99th-percentile maxima scaled onto
 * the reference's. Constants: Io 240, alpha 1, beta 0.15, the reference HE matrix below.
 */
import { asRgba, type StainResult } from './randStainNa';
import { unusableReason, type RgbPixels } from './tileStats';

export const MACENKO_IO = 240;
export const MACENKO_ALPHA = 1;
export const MACENKO_BETA = 0.15;
/** torchstain's reference stain matrix (columns H, E; rows R, G, B) and maximum concentrations. */
export const MACENKO_REFERENCE: MacenkoStains = {
  he: [
    [0.5626, 0.2159],
    [0.7201, 0.8012],
    [0.4062, 0.5581],
  ],
  maxC: [1.9705, 1.0308],
};
/** Fewer tissue pixels than this (or 1 % of the tile, if larger) give no reliable stain vectors. */
export const MACENKO_MIN_TISSUE = 500;

/** A stain matrix (3 x 2, columns haematoxylin and eosin) and its 99th-percentile concentrations. */
export interface MacenkoStains {
  he: [[number, number], [number, number], [number, number]];
  maxC: [number, number];
}

/** A fit, or why there is none. */
export type MacenkoFit = { ok: true; stains: MacenkoStains; tissuePixels: number } | { ok: false; reason: string; tissuePixels: number };

const OD_TABLE = (() => {
  const t = new Float64Array(256);
  for (let v = 0; v < 256; v++) t[v] = -Math.log((v + 1) / MACENKO_IO);
  return t;
})();

/** numpy's np.percentile (linear interpolation) of a buffer, which it reorders. */
export function percentile(a: Float64Array, q: number): number {
  const n = a.length;
  const pos = (q / 100) * (n - 1);
  const k = Math.floor(pos);
  const lo = select(a, k);
  if (pos === k || k + 1 >= n) return lo;
  let hi = Infinity;
  for (let i = k + 1; i < n; i++) if (a[i] < hi) hi = a[i];
  return lo + (hi - lo) * (pos - k);
}

/** Quickselect: a[k] is the k-th smallest afterwards, smaller ones before it, larger after. */
function select(a: Float64Array, k: number): number {
  let l = 0, r = a.length - 1;
  while (r > l) {
    const pivot = a[(l + r) >> 1];
    let i = l, j = r;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) r = j;
    else if (k >= i) l = i;
    else break;
  }
  return a[k];
}

/** Eigen-decomposition of a symmetric 3x3 matrix (cyclic Jacobi); eigenvalues ascending, vectors as columns. */
export function symmetricEigen3(m: number[]): { values: number[]; vectors: number[][] } {
  const a = [[m[0], m[1], m[2]], [m[3], m[4], m[5]], [m[6], m[7], m[8]]];
  const v = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
  for (let sweep = 0; sweep < 50; sweep++) {
    const off = a[0][1] ** 2 + a[0][2] ** 2 + a[1][2] ** 2;
    if (off < 1e-30) break;
    for (const [p, q] of [[0, 1], [0, 2], [1, 2]]) {
      if (Math.abs(a[p][q]) < 1e-300) continue;
      const theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
      const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
      const c = 1 / Math.sqrt(t * t + 1), s = t * c;
      for (let k = 0; k < 3; k++) {
        const akp = a[k][p], akq = a[k][q];
        a[k][p] = c * akp - s * akq;
        a[k][q] = s * akp + c * akq;
      }
      for (let k = 0; k < 3; k++) {
        const apk = a[p][k], aqk = a[q][k];
        a[p][k] = c * apk - s * aqk;
        a[q][k] = s * apk + c * aqk;
      }
      for (let k = 0; k < 3; k++) {
        const vkp = v[k][p], vkq = v[k][q];
        v[k][p] = c * vkp - s * vkq;
        v[k][q] = s * vkp + c * vkq;
      }
    }
  }
  const order = [0, 1, 2].sort((i, j) => a[i][i] - a[j][j]);
  return { values: order.map((i) => a[i][i]), vectors: [0, 1, 2].map((r) => order.map((i) => v[r][i])) };
}

interface Matrices {
  stains: MacenkoStains;
  /** Concentrations, 2 per pixel (H, E). */
  conc: Float64Array;
  tissuePixels: number;
}

function computeMatrices(px: RgbPixels): Matrices | { reason: string; tissuePixels: number } {
  const d = px.data, ch = px.channels, n = px.width * px.height;
  const od = new Float64Array(n * 3);
  let t = 0;
  let s0 = 0, s1 = 0, s2 = 0;
  for (let p = 0, i = 0; p < n; p++, i += ch) {
    const r = OD_TABLE[d[i]], g = OD_TABLE[d[i + 1]], b = OD_TABLE[d[i + 2]];
    od[p * 3] = r;
    od[p * 3 + 1] = g;
    od[p * 3 + 2] = b;
    if (r >= MACENKO_BETA && g >= MACENKO_BETA && b >= MACENKO_BETA) {
      t++;
      s0 += r;
      s1 += g;
      s2 += b;
    }
  }
  const need = Math.max(MACENKO_MIN_TISSUE, Math.ceil(n * 0.01));
  if (t < need) return { reason: `only ${t} tissue pixels (optical density >= ${MACENKO_BETA} in every channel); Macenko needs at least ${need}`, tissuePixels: t };
  const m0 = s0 / t, m1 = s1 / t, m2 = s2 / t;
  let c00 = 0, c01 = 0, c02 = 0, c11 = 0, c12 = 0, c22 = 0;
  const hat = new Float64Array(t * 3);
  for (let p = 0, k = 0; p < n; p++) {
    const r = od[p * 3], g = od[p * 3 + 1], b = od[p * 3 + 2];
    if (r >= MACENKO_BETA && g >= MACENKO_BETA && b >= MACENKO_BETA) {
      hat[k++] = r;
      hat[k++] = g;
      hat[k++] = b;
      const x = r - m0, y = g - m1, z = b - m2;
      c00 += x * x; c01 += x * y; c02 += x * z; c11 += y * y; c12 += y * z; c22 += z * z;
    }
  }
  const f = 1 / (t - 1); // np.cov: ddof 1
  const { vectors } = symmetricEigen3([c00 * f, c01 * f, c02 * f, c01 * f, c11 * f, c12 * f, c02 * f, c12 * f, c22 * f]);
  // The plane of the two largest eigenvectors; LAPACK's signs are arbitrary, so the first is
  // turned to give positive projections (as it does for stained tissue), the angle is then continuous.
  const e1 = [vectors[0][1], vectors[1][1], vectors[2][1]];
  const e2 = [vectors[0][2], vectors[1][2], vectors[2][2]];
  const phi = new Float64Array(t);
  let sumA = 0;
  for (let k = 0; k < t; k++) sumA += hat[k * 3] * e1[0] + hat[k * 3 + 1] * e1[1] + hat[k * 3 + 2] * e1[2];
  if (sumA < 0) for (let i = 0; i < 3; i++) e1[i] = -e1[i];
  for (let k = 0; k < t; k++) {
    const x = hat[k * 3], y = hat[k * 3 + 1], z = hat[k * 3 + 2];
    phi[k] = Math.atan2(x * e2[0] + y * e2[1] + z * e2[2], x * e1[0] + y * e1[1] + z * e1[2]);
  }
  const minPhi = percentile(phi, MACENKO_ALPHA);
  const maxPhi = percentile(phi, 100 - MACENKO_ALPHA);
  const vMin = [0, 1, 2].map((i) => e1[i] * Math.cos(minPhi) + e2[i] * Math.sin(minPhi));
  const vMax = [0, 1, 2].map((i) => e1[i] * Math.cos(maxPhi) + e2[i] * Math.sin(maxPhi));
  const [h, e] = vMin[0] > vMax[0] ? [vMin, vMax] : [vMax, vMin];
  // Least squares C = (HE^T HE)^-1 HE^T y for every pixel.
  const a11 = h[0] * h[0] + h[1] * h[1] + h[2] * h[2];
  const a12 = h[0] * e[0] + h[1] * e[1] + h[2] * e[2];
  const a22 = e[0] * e[0] + e[1] * e[1] + e[2] * e[2];
  const det = a11 * a22 - a12 * a12;
  if (!(Math.abs(det) > 1e-12)) return { reason: 'the two stain vectors found are parallel (one stain only?)', tissuePixels: t };
  const i11 = a22 / det, i12 = -a12 / det, i22 = a11 / det;
  const conc = new Float64Array(n * 2);
  const ch0 = new Float64Array(n), ch1 = new Float64Array(n);
  for (let p = 0; p < n; p++) {
    const r = od[p * 3], g = od[p * 3 + 1], b = od[p * 3 + 2];
    const bh = h[0] * r + h[1] * g + h[2] * b, be = e[0] * r + e[1] * g + e[2] * b;
    const x = i11 * bh + i12 * be, y = i12 * bh + i22 * be;
    conc[p * 2] = x;
    conc[p * 2 + 1] = y;
    ch0[p] = x;
    ch1[p] = y;
  }
  const maxC: [number, number] = [percentile(ch0, 99), percentile(ch1, 99)];
  return { stains: { he: [[h[0], e[0]], [h[1], e[1]], [h[2], e[2]]], maxC }, conc, tissuePixels: t };
}

/** Fits stain vectors and maximum concentrations on a picture (torchstain's fit). */
export function macenkoFit(px: RgbPixels): MacenkoFit {
  const bad = unusableReason(px);
  if (bad) return { ok: false, reason: bad, tissuePixels: 0 };
  const m = computeMatrices(px);
  if ('reason' in m) return { ok: false, reason: m.reason, tissuePixels: m.tissuePixels };
  return { ok: true, stains: m.stains, tissuePixels: m.tissuePixels };
}

/** Normalises a picture onto the target stains (torchstain's normalize); unusable tiles come back unchanged with the reason. */
export function macenkoNormalise(px: RgbPixels, target: MacenkoStains = MACENKO_REFERENCE): StainResult {
  const { width, height } = px;
  const bad = unusableReason(px);
  if (bad) return { width, height, data: asRgba(px), applied: false, reason: `left unchanged: ${bad}` };
  const m = computeMatrices(px);
  if ('reason' in m) return { width, height, data: asRgba(px), applied: false, reason: `left unchanged: ${m.reason}` };
  const k0 = m.stains.maxC[0] / target.maxC[0], k1 = m.stains.maxC[1] / target.maxC[1];
  const he = target.he;
  const n = width * height;
  const out: Uint8Array = new Uint8Array(n * 4);
  const c = m.conc;
  for (let p = 0; p < n; p++) {
    const x = c[p * 2] / k0, y = c[p * 2 + 1] / k1;
    for (let q = 0; q < 3; q++) {
      const v = MACENKO_IO * Math.exp(-(he[q][0] * x + he[q][1] * y));
      out[p * 4 + q] = v > 255 ? 255 : v > 0 ? Math.trunc(v) : 0;
    }
    out[p * 4 + 3] = 255;
  }
  return { width, height, data: out, applied: true };
}
