/** One entry point for every fold scheme, and the folds.csv / per-fold list text. */
import { csvCell } from '../text';
import { ALWAYS_TRAIN, type FoldAssignment, type FoldScheme, type FoldTile } from './foldTypes';
import { groupWsiKFold } from './groupKFold';
import { leaveOneWsiOut, wsiPositionFolds } from './positionFolds';
import { stratifiedKFold } from './stratifiedKFold';

/** Makes the folds of a scheme; deterministic for the same tiles and scheme (seeded). */
export function makeFolds(tiles: readonly FoldTile[], scheme: FoldScheme): FoldAssignment {
  switch (scheme.kind) {
    case 'kfold': return stratifiedKFold(tiles, scheme.k, scheme.seed, scheme.stratify);
    case 'groupWsi': return groupWsiKFold(tiles, scheme.k, scheme.stratify);
    case 'wsiPosition': return wsiPositionFolds(tiles, scheme.split, scheme.share, scheme.wsis);
    case 'leaveOneWsiOut': return leaveOneWsiOut(tiles);
  }
}

/** A one-line description of a scheme, for README, manifest and UI. */
export function describeScheme(s: FoldScheme): string {
  switch (s.kind) {
    case 'kfold': return `${s.k}-fold, shuffled with seed ${s.seed}, ${s.stratify === 'none' ? 'not stratified' : `stratified on ${s.stratify}`} (overlapping tiles of one WSI can fall in different folds: see the leakage check)`;
    case 'groupWsi': return `${s.k}-fold grouped by WSI${s.stratify === 'none' ? '' : `, stratified on ${s.stratify}`} (scikit-learn StratifiedGroupKFold, shuffle=False)`;
    case 'wsiPosition': return s.split === 'halves' ? 'each WSI split into left and right halves (2 folds per WSI)' : `per WSI the lowest and highest ${Math.round((s.share ?? 0.2) * 100)}% of i (2 folds per WSI; the middle always trains)`;
    case 'leaveOneWsiOut': return 'leave one WSI out (one fold per WSI)';
  }
}

/** folds.csv: `id,fold` per tile in the given order (fold -1 = always in training); ids written as CSV cells (quoted, formula-guarded). */
export function foldsCsv(a: FoldAssignment, ids: Iterable<string> = a.fold.keys()): string {
  const out = ['id,fold'];
  for (const id of ids) {
    const f = a.fold.get(id);
    if (f !== undefined) out.push(`${csvCell(id)},${f}`);
  }
  return out.join('\n') + '\n';
}

/** The tile ids validated in fold f and those trained on in it. */
export function foldSplit(a: FoldAssignment, f: number): { train: string[]; val: string[] } {
  const train: string[] = [], val: string[] = [];
  for (const [id, g] of a.fold) (g === f ? val : train).push(id);
  return { train, val };
}

export { ALWAYS_TRAIN };
