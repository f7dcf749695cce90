/**
 * The submissions log in the workspace (vasculatureExplorer.tuning.submissionsLog, default
 * .vscode/vasculature-submissions.json): every exported or scored submission.csv recorded (path,
 * hash, model, settings, local AP overall / per fold / per WSI), leaderboard scores typed by the person, and
 * the CV vs LB points with a fitted line and r for the Dataset Overview.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { IgnoreMode } from '../../core/metric';
import type { ScoredTile } from '../../core/predict';
import { cvVersusLeaderboard, fileHash, groupAps, parseFoldsCsv, readSubmissionsLog, recordSubmission, writeSubmissionsLog, type SubmissionEntry } from '../../core/tuning';
import type { SubmissionsView } from '../../shared/tuningView';
import { log } from '../common/log';

/** What the exporters and the scorer pass when they record a submission. */
export interface RecordArgs {
  path: string;
  localAp: number | null;
  perWsi?: Record<string, number | null>;
  perFold?: Record<string, number | null>;
  model?: string;
  settings?: Record<string, unknown>;
  /** The scored tiles, for the per-fold AP (with a folds file). */
  tiles?: readonly ScoredTile[];
  ignoreMode?: IgnoreMode;
}

/** The folds file for per-fold AP: the last sweep's, else a folds.csv in the dataset folder or a workspace folder. */
export function resolveFoldsFile(lastSweep: string | undefined, datasetRoot: string | undefined): string | undefined {
  const candidates = [lastSweep, datasetRoot ? path.join(datasetRoot, 'folds.csv') : undefined, ...(vscode.workspace.workspaceFolders ?? []).map((f) => path.join(f.uri.fsPath, 'folds.csv'))];
  return candidates.find((f): f is string => !!f && fs.existsSync(f));
}

/** Local AP per fold of the tiles with the folds file (undefined without tiles or folds; bad lines are logged). */
export function perFoldOf(tiles: readonly ScoredTile[] | undefined, ignoreMode: IgnoreMode, foldsFile: string | undefined): Record<string, number | null> | undefined {
  if (!tiles?.length || !foldsFile) return undefined;
  const parsed = parseFoldsCsv(fs.readFileSync(foldsFile, 'utf8'), foldsFile);
  for (const p of parsed.problems.slice(0, 5)) log().warn(`Submissions log: ${p.message}`);
  const per = groupAps(tiles, (id) => { const f = parsed.folds.get(id); return f === undefined ? undefined : String(f); }, ignoreMode);
  return Object.keys(per).length ? per : undefined;
}

/** The log file: the setting resolved against the first workspace folder (undefined without one). */
export function submissionsLogPath(): string | undefined {
  const v = vscode.workspace.getConfiguration('vasculatureExplorer').get<string>('tuning.submissionsLog', '.vscode/vasculature-submissions.json') || '.vscode/vasculature-submissions.json';
  const ws = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file')?.uri.fsPath;
  if (path.isAbsolute(v)) return v;
  return ws ? path.join(ws, v) : undefined;
}

/** Records one submission (a file already logged by hash is updated, its typed LB scores kept). */
export function recordInLog(a: RecordArgs, foldsFile?: string): SubmissionEntry | undefined {
  const file = submissionsLogPath();
  if (!file || !fs.existsSync(a.path)) return undefined;
  try {
    const l = readSubmissionsLog(file);
    const perFold = a.perFold ?? perFoldOf(a.tiles, a.ignoreMode ?? 'count', foldsFile);
    const e = recordSubmission(l, { path: a.path, hash: fileHash(a.path), localAp: a.localAp, ...(a.perWsi ? { perWsi: a.perWsi } : {}), ...(perFold ? { perFold, ...(a.perFold ? {} : { foldsFile }) } : {}), ...(a.model ? { model: a.model } : {}), ...(a.settings ? { settings: a.settings } : {}) });
    fs.mkdirSync(path.dirname(file), { recursive: true });
    writeSubmissionsLog(file, l);
    log().info(`Submissions log: recorded ${a.path} (local AP ${a.localAp === null ? '—' : a.localAp.toFixed(3)}) in ${file}`);
    return e;
  } catch (e) {
    void vscode.window.showWarningMessage(`The submissions log was not updated: ${(e as Error).message}`);
    return undefined;
  }
}

/** Asks for (or takes) a logged submission and its public / private leaderboard scores. */
export async function recordLeaderboard(args?: { hash?: string; publicLb?: number; privateLb?: number }): Promise<boolean> {
  const file = submissionsLogPath();
  if (!file) return false;
  const l = readSubmissionsLog(file);
  if (l.submissions.length === 0) {
    void vscode.window.showInformationMessage('No submission recorded yet: export one ("Export Predictions as submission.csv…") or open and score one.');
    return false;
  }
  let hash = args?.hash;
  if (!hash) {
    const pick = await vscode.window.showQuickPick(l.submissions.map((s) => ({ label: path.basename(s.path), description: `local AP ${s.localAp === null ? '—' : s.localAp.toFixed(3)}${s.publicLb !== undefined ? ` · public ${s.publicLb}` : ''}${s.privateLb !== undefined ? ` · private ${s.privateLb}` : ''}`, detail: s.path, hash: s.hash })), { title: 'Record Leaderboard Score: which submission' });
    if (!pick) return false;
    hash = pick.hash;
  }
  const e = l.submissions.find((s) => s.hash === hash);
  if (!e) return false;
  const ask = async (which: string, cur?: number) => {
    const v = await vscode.window.showInputBox({ title: `${which} leaderboard score of ${path.basename(e.path)}`, value: cur === undefined ? '' : String(cur), prompt: 'A number (empty: leave unset)', validateInput: (t) => (t.trim() === '' || Number.isFinite(Number(t)) ? undefined : 'not a number') });
    return v === undefined ? cur : v.trim() === '' ? undefined : Number(v);
  };
  const pub = args && 'publicLb' in args ? args.publicLb : await ask('Public', e.publicLb);
  const priv = args && 'privateLb' in args ? args.privateLb : await ask('Private', e.privateLb);
  if (pub === undefined) delete e.publicLb; else e.publicLb = pub;
  if (priv === undefined) delete e.privateLb; else e.privateLb = priv;
  writeSubmissionsLog(file, l);
  return true;
}

/** The CV vs LB view of the log (undefined without a workspace or a readable log). */
export function submissionsView(): SubmissionsView | undefined {
  const file = submissionsLogPath();
  if (!file || !fs.existsSync(file)) return undefined;
  try {
    const l = readSubmissionsLog(file);
    const board = (b: 'publicLb' | 'privateLb') => {
      const r = cvVersusLeaderboard(l, b);
      return { points: r.points.map((p) => ({ x: p.x, y: p.y, label: path.basename(p.path) })), ...(r.fit ? { fit: { slope: r.fit.slope, intercept: r.fit.intercept, r: r.fit.r } } : {}) };
    };
    return { file, count: l.submissions.length, public: board('publicLb'), private: board('privateLb') };
  } catch (e) {
    return { file, count: 0, public: { points: [] }, private: { points: [] }, error: (e as Error).message };
  }
}
