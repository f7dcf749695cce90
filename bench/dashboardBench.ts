/** Bench section: Dataset Overview data on the full synthetic set (polygon pass + aggregates + JSON payload) against a read+parse floor, each run in a fresh process. */
import { execFileSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { BenchRow, fmtSeconds, median } from './benchTable';
import type { DashboardChildResult } from './dashboardChild';
import { ensureSet, FULL_SET } from './syntheticSets';

const CHILD = path.join(__dirname, 'dashboardChild.js');
const RUNS = 5;
const TARGET_MS = 1000;
const TARGET_BYTES = 1 << 20;

function once(mode: 'floor' | 'dashboard' | 'warm', root: string): DashboardChildResult {
  const out = execFileSync(process.execPath, ['--max-old-space-size=4096', CHILD, mode, root], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').pop() ?? '') as DashboardChildResult;
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
  if (warm.some((w) => w.dataHash !== dash[0].dataHash)) throw new Error('the dashboard data from the cache differs from the freshly computed one: the cache is stale or lossy.');
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
      benchmark: `dashboard: data for the webview, cold, full set (polygon pass + aggregates + JSON + cache write, median of ${RUNS})`,
      measured: `${both(dash)}; ${(judged / floorJudged).toFixed(2)}x floor; pass alone ${fmtSeconds(median(dash.map((r) => r.polygonPassMs)) / 1000)}`,
      target: `<= 1 s${onCpu ? ' (judged on cpu: machine busy)' : ' (judged on wall)'}; floor ${fmtSeconds(floorJudged / 1000)}`,
      verdict: judged <= TARGET_MS ? 'pass' : 'FAIL',
    },
    {
      benchmark: `dashboard: data for the webview, warm, full set (load pass cache + aggregates + JSON, median of ${RUNS})`,
      measured: `${both(warm)}; ${(warmJudged / floorJudged).toFixed(2)}x floor`,
      target: `<= 1 s${onCpu ? ' (judged on cpu: machine busy)' : ' (judged on wall)'}; floor ${fmtSeconds(floorJudged / 1000)}`,
      verdict: warmJudged <= TARGET_MS ? 'pass' : 'FAIL',
    },
    { benchmark: 'dashboard: message payload to the webview, full set', measured: `${(bytes / 1024).toFixed(0)} KiB`, target: '<= 1024 KiB', verdict: bytes <= TARGET_BYTES ? 'pass' : 'FAIL' },
  ];
}
