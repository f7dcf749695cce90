/** `vasculature-explorer validate <folder> [--json]`: the dataset check for scripts and CI. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkFile } from '../core/check';
import { indexDataset } from '../core/dataset';
import { sortedProblems, summarize } from '../core/dataset';
import { CLASS_NAMES } from '../core/types';
import { field, problemLine } from './cliText';

export interface CliIO {
  out: (s: string) => void;
  err: (s: string) => void;
}

/** Run validate; returns the exit code (1 when there are errors, 2 for usage). */
export async function validateCommand(args: string[], io: CliIO): Promise<number> {
  const json = args.includes('--json');
  const dsAt = args.indexOf('--dataset');
  const dataset = dsAt >= 0 ? args[dsAt + 1] : undefined;
  const folders = args.filter((a, k) => !a.startsWith('--') && (dsAt < 0 || k !== dsAt + 1));
  if (folders.length !== 1 || (dsAt >= 0 && !dataset)) {
    io.err('usage: vasculature-explorer validate <dataset-folder> [--json]\n       vasculature-explorer validate <file> [--dataset <dataset-folder>] [--json]');
    return 2;
  }
  const root = path.resolve(folders[0]);
  if (!fs.existsSync(root)) {
    io.err(`vasculature-explorer validate: ${root} does not exist.`);
    return 2;
  }
  if (!fs.statSync(root).isDirectory()) {
    const r = await checkFile(root, { dataset: dataset ? path.resolve(dataset) : undefined });
    const problems = sortedProblems(r.problems);
    if (json) io.out(JSON.stringify({ file: root, kind: r.kind, summary: r.summary, problems }, null, 2));
    else {
      io.out(field(r.summary));
      for (const p of problems) io.out(problemLine(p));
    }
    return problems.some((p) => p.severity === 'error') ? 1 : 0;
  }
  const index = await indexDataset(root);
  const summary = summarize(index);
  const problems = sortedProblems(index.problems);
  if (json) {
    const wsis: Record<string, { tiles: number; byDataset: Record<string, number> }> = {};
    for (const [k, w] of Object.entries(summary.wsis)) wsis[k] = { tiles: w.tiles, byDataset: w.byDataset };
    const classes: Record<string, { instances: number; tiles: number }> = {};
    for (const c of CLASS_NAMES) classes[c] = { instances: summary.classes[c].instances, tiles: summary.classes[c].tiles };
    io.out(
      JSON.stringify({
        root,
        tiles: summary.tiles,
        polygonLines: summary.polygonLines,
        annotatedTiles: summary.annotatedTiles,
        classes,
        wsis,
        problems: problems.map((p) => ({ file: p.file, line: p.line, severity: p.severity, code: p.code, message: p.message, ...(p.count !== undefined ? { count: p.count } : {}) })),
      }, null, 2),
    );
  } else {
    io.out(`Dataset ${root}`);
    io.out(`  tiles: ${summary.tiles.meta} in tile_meta.csv, ${summary.tiles.train} train images, ${summary.tiles.test} test images`);
    io.out(`  polygons.jsonl: ${summary.polygonLines} lines; ${summary.annotatedTiles} tiles with image and annotations`);
    for (const c of CLASS_NAMES) io.out(`  ${c}: ${summary.classes[c].instances} instances in ${summary.classes[c].tiles} tiles`);
    const wsiKeys = Object.keys(summary.wsis).sort((a, b) => Number(a) - Number(b));
    io.out(`  WSIs: ${wsiKeys.map((k) => `${field(k)}=${summary.wsis[k].tiles}`).join(' ')}`);
    const pc = summary.problemCounts;
    io.out(`Problems: ${pc.error} errors, ${pc.warning} warnings, ${pc.info} info`);
    for (const p of problems) io.out(problemLine(p));
  }
  return summary.problemCounts.error > 0 ? 1 : 0;
}
