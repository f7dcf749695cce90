import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { checkFile } from '../../src/core/check/fileCheck';
import { BAD_INPUTS, REPO_ROOT, SAMPLE, VARIANTS } from './helpers/paths';

/** What each real file of ../shared/data/{bad-inputs,variants} must give. Every file there must be listed. */
const EXPECTED: Record<string, { kind: string; errors: (string | number)[][]; check?: (r: Awaited<ReturnType<typeof checkFile>>) => void }> = {
  'bad-inputs/submission_bytes_repr.csv': {
    kind: 'submission',
    // height 1 and the Python bytes literal mask, both on the one data row (line 2).
    errors: [[2, 'submission-size'], [2, 'submission-mask-bytes-literal']],
  },
  'bad-inputs/coco_mismatched_file_names.json': {
    kind: 'coco',
    errors: [[0, 'coco-file-names-wrong']],
    check: (r) => assert.ok(r.problems.filter((p) => p.code !== 'coco-file-names-wrong').length >= 80, 'each mismatched image is located too'),
  },
  'variants/tile_meta_unpadded.csv': { kind: 'tile_meta', errors: [], check: (r) => assert.match(r.summary, /7033 tiles/) },
  'variants/tile_image_stats.csv': { kind: 'tile_image_stats', errors: [], check: (r) => assert.equal(r.problems[0].line, 1) },
  'variants/72e40acccadf.png': { kind: 'image', errors: [], check: (r) => assert.match(r.summary, /512x512/) },
  'variants/0006ff2aa7cd.png': { kind: 'image', errors: [], check: (r) => assert.match(r.summary, /512x512/) },
};

describe('every real file of ../shared/data/bad-inputs and variants', () => {
  const files = [...fs.readdirSync(BAD_INPUTS).map((f) => `bad-inputs/${f}`), ...fs.readdirSync(VARIANTS).map((f) => `variants/${f}`)];

  it('is covered by this test', () => {
    assert.deepEqual(files.filter((f) => !EXPECTED[f]), []);
  });

  for (const f of files) {
    it(`${f} is recognised and gives its located problems`, async () => {
      const want = EXPECTED[f];
      if (!want) return;
      const r = await checkFile(path.join(path.dirname(BAD_INPUTS), f), { dataset: SAMPLE });
      assert.equal(r.kind, want.kind);
      const errors = r.problems.filter((p) => p.severity === 'error');
      for (const [line, code] of want.errors) {
        assert.ok(errors.some((p) => p.line === line && p.code === code), `${f}: expected ${code} at line ${line}, got ${JSON.stringify(errors.map((p) => [p.line, p.code]))}`);
      }
      if (want.errors.length === 0) assert.deepEqual(errors, []);
      for (const p of r.problems) assert.ok(p.message.length > 20 && p.file === path.basename(f), p.message);
      want.check?.(r);
    });
  }

  it('the CLI exits 1 on the broken submission and prints file:line', () => {
    const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin/vasculature-explorer.js'), 'validate', path.join(BAD_INPUTS, 'submission_bytes_repr.csv')], { encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.match(r.stdout, /submission_bytes_repr\.csv:2:\d+: error \[submission-size\]/);
  });
});
