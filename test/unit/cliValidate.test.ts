import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { copyDataset, REPO_ROOT, SAMPLE } from './helpers/paths';

const BIN = path.join(REPO_ROOT, 'bin', 'vasculature-explorer.js');
const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });

interface Report {
  tiles: { meta: number; train: number; test: number };
  polygonLines: number;
  annotatedTiles: number;
  classes: Record<string, { instances: number; tiles: number }>;
  wsis: Record<string, { tiles: number; byDataset: Record<string, number> }>;
  problems: { file: string; line: number; severity: string; code: string; message: string; count?: number }[];
}

describe('command line: vasculature-explorer validate', () => {
  it('prints the --json report of the real sample and exits 0 (no errors)', () => {
    const r = run('validate', SAMPLE, '--json');
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout) as Report;
    assert.deepEqual(j.tiles, { meta: 7033, train: 126, test: 1 });
    assert.equal(j.polygonLines, 221);
    assert.equal(j.annotatedTiles, 27);
    // Independent count of blood_vessel instances and tiles from the file itself.
    const lines = fs.readFileSync(path.join(SAMPLE, 'polygons.jsonl'), 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as { annotations: { type: string }[] });
    const bv = lines.map((l) => l.annotations.filter((a) => a.type === 'blood_vessel').length);
    assert.deepEqual(j.classes.blood_vessel, { instances: bv.reduce((a, b) => a + b, 0), tiles: bv.filter((n) => n > 0).length });
    assert.deepEqual(j.classes.glomerulus, { instances: 0, tiles: 0 });
    assert.deepEqual(j.wsis['2'], { tiles: 445, byDataset: { '1': 152, '2': 293 } });
    const grouped = j.problems.find((p) => p.code === 'images-missing')!;
    assert.deepEqual([grouped.file, grouped.line, grouped.severity, grouped.count], ['tile_meta.csv', 2, 'info', 6907]);
  });

  it('exits 1 and prints each error located as file:line for a broken copy', () => {
    const dir = copyDataset();
    const lines = fs.readFileSync(path.join(dir, 'polygons.jsonl'), 'utf8').split('\n');
    lines[3] = lines[3].slice(0, 100);
    fs.writeFileSync(path.join(dir, 'polygons.jsonl'), lines.join('\n'));
    const r = run('validate', dir);
    assert.equal(r.status, 1);
    assert.match(r.stdout, /Problems: 1 errors/);
    assert.match(r.stdout, /polygons\.jsonl:4:\d+: error \[json-malformed\]/);
    const j = JSON.parse(run('validate', dir, '--json').stdout) as Report;
    assert.deepEqual(j.problems.filter((p) => p.severity === 'error').map((p) => [p.file, p.line, p.code]), [['polygons.jsonl', 4, 'json-malformed']]);
  });

  it('exits 2 with usage for a wrong call', () => {
    const r = run('validate');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /usage: vasculature-explorer validate/);
    assert.equal(run('nonsense').status, 2);
  });
});
