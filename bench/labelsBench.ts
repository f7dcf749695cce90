/** Bench section `labels`: training data for the full synthetic set against its floor (rasterise + sharp PNG-encode the same masks), peak memory, and the leakage check over the full tile_meta. */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { indexDataset } from '../src/core/dataset/datasetIndex';
import { checkLeakage, tileFootprint } from '../src/core/folds/leakage';
import { stratifiedKFold } from '../src/core/folds/stratifiedKFold';
import { BenchRow, fmtMiB, fmtSeconds, median, timeMs } from './benchTable';
import type { LabelsChildResult } from './labelsChild';
import { ensureSet, FULL_SET } from './syntheticSets';

const RUNS = 3;
const TARGET_MS = 10_000;
const TARGET_RATIO = 1.5;
const TARGET_PEAK = 300 * 1024 * 1024;
const TARGET_LEAK_MS = 100;

function once(mode: 'floor' | 'floorWrite' | 'labels', out: string): LabelsChildResult {
  const stdout = execFileSync(process.execPath, [path.join(__dirname, 'labelsChild.js'), mode, FULL_SET.root, out], { encoding: 'utf8', maxBuffer: 16 << 20 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as LabelsChildResult;
}

/** Rows: floor, the export (wall/cpu, x floor), its peak memory, the leakage check. */
export async function run(): Promise<BenchRow[]> {
  await ensureSet(FULL_SET);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'labels-bench-'));
  try {
    const floors: LabelsChildResult[] = [], runs: LabelsChildResult[] = [], written: LabelsChildResult[] = [];
    // Each run writes into a folder of its own, and every output is removed only after the last
    // run: deleting ~5000 files just before a timed run made its own file creation pay for the
    // deletes (ext4 here is mounted with discard: journal commits wait for the freed blocks' discards;
    // measured 2.1 s vs 0.2 s for the same 4900 creates).
    for (let k = 0; k < RUNS; k++) {
      floors.push(once('floor', path.join(tmp, `floor${k}`)));
      written.push(once('floorWrite', path.join(tmp, `floorWrite${k}`)));
      runs.push(once('labels', path.join(tmp, `labels${k}`)));
    }
    if (runs[0].masks !== floors[0].masks) throw new Error(`the export wrote ${runs[0].masks} masks, the floor encoded ${floors[0].masks}: unlike work.`);
    const load = os.loadavg()[0] / os.cpus().length;
    // On a busy shared machine wall time measures the neighbours: judge on CPU time, and say so.
    const onCpu = load > 1.5;
    const m = (rs: LabelsChildResult[], k: 'ms' | 'cpuMs') => median(rs.map((r) => r[k]));
    const judged = onCpu ? m(runs, 'cpuMs') : m(runs, 'ms');
    const floorJudged = onCpu ? m(floors, 'cpuMs') : m(floors, 'ms');
    const both = (rs: LabelsChildResult[]) => `${fmtSeconds(m(rs, 'ms') / 1000)} wall, ${fmtSeconds(m(rs, 'cpuMs') / 1000)} cpu`;
    const peak = Math.max(...runs.map((r) => r.peakBytes));
    const how = onCpu ? `judged on cpu: machine busy, load ${load.toFixed(1)}/core` : 'judged on wall';

    // Leakage check over every tile of tile_meta (7033), random 5 folds: the worst case for leaks.
    const index = await indexDataset(FULL_SET.root);
    const tiles = [...index.tiles.values()].filter((t) => t.wsi !== undefined).map((t) => ({ id: t.id, wsi: t.wsi!, dataset: t.dataset ?? 0, i: t.i ?? 0, j: t.j ?? 0, vessels: t.counts.blood_vessel, classes: [] }));
    const folds = stratifiedKFold(tiles, 5, 42, 'dataset');
    const fps = tiles.map(tileFootprint);
    let leaks = 0;
    const leak = timeMs(() => { leaks = checkLeakage(fps, folds).length; }, 9);
    return [
      { benchmark: `labels: floor, full set (rasterise + sharp PNG-encode the ${floors[0].masks} blood_vessel masks, nothing written; median of ${RUNS})`, measured: both(floors), target: '-', verdict: 'info' },
      { benchmark: `labels: reference, the floor plus writing each mask PNG and linking each image (blocking calls, ${floors[0].masks} + ${floors[0].masks} files; median of ${RUNS})`, measured: `${both(written)}; ${((onCpu ? m(written, 'cpuMs') : m(written, 'ms')) / floorJudged).toFixed(2)}x floor`, target: '-', verdict: 'info' },
      {
        benchmark: `labels: masks (1 class) + YOLO + COCO, 5 folds, full set (${runs[0].tiles} tiles, ${runs[0].outputs} files; index built before, untimed: ${fmtSeconds(median(runs.map((r) => r.indexMs ?? 0)) / 1000)}; median of ${RUNS})`,
        measured: `${both(runs)}; ${(judged / floorJudged).toFixed(2)}x floor`,
        target: `<= 10 s and <= ${TARGET_RATIO}x floor (${how}); floor ${fmtSeconds(floorJudged / 1000)}`,
        verdict: judged <= TARGET_MS && judged <= TARGET_RATIO * floorJudged ? 'pass' : 'FAIL',
      },
      { benchmark: 'labels: peak memory of the export (VmHWM of its process)', measured: fmtMiB(peak), target: '<= 300 MiB', verdict: peak <= TARGET_PEAK ? 'pass' : 'FAIL' },
      { benchmark: `labels: leakage check, full tile_meta (${fps.length} tiles, random 5 folds: ${leaks} leaking pairs; median of 9)`, measured: `${leak.wall.toFixed(1)} ms wall, ${leak.cpu.toFixed(1)} ms cpu`, target: '<= 100 ms', verdict: Math.min(leak.wall, leak.cpu) <= TARGET_LEAK_MS ? 'pass' : 'FAIL' },
    ];
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
