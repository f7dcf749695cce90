import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  countsStringToRuns, decodeInstance, decodeMask, decodeSubmissionToCounts, encodeInstance, encodeMask,
  instanceToRuns, maskToRuns, RleDecodeError, runsToCountsString, runsToMask,
} from '../../src/core/metric/rleCoco';
import { instanceFromFullMask, instanceToFullMask } from '../../src/core/geometry/instanceMask';
import { randomMask, seededRandom } from './support/seededRandom';
import { repoRoot, runPython } from './support/runPython';

const samplePath = path.resolve(repoRoot, '..', 'shared', 'data', 'hhv-sample', 'sample_submission.csv');

describe('COCO RLE on the real sample submission', () => {
  const row = fs.readFileSync(samplePath, 'utf8').trim().split(/\r?\n/)[1];
  const maskText = row.split(',')[3].split(' ')[2];

  it('inflates to the counts string and runs of the worked example', () => {
    assert.equal(maskText, 'eNoLTDAwyrM3yI/PMwcAE94DZA==');
    const counts = decodeSubmissionToCounts(maskText);
    assert.equal(counts, 'Q`02n?0o_n7');
    assert.deepEqual(countsStringToRuns(counts), [513, 2, 510, 2, 261117]);
  });

  it('decodes to a 2x2 square at rows 1-2, columns 1-2', () => {
    const m = decodeMask(maskText, 512, 512);
    const on: Array<[number, number]> = [];
    for (let i = 0; i < m.length; i++) if (m[i]) on.push([Math.floor(i / 512), i % 512]);
    assert.deepEqual(on, [[1, 1], [1, 2], [2, 1], [2, 2]]);
    const inst = decodeInstance(maskText, 512, 512);
    assert.deepEqual([inst.x, inst.y, inst.width, inst.height, inst.area], [1, 1, 2, 2, 4]);
  });

  it('re-encodes the square to the same counts string', () => {
    const m = new Uint8Array(512 * 512);
    for (const [r, c] of [[1, 1], [1, 2], [2, 1], [2, 2]]) m[r * 512 + c] = 1;
    assert.equal(runsToCountsString(maskToRuns(m, 512, 512)), 'Q`02n?0o_n7');
  });
});

describe('COCO RLE encoding', () => {
  it('encodes an empty 512x512 mask to eNoLCAiwAAADDAEp (counts PPP8)', () => {
    const m = new Uint8Array(512 * 512);
    assert.equal(runsToCountsString(maskToRuns(m, 512, 512)), 'PPP8');
    assert.equal(encodeMask(m, 512, 512), 'eNoLCAiwAAADDAEp');
  });

  it('starts with a zero-length run when the first pixel is set', () => {
    const m = new Uint8Array([1, 0, 1, 1]); // 2x2 row-major: column-major order is 1,1,0,1
    assert.deepEqual(maskToRuns(m, 2, 2), [0, 2, 1, 1]);
  });

  it('round-trips 200 seeded random masks, and instance crops give the same runs', () => {
    const rand = seededRandom(7);
    for (let k = 0; k < 200; k++) {
      const h = 1 + Math.floor(rand() * 64), w = 1 + Math.floor(rand() * 64);
      const m = randomMask(rand, h, w, 1 + Math.floor(rand() * 4), rand() < 0.5 ? 0 : 0.05);
      const runs = maskToRuns(m, h, w);
      assert.deepEqual(runsToMask(runs, h, w), m);
      assert.deepEqual(decodeMask(encodeMask(m, h, w), h, w), m);
      const inst = instanceFromFullMask(m, h, w);
      assert.deepEqual(instanceToRuns(inst, h, w), runs, `case ${k} ${h}x${w}`);
      assert.deepEqual(instanceToFullMask(decodeInstance(encodeInstance(inst, h, w), h, w), h, w), m);
    }
  });

  it('handles full masks and full-height crops', () => {
    const full = new Uint8Array(12).fill(1);
    assert.deepEqual(maskToRuns(full, 3, 4), [0, 12]);
    assert.deepEqual(instanceToRuns(instanceFromFullMask(full, 3, 4), 3, 4), [0, 12]);
    const col = new Uint8Array([0, 1, 0, 0, 1, 0, 0, 1, 0]); // 3x3, middle column set
    assert.deepEqual(instanceToRuns(instanceFromFullMask(col, 3, 3), 3, 3), [3, 3, 3]);
  });
});

describe('COCO RLE against an independent Python encoder', () => {
  it('matches runs and counts strings on seeded random masks; each side inflates the other\'s text', () => {
    const rand = seededRandom(12345);
    const cases: Array<{ h: number; w: number; mask: number[]; other_b64: string }> = [];
    const masks: Uint8Array[] = [];
    for (let k = 0; k < 60; k++) {
      const big = k < 6;
      const h = big ? 512 : 1 + Math.floor(rand() * 80), w = big ? 512 : 1 + Math.floor(rand() * 80);
      const m = randomMask(rand, h, w, 1 + Math.floor(rand() * 5), rand() < 0.3 ? 0.02 : 0);
      masks.push(m);
      cases.push({ h, w, mask: Array.from(m), other_b64: encodeMask(m, h, w) });
    }
    type Ref = { runs: number[]; counts: string; b64: string; other_counts: string };
    const ref = runPython<{ results: Ref[] }>('rle_ref.py', { cases });
    assert.equal(ref.results.length, cases.length);
    cases.forEach((c, k) => {
      const runs = maskToRuns(masks[k], c.h, c.w);
      assert.deepEqual(runs, ref.results[k].runs, `runs of case ${k}`);
      assert.equal(runsToCountsString(runs), ref.results[k].counts, `counts of case ${k}`);
      // Python's text must decode here to the same mask, whatever zlib build made it.
      assert.deepEqual(decodeMask(ref.results[k].b64, c.h, c.w), masks[k]);
      // Python's zlib reads ours. (Bytes may differ: Node bundles a zlib fork whose level 9 output
      // differs from Debian's on long inputs; both are valid level-9 streams.)
      assert.equal(ref.results[k].other_counts, ref.results[k].counts, `Python inflating case ${k}`);
    });
  });
});

describe('COCO RLE decoding errors', () => {
  it('names the stage that failed', () => {
    const stage = (f: () => unknown): string => {
      try { f(); } catch (e) { return e instanceof RleDecodeError ? e.stage : 'other'; }
      return 'none';
    };
    assert.equal(stage(() => decodeMask("b'eNoLCAiwAAADDAEp'", 512, 512)), 'base64');
    assert.equal(stage(() => decodeMask('aGVsbG8=', 512, 512)), 'zlib');
    assert.equal(stage(() => decodeMask('eNoLCAiwAAADDAEp', 1, 512)), 'size');
    assert.equal(stage(() => decodeMask(Buffer.from(require('node:zlib').deflateSync('P')).toString('base64'), 1, 1)), 'rle');
  });
});
