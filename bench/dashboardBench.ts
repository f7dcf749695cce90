/** Bench section: Dataset Overview data on the full synthetic set (polygon pass + aggregates + JSON payload) against a read+parse floor, each run in a fresh process. */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BenchRow, fmtSeconds, median } from './benchTable';
import type { DashboardChildResult } from './dashboardChild';
import type { DashboardVsCodeResults } from './dashboardSuite/dashboard.bench.test';
import type { DashboardPhases } from '../src/extension/overview/dashboardPanel';

const f0 = (v: number | undefined) => (v === undefined ? '?' : v.toFixed(0));
import { ensureSet, FULL_SET } from './syntheticSets';

const CHILD = path.join(__dirname, 'dashboardChild.js');
const RUNS = 5;
/** Issue 11: the dashboard's data on an indexed dataset (the index's one pass already has the polygon numbers). */
const INDEXED_TARGET_MS = 100;
/** Issue 11: command to every chart drawn <= the empty-webview floor of the same run + 0.25 s. */
const FLOOR_MARGIN_MS = 250;
const TARGET_BYTES = 1 << 20;

function once(mode: 'floor' | 'dashboard' | 'warm', root: string): DashboardChildResult {
  const out = execFileSync(process.execPath, ['--max-old-space-size=4096', CHILD, mode, root], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').pop() ?? '') as DashboardChildResult;
}

const REPO = path.resolve(__dirname, '..', '..');
const SAMPLE = path.resolve(REPO, '..', 'shared', 'data', 'hhv-sample');

/** The issue's own measure in the real VS Code (code-server + headless Chromium): command to every chart drawn, fresh profile. */
async function inVsCode(): Promise<BenchRow[]> {
  if (!fs.existsSync(path.join(REPO, '.vscode-test', 'code-server'))) {
    return [{ benchmark: 'dashboard in VS Code', measured: 'skipped: code-server not installed (npm run setup)', target: '-', verdict: 'info' }];
  }
  const { runTests } = await import('@vscode/test-electron');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 've-dash-bench-'));
  const results = path.join(tmp, 'results.json');
  const profile = path.join(REPO, '.vscode-test', 'bench-dashboard');
  fs.rmSync(profile, { recursive: true, force: true }); // no index or dashboard cache from an earlier run
  try {
    await runTests({
      vscodeExecutablePath: path.join(REPO, 'test', 'harness', 'vscode-shim.sh'),
      extensionDevelopmentPath: REPO,
      extensionTestsPath: path.join(REPO, 'out', 'test', 'integration', 'index.js'),
      launchArgs: [SAMPLE, `--user-data-dir=${path.join(profile, 'user-data')}`, `--extensions-dir=${path.join(profile, 'extensions')}`],
      extensionTestsEnv: { VE_INTEGRATION_DIR: path.join(__dirname, 'dashboardSuite'), VE_BENCH_RESULTS: results, VE_BENCH_SYNTHETIC: FULL_SET.root },
    }).catch((e: unknown) => process.stderr.write(`bench: dashboard: the VS Code run reported ${String(e)}\n`));
    const r = JSON.parse(fs.readFileSync(results, 'utf8')) as DashboardVsCodeResults;
    const rows: BenchRow[] = r.errors.map((e) => ({ benchmark: 'dashboard in VS Code: error', measured: e.slice(0, 120), target: '-', verdict: 'FAIL' as const }));
    const at = (ph: DashboardPhases | undefined) => (ph ? ` (from the command: webview ready ${f0(ph.readyMs)}, model ${f0(ph.modelMs)}, data posted ${f0(ph.postedMs)} ms; webview draw ${f0(ph.webviewDrawMs)} ms)` : '');
    const mid = (k: keyof DashboardPhases) => { const v = r.reopenPhases.map((p) => p[k]).filter((x): x is number => x !== undefined); return v.length ? median(v) : undefined; };
    // Issue 11: new-webview rows are judged against the empty webview measured in the same run (docs/webview-startup.md).
    const floor = r.emptyWebviewMs?.length ? median(r.emptyWebviewMs) : undefined;
    if (floor !== undefined) {
      rows.push({ benchmark: `dashboard: floor of any new panel here, an EMPTY webview (one inline script, no extension code): creation to its script's message (median of ${r.emptyWebviewMs.length}, same VS Code; docs/webview-startup.md)`, measured: fmtSeconds(floor / 1000), target: 'floor', verdict: 'info' });
    }
    const overFloor = (v: number) => (floor === undefined ? 'no floor measured' : `floor + ${fmtSeconds((v - floor) / 1000)}`);
    const judge = (v: number) => (floor !== undefined && v <= floor + FLOOR_MARGIN_MS ? 'pass' as const : 'FAIL' as const);
    if (r.coldMs !== undefined) {
      rows.push({ benchmark: `dashboard: command to all charts drawn, real VS Code, full set (${r.tiles} tiles), run as the index is published (its polygon numbers come with the index) + new webview + draw`, measured: `${fmtSeconds(r.coldMs / 1000)} = ${overFloor(r.coldMs)}${at(r.coldPhases)}`, target: `<= floor + ${fmtSeconds(FLOOR_MARGIN_MS / 1000)} (wall, one run)`, verdict: judge(r.coldMs) });
    }
    if (r.reopenMs.length) {
      const m = median(r.reopenMs);
      rows.push({ benchmark: `dashboard: command to all charts drawn, real VS Code, full set, panel reopened (model in memory; new webview, median of ${r.reopenMs.length})`, measured: `${fmtSeconds(m / 1000)} = ${overFloor(m)}${at({ readyMs: mid('readyMs'), modelMs: mid('modelMs'), postedMs: mid('postedMs'), webviewDrawMs: mid('webviewDrawMs') })}`, target: `<= floor + ${fmtSeconds(FLOOR_MARGIN_MS / 1000)}`, verdict: judge(m) });
    }
    if (r.tabShowMs?.length) {
      const m = median(r.tabShowMs);
      rows.push({ benchmark: `dashboard: hidden Dataset Overview tab shown again (a text editor over it, then its tab back: workbench.action.previousEditor) to a frame of the same document with every chart (its pixels checked unchanged after; median of ${r.tabShowMs.length}; retainContextWhenHidden)`, measured: `median ${fmtSeconds(m / 1000)}, max ${fmtSeconds(Math.max(...r.tabShowMs) / 1000)}${r.tabShowResizes !== undefined ? `; chart redraws by resize over the ${r.tabShowMs.length} hides and shows: ${r.tabShowResizes}` : ''}`, target: '<= 100 ms', verdict: m <= 100 ? 'pass' : 'FAIL' });
    }
    if (r.heapRetained !== undefined && r.heapClosed !== undefined) {
      const kept = r.heapRetained - r.heapClosed;
      rows.push({ benchmark: 'dashboard: memory the hidden, retained Dataset Overview tab keeps: the webviews\' renderer JS heap (Chromium performance.memory after gc, read by an empty webview) with the tab hidden minus after it is closed', measured: `${(kept / 1048576).toFixed(1)} MiB (${(r.heapRetained / 1048576).toFixed(1)} -> ${(r.heapClosed / 1048576).toFixed(1)} MiB; the renderer is shared with the workbench${r.hiddenJsHeap !== undefined ? `, which the tab's own reading shows: ${(r.hiddenJsHeap / 1048576).toFixed(1)} MiB` : ''})`, target: '<= 32 MiB', verdict: kept <= 32 * 1048576 ? 'pass' : 'FAIL' });
    }
    return rows;
  } catch (e) {
    return [{ benchmark: 'dashboard in VS Code', measured: `no result: ${e instanceof Error ? e.message : String(e)}`.slice(0, 160), target: '<= floor + 0.25 s', verdict: 'FAIL' }];
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** Rows: the floor, the dashboard data time (target <= 1 s, and x floor), and the payload size (target <= 1 MB). */
export async function run(): Promise<BenchRow[]> {
  await ensureSet(FULL_SET);
  const floors: DashboardChildResult[] = [];
  const dash: DashboardChildResult[] = [];
  const warm: DashboardChildResult[] = [];
  for (let k = 0; k < RUNS; k++) {
    floors.push(once('floor', FULL_SET.root));
    dash.push(once('dashboard', FULL_SET.root));
    warm.push(once('warm', FULL_SET.root));
  }
  if (warm.some((w) => w.dataHash !== dash[0].dataHash)) throw new Error('the dashboard data from the cached index differs from the freshly indexed one: the index cache is stale or lossy.');
  if (floors[0].lines !== dash[0].lines) throw new Error(`the dashboard read ${dash[0].lines} polygons lines, the floor ${floors[0].lines}: unlike work.`);
  const load = os.loadavg()[0] / os.cpus().length;
  // On a busy shared machine wall time measures the neighbours: judge on CPU time, and say so.
  const onCpu = load > 1.5;
  const m = (rs: DashboardChildResult[], k: 'ms' | 'cpuMs') => median(rs.map((r) => r[k]));
  const judged = onCpu ? m(dash, 'cpuMs') : m(dash, 'ms');
  const floorJudged = onCpu ? m(floors, 'cpuMs') : m(floors, 'ms');
  const both = (rs: DashboardChildResult[]) => `${fmtSeconds(m(rs, 'ms') / 1000)} wall, ${fmtSeconds(m(rs, 'cpuMs') / 1000)} cpu`;
  const bytes = dash[0].payloadBytes;
  const warmJudged = onCpu ? m(warm, 'cpuMs') : m(warm, 'ms');
  return [
    { benchmark: 'dashboard: floor, full set (read polygons.jsonl + JSON.parse every line)', measured: both(floors), target: '-', verdict: 'info' },
    {
      benchmark: `dashboard: data for the webview on an indexed dataset, full set (polygon numbers from the index, no file read + aggregates + JSON, median of ${RUNS})`,
      measured: `${both(dash)}; ${(judged / floorJudged).toFixed(2)}x floor; pass from the index ${fmtSeconds(median(dash.map((r) => r.polygonPassMs)) / 1000)}`,
      target: `<= 0.1 s${onCpu ? ' (judged on cpu: machine busy)' : ' (judged on wall)'}; floor ${fmtSeconds(floorJudged / 1000)}`,
      verdict: judged <= INDEXED_TARGET_MS ? 'pass' : 'FAIL',
    },
    {
      benchmark: `dashboard: data for the webview, index loaded from the index cache, full set (aggregates + JSON, median of ${RUNS})`,
      measured: `${both(warm)}; ${(warmJudged / floorJudged).toFixed(2)}x floor`,
      target: `<= 0.1 s${onCpu ? ' (judged on cpu: machine busy)' : ' (judged on wall)'}; floor ${fmtSeconds(floorJudged / 1000)}`,
      verdict: warmJudged <= INDEXED_TARGET_MS ? 'pass' : 'FAIL',
    },
    { benchmark: 'dashboard: message payload to the webview, full set', measured: `${(bytes / 1024).toFixed(0)} KiB`, target: '<= 1024 KiB', verdict: bytes <= TARGET_BYTES ? 'pass' : 'FAIL' },
    // VE_BENCH_DASHBOARD_VSCODE=0 skips the real VS Code part (it starts code-server: about a minute).
    ...(process.env.VE_BENCH_DASHBOARD_VSCODE === '0' ? [] : await inVsCode()),
  ];
}
