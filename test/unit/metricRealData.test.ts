import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { scoreAp, TileForScoring } from '../../src/core/metric/apAtIou';
import { InstanceMask, instanceFromFullMask } from '../../src/core/geometry/instanceMask';
import { rasterizeAnnotation } from '../../src/core/geometry/rasterize';
import { encodeInstance, maskToRuns, runsToCountsString } from '../../src/core/metric/rleCoco';
import { parseSubmissionCsv, writeSubmissionCsv } from '../../src/core/metric/submissionCsv';
import type { Ring } from '../../src/core/types/types';
import { repoRoot, runPython } from './support/runPython';

const polygonsPath = path.resolve(repoRoot, '..', 'shared', 'data', 'hhv-sample', 'polygons.jsonl');

interface RealTile { id: string; full: Uint8Array[]; gt: InstanceMask[] }

/** The first `n` real tiles' blood_vessel polygons, rasterised at 512x512. */
function realTiles(n: number): RealTile[] {
  const lines = fs.readFileSync(polygonsPath, 'utf8').split('\n').filter((l) => l.trim()).slice(0, n);
  return lines.map((line) => {
    const j = JSON.parse(line) as { id: string; annotations: Array<{ type: string; coordinates: Ring[] }> };
    const full = j.annotations.filter((a) => a.type === 'blood_vessel').map((a) => rasterizeAnnotation({ rings: a.coordinates }));
    return { id: j.id, full, gt: full.map((m) => instanceFromFullMask(m, 512, 512)) };
  });
}

describe('metric and submission on real polygons (hhv-sample)', () => {
  const tiles = realTiles(30);
  const numGt = tiles.reduce((a, t) => a + t.gt.length, 0);

  it('reads real vessels', () => {
    assert.ok(numGt > 100, `only ${numGt} vessels`);
  });

  it('encodes real vessel masks exactly as the numpy reference does', () => {
    const sample = tiles.slice(0, 3).flatMap((t) => t.full.slice(0, 4));
    const ref = runPython<{ results: Array<{ counts: string }> }>('rle_ref.py', { cases: sample.map((m) => ({ h: 512, w: 512, mask: Array.from(m) })) });
    sample.forEach((m, k) => assert.equal(runsToCountsString(maskToRuns(m, 512, 512)), ref.results[k].counts));
  });

  it('ground truth written as a submission, read back and scored against itself gives AP 1', () => {
    const csv = writeSubmissionCsv(tiles.map((t) => ({
      id: t.id, height: 512, width: 512,
      predictions: t.gt.map((mask, k) => ({ confidence: 1 - k / 1000, mask })),
    })));
    const parsed = parseSubmissionCsv(csv);
    assert.deepEqual(parsed.problems, []);
    const scoring: TileForScoring[] = parsed.rows.map((row, k) => ({ tileId: row.id, predictions: row.predictions, groundTruth: tiles[k].gt }));
    const r = scoreAp(scoring);
    assert.deepEqual([r.ap, r.tp, r.fp, r.fn, r.numGt], [1, numGt, 0, 0, numGt]);
  });

  it('predicting every other vessel exactly gives AP = recall = kept / all', () => {
    let kept = 0;
    const scoring: TileForScoring[] = tiles.map((t) => ({
      tileId: t.id,
      predictions: t.gt.filter((_, k) => k % 2 === 0).map((mask) => { kept++; return { mask, confidence: 0.9 }; }),
      groundTruth: t.gt,
    }));
    const r = scoreAp(scoring);
    assert.deepEqual([r.tp, r.fp, r.fn], [kept, 0, numGt - kept]);
    assert.ok(Math.abs(r.ap - kept / numGt) < 1e-12, `ap ${r.ap} vs ${kept / numGt}`);
  });

  it('writes zlib level-9 streams (header 78 DA), as the real sample does', () => {
    const header = (b64: string) => Buffer.from(b64, 'base64').subarray(0, 2).toString('hex');
    assert.equal(header('eNoLTDAwyrM3yI/PMwcAE94DZA=='), '78da'); // the real sample's mask
    for (const m of tiles[0].gt) assert.equal(header(encodeInstance(m, 512, 512)), '78da');
  });
});
