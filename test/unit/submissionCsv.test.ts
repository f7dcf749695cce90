import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { deflateSync } from 'node:zlib';
import { parseSubmissionCsv, SUBMISSION_HEADER, writeSubmissionCsv } from '../../src/core/metric/submissionCsv';
import { instanceFromFullMask, instanceToFullMask } from '../../src/core/geometry/instanceMask';
import { randomMask, seededRandom } from './support/seededRandom';
import { repoRoot } from './support/runPython';

const shared = path.resolve(repoRoot, '..', 'shared', 'data');
const read = (...p: string[]) => fs.readFileSync(path.join(shared, ...p), 'utf8');

describe('submission.csv: the real files', () => {
  it('parses the real sample submission with no problems: one 2x2 square at confidence 1', () => {
    const r = parseSubmissionCsv(read('hhv-sample', 'sample_submission.csv'));
    assert.deepEqual(r.problems, []);
    assert.equal(r.rows.length, 1);
    const row = r.rows[0];
    assert.deepEqual([row.id, row.line, row.height, row.width, row.ok], ['72e40acccadf', 2, 512, 512, true]);
    assert.equal(row.predictions.length, 1);
    const p = row.predictions[0];
    assert.deepEqual([p.confidence, p.column, p.mask.x, p.mask.y, p.mask.width, p.mask.height, p.mask.area], [1, '72e40acccadf,512,512,'.length + 1, 1, 1, 2, 2, 4]);
  });

  it('flags both the height of 1 and the bytes-literal mask of the real broken file, at line 2', () => {
    const r = parseSubmissionCsv(read('bad-inputs', 'submission_bytes_repr.csv'), { file: 'submission_bytes_repr.csv' });
    const byCode = new Map(r.problems.map((p) => [p.code, p]));
    const size = byCode.get('submission-size');
    const bytes = byCode.get('submission-mask-bytes-literal');
    assert.ok(size && bytes, `codes: ${[...byCode.keys()].join(', ')}`);
    assert.deepEqual([size.line, size.column, size.severity, size.file], [2, 14, 'error', 'submission_bytes_repr.csv']);
    assert.match(size.message, /height is '1'.*write height 512/);
    assert.deepEqual([bytes.line, bytes.column, bytes.severity], [2, 20, 'error']);
    assert.match(bytes.message, /bytes literal.*decode\('ascii'\)/);
    // the prediction string is a bare mask, no '0 <confidence>' before it
    assert.equal(byCode.get('submission-triples')?.line, 2);
    assert.equal(r.rows.length, 1);
    assert.equal(r.rows[0].ok, false);
  });
});

describe('submission.csv: every bad row is reported at its line, good rows still returned', () => {
  const good = 'eNoLTDAwyrM3yI/PMwcAE94DZA=='; // the real sample mask
  const fourPixels = deflateSync(Buffer.from('4')).toString('base64'); // counts '4': a 4-pixel RLE
  const lines = [
    SUBMISSION_HEADER,
    `000000000001,512,512,0 0.9 ${good} 0 0.25 ${good}`, // 2 good
    `XYZ,512,512,0 0.9 ${good}`, // 3 id
    `000000000003,512,256,0 0.9 ${good}`, // 4 width
    `000000000004,512,512,1 0.9 ${good}`, // 5 class
    `000000000005,512,512,0 abc ${good}`, // 6 confidence not numeric
    `000000000006,512,512,0 1.5 ${good}`, // 7 confidence range
    `000000000007,512,512,0 0.9 !!!notbase64`, // 8 base64
    `000000000008,512,512,0 0.9 aGVsbG8=`, // 9 zlib ('hello')
    `000000000009,512,512,0 0.9 ${fourPixels}`, // 10 RLE total 4 != 262144
    `00000000000a,512,512,`, // 11 empty prediction string: fine
    `000000000001,512,512,0 0.5 ${good}`, // 12 duplicate of line 2
    `00000000000b,512,512,0 0.5`, // 13 incomplete triple
    `00000000000c,512`, // 14 too few fields
    `00000000000d,512,512,0 0.1 ${good} 0 0.2 b'${good}' 0 0.3 b'${good}'`, // 15 two bytes literals, one good triple
  ];
  const r = parseSubmissionCsv(lines.join('\r\n') + '\r\n');
  const expected: Array<[string, number]> = [
    ['submission-id', 3], ['submission-size', 4], ['submission-class', 5], ['submission-confidence', 6],
    ['submission-confidence-range', 7], ['submission-mask-base64', 8], ['submission-mask-zlib', 9],
    ['submission-mask-size', 10], ['submission-duplicate-id', 12], ['submission-triples', 13],
    ['submission-columns', 14], ['submission-mask-bytes-literal', 15],
  ];

  it('reports exactly the expected problems, one per bad line, all errors', () => {
    assert.deepEqual(r.problems.map((p) => [p.code, p.line]), expected);
    assert.ok(r.problems.every((p) => p.severity === 'error' && p.file === 'submission.csv'));
  });

  it('locates the column of the bad field', () => {
    const at = (code: string) => r.problems.find((p) => p.code === code)!;
    assert.deepEqual([at('submission-size').column, at('submission-size').endColumn], [18, 21]); // '256'
    assert.equal(at('submission-confidence').column, 'cccccccccccc,512,512,0 '.length + 1);
    assert.equal(at('submission-mask-bytes-literal').count, 2);
    assert.match(at('submission-mask-bytes-literal').message, /2 instances/);
  });

  it('returns the good rows and the good triples of bad rows', () => {
    const byLine = new Map(r.rows.map((row) => [row.line, row]));
    assert.equal(byLine.get(2)!.ok, true);
    assert.deepEqual(byLine.get(2)!.predictions.map((p) => p.confidence), [0.9, 0.25]);
    assert.deepEqual([byLine.get(11)!.ok, byLine.get(11)!.predictions.length], [true, 0]);
    assert.deepEqual(byLine.get(15)!.predictions.map((p) => p.confidence), [0.1]);
    assert.equal(byLine.has(14), false); // unreadable: no fields to return
    assert.deepEqual([...byLine.values()].filter((x) => x.ok).map((x) => x.line), [2, 11]);
  });

  it('checks the size against the tile, when the tile is known', () => {
    const t = parseSubmissionCsv(`${SUBMISSION_HEADER}\n000000000001,256,256,\n000000000002,512,512,\n`, {
      tileSize: (id) => (id === '000000000001' ? { height: 256, width: 256 } : undefined),
      knownIds: new Set(['000000000001']),
    });
    assert.deepEqual(t.problems.map((p) => [p.code, p.line, p.severity]), [['submission-id-unknown', 3, 'warning']]);
  });

  it('reports a wrong header at line 1 and an empty file as a whole', () => {
    assert.deepEqual(parseSubmissionCsv('id,prediction\n').problems.map((p) => [p.code, p.line]), [['submission-header', 1]]);
    assert.deepEqual(parseSubmissionCsv('').problems.map((p) => [p.code, p.line]), [['submission-empty', 0]]);
  });
});

describe('submission.csv writer', () => {
  it('writes the 2x2 square of the real sample as the real sample writes it', () => {
    const m = new Uint8Array(512 * 512);
    for (const [r, c] of [[1, 1], [1, 2], [2, 1], [2, 2]]) m[r * 512 + c] = 1;
    const text = writeSubmissionCsv([{ id: '72e40acccadf', height: 512, width: 512, predictions: [{ confidence: 1, mask: instanceFromFullMask(m, 512, 512) }] }]);
    assert.equal(text, `${SUBMISSION_HEADER}\n72e40acccadf,512,512,0 1 eNoLTDAwyrM3yI/PMwcAE94DZA==\n`);
  });

  it('round-trips seeded random instances through write and parse', () => {
    const rand = seededRandom(3);
    const rows = Array.from({ length: 5 }, (_, k) => ({
      id: `00000000000${k}`, height: 512, width: 512,
      predictions: Array.from({ length: k }, () => ({
        confidence: Math.round(rand() * 1000) / 1000,
        mask: instanceFromFullMask(randomMask(rand, 512, 512, 2, 0), 512, 512),
      })),
    }));
    const r = parseSubmissionCsv(writeSubmissionCsv(rows));
    assert.deepEqual(r.problems, []);
    assert.equal(r.rows.length, 5);
    r.rows.forEach((row, k) => {
      assert.deepEqual(row.predictions.map((p) => p.confidence), rows[k].predictions.map((p) => p.confidence));
      row.predictions.forEach((p, j) => {
        assert.deepEqual(instanceToFullMask(p.mask, 512, 512), instanceToFullMask(rows[k].predictions[j].mask, 512, 512));
      });
    });
  });

  it('refuses a confidence outside [0, 1]', () => {
    const mask = instanceFromFullMask(new Uint8Array([1]), 1, 1);
    assert.throws(() => writeSubmissionCsv([{ id: '0123456789ab', height: 1, width: 1, predictions: [{ confidence: 2, mask }] }]), /outside \[0, 1\]/);
  });
});
