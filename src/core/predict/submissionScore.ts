/** Scores a parsed submission.csv against a dataset's annotations with the same matching as Predict. */
import type { IgnoreMode } from '../metric';
import { scoreTiles, type BatchScore } from './batch';
import { rasterizeGroundTruth, scoreTile, type ScoredTile } from './pipeline';
import type { SubmissionRow } from '../metric';
import type { Annotation, Problem } from '../types';

/** The submission's tiles (scored where annotated), the metric, and findings about coverage. */
export interface SubmissionScore {
  tiles: ScoredTile[];
  score: BatchScore;
  /** Rows of tiles without annotations (not scored) and annotated tiles missing from the file. */
  problems: Problem[];
}

/** Scores every row: a row whose tile has annotations is matched against them; others are listed as not scored. */
export async function scoreSubmission(
  rows: readonly SubmissionRow[],
  lookup: (tileId: string) => Promise<{ annotations?: readonly Annotation[]; group: string }>,
  ignoreMode: IgnoreMode,
  opts: { file?: string; annotatedIds?: readonly string[] } = {},
): Promise<SubmissionScore> {
  const file = opts.file ?? 'submission.csv';
  const tiles: ScoredTile[] = [];
  const problems: Problem[] = [];
  const notScored: SubmissionRow[] = [];
  for (const row of rows) {
    const { annotations, group } = await lookup(row.id);
    const gt = annotations ? rasterizeGroundTruth(annotations, row.width, row.height) : undefined;
    if (!gt) notScored.push(row);
    tiles.push(scoreTile({ tileId: row.id, group, width: row.width, height: row.height }, row.predictions, gt, ignoreMode));
  }
  if (notScored.length > 0) {
    problems.push({ file, line: notScored[0].line, severity: 'info', code: 'submission-tile-not-annotated', message: `${notScored.length} row(s) are for tiles without annotations in the dataset (first: ${notScored[0].id} at line ${notScored[0].line}); they are drawn but not scored.`, ...(notScored.length > 1 ? { count: notScored.length } : {}) });
  }
  if (opts.annotatedIds) {
    const present = new Set(rows.map((r) => r.id));
    const missing = opts.annotatedIds.filter((id) => !present.has(id));
    if (missing.length > 0) {
      problems.push({ file, line: 0, severity: 'info', code: 'submission-tile-missing', message: `${missing.length} annotated tile(s) of the dataset have no row (first: ${missing[0]}); the score covers only the tiles in the file.`, ...(missing.length > 1 ? { count: missing.length } : {}) });
    }
  }
  return { tiles, score: scoreTiles(tiles, ignoreMode), problems };
}
