/** Folds by position inside each WSI (the 1st and 2nd places' validation) and leave-one-WSI-out. */
import { ALWAYS_TRAIN, type FoldAssignment, type FoldTile } from './foldTypes';

const TILE = 512;

/**
 * Two folds per WSI. 'halves': tiles whose centre lies left of the WSI's mid-x (centre of the span
 * of i) are one fold, the rest the other. 'share': the tiles with the lowest `share` of i (by rank)
 * and those with the highest `share`; the middle is ALWAYS_TRAIN. Tiles of WSIs not in `wsis` are ALWAYS_TRAIN.
 */
export function wsiPositionFolds(tiles: readonly FoldTile[], split: 'halves' | 'share', share = 0.2, wsis?: readonly number[]): FoldAssignment {
  if (split === 'share' && !(share > 0 && share <= 0.5)) throw new Error(`The position share must be in (0, 0.5] (got ${share}).`);
  const chosen = [...new Set(tiles.map((t) => t.wsi))].filter((w) => !wsis || wsis.includes(w)).sort((a, b) => a - b);
  if (chosen.length === 0) throw new Error(`No tile belongs to the WSIs asked for (${(wsis ?? []).join(', ')}).`);
  const fold = new Map<string, number>();
  for (const t of tiles) fold.set(t.id, ALWAYS_TRAIN);
  const names: string[] = [];
  chosen.forEach((w, n) => {
    const own = tiles.filter((t) => t.wsi === w);
    const [lo, hi] = split === 'halves' ? ['left', 'right'] : [`lowest ${Math.round(share * 100)}% of i`, `highest ${Math.round(share * 100)}% of i`];
    names.push(`WSI ${w} ${lo}`, `WSI ${w} ${hi}`);
    if (split === 'halves') {
      let min = Infinity, max = -Infinity;
      for (const t of own) { min = Math.min(min, t.i); max = Math.max(max, t.i + (t.size ?? TILE)); }
      const mid = (min + max) / 2;
      for (const t of own) fold.set(t.id, t.i + (t.size ?? TILE) / 2 < mid ? 2 * n : 2 * n + 1);
    } else {
      const byI = own.slice().sort((a, b) => a.i - b.i || (a.id < b.id ? -1 : 1));
      const m = Math.max(1, Math.round(share * byI.length));
      byI.forEach((t, r) => {
        if (r < m) fold.set(t.id, 2 * n);
        else if (r >= byI.length - m) fold.set(t.id, 2 * n + 1);
      });
    }
  });
  return { scheme: { kind: 'wsiPosition', split, ...(split === 'share' ? { share } : {}), ...(wsis ? { wsis } : {}) }, folds: names.length, fold, names };
}

/** One fold per WSI, in WSI order. */
export function leaveOneWsiOut(tiles: readonly FoldTile[]): FoldAssignment {
  const wsis = [...new Set(tiles.map((t) => t.wsi))].sort((a, b) => a - b);
  if (wsis.length < 2) throw new Error(`Leave-one-WSI-out needs at least 2 WSIs; the selection has ${wsis.length}.`);
  const fold = new Map<string, number>();
  for (const t of tiles) fold.set(t.id, wsis.indexOf(t.wsi));
  return { scheme: { kind: 'leaveOneWsiOut' }, folds: wsis.length, fold, names: wsis.map((w) => `WSI ${w}`) };
}
