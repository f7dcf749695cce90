/** mulberry32: a small seeded PRNG so random test cases are the same on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random row-major binary mask made of a few rectangles and some speckle. */
export function randomMask(rand: () => number, height: number, width: number, rects = 3, speckle = 0.01): Uint8Array {
  const m = new Uint8Array(height * width);
  for (let k = 0; k < rects; k++) {
    const x0 = Math.floor(rand() * width), y0 = Math.floor(rand() * height);
    const x1 = Math.min(width, x0 + 1 + Math.floor(rand() * width * 0.4));
    const y1 = Math.min(height, y0 + 1 + Math.floor(rand() * height * 0.4));
    for (let r = y0; r < y1; r++) for (let c = x0; c < x1; c++) m[r * width + c] = 1;
  }
  for (let i = 0; i < m.length; i++) if (rand() < speckle) m[i] ^= 1;
  return m;
}
