/** Bench section: synthetic dataset generation time. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeSyntheticDataset } from '../src/core/synthetic/writeSyntheticDataset';
import { BenchRow, fmtSeconds } from './benchTable';
import { ensureSet, FULL_SET, SET_100K } from './syntheticSets';

/** Generates the sets when missing, times an annotations-only 7033-tile generation, and reports the recorded image generation times. */
export async function syntheticBench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const full = await ensureSet(FULL_SET);
  const big = await ensureSet(SET_100K);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-synthetic-'));
  try {
    const r = await writeSyntheticDataset({ out: tmp, tiles: 7033, images: 'none' });
    rows.push({ benchmark: 'synthetic: 7033 tiles, polygons + CSVs only', measured: fmtSeconds(r.seconds), target: '<= 30 s', verdict: r.seconds <= 30 ? 'pass' : 'FAIL' });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const note = (now: boolean): string => (now ? 'this run' : 'recorded when generated');
  rows.push({
    benchmark: `synthetic: full set with rendered images (${note(full.generatedNow)})`,
    measured: fmtSeconds(full.seconds),
    target: '<= 300 s',
    verdict: full.seconds <= 300 ? 'pass' : 'FAIL',
  });
  rows.push({
    benchmark: `synthetic: 100k set, hardlinked images (${note(big.generatedNow)})`,
    measured: fmtSeconds(big.seconds),
    target: '-',
    verdict: 'info',
  });
  return rows;
}
