/** Reads wsi_meta.csv (source_wsi,age,sex,race,height,weight,bmi) with located problems. */
import { parseCsv } from '../text';
import { unclosedQuoteProblem } from './csvProblems';
import type { Problem, WsiMeta } from '../types';

export interface WsiMetaResult {
  rows: WsiMeta[];
  problems: Problem[];
}

const NUMERIC = ['age', 'height', 'weight', 'bmi'] as const;

/** Parse wsi_meta.csv text; unknown extra columns are ignored, empty cells stay undefined. */
export function parseWsiMeta(text: string, file: string): WsiMetaResult {
  const problems: Problem[] = [];
  const rows: WsiMeta[] = [];
  const csv = parseCsv(text, { singleLine: true });
  if (csv.length === 0) {
    problems.push({ file, line: 0, severity: 'warning', code: 'file-empty', message: `${file} is empty; WSI demographics will show as unknown.` });
    return { rows, problems };
  }
  const header = csv[0].fields.map((f) => f.trim().toLowerCase());
  const wsiCol = header.indexOf('source_wsi');
  if (wsiCol < 0) {
    problems.push({ file, line: csv[0].line, severity: 'error', code: 'header', message: `${file} has no "source_wsi" column (found "${csv[0].fields.join(',')}"); expected source_wsi,age,sex,race,height,weight,bmi.` });
    return { rows, problems };
  }
  const seen = new Set<number>();
  for (let r = 1; r < csv.length; r++) {
    const { line, fields } = csv[r];
    if (csv[r].unclosedQuote) {
      problems.push(unclosedQuoteProblem(file, line));
      continue;
    }
    const get = (name: string) => {
      const c = header.indexOf(name);
      return c >= 0 && c < fields.length ? fields[c].trim() : '';
    };
    const wsi = Number(get('source_wsi'));
    if (!Number.isInteger(wsi) || get('source_wsi') === '') {
      problems.push({ file, line, severity: 'error', code: 'row-value', message: `source_wsi "${get('source_wsi')}" is not a whole number; the row is skipped.` });
      continue;
    }
    if (seen.has(wsi)) {
      problems.push({ file, line, severity: 'error', code: 'duplicate-id', message: `WSI ${wsi} is listed twice; keep one row. This row is ignored.` });
      continue;
    }
    seen.add(wsi);
    const row: WsiMeta = { wsi, line, sex: get('sex') || undefined, race: get('race') || undefined };
    for (const k of NUMERIC) {
      const v = get(k);
      if (v === '') continue;
      const n = Number(v);
      if (!Number.isFinite(n)) problems.push({ file, line, severity: 'warning', code: 'row-value', message: `WSI ${wsi}: ${k} "${v}" is not a number; shown as unknown.` });
      else row[k] = n;
    }
    rows.push(row);
  }
  return { rows, problems };
}
