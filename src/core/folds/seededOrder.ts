/** A seeded, platform-independent shuffle (mulberry32), so folds are the same for a seed everywhere. */

/** Returns a new array: items shuffled (Fisher-Yates) by a generator seeded with seed. */
export function seededShuffle<T>(items: readonly T[], seed: number): T[] {
  let state = (seed ^ 0x9e3779b9) | 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = items.slice();
  for (let k = out.length - 1; k > 0; k--) {
    const m = Math.floor(next() * (k + 1));
    const x = out[k];
    out[k] = out[m];
    out[m] = x;
  }
  return out;
}
