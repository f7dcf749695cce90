/**
 * Child process of the dashboard bench: one clean measurement per process.
 * Usage: node out/bench/dashboardChild.js floor|dashboard <root>; prints one JSON line.
 * The index is built first and not timed (in the product it comes from the index cache).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { indexDataset } from '../src/core/datasetIndex';
import { computeDashboard } from '../src/core/dashboardData';

export interface DashboardChildResult {
  ms: number;
  cpuMs: number;
  /** Bytes of the JSON message sent to the webview (dashboard mode). */
  payloadBytes: number;
  /** Polygons lines read, to check both modes did the same reading. */
  lines: number;
  polygonPassMs: number;
}

/** The floor: the least any per-polygon statistic needs: read polygons.jsonl and JSON.parse every line. */
async function floor(root: string): Promise<number> {
  const poly = await fs.promises.readFile(path.join(root, 'polygons.jsonl'), 'utf8');
  let lines = 0, start = 0;
  while (start < poly.length) {
    let end = poly.indexOf('\n', start);
    if (end < 0) end = poly.length;
    if (end > start) {
      JSON.parse(poly.slice(start, end));
      lines++;
    }
    start = end + 1;
  }
  return lines;
}

async function main(): Promise<void> {
  const [mode, root] = process.argv.slice(2);
  const index = await indexDataset(root);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let result: DashboardChildResult;
  if (mode === 'floor') {
    const lines = await floor(root);
    result = { ms: 0, cpuMs: 0, payloadBytes: 0, lines, polygonPassMs: 0 };
  } else {
    const model = await computeDashboard(index);
    // What the panel posts: the data message, serialised.
    const payloadBytes = Buffer.byteLength(JSON.stringify({ type: 'data', data: model.data }));
    result = { ms: 0, cpuMs: 0, payloadBytes, lines: model.pass.lines, polygonPassMs: model.pass.ms };
  }
  result.ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  result.cpuMs = (c.user + c.system) / 1000;
  console.log(JSON.stringify(result));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : String(e));
  process.exit(1);
});
