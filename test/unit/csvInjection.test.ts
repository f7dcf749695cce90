/**
 * CSV injection through every CSV the product writes (OWASP: a cell starting with = + - @ tab or
 * CR is one a spreadsheet may run): the Dataset Overview's table exports, the score tables
 * (precision-recall points, per-WSI rows), folds.csv, submission.csv and the merge of sharded
 * submissions. Each writer gets hostile values from where they can come from (a dataset's CSV,
 * a grouping key, a tile id, a submission's cells) and its text is parsed back: no cell starts
 * with those characters except a plain number, and the hostile value is still there, as text.
 */
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { indexDataset } from '../../src/core/dataset/datasetIndex';
import { memoryFileReader } from '../../src/core/dataset/fileReader';
import { foldsCsv } from '../../src/core/folds';
import { mergeSubmissions, parseSubmissionCsv, writeSubmissionCsv } from '../../src/core/metric';
import { csvTables, dashboardCsv } from '../../src/core/overview/overviewCsv';
import { computeDashboard } from '../../src/core/overview/overviewData';
import { scoreTiles, type ScoredTile } from '../../src/core/predict';
import { parseCsv } from '../../src/core/text';
import { SCORE_TABLES, scoreCsv, toDashboardScore } from '../../src/shared/scoreTable';

/** One hostile value per character OWASP lists. */
const HOSTILE = ['=HYPERLINK("https://evil.example/","x")', '+cmd|\' /C calc\'!A0', '-2+3+cmd|\' /C calc\'!A0', '@SUM(1+1)*cmd|\' /C calc\'!A0', '\t=1+1', '\r=1+1'];
const FORMULA = /^[=+\-@\t\r]/;
const NUMBER = /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i;

const fields = (text: string) => parseCsv(text).flatMap((r) => r.fields);

/** Every cell of the text is safe to open in a spreadsheet (a negative number stays a number). */
function assertDefused(text: string, where: string): void {
  for (const f of fields(text)) assert.ok(!FORMULA.test(f) || NUMBER.test(f), `${where}: the cell ${JSON.stringify(f)} would run as a formula`);
}

/** Each value is written as text: a ' prefix, the value kept. */
function assertKeptAsText(text: string, values: readonly string[], where: string): void {
  const all = fields(text);
  for (const v of values) assert.ok(all.includes(`'${v}`), `${where}: ${JSON.stringify(v)} is not written as the text cell ${JSON.stringify(`'${v}`)} (cells: ${JSON.stringify(all.slice(0, 40))})`);
}

describe('CSV injection: every CSV writer defuses formula cells', () => {
  it('Dataset Overview exports: wsi_meta.csv values starting with = + - @ (and a tab before one) reach the WSI metadata CSV as text; no table has a formula cell', async () => {
    const root = '/mem/csv-injection';
    // The dataset's own CSV is where text reaches the Overview: sex and race are free text (values are trimmed there, so a leading tab arrives as the formula after it; CR ends a line).
    const values = HOSTILE.slice(0, 5);
    const arrived = values.map((v) => v.trim());
    const q = (s: string) => `"${s.replace(/"/g, '""')}"`;
    const reader = memoryFileReader({
      [`${root}/tile_meta.csv`]: 'id,source_wsi,dataset,i,j\naaaaaaaaaaaa,1,1,0,0\nbbbbbbbbbbbb,2,1,0,0\ncccccccccccc,3,2,0,0\n',
      [`${root}/wsi_meta.csv`]: `source_wsi,age,sex,race,height,weight,bmi\n1,50,${q(values[0])},${q(values[1])},170,70,24\n2,51,${q(values[2])},${q(values[3])},170,70,24\n3,52,${q(values[4])},W,170,70,24\n`,
      [`${root}/polygons.jsonl`]: '{"id":"aaaaaaaaaaaa","annotations":[{"type":"blood_vessel","coordinates":[[[1,1],[9,1],[9,9]]]}]}\n{"id":"=1+2","annotations":[]}\n',
    });
    const m = await computeDashboard(await indexDataset(root, { reader }));
    // The values arrive unchanged in the Overview's data (so the test reaches the writer with them).
    assert.deepEqual(m.data.wsiMeta.flatMap((r) => [r.sex, r.race]).filter((v) => v !== 'W'), arrived);
    const tables = csvTables(m.data);
    assert.ok(tables.includes('wsiMeta') && tables.length >= 5, tables.join(' '));
    for (const t of tables) {
      const csv = dashboardCsv(m.data, t);
      assert.ok(csv !== undefined, t);
      assertDefused(csv, t);
    }
    assertKeptAsText(dashboardCsv(m.data, 'wsiMeta')!, arrived, 'wsiMeta');
    // One row per WSI: a quoted tab or a quote inside a value adds no row.
    assert.equal(parseCsv(dashboardCsv(m.data, 'wsiMeta')!).length, 4);
  });

  it('score tables: grouping keys starting with = + - @ tab CR reach the per-WSI CSV as text; the PR-curve CSV holds numbers', () => {
    const tile = (k: number, group: string): ScoredTile => ({
      tileId: `t${k}`, group, width: 512, height: 512, groundTruth: [], groundTruthIou: [], annotated: true, tp: 1, fp: 0, fn: 0, ignored: 0,
      vessels: [{ confidence: 0.5 + k / 100, outcome: 'tp' }],
    } as unknown as ScoredTile);
    const score = toDashboardScore({ source: 'submission', label: '=evil.csv', scope: '@all', score: scoreTiles(HOSTILE.map((g, k) => tile(k, g)), 'count') });
    assert.deepEqual([...score.perWsi.map((w) => w.group)].sort(), [...HOSTILE].sort());
    for (const t of SCORE_TABLES) {
      const csv = scoreCsv(score, t);
      assert.ok(csv !== undefined, t);
      assertDefused(csv, t);
    }
    assertKeptAsText(scoreCsv(score, 'scoreWsi')!, HOSTILE, 'scoreWsi');
    assert.equal(parseCsv(scoreCsv(score, 'scoreWsi')!).length, 1 + HOSTILE.length);
  });

  it('folds.csv: tile ids starting with = + - @ tab CR (and one with a comma and a newline) are written as text, one row each', () => {
    const ids = [...HOSTILE, 'x\n=1,2', '72e40acccadf'];
    const text = foldsCsv({ scheme: { kind: 'leaveOneWsiOut' }, folds: 2, fold: new Map(ids.map((id, k) => [id, k % 2])), names: ['a', 'b'], stratum: new Map() } as never, ids);
    assertDefused(text, 'folds.csv');
    assertKeptAsText(text, HOSTILE, 'folds.csv');
    // Quoted, so its comma and newline add no cell and no row.
    assert.ok(fields(text).includes('x\n=1,2'));
    const rows = parseCsv(text);
    assert.equal(rows.length, 1 + ids.length);
    assert.deepEqual(rows[rows.length - 1].fields, ['72e40acccadf', String((ids.length - 1) % 2)]);
  });

  const mask = { x: 0, y: 0, width: 1, height: 1, data: new Uint8Array([1]), area: 1 };
  const GOOD = '72e40acccadf';

  it('submission.csv: an id starting with = + - @ tab CR never becomes a row; the tile ids do', () => {
    const skipped: string[] = [];
    const text = writeSubmissionCsv([{ id: GOOD, height: 512, width: 512, predictions: [{ confidence: 0.5, mask }] }, ...HOSTILE.map((id) => ({ id, height: 512, width: 512, predictions: [{ confidence: 0.5, mask }] }))], skipped);
    assert.deepEqual(skipped, HOSTILE);
    assertDefused(text, 'submission.csv');
    assert.deepEqual(parseCsv(text).map((r) => r.fields[0]), ['id', GOOD]);
  });

  it('merge of submissions: a valid row written with +512, a quoted "+512", a leading tab or a CR between parts comes out with no such cell, and scores the same', () => {
    const row = writeSubmissionCsv([{ id: GOOD, height: 512, width: 512, predictions: [{ confidence: 0.5, mask }] }]).trimEnd().split('\n')[1];
    const [, , , pred] = row.split(',');
    const variants = [
      `${GOOD},+512,512,${pred}`,
      `${GOOD},512,"+512",${pred}`,
      `${GOOD},512,512,\t${pred}`,
      `${GOOD},512,512,${pred.replace(' ', '\r')}`,
      `${GOOD}, +512,512,${pred}`,
    ];
    for (const v of variants) {
      const input = `id,height,width,prediction_string\n${v}\n`;
      const parsed = parseSubmissionCsv(input, { file: 'shard.csv' });
      assert.equal(parsed.problems.filter((p) => p.severity === 'error').length, 0, `${JSON.stringify(v)} is a valid row: ${JSON.stringify(parsed.problems)}`);
      const r = mergeSubmissions([{ file: 'shard.csv', text: input }]);
      assert.ok(r.text !== undefined, JSON.stringify(r.problems));
      assertDefused(r.text, `merge of ${JSON.stringify(v)}`);
      assert.doesNotMatch(r.text, /[\t\r]/);
      assert.equal(r.text, `id,height,width,prediction_string\n${row}\n`, `merge of ${JSON.stringify(v)}`);
    }
    // A row that was already plain is copied as written.
    const plain = `id,height,width,prediction_string\n${row}\n`;
    assert.equal(mergeSubmissions([{ file: 'a.csv', text: plain }]).text, plain);
    // A formula where the id or the prediction string goes is an error: nothing is written.
    for (const bad of [`=1+1,512,512,${pred}`, `${GOOD},512,512,=1+1`, `${GOOD},512,512,@x ${pred}`]) {
      assert.equal(mergeSubmissions([{ file: 'a.csv', text: `id,height,width,prediction_string\n${bad}\n` }]).text, undefined, bad);
    }
  });
});
