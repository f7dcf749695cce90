/** `vasculature-explorer score <submission.csv> <dataset-folder> [--json] [--ignore-mode count|ignore]`: the competition metric of a submission. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileHash, groupAps, parseFoldsCsv, readSubmissionsLog, recordSubmission, writeSubmissionsLog } from '../core/tuning';
import type { IgnoreMode } from '../core/metric';
import { indexDataset } from '../core/dataset';
import { sortedProblems } from '../core/dataset';
import { batchScoreMarkdown, scoreJson } from '../core/predict';
import { parseSubmissionCsv, readSubmissionFile } from '../core/metric';
import { scoreSubmission } from '../core/predict';
import { tileAnnotations, tileGroup } from '../core/predict';
import type { Problem } from '../core/types';
import type { CliIO } from './validateCommand';
import { errorText, field, problemLine, shownScore } from './cliText';

const USAGE = 'usage: vasculature-explorer score <submission.csv> <dataset-folder> [--json] [--ignore-mode count|ignore] [--log vasculature-submissions.json [--public lb] [--private lb] [--folds folds.csv]]';

/** Parses the value of `--name v` (undefined when absent); positional args are the rest. */
export function splitArgs(args: string[], valued: readonly string[]): { flags: Map<string, string | true>; positional: string[] } {
  const flags = new Map<string, string | true>();
  const positional: string[] = [];
  for (let k = 0; k < args.length; k++) {
    const a = args[k];
    if (a.startsWith('--')) {
      if (valued.includes(a)) {
        if (k + 1 >= args.length) throw new Error(`${a} needs a value`);
        flags.set(a, args[++k]);
      } else flags.set(a, true);
    } else positional.push(a);
  }
  return { flags, positional };
}

/** A problem as the --json object lists it. */
export function problemJson(p: Problem): { file: string; line: number; column?: number; severity: string; code: string; message: string } {
  return { file: p.file, line: p.line, ...(p.column ? { column: p.column } : {}), severity: p.severity, code: p.code, message: p.message };
}

/** Run score; exit 1 when the submission has errors, 2 for usage. */
export async function scoreCommand(args: string[], io: CliIO): Promise<number> {
  let parsed;
  try {
    parsed = splitArgs(args, ['--ignore-mode', '--log', '--public', '--private', '--folds']);
  } catch (e) {
    io.err(`${errorText(e)}\n${USAGE}`);
    return 2;
  }
  const { flags, positional } = parsed;
  const mode = (flags.get('--ignore-mode') ?? 'count') as string;
  if (positional.length !== 2 || (mode !== 'count' && mode !== 'ignore')) {
    io.err(USAGE);
    return 2;
  }
  const [csvPath, dataset] = positional.map((p) => path.resolve(p));
  for (const p of [csvPath, dataset]) {
    if (!fs.existsSync(p)) {
      io.err(`vasculature-explorer score: ${p} does not exist.`);
      return 2;
    }
  }
  const index = await indexDataset(dataset);
  const shown = positional[0];
  const read = readSubmissionFile(csvPath, shown);
  if ('problem' in read) {
    const p = read.problem;
    if (flags.has('--json')) io.out(JSON.stringify({ submission: csvPath, dataset, rows: 0, scoredRows: 0, problems: [problemJson(p)] }, null, 2));
    else io.out(problemLine({ ...p, line: 0 }));
    return 1;
  }
  const parse = parseSubmissionCsv(read.text, { file: shown, knownIds: new Set(index.tiles.keys()) });
  const annotatedIds = [...index.tiles.values()].filter((t) => t.polygonsLine !== undefined).map((t) => t.id);
  const scored = await scoreSubmission(parse.rows.filter((r) => r.ok), async (id) => ({ annotations: await tileAnnotations(index, id), group: tileGroup(index, id) }), mode as IgnoreMode, { file: shown, annotatedIds });
  const problems = sortedProblems([...parse.problems, ...scored.problems]);
  const errors = problems.filter((p) => p.severity === 'error').length;
  if (typeof flags.get('--log') === 'string') {
    // The submissions log (CV vs leaderboard): this file, its local AP overall and per WSI, and LB scores when given.
    const logFile = path.resolve(flags.get('--log') as string);
    const lb = (k: string) => { const v = flags.get(k); if (v === undefined) return undefined; const n = Number(v); if (!Number.isFinite(n)) throw new Error(`${k} wants a number, got "${String(v)}"`); return n; };
    const log = readSubmissionsLog(logFile);
    const pub = lb('--public'), priv = lb('--private');
    // Per-fold local AP with --folds (any id,fold CSV; bad lines are reported, the rest is used).
    const foldsArg = flags.get('--folds');
    const foldsFile = typeof foldsArg === 'string' ? path.resolve(foldsArg) : undefined;
    let perFold: Record<string, number | null> | undefined;
    if (foldsFile) {
      const parsedFolds = parseFoldsCsv(fs.readFileSync(foldsFile, 'utf8'), foldsFile);
      for (const p of parsedFolds.problems) io.err(`${field(p.message)}\n`);
      perFold = groupAps(scored.tiles, (id) => { const f = parsedFolds.folds.get(id); return f === undefined ? undefined : String(f); }, mode as IgnoreMode);
    }
    recordSubmission(log, { path: csvPath, hash: fileHash(csvPath), localAp: scored.score.numGt > 0 ? scored.score.ap ?? null : null, perWsi: Object.fromEntries(scored.score.perWsi.map((w) => [w.group, w.ap ?? null])), ...(perFold ? { perFold, foldsFile } : {}), settings: { ignoreMode: mode }, ...(pub !== undefined ? { publicLb: pub } : {}), ...(priv !== undefined ? { privateLb: priv } : {}) });
    writeSubmissionsLog(logFile, log);
    io.err(`recorded in ${logFile} (${log.submissions.length} submission(s))`);
  }
  if (flags.has('--json')) {
    io.out(JSON.stringify({ submission: csvPath, dataset, rows: parse.rows.length, scoredRows: parse.rows.filter((r) => r.ok).length, ...scoreJson(scored.score), problems: problems.map(problemJson) }, null, 2));
  } else {
    io.out(batchScoreMarkdown(shownScore(scored.score), `Score of ${field(shown)} against ${field(dataset)}`, errors ? [`Rows with errors are left out of the score: ${parse.rows.filter((r) => !r.ok).length} of ${parse.rows.length}.`] : []));
    for (const p of problems) io.out(problemLine(p));
  }
  return errors > 0 ? 1 : 0;
}
