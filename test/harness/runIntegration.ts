/**
 * Runs the extension-host tests in a real VS Code (code-server via vscode-shim.sh) with
 * @vscode/test-electron. Suites: out/test/integration/*.test.js on ../shared/data/hhv-sample,
 * plus one per sub-folder that holds a workspace.js exporting
 * `createWorkspace(tmpDir: string): Promise<string>` (e.g. a broken copy for diagnostics tests).
 * Usage: node out/test/harness/runIntegration.js [suite-name ...]. Each suite gets one retry.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runTests } from '@vscode/test-electron';
import { assertSampleDataset, repoRoot, sampleChanges, sampleDataset, sampleSnapshot, sampleWorkspaceSettings } from './paths';

const integrationOut = path.join(repoRoot, 'out', 'test', 'integration');
const shim = path.join(repoRoot, 'test', 'harness', 'vscode-shim.sh');

interface Suite {
  name: string;
  /** Folder whose *.test.js files run (see test/integration/index.ts). */
  dir: string;
  /** Returns the folder VS Code opens; tmpDir is a fresh temp folder removed afterwards. */
  workspace: (tmpDir: string) => Promise<string>;
  /** User settings the suite's profile starts with (a workspace.js `profileSettings` export). */
  profileSettings?: Record<string, unknown>;
  /** The suite runs with workspace trust on (a workspace.js `workspaceTrust = true` export): code-server starts without --disable-workspace-trust. */
  workspaceTrust?: boolean;
}

interface WorkspaceModule { createWorkspace(tmpDir: string): Promise<string> | string; profileSettings?: Record<string, unknown>; workspaceTrust?: boolean }

/** The default suite plus every sub-folder suite that has a workspace.js. */
export function discoverSuites(): Suite[] {
  const suites: Suite[] = [{ name: 'hhv-sample', dir: integrationOut, workspace: async () => sampleDataset }];
  for (const e of fs.readdirSync(integrationOut, { withFileTypes: true })) {
    const wsModule = path.join(integrationOut, e.name, 'workspace.js');
    if (!e.isDirectory() || !fs.existsSync(wsModule)) continue;
    const mod = require(wsModule) as WorkspaceModule;
    suites.push({
      name: e.name,
      dir: path.join(integrationOut, e.name),
      workspace: async (tmp) => mod.createWorkspace(tmp),
      ...(mod.profileSettings ? { profileSettings: mod.profileSettings } : {}),
      ...(mod.workspaceTrust ? { workspaceTrust: true } : {}),
    });
  }
  return suites;
}

interface Counts { passed: number; failed: number }

async function runOnce(suite: Suite, attempt: number): Promise<{ ok: boolean; counts?: Counts; error?: string }> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `ve-int-${suite.name}-`));
  const results = path.join(tmp, 'results.json');
  // A fresh profile per run and attempt (pid-named: people may share a checkout), kept until the
  // next run of this process so its logs can be read after a failure.
  const profile = path.join(repoRoot, '.vscode-test', 'integration', `${suite.name}-${process.pid}-${attempt}`);
  fs.rmSync(profile, { recursive: true, force: true });
  try {
    const folder = await suite.workspace(path.join(tmp, 'ws'));
    // The real sample is read-only input: anything the product would keep in its workspace goes to the profile.
    if (path.resolve(folder) === path.resolve(sampleDataset)) process.env.VE_PROFILE_SETTINGS = JSON.stringify(sampleWorkspaceSettings(profile));
    else if (suite.profileSettings) process.env.VE_PROFILE_SETTINGS = JSON.stringify(suite.profileSettings);
    else delete process.env.VE_PROFILE_SETTINGS;
    if (suite.workspaceTrust) process.env.VE_WORKSPACE_TRUST = '1';
    else delete process.env.VE_WORKSPACE_TRUST;
    await runTests({
      vscodeExecutablePath: shim,
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: path.join(integrationOut, 'index.js'),
      launchArgs: [folder, `--user-data-dir=${path.join(profile, 'user-data')}`, `--extensions-dir=${path.join(profile, 'extensions')}`],
      extensionTestsEnv: { VE_INTEGRATION_DIR: suite.dir, VE_INTEGRATION_RESULTS: results, VE_INTEGRATION_ATTEMPT: String(attempt), ...(process.env.VE_INTEGRATION_GREP ? { VE_INTEGRATION_GREP: process.env.VE_INTEGRATION_GREP } : {}) },
    });
    return { ok: true, counts: readCounts(results) };
  } catch (err) {
    return { ok: false, counts: readCounts(results), error: err instanceof Error ? err.message : String(err) };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** Removes profiles left by earlier runs whose process has ended (other live runs keep theirs). */
function removeStaleProfiles(): void {
  const dir = path.join(repoRoot, '.vscode-test', 'integration');
  for (const name of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
    const pid = Number(/-(\d+)-\d+$/.exec(name)?.[1]);
    let alive = false;
    try { alive = pid > 0 && process.kill(pid, 0); } catch { alive = false; }
    if (!alive) fs.rmSync(path.join(dir, name), { recursive: true, force: true });
  }
}

function readCounts(file: string): Counts | undefined {
  try { return JSON.parse(fs.readFileSync(file, 'utf8')) as Counts; } catch { return undefined; }
}

async function main(): Promise<number> {
  if (!fs.existsSync(path.join(integrationOut, 'index.js'))) {
    console.error(`integration: ${path.join(integrationOut, 'index.js')} is missing. Run: npm run build`);
    return 1;
  }
  assertSampleDataset();
  removeStaleProfiles();
  const wanted = process.argv.slice(2);
  const suites = discoverSuites().filter((s) => wanted.length === 0 || wanted.includes(s.name));
  if (suites.length === 0) {
    console.error(`integration: no suite named ${wanted.join(', ')}; known: ${discoverSuites().map((s) => s.name).join(', ')}`);
    return 1;
  }
  const total: Counts = { passed: 0, failed: 0 };
  const sampleBefore = sampleSnapshot();
  for (const suite of suites) {
    const t0 = Date.now();
    console.log(`\n--- integration suite "${suite.name}" ---`);
    let r = await runOnce(suite, 1);
    if (!r.ok) {
      console.log(`integration: RETRY: suite "${suite.name}" failed on attempt 1 (${r.error}); running it once more`);
      r = await runOnce(suite, 2);
      if (r.ok) console.log(`integration: suite "${suite.name}" passed on the retry (attempt 2); attempt 1 was flaky`);
    }
    const c = r.counts ?? { passed: 0, failed: 1 }; // no counts: the run died before mocha finished
    if (!r.ok && c.failed === 0) c.failed = 1;
    total.passed += c.passed;
    total.failed += c.failed;
    console.log(`integration suite "${suite.name}": ${c.passed} passed, ${c.failed} failed (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  }
  const changed = sampleChanges(sampleBefore, sampleSnapshot());
  if (changed.length > 0) {
    console.log(`integration: FAILED: the run wrote into the read-only sample ${sampleDataset}:\n  ${changed.join('\n  ')}`);
    total.failed++;
  }
  console.log(`integration: ${total.passed} passed, ${total.failed} failed`);
  return total.failed > 0 ? 1 : 0;
}

main().then((code) => process.exit(code), (err: unknown) => {
  console.error(err);
  process.exit(1);
});
