/** Command line for batch jobs: `predict --shard k/n` splits the tiles, `merge` joins the parts (validated: a tile twice is a located error), `--version`. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { shardOf } from '../../src/cli/predictCommand';
import { mergeSubmissions } from '../../src/core/metric/submissionMerge';
import { REPO_ROOT, SAMPLE, tempDir } from './helpers/paths';

const BIN = path.join(REPO_ROOT, 'bin', 'vasculature-explorer.js');
const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 240_000 });
const rowsOf = (file: string) => fs.readFileSync(file, 'utf8').trim().split('\n').slice(1).sort();

describe('predict --shard k/n', () => {
  const ids = Array.from({ length: 23 }, (_, k) => ({ id: (k * 7919 % 23).toString(16).padStart(12, '0') }));
  it('slices partition the tiles: disjoint, complete, in id order, sizes within one of each other', () => {
    for (const n of [1, 2, 3, 8, 23, 40]) {
      const parts = Array.from({ length: n }, (_, k) => shardOf(ids, `${k + 1}/${n}`));
      const all = parts.flat().map((t) => t.id);
      assert.deepEqual(all, ids.map((t) => t.id).sort(), `n=${n}: the slices in order are the sorted ids`);
      const sizes = parts.map((p) => p.length);
      assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `n=${n}: sizes ${sizes.join(',')}`);
    }
  });
  it('refuses k/n outside 1 <= k <= n with the expected form in the message', () => {
    for (const bad of ['0/4', '5/4', '1/0', '2', 'a/b', '1/4/2', '-1/4']) assert.throws(() => shardOf(ids, bad), /--shard wants k\/n/, bad);
  });
});

describe('mergeSubmissions (core)', () => {
  const h = 'id,height,width,prediction_string';
  it('keeps the rows as written, in input order, and reports a tile given by two inputs at its line in the later one', () => {
    const a = { file: 'a.csv', text: `${h}\n0123456789ab,512,512,\n` };
    const b = { file: 'b.csv', text: `${h}\nba9876543210,512,512,\n0123456789ab,512,512,\n` };
    const ok = mergeSubmissions([a, { file: 'b.csv', text: `${h}\nba9876543210,512,512,\n` }]);
    assert.equal(ok.text, `${h}\n0123456789ab,512,512,\nba9876543210,512,512,\n`);
    assert.deepEqual(ok.rowsPerInput, [1, 1]);
    const dup = mergeSubmissions([a, b]);
    assert.equal(dup.text, undefined, 'nothing to write');
    const p = dup.problems.find((x) => x.code === 'submission-merge-duplicate');
    assert.ok(p, JSON.stringify(dup.problems));
    assert.equal(p.file, 'b.csv');
    assert.equal(p.line, 3);
    assert.match(p.message, /already in a\.csv at line 2/);
  });
  it('the same file given twice is an error, not a silent overwrite', () => {
    const a = { file: 'a.csv', text: `${h}\n0123456789ab,512,512,\n` };
    const r = mergeSubmissions([a, a]);
    assert.equal(r.text, undefined);
    assert.match(r.problems.map((p) => p.message).join('\n'), /already in a\.csv \(given twice\) at line 2/);
  });
  it("an input's own errors (bad header, bad mask) stop the merge with that input's location", () => {
    const r = mergeSubmissions([{ file: 'a.csv', text: `${h}\n0123456789ab,512,512,0 0.5 notbase64!\n` }, { file: 'b.csv', text: 'id,prediction\n' }]);
    assert.equal(r.text, undefined);
    assert.ok(r.problems.some((p) => p.file === 'a.csv' && p.line === 2 && p.code.startsWith('submission-mask')), JSON.stringify(r.problems));
    assert.ok(r.problems.some((p) => p.file === 'b.csv' && p.line === 1 && p.code === 'submission-header'));
  });
});

describe('command line: shard, merge, --version (real sample tiles, demo model)', () => {
  const tiles = ['00da70813521', '1f0d3cd4b621', '2cad7b97ea7e', '6ba77a9f7fea', 'fb5faa60f9d0'].map((id) => path.join(SAMPLE, 'train', `${id}.tif`));
  const dir = tempDir('vex-cli-shard-');
  const part = (k: number) => path.join(dir, `part-${k}.csv`);

  it('two shards merged give the rows of one unsharded run, and score to the same AP', () => {
    const full = path.join(dir, 'full.csv');
    const r0 = run('predict', ...tiles, '--provider', 'cpu', '--out', full);
    assert.equal(r0.status, 0, r0.stderr);
    for (const k of [1, 2]) {
      const r = run('predict', ...tiles, '--provider', 'cpu', '--shard', `${k}/2`, '--out', part(k), '--json');
      assert.equal(r.status, 0, r.stderr);
      const j = JSON.parse(r.stdout) as { shard: string; shardTiles: number; allTiles: number; tiles: { id: string }[] };
      assert.equal(j.shard, `${k}/2`);
      assert.equal(j.allTiles, 5);
      assert.equal(j.tiles.length, k === 1 ? 2 : 3);
    }
    const merged = path.join(dir, 'all.csv');
    const m = run('merge', part(1), part(2), '--out', merged, '--json');
    assert.equal(m.status, 0, m.stderr);
    const mj = JSON.parse(m.stdout) as { rows: number; inputs: { rows: number }[]; problems: unknown[] };
    assert.equal(mj.rows, 5);
    assert.deepEqual(mj.inputs.map((i) => i.rows), [2, 3]);
    assert.deepEqual(rowsOf(merged), rowsOf(full), 'the merged rows are the unsharded rows');
    const s1 = JSON.parse(run('score', merged, SAMPLE, '--json').stdout) as { ap: number; tp: number; fp: number; fn: number };
    const s2 = JSON.parse(run('score', full, SAMPLE, '--json').stdout) as { ap: number; tp: number; fp: number; fn: number };
    assert.deepEqual(s1, { ...s1, ap: s2.ap, tp: s2.tp, fp: s2.fp, fn: s2.fn });
  });

  it('merging a part with itself (or overlapping parts) exits 1 with file:line and writes nothing', () => {
    const out = path.join(dir, 'dup.csv');
    const r = run('merge', part(1), part(1), '--out', out);
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`${part(1).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:2:1: error \\[submission-merge-duplicate\\]`));
    assert.match(r.stderr, /nothing written/);
    assert.equal(fs.existsSync(out), false);
  });

  it('more shards than tiles: the empty slice writes a header-only submission that merges', () => {
    const r = run('predict', tiles[0], '--provider', 'cpu', '--shard', '2/3', '--out', path.join(dir, 'empty.csv'));
    assert.equal(r.status, 0, r.stderr);
    assert.equal(fs.readFileSync(path.join(dir, 'empty.csv'), 'utf8'), 'id,height,width,prediction_string\n');
  });

  it('a bad --shard is a usage error (exit 2)', () => {
    const r = run('predict', tiles[0], '--shard', '3/2');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--shard wants k\/n/);
  });

  it('--version prints the name and version of package.json', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
    const r = run('--version');
    assert.equal(r.status, 0);
    assert.equal(r.stdout.trim(), `${pkg.name} ${pkg.version}`);
  });
});
