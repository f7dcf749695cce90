/** A small seeded pseudo-random generator (mulberry32 seeded through splitmix32), deterministic across platforms. */

/** A deterministic random source. */
export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Uniform float in [lo, hi). */
  range(lo: number, hi: number): number;
  /** Standard normal deviate (Box-Muller). */
  normal(): number;
  /** A uniform 32-bit unsigned integer. */
  u32(): number;
}

function splitmix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  let z = x;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** Creates a generator from a seed and an optional stream name, so that independent parts of the data draw from independent streams. */
export function createRng(seed: number, stream = ''): Rng {
  let h = splitmix32(seed >>> 0);
  for (let k = 0; k < stream.length; k++) h = splitmix32(h ^ stream.charCodeAt(k));
  let state = h;
  const u32 = (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  const next = (): number => u32() / 4294967296;
  return {
    next,
    u32,
    int: (n) => Math.floor(next() * n),
    range: (lo, hi) => lo + (hi - lo) * next(),
    normal: () => {
      const u = 1 - next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
    },
  };
}

/** Shuffles an array in place (Fisher-Yates) and returns it. */
export function shuffleInPlace<T>(items: T[], rng: Rng): T[] {
  for (let k = items.length - 1; k > 0; k--) {
    const m = rng.int(k + 1);
    const t = items[k];
    items[k] = items[m];
    items[m] = t;
  }
  return items;
}
