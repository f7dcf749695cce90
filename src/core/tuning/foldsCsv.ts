/** Reads a folds file: any CSV with an `id` and a `fold` column (integer folds); every bad line is reported with its number, the rest is used. */
import { parseCsv } from '../text';

/** One located problem of a folds file. */
export interface FoldsProblem {
  line: number;
  message: string;
}

/** Folds by tile id, and what was wrong. */
export interface FoldsFile {
  folds: Map<string, number>;
  problems: FoldsProblem[];
}

/** Parses folds CSV text; `knownIds` (the dataset's tiles) flags ids it does not hold. */
export function parseFoldsCsv(text: string, file: string, knownIds?: ReadonlySet<string>): FoldsFile {
  const rows = parseCsv(text);
  const problems: FoldsProblem[] = [];
  const folds = new Map<string, number>();
  if (rows.length === 0) return { folds, problems: [{ line: 1, message: `${file} is empty; expected a header "id,fold" and one row per tile` }] };
  const head = rows[0].fields.map((f) => f.trim().toLowerCase());
  const idCol = head.indexOf('id'), foldCol = head.indexOf('fold');
  if (idCol < 0 || foldCol < 0) {
    return { folds, problems: [{ line: rows[0].line, message: `${file}:${rows[0].line}: the header [${rows[0].fields.join(', ')}] has no ${idCol < 0 ? '"id"' : ''}${idCol < 0 && foldCol < 0 ? ' and no ' : ''}${foldCol < 0 ? '"fold"' : ''} column; write "id,fold"` }] };
  }
  let unknown = 0;
  for (const r of rows.slice(1)) {
    const id = (r.fields[idCol] ?? '').trim(), raw = (r.fields[foldCol] ?? '').trim();
    if (!id) {
      problems.push({ line: r.line, message: `${file}:${r.line}: no id` });
      continue;
    }
    if (!/^-?\d+$/.test(raw)) {
      problems.push({ line: r.line, message: `${file}:${r.line}: fold "${raw}" of tile ${id} is not an integer; the row is left out` });
      continue;
    }
    if (folds.has(id)) {
      problems.push({ line: r.line, message: `${file}:${r.line}: tile ${id} is listed again (fold ${raw}); the first fold (${folds.get(id)}) is kept` });
      continue;
    }
    if (knownIds && !knownIds.has(id)) {
      // Grouped after a few, so a folds file of another dataset does not flood the output.
      if (++unknown <= 5) problems.push({ line: r.line, message: `${file}:${r.line}: tile ${id} is not in the dataset; the row is left out` });
      continue;
    }
    folds.set(id, Number(raw));
  }
  if (unknown > 5) problems.push({ line: 0, message: `${file}: ${unknown - 5} more ids are not in the dataset and were left out` });
  return { folds, problems };
}
