/**
 * Text from data files (ids, class names, file names, problem messages, error messages) inside
 * one line of the CLI's output. The CLI's io keeps its own newlines (usage, reports, JSON), so
 * each data-derived piece is escaped here, newline and CR included, before lines are joined:
 * a value can never start a line of its own (a fake "0 errors" line) or move the cursor.
 */
import { escapeControls } from '../core/text';
import type { BatchScore } from '../core/predict';
import type { Problem } from '../core/types';

/** One data value for a line of output: every control, bidi, newline, CR and tab escaped as \uXXXX. */
export function field(s: unknown): string {
  return escapeControls(String(s));
}

/** The message of a thrown error (which may quote a file name or an id), as one line. */
export function errorText(e: unknown): string {
  return field(e instanceof Error ? e.message : String(e));
}

/** One problem as the CLI prints it, `  file:line:col: severity [code] message`, on exactly one line. */
export function problemLine(p: Problem): string {
  const loc = p.line > 0 ? `${p.file}:${p.line}${p.column ? `:${p.column}` : ''}` : p.file;
  return `  ${field(loc)}: ${p.severity} [${field(p.code)}] ${field(p.message)}`;
}

/** A score whose per-WSI names (source_wsi of tile_meta.csv) are escaped, for the CLI's Markdown report. */
export function shownScore(s: BatchScore): BatchScore {
  return { ...s, perWsi: s.perWsi.map((g) => ({ ...g, group: field(g.group) })) };
}
