/** Bench section: cold dataset indexing (src/core/datasetIndex.ts) against a floor measured in the same run, each in a fresh process. */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BenchRow, fmtMiB, fmtSeconds, median } from './benchTable';
import type { ChildResult } from './indexChild';
import { ensureSet, FULL_SET, SET_100K, type SyntheticSet } from './syntheticSets';

const CHILD = path.join(__dirname, 'indexChild.js');

function measureOnce(mode: 'floor' | 'index' | 'prime' | 'warm' | 'query', root: string, cacheDir = ''): ChildResult {
  const out = execFileSync(process.execPath, ['--expose-gc', '--max-old-space-size=8192', CHILD, mode, root, cacheDir], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out.trim().split('\n').pop() ?? '') as ChildResult;
}

/** Alternates floor and index runs (so drift hits both alike); medians of wall and CPU time. */
function measure(set: SyntheticSet, floorRuns: number, indexRuns: number): { floor: ChildResult; index: ChildResult } {
  const floors: ChildResult[] = [];
  const indexes: ChildResult[] = [];
  for (let k = 0; k < Math.max(floorRuns, indexRuns); k++) {
    if (k < floorRuns) floors.push(measureOnce('floor', set.root));
    if (k < indexRuns) indexes.push(measureOnce('index', set.root));
  }
  const pick = (rs: ChildResult[]): ChildResult => {
    const m = median(rs.map((r) => r.ms));
    const closest = rs.reduce((a, b) => (Math.abs(b.ms - m) < Math.abs(a.ms - m) ? b : a));
    return { ...closest, ms: m, cpuMs: median(rs.map((r) => r.cpuMs)) };
  };
  const floor = pick(floors);
  const index = pick(indexes);
  if (floor.lines !== index.lines) {
    throw new Error(`${set.root}: the indexer saw ${index.lines} polygons lines, the floor ${floor.lines}; the bench compares unlike work.`);
  }
  return { floor, index };
}

/** Issue 11: cold index of the full set (one pass: index, Problems and the dashboard's numbers) <= 0.5x floor; the 100k set <= 6 s with RSS growth <= 120 MiB; warm open <= 0.1 s. */
export async function indexBench(): Promise<BenchRow[]> {
  await ensureSet(FULL_SET);
  await ensureSet(SET_100K);
  const rows: BenchRow[] = [];
  const load = os.loadavg()[0] / os.cpus().length;
  rows.push({ benchmark: 'machine load (1-min load average per core)', measured: load.toFixed(2), target: '<= 1 for clean wall times', verdict: 'info' });
  // On a busy shared machine wall time measures the neighbours: judge on CPU time instead, and say so.
  const onCpu = load > 1.5;
  const t = (r: ChildResult): number => (onCpu ? r.cpuMs : r.ms);
  const basis = onCpu ? ' (judged on cpu: machine busy)' : ' (judged on wall)';
  const full = measure(FULL_SET, 5, 5);
  const ratio = t(full.index) / t(full.floor);
  const both = (r: ChildResult): string => `${fmtSeconds(r.ms / 1000)} wall, ${fmtSeconds(r.cpuMs / 1000)} cpu`;
  rows.push({ benchmark: 'index floor, full set (read + list + JSON.parse)', measured: both(full.floor), target: '-', verdict: 'info' });
  rows.push({
    benchmark: 'cold index, full set (7033 tiles; one pass: index + Problems + the dashboard\'s per-tile numbers, median of 5)',
    measured: `${both(full.index)} (${(full.index.ms / full.floor.ms).toFixed(2)}x floor wall, ${(full.index.cpuMs / full.floor.cpuMs).toFixed(2)}x cpu)`,
    target: `<= 0.5x floor${basis}`,
    verdict: ratio <= 0.5 ? 'pass' : 'FAIL',
  });
  rows.push({
    benchmark: 'memory retained by the index, full set (Node process running the extension host\'s core)',
    measured: `rss +${fmtMiB(full.index.rssGrowth)}, heap +${fmtMiB(full.index.heapGrowth)}`,
    target: '<= 150 MiB',
    verdict: full.index.rssGrowth <= 150 * 1024 * 1024 ? 'pass' : 'FAIL',
  });
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vex-bench-cache-'));
  measureOnce('prime', FULL_SET.root, cacheDir);
  const warm = [0, 1, 2, 3, 4].map(() => measureOnce('warm', FULL_SET.root, cacheDir));
  const warmMs = median(warm.map((r) => r.ms));
  const warmCpu = median(warm.map((r) => r.cpuMs));
  rows.push({
    benchmark: 'warm open from the index cache, full set (median of 5)',
    measured: `${fmtSeconds(warmMs / 1000)} wall, ${fmtSeconds(warmCpu / 1000)} cpu (cold: ${fmtSeconds(full.index.ms / 1000)})`,
    target: `<= 100 ms${basis}`,
    verdict: (onCpu ? warmCpu : warmMs) <= 100 ? 'pass' : 'FAIL',
  });
  fs.rmSync(cacheDir, { recursive: true, force: true });
  const big = measure(SET_100K, 2, 3);
  const bigRatio = t(big.index) / t(big.floor);
  rows.push({ benchmark: 'index floor, 100k set (median of 2)', measured: both(big.floor), target: '-', verdict: 'info' });
  rows.push({
    benchmark: 'cold index, 100k set (median of 3)',
    measured: `${both(big.index)} (${(big.index.ms / big.floor.ms).toFixed(2)}x floor wall, ${(big.index.cpuMs / big.floor.cpuMs).toFixed(2)}x cpu)`,
    target: `<= 6 s${basis}`,
    verdict: t(big.index) <= 6000 ? 'pass' : 'FAIL',
  });
  rows.push({
    benchmark: 'index memory, 100k set (RSS growth, retained after GC)',
    measured: `rss +${fmtMiB(big.index.rssGrowth)}, heap +${fmtMiB(big.index.heapGrowth)}, peak rss ${fmtMiB(big.index.maxRss)} (floor peak rss ${fmtMiB(big.floor.maxRss)}, ${bigRatio.toFixed(2)}x floor time)`,
    target: '<= 120 MiB',
    verdict: big.index.rssGrowth <= 120 * 1024 * 1024 ? 'pass' : 'FAIL',
  });
  const q = measureOnce('query', SET_100K.root);
  rows.push({
    benchmark: 'tile browser regroup, 100k set (filter + sort all tiles twice)',
    measured: `${fmtSeconds(q.ms / 1000)} wall, ${fmtSeconds(q.cpuMs / 1000)} cpu`,
    target: '<= 0.5 s (tree children are then built lazily, paged by 500)',
    verdict: (onCpu ? q.cpuMs : q.ms) <= 500 ? 'pass' : 'FAIL',
  });
  return rows;
}
