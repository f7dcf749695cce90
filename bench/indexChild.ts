/**
 * Child process of the index bench: one clean measurement per process.
 * Usage: node --expose-gc out/bench/indexChild.js floor|index|prime|warm|query <root> [cacheDir]; prints one JSON line.
 * prime: index and write the cache (not timed); warm: load from that cache; query: filter+sort all tiles after indexing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { indexDataset } from '../src/core/dataset/datasetIndex';
import { inputSignature, loadCachedIndex, saveCachedIndex } from '../src/core/dataset/indexCache';
import { queryTiles } from '../src/core/dataset/tileQuery';

/** One measurement, as printed by the child. */
export interface ChildResult {
  ms: number;
  /** CPU time (user + system, all threads) of the work, ms: steadier than wall time on a shared machine. */
  cpuMs: number;
  /** Growth of RSS and JS heap across the work, with what it produced still referenced, after a GC. */
  rssGrowth: number;
  heapGrowth: number;
  /** Peak RSS of the process, bytes. */
  maxRss: number;
  /** A count read back, to check both modes saw the same data. */
  lines: number;
}

/** The floor: the least any indexer must do: read the same bytes, list train/, JSON.parse every line. */
async function floor(root: string): Promise<number> {
  const [poly, meta, names] = await Promise.all([
    fs.promises.readFile(path.join(root, 'polygons.jsonl'), 'utf8'),
    fs.promises.readFile(path.join(root, 'tile_meta.csv'), 'utf8'),
    fs.promises.readdir(path.join(root, 'train')),
  ]);
  let lines = 0;
  let start = 0;
  while (start < poly.length) {
    let end = poly.indexOf('\n', start);
    if (end < 0) end = poly.length;
    if (end > start) {
      JSON.parse(poly.slice(start, end));
      lines++;
    }
    start = end + 1;
  }
  if (meta.length === 0 || names.length === 0) throw new Error(`${root}: tile_meta.csv or train/ is empty`);
  return lines;
}

async function main(): Promise<void> {
  const [mode, root, cacheDir] = process.argv.slice(2);
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
  if (mode === 'prime') {
    const sig = await inputSignature(root);
    await saveCachedIndex(cacheDir, await indexDataset(root), sig);
    process.stdout.write('{}\n');
    return;
  }
  const preIndexed = mode === 'query' ? await indexDataset(root) : undefined;
  gc();
  const m0 = process.memoryUsage();
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  let keep: unknown;
  let lines: number;
  if (mode === 'floor') {
    lines = await floor(root);
  } else if (mode === 'index') {
    const index = await indexDataset(root);
    keep = index;
    lines = index.stats.polygonLines;
  } else if (mode === 'warm') {
    const index = await loadCachedIndex(cacheDir, root);
    if (!index) throw new Error(`indexChild: no valid cache for ${root} in ${cacheDir}`);
    keep = index;
    lines = index.stats.polygonLines;
  } else if (mode === 'query' && preIndexed) {
    const withVessels = queryTiles(preIndexed.tiles.values(), { filter: { classes: ['blood_vessel'], hasImage: true }, sort: 'vesselArea' });
    const all = queryTiles(preIndexed.tiles.values(), { filter: {}, sort: 'id' });
    keep = [withVessels, all];
    lines = preIndexed.stats.polygonLines;
  } else {
    throw new Error(`indexChild: mode must be floor, index, prime, warm or query (got '${mode}')`);
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const c1 = process.cpuUsage(c0);
  const cpuMs = (c1.user + c1.system) / 1000;
  gc();
  const m1 = process.memoryUsage();
  const result: ChildResult = {
    ms,
    cpuMs,
    rssGrowth: m1.rss - m0.rss,
    heapGrowth: m1.heapUsed - m0.heapUsed,
    maxRss: process.resourceUsage().maxRSS * 1024,
    lines,
  };
  if (keep === undefined && mode !== 'floor') throw new Error('unreachable');
  process.stdout.write(JSON.stringify(result) + '\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`indexChild: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
