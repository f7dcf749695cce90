/** Shuffled, stratified K-fold: each stratum dealt round-robin over the folds, so every fold holds floor or ceil of n/k of each stratum. */
import { type FoldAssignment, type FoldTile, type Stratify } from './foldTypes';
import { seededShuffle } from './seededOrder';
import { stratumOf } from './strata';

/** K-fold over tiles, seeded, balanced per stratum within one tile (as scikit-learn's StratifiedKFold). */
export function stratifiedKFold(tiles: readonly FoldTile[], k: number, seed: number, stratify: Stratify): FoldAssignment {
  if (!Number.isInteger(k) || k < 2) throw new Error(`K-fold needs k >= 2 folds (got ${k}).`);
  if (tiles.length < k) throw new Error(`K-fold with k = ${k} needs at least ${k} tiles; the selection has ${tiles.length}.`);
  const groups = new Map<string, FoldTile[]>();
  const strata = new Map<string, string>();
  for (const t of tiles) {
    const s = stratumOf(t, stratify);
    strata.set(t.id, s);
    let g = groups.get(s);
    if (!g) groups.set(s, (g = []));
    g.push(t);
  }
  const fold = new Map<string, number>();
  // Strata in sorted order, each shuffled by its own seed; the deal continues where the last stratum stopped, so fold sizes stay balanced too.
  let next = 0;
  const keys = [...groups.keys()].sort();
  keys.forEach((s, n) => {
    const sorted = groups.get(s)!.slice().sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    for (const t of seededShuffle(sorted, (seed * 1000003 + n) | 0)) {
      fold.set(t.id, next);
      next = (next + 1) % k;
    }
  });
  const ordered = new Map<string, number>();
  for (const t of tiles) ordered.set(t.id, fold.get(t.id)!);
  return { scheme: { kind: 'kfold', k, seed, stratify }, folds: k, fold: ordered, names: Array.from({ length: k }, (_, f) => `fold ${f}`), strata };
}
