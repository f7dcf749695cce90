import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { indexDataset } from '../../src/core/dataset/datasetIndex';
import { parseTileMeta } from '../../src/core/dataset/tileMetaCsv';
import { parseWsiMeta } from '../../src/core/dataset/wsiMetaCsv';
import { parseCsv } from '../../src/core/text/csv';
import { copyDataset, SAMPLE } from './helpers/paths';

const metaLines = fs.readFileSync(path.join(SAMPLE, 'tile_meta.csv'), 'utf8').split('\n');
const metaRows = metaLines.filter((l, k) => k > 0 && l.trim() !== '').length;

describe('a stray quote in tile_meta.csv / wsi_meta.csv is one located row, not the rest of the file', () => {
  it('the real sample has 7033 rows (the counts below are relative to it)', () => {
    assert.equal(metaRows, 7033);
  });

  it('parseTileMeta: a quote opened on line 100 and never closed skips only line 100', () => {
    const lines = [...metaLines];
    lines[99] = `"${lines[99]}`;
    const r = parseTileMeta(lines.join('\n'), 'tile_meta.csv');
    const quoted = r.problems.filter((p) => p.code === 'unclosed-quote');
    assert.deepEqual(quoted.map((p) => [p.file, p.line]), [['tile_meta.csv', 100]]);
    assert.equal(r.problems.length, 1, JSON.stringify(r.problems));
    assert.equal(r.rows.length, metaRows - 1);
    // The rows after it keep their own line numbers.
    assert.equal(r.rows.find((x) => x.id === lines[100].split(',')[0])?.line, 101);
  });

  it('a quote opened mid-row (in a field) on CRLF text, and one on the last line without a newline', () => {
    const lines = metaLines.filter((l) => l.trim() !== '');
    const f = lines[1234].split(',');
    f[2] = `"${f[2]}`;
    lines[1234] = f.join(',');
    lines[lines.length - 1] = `${lines[lines.length - 1].replace(/,(\d+)$/, ',"$1')}`;
    const r = parseTileMeta(lines.join('\r\n'), 'tile_meta.csv');
    assert.deepEqual(r.problems.map((p) => [p.code, p.line]), [['unclosed-quote', 1235], ['unclosed-quote', lines.length]]);
    assert.equal(r.rows.length, metaRows - 2);
  });

  it('properly quoted fields still parse; a quote closed on its line is not a problem', () => {
    const lines = [...metaLines];
    const f = lines[5].split(',');
    lines[5] = [`"${f[0]}"`, ...f.slice(1)].join(',');
    const r = parseTileMeta(lines.join('\n'), 'tile_meta.csv');
    assert.deepEqual(r.problems, []);
    assert.equal(r.rows.length, metaRows);
  });

  it('parseCsv keeps RFC 4180 multi-line fields unless singleLine is asked for', () => {
    assert.deepEqual(parseCsv('a,b\n"x\ny",1\n').map((r) => r.fields), [['a', 'b'], ['x\ny', '1']]);
    const single = parseCsv('a,b\n"x\ny,1\n', { singleLine: true });
    assert.deepEqual(single.map((r) => [r.line, r.unclosedQuote === true]), [[1, false], [2, true], [3, false]]);
  });

  it('wsi_meta.csv: the real file with a stray quote on line 3 loads the other WSIs', () => {
    const lines = fs.readFileSync(path.join(SAMPLE, 'wsi_meta.csv'), 'utf8').split('\n');
    const total = lines.filter((l, k) => k > 0 && l.trim() !== '').length;
    lines[2] = lines[2].replace(',F,', ',"F,');
    const r = parseWsiMeta(lines.join('\n'), 'wsi_meta.csv');
    assert.deepEqual(r.problems.map((p) => [p.code, p.line]), [['unclosed-quote', 3]]);
    assert.equal(r.rows.length, total - 1);
  });

  it('through the dataset index (a copy of the sample with a stray quote): one Problem, every other tile indexed', async () => {
    const dir = copyDataset();
    const lines = [...metaLines];
    lines[41] = lines[41].replace(',', ',"');
    fs.writeFileSync(path.join(dir, 'tile_meta.csv'), lines.join('\n'));
    const index = await indexDataset(dir);
    const quoted = index.problems.filter((p) => p.code === 'unclosed-quote');
    assert.deepEqual(quoted.map((p) => [p.file, p.line]), [['tile_meta.csv', 42]]);
    assert.equal(index.stats.metaRows, metaRows - 1);
  });
});
