/** Command line `tune` and its bad inputs: grid specs with located errors, folds files with bad lines, the --json object. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { cellCliFlags, cellCount, GridSpecError, parseGridSpec, ttaVariantOfSetting } from '../../src/core/tuning/gridSpec';
import { indexDataset } from '../../src/core/dataset';
import { tuningTiles } from '../../src/core/tuning/tuneDataset';
import { parseFoldsCsv } from '../../src/core/tuning/foldsCsv';
import { REPO_ROOT, SAMPLE, tempDir } from './helpers/paths';

const BIN = path.join(REPO_ROOT, 'bin', 'vasculature-explorer.js');
const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 240_000 });

describe('grid spec', () => {
  it('parses ranges, lists and names; the issue\'s example has 11 x 3 x 3 x 3 x 2 cells', () => {
    const g = parseGridSpec('threshold=0.2:0.7:0.05 dilation=0,1,2 min-area=0,16,64 tta=none,flip,rot4 glomerulus=keep,remove');
    assert.deepEqual(g.threshold, [0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7]);
    assert.equal(cellCount(g), 11 * 3 * 3 * 3 * 2);
    assert.deepEqual(parseGridSpec(['dilation=2,0']).dilation, [0, 2]);
  });

  for (const [spec, column, what] of [
    ['threshold=0.7:0.2:0.05', 1, /empty range: start 0.7 is above end 0.2/],
    ['dilation=0,1 threshold=0,0.5', 14, /threshold 0 is out of bounds/],
    ['min-area=-4', 1, /min-area -4 is out of bounds/],
    ['dilation=0 tta=none,spin', 12, /unknown TTA "spin"/],
    ['thresh=0.5', 1, /unknown parameter "thresh"/],
    ['threshold=0.1:0.5:0', 1, /step 0 must be > 0/],
    ['dilation=1,a', 1, /"a" is not a number/],
  ] as const) {
    it(`rejects "${spec}" naming the token and column ${column}`, () => {
      assert.throws(() => parseGridSpec(spec), (e: unknown) => e instanceof GridSpecError && e.column === column && what.test(e.message));
    });
  }
});

describe('predict.tta setting', () => {
  it('reads the sweep\'s variant names and the old booleans; anything else is off', () => {
    assert.deepEqual(['none', 'flip', 'rot4', true, false, 'rot90', 1, undefined].map(ttaVariantOfSetting), ['none', 'flip', 'rot4', 'flip', 'none', 'none', 'none', 'none']);
  });
  it('a rot4 cell\'s CLI flags point at the setting', () => {
    assert.match(cellCliFlags({ threshold: 0.5, dilation: 1, minArea: 16, tta: 'rot4', glomerulus: 'remove' }), /^--threshold 0\.5 --min-area 16 --dilation 1 # rot4 TTA: no predict flag; set vasculatureExplorer\.predict\.tta to "rot4"$/);
  });
});

describe('folds file', () => {
  it('reads any id,fold CSV (columns in any order, quoted) and names each bad line', () => {
    const r = parseFoldsCsv('fold,id,extra\n0,a,x\n"1","b",y\n1.5,c,z\n2,a,w\n,d,v\n', 'f.csv', new Set(['a', 'b', 'c', 'd']));
    assert.deepEqual([...r.folds], [['a', 0], ['b', 1]]);
    assert.deepEqual(r.problems.map((p) => p.line), [4, 5, 6]);
    assert.match(r.problems[1].message, /f\.csv:5: tile a is listed again/);
  });
  it('a header without a fold column is one located problem', () => {
    const r = parseFoldsCsv('id,split\na,1\n', 'f.csv');
    assert.equal(r.folds.size, 0);
    assert.match(r.problems[0].message, /f\.csv:1: .* no "fold" column/);
  });
});

describe('command line: vasculature-explorer tune', () => {
  it('a bad grid exits 2 with the token and column', () => {
    const r = run('tune', SAMPLE, '--grid', 'threshold=0.3', 'dilation=3,1:0:1');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /"dilation=3,1:0:1" \(column 15\)/);
  });

  it('--json: grid, one cell per combination with per-WSI/per-fold AP and counts, best by mean and worst fold; bad folds lines named, the sweep still runs', () => {
    const dir = tempDir('vex-cli-tune-');
    const folds = path.join(dir, 'folds.csv');
    const ids = fs.readFileSync(path.join(SAMPLE, 'polygons.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { id: string }).id);
    fs.writeFileSync(folds, ['id,fold', ...ids.map((id, k) => `${id},${k % 2}`), 'ffffffffffff,0', `${ids[0]},two`].join('\n'));
    const r = run('tune', SAMPLE, '--cache', path.join(dir, 'cache'), '--provider', 'cpu', '--folds', folds, '--datasets', 'all', '--max-tiles', '6', '--grid', 'threshold=0.4,0.6', 'dilation=0,1', 'min-area=0', '--json');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /folds\.csv:\d+: tile ffffffffffff is not in the dataset/);
    assert.match(r.stderr, /folds\.csv:\d+: fold "two" of tile \w+ is not an integer/);
    const j = JSON.parse(r.stdout) as { grid: { threshold: number[] }; tiles: number; cells: { params: { threshold: number; dilation: number }; ap: number | null; perWsi: Record<string, number | null>; perFold: Record<string, number | null>; tp: number; fp: number; fn: number }[]; best: { byMean: { params: unknown }; byWorstFold: { params: unknown }; groups: string } };
    assert.equal(j.tiles, 6);
    assert.deepEqual(j.cells.map((c) => [c.params.threshold, c.params.dilation]), [[0.4, 0], [0.4, 1], [0.6, 0], [0.6, 1]]);
    for (const c of j.cells) {
      assert.deepEqual(Object.keys(c.perFold).sort(), ['0', '1']);
      assert.ok(Object.keys(c.perWsi).length >= 1);
      assert.ok(c.tp + c.fn > 0);
    }
    assert.equal(j.best.groups, 'fold');
    // A second run reuses the cache: the model does not run again.
    const again = run('tune', SAMPLE, '--cache', path.join(dir, 'cache'), '--provider', 'cpu', '--datasets', 'all', '--max-tiles', '6', '--grid', 'threshold=0.5', '--json');
    assert.equal(again.status, 0, again.stderr);
    assert.deepEqual((JSON.parse(again.stdout) as { cache: { ran: number; reused: number } }).cache, { ...(JSON.parse(again.stdout) as { cache: object }).cache, ran: 0, reused: 6 });
  });
});

describe('command line: tune with a folds file that misses swept tiles', () => {
  it('says how many swept tiles have no fold; they count overall and per WSI, the folds it names are scored', async () => {
    const dir = tempDir('vex-cli-tune-missing-');
    const folds = path.join(dir, 'folds.csv');
    const swept = tuningTiles(await indexDataset(SAMPLE), 'all').slice(0, 5);
    fs.writeFileSync(folds, ['id,fold', `${swept[0]},0`, `${swept[1]},1`].join('\n'));
    const r = run('tune', SAMPLE, '--cache', path.join(dir, 'cache'), '--provider', 'cpu', '--folds', folds, '--datasets', 'all', '--max-tiles', '5', '--grid', 'threshold=0.5', 'dilation=0,1', 'min-area=0', '--json');
    assert.equal(r.status, 0, r.stderr);
    assert.ok(r.stderr.includes(`folds: 3 swept tile(s) have no fold in ${folds}; they count overall and per WSI, in no fold`), r.stderr);
    const j = JSON.parse(r.stdout) as { tiles: number; withoutFold: number; cells: { perFold: Record<string, number | null>; perWsi: Record<string, number | null>; tp: number; fn: number }[]; best: { groups: string } };
    assert.equal(j.tiles, 5);
    assert.equal(j.withoutFold, 3);
    assert.equal(j.best.groups, 'fold');
    for (const c of j.cells) assert.deepEqual(Object.keys(c.perFold).sort(), ['0', '1']);
  });
});

describe('command line: score --log (the submissions log)', () => {
  it('records the scored submission with its local AP and per-WSI AP, once per file, keeping the leaderboard scores typed', () => {
    const dir = tempDir('vex-cli-log-');
    const csv = path.join(dir, 'submission.csv'), log = path.join(dir, 'vasculature-submissions.json');
    const p = run('predict', path.join(SAMPLE, 'train', '00da70813521.tif'), path.join(SAMPLE, 'train', '1f0d3cd4b621.tif'), '--provider', 'cpu', '--out', csv);
    assert.equal(p.status, 0, p.stderr);
    const s1 = run('score', csv, SAMPLE, '--json', '--log', log, '--public', '0.512');
    assert.equal(s1.status, 0, s1.stderr);
    const ap = (JSON.parse(s1.stdout) as { ap: number }).ap;
    const s2 = run('score', csv, SAMPLE, '--log', log, '--private', '0.47');
    assert.equal(s2.status, 0, s2.stderr);
    const j = JSON.parse(fs.readFileSync(log, 'utf8')) as { submissions: { path: string; localAp: number; publicLb: number; privateLb: number; perWsi: Record<string, number> }[] };
    assert.equal(j.submissions.length, 1);
    assert.deepEqual([j.submissions[0].path, j.submissions[0].localAp, j.submissions[0].publicLb, j.submissions[0].privateLb], [csv, ap, 0.512, 0.47]);
    assert.ok(Object.keys(j.submissions[0].perWsi).length >= 1);
  });
});
