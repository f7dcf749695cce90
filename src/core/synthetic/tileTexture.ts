/**
 * Plausible PAS/H&E-like tile pixels: a pool of seamless pink-purple textures (value noise,
 * tubule lumens, nuclei), and per-tile compositing (a shifted pool texture with the tile's
 * polygons drawn: light lumens with dark rims for vessels, dense purple for glomeruli).
 */
import { BoxMask, TILE_SIZE } from './blobRing';
import { createRng, Rng } from './prng';
import type { SyntheticPolygon } from './syntheticAnnotations';

const N = TILE_SIZE;
/** Raw RGB bytes of one 512x512 tile. */
export type RgbTile = Buffer;

/** Periodic value noise (period N) on a `cells` x `cells` lattice, smooth-step interpolated, in [0, 1]. */
function valueNoise(rng: Rng, cells: number): Float32Array {
  const lattice = new Float32Array(cells * cells);
  for (let k = 0; k < lattice.length; k++) lattice[k] = rng.next();
  const out = new Float32Array(N * N);
  const step = N / cells;
  for (let y = 0; y < N; y++) {
    const gy = y / step;
    const y0 = Math.floor(gy);
    let ty = gy - y0;
    ty = ty * ty * (3 - 2 * ty);
    const r0 = (y0 % cells) * cells;
    const r1 = ((y0 + 1) % cells) * cells;
    for (let x = 0; x < N; x++) {
      const gx = x / step;
      const x0 = Math.floor(gx);
      let tx = gx - x0;
      tx = tx * tx * (3 - 2 * tx);
      const c0 = x0 % cells;
      const c1 = (x0 + 1) % cells;
      const a = lattice[r0 + c0] + (lattice[r0 + c1] - lattice[r0 + c0]) * tx;
      const b = lattice[r1 + c0] + (lattice[r1 + c1] - lattice[r1 + c0]) * tx;
      out[y * N + x] = a + (b - a) * ty;
    }
  }
  return out;
}

const mix = (a: number, b: number, t: number): number => a + (b - a) * t;

/** Blends a colour into pixel (x, y) with weight t, wrapping around the tile (textures are seamless). */
function blendWrapped(px: Buffer, x: number, y: number, rgb: readonly number[], t: number): void {
  const o = (((y + N) % N) * N + ((x + N) % N)) * 3;
  px[o] = mix(px[o], rgb[0], t);
  px[o + 1] = mix(px[o + 1], rgb[1], t);
  px[o + 2] = mix(px[o + 2], rgb[2], t);
}

/** Fills an ellipse (wrapping) with a colour. */
function ellipse(px: Buffer, cx: number, cy: number, rx: number, ry: number, rgb: readonly number[], t: number): void {
  for (let dy = -Math.ceil(ry); dy <= Math.ceil(ry); dy++) {
    for (let dx = -Math.ceil(rx); dx <= Math.ceil(rx); dx++) {
      if ((dx * dx) / (rx * rx) + (dy * dy) / (ry * ry) <= 1) blendWrapped(px, Math.round(cx + dx), Math.round(cy + dy), rgb, t);
    }
  }
}

const STROMA = [236, 196, 220];
const CYTOPLASM = [205, 120, 172];
const LUMEN = [246, 236, 243];
const NUCLEUS = [96, 52, 130];

/** Renders one seamless texture of the pool. */
export function renderTexture(seed: number, index: number): RgbTile {
  const rng = createRng(seed, `texture-${index}`);
  const low = valueNoise(rng, 4 + rng.int(4));
  const mid = valueNoise(rng, 16 + rng.int(16));
  const fine = valueNoise(rng, 128);
  const px = Buffer.alloc(N * N * 3);
  const tint = rng.range(-12, 12);
  for (let k = 0; k < N * N; k++) {
    // Tubules (cytoplasm-rich) where mid-frequency noise is high, stroma elsewhere, grain on top.
    const tub = Math.min(1, Math.max(0, (mid[k] * 0.7 + low[k] * 0.6 - 0.55) * 4));
    const grain = (fine[k] - 0.5) * 28 + (rng.next() - 0.5) * 14;
    px[k * 3] = Math.max(0, Math.min(255, mix(STROMA[0], CYTOPLASM[0], tub) + grain + tint));
    px[k * 3 + 1] = Math.max(0, Math.min(255, mix(STROMA[1], CYTOPLASM[1], tub) + grain));
    px[k * 3 + 2] = Math.max(0, Math.min(255, mix(STROMA[2], CYTOPLASM[2], tub) + grain - tint));
  }
  // Small tubule lumens, then nuclei.
  for (let k = 0; k < 30 + rng.int(30); k++) ellipse(px, rng.int(N), rng.int(N), rng.range(3, 12), rng.range(2, 8), LUMEN, 0.8);
  for (let k = 0; k < 350 + rng.int(300); k++) ellipse(px, rng.int(N), rng.int(N), rng.range(1.5, 3.5), rng.range(1.5, 3), NUCLEUS, rng.range(0.5, 0.9));
  return px;
}

/** Copies a pool texture shifted by (dx, dy) with wrap-around (the textures are seamless). */
export function shiftedCopy(tex: RgbTile, dx: number, dy: number): RgbTile {
  const out = Buffer.alloc(N * N * 3);
  const row = N * 3;
  for (let y = 0; y < N; y++) {
    const src = ((y + dy) % N) * row;
    const cut = (dx % N) * 3;
    tex.copy(out, y * row, src + cut, src + row);
    tex.copy(out, y * row + row - cut, src, src + cut);
  }
  return out;
}

function fillMask(px: Buffer, m: BoxMask, rgb: readonly number[], t: number, rng: Rng, speckle: number): void {
  for (let y = 0; y < m.h; y++) {
    for (let x = 0; x < m.w; x++) {
      if (!m.data[y * m.w + x]) continue;
      const o = ((m.y0 + y) * N + m.x0 + x) * 3;
      const s = speckle > 0 && rng.next() < speckle ? 0.5 : 0;
      const c = s ? NUCLEUS : rgb;
      const w = s || t;
      px[o] = mix(px[o], c[0], w);
      px[o + 1] = mix(px[o + 1], c[1], w);
      px[o + 2] = mix(px[o + 2], c[2], w);
    }
  }
}

/** Draws a tile's polygons onto its pixels: vessels as light lumens with darker rims, glomeruli dense and purple, unsure faint. */
export function drawPolygons(px: RgbTile, polygons: readonly SyntheticPolygon[], rng: Rng): void {
  for (const p of polygons) {
    if (p.type === 'glomerulus') fillMask(px, p.mask, [190, 100, 160], 0.55, rng, 0.05);
    else fillMask(px, p.mask, LUMEN, p.type === 'unsure' ? 0.45 : 0.8, rng, 0);
    const rim = p.type === 'glomerulus' ? [150, 80, 140] : [130, 60, 120];
    for (const [x, y] of p.ring) {
      for (let d = 0; d < 5; d++) {
        const nx = x + (d === 1 ? 1 : d === 2 ? -1 : 0);
        const ny = y + (d === 3 ? 1 : d === 4 ? -1 : 0);
        if (nx >= 0 && ny >= 0 && nx < N && ny < N) blendWrapped(px, nx, ny, rim, 0.35);
      }
    }
  }
}
