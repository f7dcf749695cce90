/**
 * The submissions log (CV vs leaderboard): every submission.csv exported or scored, with its hash,
 * model, settings and local AP (overall / per fold / per WSI), and the public / private
 * leaderboard scores the person typed; a least-squares line and Pearson's r of local vs LB.
 * Stored as JSON in the workspace (.vscode/vasculature-submissions.json) so it can be committed.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import type { IgnoreMode } from '../metric';
import { scoreTiles, type PredictSettings, type ScoredTile } from '../predict';

/** One recorded submission. */
export interface SubmissionEntry {
  path: string;
  /** sha256 of the file (first 16 hex digits); the same file is recorded once. */
  hash: string;
  at: string;
  model?: string;
  settings?: Record<string, unknown>;
  localAp: number | null;
  /** Local AP per fold of the folds file named in foldsFile (absent without one). */
  perFold?: Record<string, number | null>;
  foldsFile?: string;
  perWsi?: Record<string, number | null>;
  publicLb?: number;
  privateLb?: number;
}

/** The log file's content. */
export interface SubmissionsLog {
  version: 1;
  submissions: SubmissionEntry[];
}

/** Reads a log; a missing file is an empty log, a broken one an error naming the file and what is wrong. */
export function readSubmissionsLog(file: string): SubmissionsLog {
  if (!fs.existsSync(file)) return { version: 1, submissions: [] };
  let j: unknown;
  try {
    j = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message}); fix or move it, a new log starts empty`);
  }
  const subs = (j as { submissions?: unknown }).submissions;
  if (!Array.isArray(subs)) throw new Error(`${file}: expected {"version": 1, "submissions": [...]}`);
  subs.forEach((s, k) => {
    const e = s as Partial<SubmissionEntry>;
    if (typeof e.path !== 'string' || typeof e.hash !== 'string' || !(e.localAp === null || typeof e.localAp === 'number')) throw new Error(`${file}: submissions[${k}] needs path, hash and localAp`);
    for (const f of ['publicLb', 'privateLb'] as const) if (e[f] !== undefined && typeof e[f] !== 'number') throw new Error(`${file}: submissions[${k}].${f} must be a number`);
  });
  return { version: 1, submissions: subs as SubmissionEntry[] };
}

/** Writes a log (pretty JSON, stable for diffs). */
export function writeSubmissionsLog(file: string, log: SubmissionsLog): void {
  fs.writeFileSync(file, JSON.stringify(log, null, 2) + '\n');
}

/** First 16 hex digits of a file's sha256. */
export function fileHash(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex').slice(0, 16);
}

/** Adds (or, for a file already recorded by hash, updates) an entry; leaderboard scores typed earlier are kept. */
export function recordSubmission(log: SubmissionsLog, e: Omit<SubmissionEntry, 'at'> & { at?: string }): SubmissionEntry {
  const prev = log.submissions.find((s) => s.hash === e.hash);
  const entry: SubmissionEntry = { ...prev, ...e, at: e.at ?? new Date().toISOString(), ...(prev?.publicLb !== undefined && e.publicLb === undefined ? { publicLb: prev.publicLb } : {}), ...(prev?.privateLb !== undefined && e.privateLb === undefined ? { privateLb: prev.privateLb } : {}) };
  if (prev) log.submissions[log.submissions.indexOf(prev)] = entry;
  else log.submissions.push(entry);
  return entry;
}

/** Least-squares line y = slope x + intercept and Pearson's r of paired points (undefined with < 2 distinct x). */
export function fitLine(points: readonly { x: number; y: number }[]): { slope: number; intercept: number; r: number; n: number } | undefined {
  const n = points.length;
  if (n < 2) return undefined;
  const mx = points.reduce((a, p) => a + p.x, 0) / n, my = points.reduce((a, p) => a + p.y, 0) / n;
  let sxx = 0, syy = 0, sxy = 0;
  for (const p of points) {
    sxx += (p.x - mx) ** 2;
    syy += (p.y - my) ** 2;
    sxy += (p.x - mx) * (p.y - my);
  }
  if (sxx === 0) return undefined;
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx, r: syy === 0 ? 0 : sxy / Math.sqrt(sxx * syy), n };
}

/** Local CV vs a leaderboard: the points (entries with both numbers) and their fitted line. */
export function cvVersusLeaderboard(log: SubmissionsLog, board: 'publicLb' | 'privateLb'): { points: { x: number; y: number; path: string }[]; fit?: ReturnType<typeof fitLine> } {
  const points = log.submissions.flatMap((s) => (s.localAp !== null && typeof s[board] === 'number' ? [{ x: s.localAp, y: s[board] as number, path: s.path }] : []));
  const fit = fitLine(points);
  return { points, ...(fit ? { fit } : {}) };
}

/** AP@0.6 of the scored tiles per group (groupOf gives a tile's fold, or undefined to leave it out), with the batch's own ranking and convention. */
export function groupAps(tiles: readonly ScoredTile[], groupOf: (tileId: string) => string | undefined, ignoreMode: IgnoreMode): Record<string, number | null> {
  const kept = tiles.flatMap((t) => {
    const g = groupOf(t.tileId);
    return g === undefined ? [] : [{ ...t, group: g }];
  });
  if (kept.length === 0) return {};
  return Object.fromEntries(scoreTiles(kept, ignoreMode).perWsi.map((w) => [w.group, w.numGt > 0 ? w.ap ?? null : null]));
}

/** The post-processing settings a submission was made with, as the log records them. */
export function submissionSettings(s: PredictSettings): Record<string, unknown> {
  return { modelPath: s.modelPath, provider: s.provider, threshold: s.threshold, scoreThreshold: s.scoreThreshold, minArea: s.minArea, dilation: s.dilation, tta: [...s.tta], removeInsideGlomerulus: s.removeInsideGlomerulus, ignoreMode: s.ignoreMode };
}
