/** Paths the test harness shares: repo root, code-server install, sample data, outputs. */
import * as fs from 'fs';
import * as path from 'path';

/** The repository root (this file compiles to out/test/harness/paths.js). */
export const repoRoot = path.resolve(__dirname, '..', '..', '..');

/** Folder that scripts/setup.sh installs code-server and playwright-core into. */
export const codeServerDir = path.join(repoRoot, '.vscode-test', 'code-server');

/** The code-server launcher installed by scripts/setup.sh. */
export const codeServerBin = path.join(codeServerDir, 'node_modules', '.bin', 'code-server');

/** The read-only real sample of the Kaggle data (never written to). */
export const sampleDataset = path.resolve(repoRoot, '..', 'shared', 'data', 'hhv-sample');

/** Where tests write screenshots and logs (git-ignored). */
export const testOutputDir = path.join(repoRoot, 'test-output');

/** Debian's chromium; playwright-core drives it, never a downloaded browser. */
export const chromiumPath = process.env.VE_CHROMIUM || '/usr/bin/chromium';

/** Throws a clear error when ../shared/data/hhv-sample is not next to the repository. */
export function assertSampleDataset(): void {
  if (!fs.existsSync(path.join(sampleDataset, 'polygons.jsonl'))) {
    throw new Error(`The real sample dataset is missing: ${sampleDataset}/polygons.jsonl not found. ` +
      `The tests read it from ../shared next to the repository; clone the repo beside the shared folder ` +
      `(or symlink it: ln -s /work/shared ${path.dirname(repoRoot)}/shared).`);
  }
}

/** Settings for a profile that opens the real sample: what the product keeps in a workspace goes to the profile instead. */
export function sampleWorkspaceSettings(profileDir: string): Record<string, unknown> {
  return { 'vasculatureExplorer.tuning.submissionsLog': path.join(profileDir, 'vasculature-submissions.json') };
}

/** Every path under the sample with its size and mtime, to prove a test run left the read-only input as it was. */
export function sampleSnapshot(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else { const st = fs.statSync(p); out.push(`${path.relative(sampleDataset, p)} ${st.size} ${st.mtimeMs}`); }
    }
  };
  walk(sampleDataset);
  return out.sort();
}

/** The entries added, removed or changed between two snapshots (empty: untouched). */
export function sampleChanges(before: string[], after: string[]): string[] {
  const a = new Set(before), b = new Set(after);
  return [...before.filter((x) => !b.has(x)).map((x) => `- ${x}`), ...after.filter((x) => !a.has(x)).map((x) => `+ ${x}`)];
}
