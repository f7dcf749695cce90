/** A small seeded random source for stain sampling (mulberry32), with the draws RandStainNA makes. */

/** Uniform floats in [0, 1) from a seed; the same seed gives the same sequence everywhere. */
export interface StainRng {
  next(): number;
}

/** mulberry32 seeded with `seed`. */
export function stainRng(seed: number): StainRng {
  let state = (seed >>> 0) ^ 0x9e3779b9;
  return {
    next(): number {
      state = (state + 0x6d2b79f5) | 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}

/** A normal deviate (Box-Muller); scale 0 returns loc exactly. */
export function drawNormal(rng: StainRng, loc: number, scale: number): number {
  if (scale === 0) return loc;
  const u = 1 - rng.next(), v = rng.next();
  return loc + scale * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** A Laplace deviate (inverse CDF); scale 0 returns loc exactly. */
export function drawLaplace(rng: StainRng, loc: number, scale: number): number {
  if (scale === 0) return loc;
  const u = rng.next() - 0.5;
  return loc - scale * Math.sign(u) * Math.log(1 - 2 * Math.abs(u));
}

/** A uniform deviate in [lo, hi). */
export function drawUniform(rng: StainRng, lo: number, hi: number): number {
  return lo + (hi - lo) * rng.next();
}
