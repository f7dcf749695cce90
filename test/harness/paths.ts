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
