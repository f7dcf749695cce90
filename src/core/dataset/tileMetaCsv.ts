/** Reads tile_meta.csv (id,source_wsi,dataset,i,j; i/j zero-padded or plain; BOM; CRLF) with located problems. */
import { parseCsv } from '../text';
import { unclosedQuoteProblem } from './csvProblems';
import type { Problem } from '../types';

export interface TileMetaRow {
  id: string;
  wsi: number;
  dataset: number;
  i: number;
  j: number;
  line: number;
}

export interface TileMetaResult {
  rows: TileMetaRow[];
  problems: Problem[];
}

export const TILE_META_COLUMNS = ['id', 'source_wsi', 'dataset', 'i', 'j'] as const;
const INT = /^\s*\d+\s*$/;

/** Describe a header that is not tile_meta's, to say what the file probably is. */
function guessOtherFile(header: string[]): string {
  const h = header.join(',');
  if (h.includes('img_mean') || h.includes('img_shape')) return ' It looks like a per-tile image statistics file, not tile_meta.csv.';
  if (h.includes('prediction_string')) return ' It looks like a submission file, not tile_meta.csv.';
  if (h.includes('age') && h.includes('bmi')) return ' It looks like wsi_meta.csv.';
  return '';
}

/** Parse tile_meta.csv text. Rows with problems are reported and skipped; the rest load. */
export function parseTileMeta(text: string, file: string): TileMetaResult {
  const problems: Problem[] = [];
  const rows: TileMetaRow[] = [];
  const csv = parseCsv(text, { singleLine: true });
  if (csv.length === 0) {
    problems.push({ file, line: 0, severity: 'error', code: 'file-empty', message: `${file} is empty; expected a header ${TILE_META_COLUMNS.join(',')} and one row per tile. Re-download it.` });
    return { rows, problems };
  }
  const header = csv[0].fields.map((f) => f.trim().toLowerCase());
  const col: Record<string, number> = {};
  for (const c of TILE_META_COLUMNS) col[c] = header.indexOf(c);
  const missing = TILE_META_COLUMNS.filter((c) => col[c] < 0);
  if (missing.length > 0) {
    problems.push({ file, line: csv[0].line, severity: 'error', code: 'header', message: `${file} has columns "${csv[0].fields.join(',')}" but needs ${TILE_META_COLUMNS.join(',')} (missing: ${missing.join(', ')}).${guessOtherFile(header)} No tile metadata was loaded from it.` });
    return { rows, problems };
  }
  const firstLine = new Map<string, number>();
  for (let r = 1; r < csv.length; r++) {
    const { line, fields } = csv[r];
    if (csv[r].unclosedQuote) {
      problems.push(unclosedQuoteProblem(file, line));
      continue;
    }
    if (fields.length !== header.length) {
      problems.push({ file, line, severity: 'error', code: 'row-columns', message: `Row has ${fields.length} field${fields.length === 1 ? '' : 's'}, the header has ${header.length}; fix the row (a cut-off line or a stray comma?). The row is skipped.` });
      continue;
    }
    const id = fields[col.id].trim();
    const bad: string[] = [];
    if (!/^[0-9a-f]{12}$/i.test(id)) bad.push(`id "${id}" is not 12 hex characters`);
    const nums: Record<string, number> = {};
    for (const c of ['source_wsi', 'dataset', 'i', 'j'] as const) {
      const v = fields[col[c]];
      if (!INT.test(v)) bad.push(`${c} "${v}" is not a whole number`);
      else nums[c] = parseInt(v, 10);
    }
    if (nums.dataset !== undefined && (nums.dataset < 1 || nums.dataset > 3)) bad.push(`dataset ${nums.dataset} is not 1, 2 or 3`);
    if (bad.length > 0) {
      problems.push({ file, line, severity: 'error', code: 'row-value', message: `Tile row: ${bad.join('; ')}. Fix the value; the row is skipped.` });
      continue;
    }
    const prev = firstLine.get(id);
    if (prev !== undefined) {
      problems.push({ file, line, severity: 'error', code: 'duplicate-id', message: `Tile ${id} is listed twice (first on line ${prev}); keep one row. This row is ignored.` });
      continue;
    }
    firstLine.set(id, line);
    rows.push({ id, wsi: nums.source_wsi, dataset: nums.dataset, i: nums.i, j: nums.j, line });
  }
  return { rows, problems };
}
