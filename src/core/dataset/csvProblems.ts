/** Problems shared by the dataset's CSV readers (tile_meta.csv, wsi_meta.csv). */
import type { Problem } from '../types';

/** A row whose quoted field is still open at the end of its line: reported on that line, the row skipped, the rows after it still load. */
export function unclosedQuoteProblem(file: string, line: number): Problem {
  return {
    file,
    line,
    severity: 'error',
    code: 'unclosed-quote',
    message: `Row has a quote (") that is never closed on this line; this file never holds multi-line fields, so only this row is skipped. Remove the stray quote or close it.`,
  };
}
