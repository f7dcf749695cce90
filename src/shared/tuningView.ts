/** What the Dataset Overview's tuning section is sent (a sweep's cells, ranked) and what it reports back (snapshot). Types only: browser-safe. */

/** The swept parameters, by name, with their values (as the grid holds them). */
export interface TuningGridView {
  threshold: number[];
  dilation: number[];
  minArea: number[];
  tta: string[];
  glomerulus: string[];
}

export type TuningParam = keyof TuningGridView;

/** One cell of the sweep as the section shows it. */
export interface TuningCellView {
  index: number;
  params: { threshold: number; dilation: number; minArea: number; tta: string; glomerulus: string };
  ap: number | null;
  tp: number;
  fp: number;
  fn: number;
  perWsi: Record<string, number | null>;
  perFold: Record<string, number | null>;
  spread: { min: number | null; mean: number | null; max: number | null };
  /** Interpolated-precision PR curve (thinned). */
  curve: { recall: number; precision: number; confidence: number }[];
  /** `vasculature-explorer predict` flags of this cell. */
  cliFlags: string;
}

/** A finished sweep for the section. */
export interface TuningView {
  model: string;
  outputKind: string;
  tiles: number;
  convention: string;
  /** Robustness groups of the spread: folds (a folds file) or WSIs. */
  groups: 'fold' | 'wsi';
  grid: TuningGridView;
  cells: TuningCellView[];
  best: { byMean: number; byWorstFold: number; warning?: string };
  /** Tiles left out of the sweep and the first few reasons. */
  leftOut: number;
  leftOutReasons: string[];
  cacheBytes: number;
}

/** What the section drew (integration tests). */
export interface TuningSnapshot {
  shown: boolean;
  x?: TuningParam;
  y?: TuningParam;
  order: 'mean' | 'worst';
  /** Cell indices of the heatmap, row by row, and their AP text. */
  heatmap: { index: number; text: string }[];
  selected?: number;
  warning: string;
  /** The notes under the summary as shown (tiles left out, swept tiles without a fold). */
  notes: string[];
  /** The selected cell's PR chart: points drawn and its ink (absent when no chart). */
  curve?: { points: number; inkPixels: number };
  wsiRows: string[][];
  foldRows: string[][];
  ranking: string[];
  /** The CV vs LB scatter: points drawn per board and the fit text. */
  submissions?: { count: number; publicPoints: number; privatePoints: number; fitText: string; inkPixels: number };
}

/** Local CV vs one leaderboard: the points and their least-squares line with Pearson's r. */
export interface BoardView {
  points: { x: number; y: number; label: string }[];
  fit?: { slope: number; intercept: number; r: number };
}

/** The submissions log as the tuning section shows it (scatter of local AP vs public / private LB). */
export interface SubmissionsView {
  file: string;
  count: number;
  public: BoardView;
  private: BoardView;
  /** The log could not be read: what is wrong. */
  error?: string;
}
