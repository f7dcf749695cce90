/**
 * Bench section "installed": activation of the extension as a user installs it (the VSIX through
 * `code-server --install-extension`) beside the development folder (`extensionDevelopmentPath`),
 * in the same run, alternating. Measured: window open (page navigation) to the tile browser
 * showing WSI 1's tile count on the real sample, in a fresh profile each time (so both index cold).
 * Target: installed <= 1.1x development. Runs alone: node out/bench/index.js installed
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { launchBrowser, newLoopbackContext } from '../test/harness/browser';
import { startCodeServer } from '../test/harness/codeServer';
import { installVsix } from '../test/harness/installVsix';
import { workbenchUrl } from '../test/harness/workbenchUrl';
import { median, type BenchRow } from './benchTable';

const REPO = path.resolve(__dirname, '..', '..');
const SAMPLE = path.resolve(REPO, '..', 'shared', 'data', 'hhv-sample');
const ROUNDS = Number(process.env.VE_BENCH_INSTALLED_ROUNDS || 3);

type Mode = 'development' | 'installed';

/** One cold window: fresh code-server profile, page open to WSI 1's count in the tile browser. Returns ms. */
async function openOnce(browser: Awaited<ReturnType<typeof launchBrowser>>, mode: Mode, installedDir: string, tmp: string, k: number): Promise<number> {
  const profile = path.join(tmp, `${mode}-${k}`);
  const server = await startCodeServer({
    userDataDir: path.join(profile, 'user-data'),
    extensionsDir: mode === 'installed' ? installedDir : path.join(profile, 'extensions'),
    logFile: path.join(profile, 'code-server.log'),
  });
  const context = await newLoopbackContext(browser);
  try {
    const page = await context.newPage();
    const url = workbenchUrl({ port: server.port, folder: SAMPLE, extensionDevelopmentPaths: mode === 'development' ? [REPO] : [] });
    const t0 = performance.now();
    await page.goto(url);
    const item = page.locator('.part.activitybar .action-item a.action-label[aria-label^="Vasculature Explorer"]').first();
    await item.waitFor({ state: 'visible', timeout: 90_000 });
    await item.click();
    await page.waitForFunction(() => /^\d+ tiles/.test(
      [...document.querySelectorAll('.part.sidebar .monaco-list-row')].find((r) => r.querySelector('.label-name')?.textContent === 'WSI 1')?.querySelector('.label-description')?.textContent ?? ''),
    undefined, { timeout: 90_000, polling: 20 });
    return performance.now() - t0;
  } finally {
    await context.close().catch(() => undefined);
    await server.stop();
  }
}

/** The bench rows: median of ROUNDS cold opens per mode, alternating which goes first. */
export async function run(): Promise<BenchRow[]> {
  if (!fs.existsSync(path.join(REPO, '.vscode-test', 'code-server'))) {
    return [{ benchmark: 'installed vs development activation', measured: 'skipped: code-server not installed (npm run setup)', target: '-', verdict: 'info' }];
  }
  execFileSync(process.execPath, [path.join(REPO, 'scripts', 'package.js')], { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] });
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { name: string; version: string };
  const vsix = path.join(REPO, `${pkg.name}-${pkg.version}-linux-x64.vsix`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 've-installed-bench-'));
  const installedDir = path.join(tmp, 'installed-extensions');
  const install = installVsix(vsix, installedDir);
  const browser = await launchBrowser();
  const times: Record<Mode, number[]> = { development: [], installed: [] };
  try {
    // One warm-up of each (code-server's own first start, the browser's caches), not counted.
    await openOnce(browser, 'development', installedDir, tmp, -1);
    await openOnce(browser, 'installed', installedDir, tmp, -1);
    for (let k = 0; k < ROUNDS; k++) {
      const order: Mode[] = k % 2 === 0 ? ['development', 'installed'] : ['installed', 'development'];
      for (const mode of order) times[mode].push(await openOnce(browser, mode, installedDir, tmp, k));
    }
  } finally {
    await browser.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const dev = median(times.development);
  const inst = median(times.installed);
  const ratio = inst / dev;
  const list = (xs: number[]) => xs.map((x) => (x / 1000).toFixed(2)).join(' / ');
  const load = os.loadavg()[0];
  return [
    { benchmark: 'VSIX install (code-server --install-extension, 28 MB)', measured: `${(install.ms / 1000).toFixed(1)} s`, target: '-', verdict: 'info' },
    { benchmark: `activation, development folder: window open to tile browser counts (sample, cold profile, median of ${ROUNDS})`, measured: `${(dev / 1000).toFixed(2)} s (${list(times.development)} s)`, target: 'floor (same run)', verdict: 'info' },
    { benchmark: `activation, installed VSIX: window open to tile browser counts (sample, cold profile, median of ${ROUNDS})`, measured: `${(inst / 1000).toFixed(2)} s (${list(times.installed)} s), ${ratio.toFixed(2)}x development; load ${load.toFixed(1)}`, target: '<= 1.1x development', verdict: ratio <= 1.1 ? 'pass' : 'FAIL' },
  ];
}
