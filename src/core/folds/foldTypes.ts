/** Plain data types of validation folds: the tile table folds are made from, the schemes, the result. */

/** One tile as fold making sees it (from tile_meta.csv and the per-tile polygon counts). */
export interface FoldTile {
  id: string;
  wsi: number;
  dataset: number;
  /** Pixel offset of the tile's upper-left corner in its WSI (x, y). */
  i: number;
  j: number;
  /** Blood vessels on the tile (0 when unknown). */
  vessels: number;
  /** Classes present on the tile, e.g. ['blood_vessel', 'glomerulus']. */
  classes: readonly string[];
  /** Tile size in px (512 when not given). */
  size?: number;
}

/** What a stratified K-fold balances. */
export type Stratify = 'none' | 'dataset' | 'vesselBins' | 'classPresence' | 'wsi';

/** The fold schemes competitors used (training-pipeline.md section 2). */
export type FoldScheme =
  /** K-fold, shuffled with the seed, stratified on `stratify`: copies of StratifiedKFold (leaks overlapping tiles). */
  | { kind: 'kfold'; k: number; seed: number; stratify: Stratify }
  /** K-fold grouped by WSI (no WSI in two folds), stratified like scikit-learn's StratifiedGroupKFold(shuffle=False). */
  | { kind: 'groupWsi'; k: number; stratify: Stratify }
  /** Each WSI split by position: 'halves' = left / right of its i midpoint (2 folds per WSI); 'share' = the lowest and highest `share` of i (2 folds per WSI, the middle always trains). */
  | { kind: 'wsiPosition'; split: 'halves' | 'share'; share?: number; wsis?: readonly number[] }
  /** One fold per WSI. */
  | { kind: 'leaveOneWsiOut' };

/** A tile that is in the training set of every fold (never validated). */
export const ALWAYS_TRAIN = -1;

/** The result: one fold per tile (ALWAYS_TRAIN for tiles that only ever train). */
export interface FoldAssignment {
  scheme: FoldScheme;
  /** Number of validation folds. */
  folds: number;
  /** Fold of each tile id, in the input order. */
  fold: Map<string, number>;
  /** A name per fold, e.g. 'WSI 1 left'. */
  names: string[];
  /** The stratum label of each tile used for balancing ('' when not stratified). */
  strata?: Map<string, string>;
}
