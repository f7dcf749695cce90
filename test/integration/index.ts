/**
 * The extension-host test entry (extensionTestsPath): runs mocha over the suite's *.test.js files
 * inside the real VS Code and ends with the line `integration: N passed, N failed`.
 * VE_INTEGRATION_DIR picks the suite folder (default: this folder, minus sub-suites that own a
 * workspace.js); VE_INTEGRATION_RESULTS names a JSON file that receives the counts.
 */
import * as fs from 'fs';
import * as path from 'path';
import Mocha from 'mocha';

export interface IntegrationCounts { passed: number; failed: number; pending: number }

/** Every *.test.js under dir; sub-folders holding a workspace.js are separate suites and are skipped. */
export function findTestFiles(dir: string, isRoot = true): string[] {
  if (!isRoot && fs.existsSync(path.join(dir, 'workspace.js'))) return [];
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...findTestFiles(p, false));
    else if (e.name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

/** Called by VS Code once the extension host is up; rejects when any test failed. */
export async function run(): Promise<void> {
  const dir = process.env.VE_INTEGRATION_DIR || __dirname;
  // VE_INTEGRATION_GREP runs only the tests whose full title matches (e.g. one describe block).
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false, reporter: 'spec', ...(process.env.VE_INTEGRATION_GREP ? { grep: process.env.VE_INTEGRATION_GREP } : {}) });
  const files = findTestFiles(dir);
  for (const f of files) mocha.addFile(f);
  const counts: IntegrationCounts = { passed: 0, failed: 0, pending: 0 };
  try {
    await mocha.loadFilesAsync();
    await new Promise<void>((resolve) => {
      const runner = mocha.run(() => resolve());
      runner.on('pass', () => { counts.passed++; });
      runner.on('fail', () => { counts.failed++; });
      runner.on('pending', () => { counts.pending++; });
    });
  } catch (err) {
    counts.failed++;
    console.error(`integration: could not load the tests in ${dir}: ${err instanceof Error ? err.stack : String(err)}`);
  }
  if (files.length === 0) {
    counts.failed++;
    console.error(`integration: no *.test.js files found in ${dir}; did \`npm run build\` run?`);
  }
  if (process.env.VE_INTEGRATION_RESULTS) fs.writeFileSync(process.env.VE_INTEGRATION_RESULTS, JSON.stringify(counts));
  console.log(`integration: ${counts.passed} passed, ${counts.failed} failed`);
  if (counts.failed > 0) throw new Error(`${counts.failed} integration test(s) failed`);
}
