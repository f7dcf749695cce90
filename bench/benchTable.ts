/** The one table every bench section reports into. */

export type Verdict = 'pass' | 'FAIL' | 'info';

/** One row of the bench table. */
export interface BenchRow {
  benchmark: string;
  measured: string;
  /** The target or floor it is judged against ('-' when informational). */
  target: string;
  verdict: Verdict;
}

/** Formats rows as a fixed-width text table. */
export function formatTable(rows: readonly BenchRow[]): string {
  const head: BenchRow = { benchmark: 'benchmark', measured: 'measured', target: 'target/floor', verdict: 'info' };
  const cells = [head, ...rows].map((r, k) => [r.benchmark, r.measured, r.target, k === 0 ? 'verdict' : r.verdict]);
  const widths = [0, 1, 2, 3].map((c) => Math.max(...cells.map((row) => row[c].length)));
  const line = (row: string[]): string => row.map((v, c) => v.padEnd(widths[c])).join(' | ').trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('-|-');
  return [line(cells[0]), rule, ...cells.slice(1).map(line)].join('\n');
}

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Seconds with sensible precision. */
export function fmtSeconds(s: number): string {
  return s < 10 ? `${s.toFixed(2)} s` : `${s.toFixed(1)} s`;
}

/** Bytes as MiB. */
export function fmtMiB(bytes: number): string {
  return `${(bytes / 1048576).toFixed(0)} MiB`;
}

/** Median wall and CPU milliseconds of `runs` calls of a synchronous f. CPU time is what single-threaded
 *  work costs on a free core; wall time also counts waiting for a core on a shared machine. */
export function timeMs(f: () => void, runs: number): { wall: number; cpu: number } {
  const wall: number[] = [], cpu: number[] = [];
  for (let k = 0; k < runs; k++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    f();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { wall: median(wall), cpu: median(cpu) };
}
