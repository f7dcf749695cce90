/** Checks of dataset files against the caps and the id rule, each a located Problem: kept apart from the line scanner so either can change alone. */
import { limits, raiseHint } from '../limits';
import { displayText, hasUnsafeText, isTileId, safeFileName } from '../text';
import type { Problem } from '../types';
import type { FileReader } from './fileReader';

/** A CSV read whole (tile_meta.csv, wsi_meta.csv), or undefined with a problem when it is over the file cap. */
export async function readWholeCapped(fr: FileReader, absPath: string, file: string, size: number, problems: Problem[]): Promise<string | undefined> {
  if (size > limits().submissionFileBytes) {
    problems.push({ file, line: 0, severity: 'error', code: 'file-too-large', message: `${file} is ${size} bytes; it was not read: ${raiseHint('submissionFileBytes')}.` });
    return undefined;
  }
  return (await fr.readFile(absPath)).toString('utf8');
}

/** A line longer than the polygonsLineBytes cap: it was skipped unread. */
export function lineTooLongProblem(file: string, lineNo: number, length: number): Problem {
  return { file, line: lineNo, severity: 'error', code: 'line-too-long', message: `Line ${lineNo} is ${length} bytes long; it was skipped unread and the rest of the file loaded: ${raiseHint('polygonsLineBytes')}.` };
}

/** A ring with more points than the pointsPerPolygon cap (it is not counted, drawn or exported). */
export function tooManyPointsProblem(file: string, lineNo: number, where: string, ring: number, points: number): Problem {
  return { file, line: lineNo, severity: 'error', code: 'ring-too-many-points', message: `${where}: ring ${ring} has ${points} points; it is left out: ${raiseHint('pointsPerPolygon')}.` };
}

/** Whether a ring fits the pointsPerPolygon cap. */
export function ringWithinCap(points: number): boolean {
  return points <= limits().pointsPerPolygon;
}

/**
 * An id that is not a tile id and cannot be a file name as it is (path separators, dots, controls,
 * bidi characters, over 64 characters...): a warning naming the safe name exports use instead.
 */
export function idNotSafeProblem(file: string, lineNo: number, id: string): Problem | undefined {
  if (isTileId(id) || (/^[A-Za-z0-9_-]{1,64}$/.test(id) && !hasUnsafeText(id))) return undefined;
  return {
    file,
    line: lineNo,
    severity: 'warning',
    code: 'id-not-safe',
    message: `Line ${lineNo}: the id "${displayText(id, 60)}" (${id.length} characters) is not a tile id and not a safe file name (tile ids are 12 lowercase hex characters); exports write it as "${safeFileName(id)}" and list the original in manifest.json.`,
  };
}
