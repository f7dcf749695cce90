/** `vasculature-explorer merge <a.csv> <b.csv> ... --out all.csv [--json]`: joins the submissions of sharded jobs, validated. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sortedProblems } from '../core/dataset';
import { mergeSubmissions } from '../core/metric';
import { problemJson, splitArgs } from './scoreCommand';
import type { CliIO } from './validateCommand';
import { errorText, problemLine } from './cliText';

const USAGE = 'usage: vasculature-explorer merge <a.csv> <b.csv> [...] --out all.csv [--json]';

/** Run merge; exit 1 when an input has errors or a tile is in two inputs (nothing written), 2 for usage. */
export async function mergeCommand(args: string[], io: CliIO): Promise<number> {
  let parsed;
  try {
    parsed = splitArgs(args, ['--out']);
  } catch (e) {
    io.err(`${errorText(e)}\n${USAGE}`);
    return 2;
  }
  const { flags, positional } = parsed;
  const outFlag = flags.get('--out');
  if (positional.length < 1 || typeof outFlag !== 'string') {
    io.err(USAGE);
    return 2;
  }
  const out = path.resolve(outFlag);
  const inputs = [];
  for (const p of positional) {
    const abs = path.resolve(p);
    if (!fs.existsSync(abs) || !fs.statSync(abs).isFile()) {
      io.err(`vasculature-explorer merge: ${abs} does not exist or is not a file.`);
      return 2;
    }
    if (abs === out) {
      io.err(`vasculature-explorer merge: --out ${out} is also an input; write the merge to a new file.`);
      return 2;
    }
    inputs.push({ file: p, text: fs.readFileSync(abs, 'utf8') });
  }
  const r = mergeSubmissions(inputs);
  const problems = sortedProblems(r.problems);
  const errors = problems.filter((p) => p.severity === 'error').length;
  if (r.text !== undefined) fs.writeFileSync(out, r.text);
  if (flags.has('--json')) {
    io.out(JSON.stringify({ out: r.text !== undefined ? out : null, rows: r.rows, inputs: positional.map((file, k) => ({ file, rows: r.rowsPerInput[k] })), problems: problems.map(problemJson) }, null, 2));
  } else {
    for (const p of problems) io.err(problemLine(p));
    if (r.text !== undefined) io.out(`wrote ${out}: ${r.rows} rows from ${inputs.length} file(s) (${positional.map((f, k) => `${f}: ${r.rowsPerInput[k]}`).join(', ')})`);
    else io.err(`vasculature-explorer merge: ${errors} error(s); nothing written to ${out}. Fix the inputs above and merge again.`);
  }
  return errors > 0 ? 1 : 0;
}
