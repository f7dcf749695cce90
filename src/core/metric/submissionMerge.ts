/** Merging the submission.csv files of several jobs into one: each input validated, a tile in two places is an error (never a silent overwrite). */
import type { Problem } from '../types';
import { parseSubmissionCsv, SUBMISSION_HEADER, type SubmissionParseOptions } from './submissionCsv';

/** One input: the name reported in problems and its text. */
export interface MergeInput {
  file: string;
  text: string;
}

export interface MergeResult {
  /** The merged submission.csv (header, the inputs' rows as written, in input order); undefined when there are errors. */
  text?: string;
  /** Rows taken from each input, in input order. */
  rowsPerInput: number[];
  rows: number;
  /** Every input's own problems plus `submission-merge-duplicate` for a tile already given by an earlier input. */
  problems: Problem[];
}

/**
 * A validated row as written, unless a cell starts with = + - @ (quoted or not) or whitespace, or
 * the line holds a tab or CR: then it is rebuilt from its cells (sizes as plain integers, the
 * prediction string's parts joined by single spaces, masks unchanged), so no merged cell is one a
 * spreadsheet would run (OWASP's CSV-injection rule). A ' prefix would break the submission, and
 * validation already holds every cell to an id, a number or '0 <confidence> <mask>' triples.
 */
function safeLine(raw: string): string {
  const c: number[] = [];
  for (let i = 0; i < raw.length && c.length < 3; i++) if (raw[i] === ',') c.push(i);
  if (c.length < 3) return raw;
  const cells = [raw.slice(0, c[0]), raw.slice(c[0] + 1, c[1]), raw.slice(c[1] + 1, c[2]), raw.slice(c[2] + 1)];
  const bare = cells.map((s) => {
    const t = s.trim();
    return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).trim() : t;
  });
  if (!/[\t\r]/.test(raw) && !cells.some((s) => /^\s/.test(s)) && !bare.some((s) => /^[=+\-@]/.test(s))) return raw;
  return `${bare[0]},${Number(bare[1])},${Number(bare[2])},${bare[3].split(/\s+/).filter(Boolean).join(' ')}`;
}

/** Validates each input with parseSubmissionCsv and joins the rows; any error (a duplicate tile included) means no text. */
export function mergeSubmissions(inputs: readonly MergeInput[], options: Omit<SubmissionParseOptions, 'file'> = {}): MergeResult {
  const problems: Problem[] = [];
  const out = [SUBMISSION_HEADER];
  const firstSeen = new Map<string, { input: number; file: string; line: number }>();
  const rowsPerInput: number[] = [];
  for (const [k, input] of inputs.entries()) {
    const parsed = parseSubmissionCsv(input.text, { ...options, file: input.file });
    problems.push(...parsed.problems);
    const lines = input.text.replace(/^\uFEFF/, '').split(/\r?\n/);
    let taken = 0;
    for (const row of parsed.rows) {
      const seen = firstSeen.get(row.id);
      if (seen && seen.input !== k) {
        problems.push({ file: input.file, line: row.line, column: 1, endColumn: row.id.length + 1, severity: 'error', code: 'submission-merge-duplicate',
          message: `Tile ${row.id} is already in ${seen.file === input.file ? `${seen.file} (given twice)` : seen.file} at line ${seen.line}; each tile must come from one input (check the --shard values of the jobs).` });
        continue;
      }
      if (!seen) firstSeen.set(row.id, { input: k, file: input.file, line: row.line });
      out.push(safeLine(lines[row.line - 1]));
      taken++;
    }
    rowsPerInput.push(taken);
  }
  const rows = rowsPerInput.reduce((a, b) => a + b, 0);
  const failed = problems.some((p) => p.severity === 'error');
  return { text: failed ? undefined : out.join('\n') + '\n', rowsPerInput, rows, problems };
}
