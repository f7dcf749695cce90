/** Runs a reference script from test/unit/py with Debian's python3 (which has numpy), JSON in and out. */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

/** Repository root, from out/test/unit/support. */
export const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');

/** Sends `input` as JSON to test/unit/py/<script> and parses its JSON stdout. */
export function runPython<T>(script: string, input: unknown): T {
  const file = path.join(repoRoot, 'test', 'unit', 'py', script);
  const stdout = execFileSync('/usr/bin/python3', [file], {
    input: JSON.stringify(input),
    maxBuffer: 512 * 1024 * 1024,
    encoding: 'utf8',
  });
  return JSON.parse(stdout) as T;
}
