/**
 * submission.csv (id,height,width,prediction_string): a validating parser that reports every
 * problem at its line and column and still returns the good rows, and the writer.
 */
import * as fs from 'node:fs';
import { InstanceMask } from '../geometry';
import { limits, raiseHint } from '../limits';
import { decodeRuns, encodeInstance, RleDecodeError, runsToInstance } from './rleCoco';
import { Problem, Severity } from '../types';

export const SUBMISSION_HEADER = 'id,height,width,prediction_string';

/** One decoded predicted instance. */
export interface SubmissionPrediction {
  confidence: number;
  mask: InstanceMask;
  /** 1-based column of the triple's class token on its line. */
  column: number;
}

/** One parsed row; predictions holds the triples that decoded. */
export interface SubmissionRow {
  id: string;
  /** 1-based line in the file. */
  line: number;
  /** Size the masks were decoded at (the tile's size, even when the row declares another). */
  height: number;
  width: number;
  predictions: SubmissionPrediction[];
  /** False when the row has at least one error. */
  ok: boolean;
}

export interface SubmissionParseOptions {
  /** Path reported in problems. */
  file?: string;
  /** The real size of a tile, when known; otherwise 512x512. */
  tileSize?: (id: string) => { height: number; width: number } | undefined;
  /** When given, ids not in it get a warning. */
  knownIds?: ReadonlySet<string>;
}

export interface SubmissionParseResult {
  rows: SubmissionRow[];
  problems: Problem[];
}

const ID_RE = /^[0-9a-f]{12}$/;

/**
 * Reads a submission file as text, or refuses it (a located problem, nothing read) when it is
 * larger than the submissionFileBytes cap.
 */
export function readSubmissionFile(absPath: string, file: string): { text: string } | { problem: Problem } {
  const size = fs.statSync(absPath).size;
  const cap = limits().submissionFileBytes;
  if (size > cap) {
    return { problem: { file, line: 0, severity: 'error', code: 'submission-too-large', message: `${file} is ${size} bytes; it was not read: ${raiseHint('submissionFileBytes')}.` } };
  }
  return { text: fs.readFileSync(absPath, 'utf8') };
}
const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const BYTES_LITERAL_RE = /^b(['"])(.*)\1$/;

/** Parses and validates submission.csv text; every bad row is reported, good rows are returned. */
export function parseSubmissionCsv(text: string, options: SubmissionParseOptions = {}): SubmissionParseResult {
  const file = options.file ?? 'submission.csv';
  const problems: Problem[] = [];
  const rows: SubmissionRow[] = [];
  const add = (line: number, severity: Severity, code: string, message: string, column?: number, endColumn?: number, count?: number): void => {
    const p: Problem = { file, line, severity, code, message };
    if (column !== undefined) { p.column = column; p.endColumn = endColumn; }
    if (count !== undefined && count > 1) p.count = count;
    problems.push(p);
  };
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  while (lines.length && lines[lines.length - 1].trim() === '') lines.pop();
  if (lines.length === 0) {
    add(0, 'error', 'submission-empty', `The file is empty. Write the header '${SUBMISSION_HEADER}' and one row per test tile.`);
    return { rows, problems };
  }
  if (lines[0].trim() !== SUBMISSION_HEADER) {
    add(1, 'error', 'submission-header', `The header is '${clip(lines[0])}'; it must be exactly '${SUBMISSION_HEADER}'.`, 1, lines[0].length + 1);
  }
  const firstLineOf = new Map<string, number>();
  for (let li = 1; li < lines.length; li++) {
    const lineNo = li + 1;
    const raw = lines[li];
    if (raw.trim() === '') {
      add(lineNo, 'warning', 'submission-blank-line', 'Blank line inside the file; remove it.');
      continue;
    }
    const row = parseRow(raw, lineNo, options, add);
    if (!row) continue;
    const first = firstLineOf.get(row.id);
    if (first !== undefined) {
      add(lineNo, 'error', 'submission-duplicate-id', `Tile ${row.id} already has a row at line ${first}; merge its predictions into one row.`, 1, row.id.length + 1);
      row.ok = false;
    } else {
      firstLineOf.set(row.id, lineNo);
    }
    rows.push(row);
  }
  return { rows, problems };
}

type AddProblem = (line: number, severity: Severity, code: string, message: string, column?: number, endColumn?: number, count?: number) => void;

function parseRow(raw: string, lineNo: number, options: SubmissionParseOptions, add: AddProblem): SubmissionRow | undefined {
  const commas: number[] = [];
  for (let i = 0; i < raw.length && commas.length < 4; i++) if (raw[i] === ',') commas.push(i);
  if (commas.length < 3) {
    add(lineNo, 'error', 'submission-columns', `The row has ${commas.length + 1} fields; it needs 4: id,height,width,prediction_string.`, 1, raw.length + 1);
    return undefined;
  }
  let ok = true;
  const err = (code: string, message: string, column?: number, endColumn?: number, count?: number): void => {
    ok = false;
    add(lineNo, 'error', code, message, column, endColumn, count);
  };
  if (commas.length > 3) {
    err('submission-columns', 'The prediction string holds a comma; separate triples and their parts with single spaces only.', commas[3] + 1, commas[3] + 2);
  }
  const id = unquote(raw.slice(0, commas[0]).trim());
  if (!ID_RE.test(id)) {
    err('submission-id', `The id '${clip(id)}' is not a tile id (12 lowercase hex characters, the image's file name without .tif).`, 1, commas[0] + 1);
  } else if (options.knownIds && !options.knownIds.has(id)) {
    add(lineNo, 'warning', 'submission-id-unknown', `No tile ${id} in this dataset; check the id or remove the row.`, 1, commas[0] + 1);
  }
  const expected = options.tileSize?.(id) ?? { height: 512, width: 512 };
  const checkSize = (name: 'height' | 'width', start: number, end: number): void => {
    const v = unquote(raw.slice(start, end).trim());
    if (String(expected[name]) !== v && !(NUMBER_RE.test(v) && Number(v) === expected[name])) {
      err('submission-size', `${name} is '${clip(v)}' but the tile is ${expected.height}x${expected.width}; write ${name} ${expected[name]} (the tile's size in pixels, not the mask's byte length).`, start + 1, end + 1);
    }
  };
  checkSize('height', commas[0] + 1, commas[1]);
  checkSize('width', commas[1] + 1, commas[2]);

  const predStart = commas[2] + 1;
  let predText = raw.slice(predStart);
  let offset = predStart;
  const q = /^\s*"(.*)"\s*$/.exec(predText);
  if (q) { offset += predText.indexOf('"') + 1; predText = q[1]; }
  const tokens: Array<{ text: string; col: number }> = [];
  for (const m of predText.matchAll(/\S+/g)) tokens.push({ text: m[0], col: offset + (m.index ?? 0) + 1 });
  if (tokens.length % 3 !== 0) {
    const t = tokens[tokens.length - (tokens.length % 3)];
    err('submission-triples', `The prediction string has ${tokens.length} parts, not a multiple of 3; each instance is '0 <confidence> <mask>'.`, t.col, t.col + t.text.length);
  }
  // One problem per code per row (with a count), located at the first case.
  const grouped = new Map<string, { message: string; column: number; endColumn: number; count: number }>();
  const note = (code: string, message: string, tok: { text: string; col: number }): void => {
    const g = grouped.get(code);
    if (g) g.count++;
    else grouped.set(code, { message, column: tok.col, endColumn: tok.col + tok.text.length, count: 1 });
  };
  // Checked on every token, so a prediction string that is only masks is still flagged.
  for (const tok of tokens) {
    if (BYTES_LITERAL_RE.test(tok.text)) {
      note('submission-mask-bytes-literal', `The mask is written as a Python bytes literal (${clip(tok.text, 12)}); write the text itself: call .decode('ascii') on the base64 bytes before joining.`, tok);
    }
  }
  const predictions: SubmissionPrediction[] = [];
  // Masks of one row share an inflation budget; once it is spent, the row's later masks are not inflated.
  const inflated = { inflatedBytes: 0 };
  const rowCap = limits().submissionRowInflatedBytes;
  let rowRefused = false;
  for (let k = 0; k + 2 < tokens.length; k += 3) {
    const [cls, conf, mask] = [tokens[k], tokens[k + 1], tokens[k + 2]];
    let good = true;
    if (cls.text !== '0') {
      note('submission-class', `Class '${clip(cls.text)}' is not 0; blood_vessel is the only class and is written 0.`, cls);
      good = false;
    }
    const c = Number(conf.text);
    if (!NUMBER_RE.test(conf.text)) {
      note('submission-confidence', `Confidence '${clip(conf.text)}' is not a number; write a decimal in [0, 1].`, conf);
      good = false;
    } else if (c < 0 || c > 1) {
      note('submission-confidence-range', `Confidence ${conf.text} is outside [0, 1]; write a probability (e.g. a sigmoid output).`, conf);
      good = false;
    }
    let maskText = mask.text;
    const bytes = BYTES_LITERAL_RE.exec(maskText);
    if (bytes) { // reported by the pass over all tokens above
      maskText = bytes[2];
      good = false;
    }
    if (rowRefused) {
      note('submission-mask-limit', `The row's masks inflate past ${rowCap} bytes together; later masks were not decoded: ${raiseHint('submissionRowInflatedBytes')}.`, mask);
      continue;
    }
    const left = rowCap - inflated.inflatedBytes;
    try {
      const runs = decodeRuns(maskText, expected.height, expected.width, Math.min(limits().maskInflatedBytes, left + 1), inflated);
      if (good) predictions.push({ confidence: c, mask: runsToInstance(runs, expected.height, expected.width), column: cls.col });
    } catch (e) {
      const stage = e instanceof RleDecodeError ? e.stage : 'rle';
      if (stage === 'limit') {
        // A bomb: this row's later masks are not inflated at all (the row is refused either way).
        rowRefused = true;
        const rowCapHit = left < limits().maskInflatedBytes;
        note('submission-mask-limit', rowCapHit
          ? `The row's masks inflate past ${rowCap} bytes together; this and later masks were not decoded: ${raiseHint('submissionRowInflatedBytes')}.`
          : `The mask ${(e as Error).message}; the row's later masks were not decoded.`, mask);
        continue;
      }
      const what: Record<string, string> = {
        base64: 'is not base64 text',
        zlib: 'is base64 but not zlib-compressed data',
        rle: 'inflates to text that is not a COCO RLE counts string',
        size: `does not cover the ${expected.height}x${expected.width} tile`,
        limit: 'is too large',
      };
      note(`submission-mask-${stage}`, `The mask ${what[stage]} (${(e as Error).message}); encode it as base64(zlib(pycocotools RLE counts)) of the full ${expected.height}x${expected.width} mask.`, mask);
    }
  }
  for (const [code, g] of grouped) {
    const msg = g.count > 1 ? `${g.message} (${g.count} instances in this row)` : g.message;
    err(code, msg, g.column, g.endColumn, g.count);
  }
  return { id, line: lineNo, height: expected.height, width: expected.width, predictions, ok };
}

function unquote(s: string): string {
  return s.length >= 2 && s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1) : s;
}

function clip(s: string, n = 40): string {
  return s.length > n ? `${s.slice(0, n - 3)}...` : s;
}

/** A row to write: the tile's size and its predicted instances. */
export interface SubmissionWriteRow {
  id: string;
  height: number;
  width: number;
  predictions: ReadonlyArray<{ confidence: number; mask: InstanceMask }>;
}

/**
 * Writes submission.csv text (header, one line per row, trailing newline). Only tile ids (12
 * lowercase hex characters) become rows: any other id (a file name with a newline, a comma or a
 * formula in it) is left out and pushed to `skipped`, so no file name can add a row or a cell.
 */
export function writeSubmissionCsv(rows: readonly SubmissionWriteRow[], skipped?: string[]): string {
  const out = [SUBMISSION_HEADER];
  for (const r of rows) {
    if (!ID_RE.test(r.id)) {
      skipped?.push(r.id);
      continue;
    }
    const parts: string[] = [];
    for (const p of r.predictions) {
      if (!(p.confidence >= 0 && p.confidence <= 1)) throw new Error(`tile ${r.id}: confidence ${p.confidence} is outside [0, 1]`);
      parts.push('0', formatConfidence(p.confidence), encodeInstance(p.mask, r.height, r.width));
    }
    out.push(`${r.id},${r.height},${r.width},${parts.join(' ')}`);
  }
  return out.join('\n') + '\n';
}

function formatConfidence(c: number): string {
  const s = String(Number(c.toPrecision(6)));
  return s.includes('e') ? c.toFixed(8) : s;
}
