/**
 * Child process of the dashboard bench: one clean measurement per process.
 * Usage: node out/bench/dashboardChild.js floor|dashboard|warm <root>; prints one JSON line.
 * The index is built first and not timed (the dashboard opens on an indexed dataset); its one
 * pass over polygons.jsonl already computed the per-tile numbers.
 * dashboard: the index just built: pass from the index + aggregates + JSON.
 * warm: the index written to the index cache and loaded back (untimed), then the same, as on reopening VS Code.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { indexDataset } from '../src/core/dataset/datasetIndex';
import { inputSignature, loadCachedIndex, saveCachedIndex } from '../src/core/dataset/indexCache';
import { computeDashboard } from '../src/core/overview/overviewData';

export interface DashboardChildResult {
  ms: number;
  cpuMs: number;
  /** Bytes of the JSON message sent to the webview (dashboard mode). */
  payloadBytes: number;
  /** Polygons lines read, to check both modes did the same reading. */
  lines: number;
  polygonPassMs: number;
  /** sha1 of the chart data without its timings, to check cold and warm send the same charts. */
  dataHash: string;
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
  let index = await indexDataset(root);
  const storage = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'dash-bench-'));
  if (mode === 'warm') {
    await saveCachedIndex(storage, index, await inputSignature(root));
    const cached = await loadCachedIndex(storage, root);
    if (!cached) throw new Error('warm: the index cache did not load back');
    index = cached;
  }
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let result: DashboardChildResult;
  if (mode === 'floor') {
    const lines = await floor(root);
    result = { ms: 0, cpuMs: 0, payloadBytes: 0, lines, polygonPassMs: 0, dataHash: '' };
  } else {
    const model = await computeDashboard(index);
    // What the panel posts: the data message, serialised.
    const payloadBytes = Buffer.byteLength(JSON.stringify({ type: 'data', data: model.data }));
    const dataHash = crypto.createHash('sha1').update(JSON.stringify({ ...model.data, timing: undefined })).digest('hex');
    result = { ms: 0, cpuMs: 0, payloadBytes, lines: model.pass.lines, polygonPassMs: model.pass.ms, dataHash };
  }
  result.ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  result.cpuMs = (c.user + c.system) / 1000;
  await fs.promises.rm(storage, { recursive: true, force: true });
  console.log(JSON.stringify(result));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : String(e));
  process.exit(1);
});
