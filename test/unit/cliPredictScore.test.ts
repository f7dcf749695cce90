/** Command line: `predict` on real sample tiles with the demo model and `score` of real and broken submissions. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { BAD_INPUTS, PYTHON, REPO_ROOT, SAMPLE, tempDir } from './helpers/paths';

const BIN = path.join(REPO_ROOT, 'bin', 'vasculature-explorer.js');
const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 240_000 });

interface ScoreJson {
  ap: number | null; tp: number; fp: number; fn: number; numGt: number; ignoreMode: string; convention: string;
  perWsi: { wsi: string; tiles: number; ap: number | null; tp: number; fp: number; fn: number; numGt: number }[];
  problems: { file: string; line: number; severity: string; code: string; message: string }[];
}
interface PredictJson extends ScoreJson {
  provider: string;
  fallbackReasons: string[];
  tiles: { id: string; wsi: string | null; vessels: number; annotated: boolean; tp: number; fp: number; fn: number; ap: number | null }[];
  failures: unknown[];
}

/** WSI of each tile id, read from tile_meta.csv here. */
const wsiOf = new Map(fs.readFileSync(path.join(SAMPLE, 'tile_meta.csv'), 'utf8').trim().split('\n').slice(1).map((l) => {
  const [id, wsi] = l.split(',');
  return [id, String(Number(wsi))] as const;
}));
/** blood_vessel polygons per tile id, counted here. */
const vesselsOf = new Map(fs.readFileSync(path.join(SAMPLE, 'polygons.jsonl'), 'utf8').split('\n').filter((l) => l.trim()).map((l) => {
  const j = JSON.parse(l) as { id: string; annotations: { type: string }[] };
  return [j.id, j.annotations.filter((a) => a.type === 'blood_vessel').length] as const;
}));

describe('command line: vasculature-explorer predict', () => {
  const tiles = ['00da70813521', '1f0d3cd4b621', '2cad7b97ea7e'];
  const dir = tempDir('vex-cli-predict-');
  const out = path.join(dir, 'submission.csv');

  it('predicts 3 real tiles with the bundled demo model on cpu, scores them, and writes a submission that `score` reads back to the same numbers', () => {
    const r = run('predict', ...tiles.map((t) => path.join(SAMPLE, 'train', `${t}.tif`)), '--provider', 'cpu', '--out', out, '--json');
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout) as PredictJson;
    assert.equal(j.provider, 'cpu');
    assert.deepEqual(j.fallbackReasons, []);
    assert.deepEqual(j.tiles.map((t) => [t.id, t.wsi, t.annotated, t.tp + t.fn]), tiles.map((t) => [t, wsiOf.get(t), true, vesselsOf.get(t)]));
    assert.equal(j.numGt, tiles.reduce((a, t) => a + vesselsOf.get(t)!, 0));
    assert.ok(j.tp > 0 && j.ap !== null && j.ap > 0 && j.ap < 1, `AP ${j.ap}, TP ${j.tp}`);
    assert.match(j.convention, /AP@0\.6.*unsure\/glomerulus/);
    const csv = fs.readFileSync(out, 'utf8').trim().split('\n');
    assert.deepEqual(csv.map((l) => l.split(',')[0]), ['id', ...tiles]);
    csv.slice(1).forEach((l, k) => assert.equal(l.split(',')[3].split(' ').filter(Boolean).length, 3 * j.tiles[k].vessels));

    const s = run('score', out, SAMPLE, '--json');
    assert.equal(s.status, 0, s.stderr);
    const sj = JSON.parse(s.stdout) as ScoreJson;
    assert.deepEqual([sj.ap, sj.tp, sj.fp, sj.fn, sj.numGt], [j.ap, j.tp, j.fp, j.fn, j.numGt], 'RLE round trip and re-scoring change nothing');
    assert.ok(sj.problems.some((p) => p.code === 'submission-tile-missing' && p.severity === 'info'));
  });

  it('a missing model file: exit 2 and the message names the file and the flag', () => {
    const r = run('predict', path.join(SAMPLE, 'train', `${tiles[0]}.tif`), '--model', '/nonexistent/m.onnx');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /model file not found: \/nonexistent\/m\.onnx\. Pass --model/);
  });
});

describe('command line: vasculature-explorer score', () => {
  it('the ground truth itself, written by an independent Python/PIL/numpy encoder, scores AP 1 with every vessel a TP, per WSI too', () => {
    const out = path.join(tempDir('vex-cli-score-'), 'gt.csv');
    const py = spawnSync(PYTHON, [path.join(REPO_ROOT, 'test', 'unit', 'py', 'gt_submission.py')], { input: JSON.stringify({ polygons: path.join(SAMPLE, 'polygons.jsonl'), out }), encoding: 'utf8' });
    assert.equal(py.status, 0, py.stderr);
    const ref = JSON.parse(py.stdout) as { rows: number; instances: number; tiles: Record<string, number> };
    const r = run('score', out, SAMPLE, '--json');
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout) as ScoreJson;
    assert.deepEqual([j.ap, j.tp, j.fp, j.fn, j.numGt], [1, ref.instances, 0, 0, ref.instances]);
    const perWsi = new Map<string, number>();
    for (const id of Object.keys(ref.tiles)) perWsi.set(wsiOf.get(id)!, (perWsi.get(wsiOf.get(id)!) ?? 0) + 1);
    assert.deepEqual(j.perWsi.map((w) => [w.wsi, w.tiles, w.ap]), [...perWsi].sort((a, b) => Number(a[0]) - Number(b[0])).map(([w, n]) => [w, n, 1]));
    assert.deepEqual(j.problems.filter((p) => p.severity !== 'info'), []);
  });

  it('the real broken submission (bytes literals, height 1): exit 1 with errors located at line 2 and their codes', () => {
    const file = path.join(BAD_INPUTS, 'submission_bytes_repr.csv');
    const r = run('score', file, SAMPLE, '--json');
    assert.equal(r.status, 1, r.stderr);
    const j = JSON.parse(r.stdout) as ScoreJson;
    const errors = j.problems.filter((p) => p.severity === 'error');
    assert.ok(errors.length >= 2);
    for (const p of errors) {
      assert.equal(p.file, file);
      assert.equal(p.line, 2);
    }
    assert.ok(errors.some((p) => p.code === 'submission-size' && /height is '1'/.test(p.message)), JSON.stringify(errors));
    assert.ok(errors.some((p) => /bytes literal|b'/.test(p.message)), JSON.stringify(errors.map((e) => e.message)));
    assert.equal(j.ap, null, 'nothing left to score');
  });

  it('text output names the convention and the per-WSI table; bad usage exits 2', () => {
    const r = run('score', path.join(BAD_INPUTS, 'submission_bytes_repr.csv'), SAMPLE);
    assert.equal(r.status, 1);
    assert.match(r.stdout, /Convention: AP@0\.6/);
    assert.match(r.stdout, /\| WSI \| tiles \|/);
    assert.match(r.stdout, /submission_bytes_repr\.csv:2:\d+: error \[submission-size\]/);
    assert.equal(run('score', SAMPLE).status, 2);
    assert.equal(run('score', 'a.csv', SAMPLE, '--ignore-mode', 'maybe').status, 2);
  });
});
