/** The synthetic dataset generator: files in the competition's layout, real proportions, dense rings. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BoxMask, traceBoundary } from '../../src/core/synthetic/blobRing';
import { planAnnotations } from '../../src/core/synthetic/syntheticAnnotations';
import { planTiles } from '../../src/core/synthetic/syntheticPlan';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const cli = path.join(repoRoot, 'out', 'scripts', 'generateSynthetic.js');

// The real dataset, typed in from shared/docs/hhv-dataset.md (not imported from the generator).
const REAL_CELLS: Array<[wsi: number, ds: number, tiles: number]> = [
  [1, 1, 270], [1, 2, 237], [2, 1, 152], [2, 2, 293], [3, 2, 410], [4, 2, 271],
  [6, 3, 600], [7, 3, 600], [8, 3, 600], [9, 3, 600], [10, 3, 600], [11, 3, 600], [12, 3, 600], [13, 3, 600], [14, 3, 600],
];
const REAL_DS_TILES: Record<number, number> = { 1: 422, 2: 1211 };
const REAL_CLASSES: Record<number, Record<string, number>> = {
  1: { blood_vessel: 3498, glomerulus: 36, unsure: 872 },
  2: { blood_vessel: 12556, glomerulus: 531, unsure: 25 },
};

function generate(out: string, ...args: string[]): string {
  return execFileSync(process.execPath, [cli, '--out', out, ...args], { encoding: 'utf8' });
}

interface MetaRow { id: string; wsi: number; ds: number; i: string; j: string }

function readMeta(root: string): { text: string; rows: MetaRow[] } {
  const text = fs.readFileSync(path.join(root, 'tile_meta.csv'), 'utf8');
  const lines = text.split('\n');
  assert.equal(lines[0], 'id,source_wsi,dataset,i,j');
  assert.equal(lines[lines.length - 1], '', 'file ends with one LF');
  const rows = lines.slice(1, -1).map((l, k) => {
    const f = l.split(',');
    assert.equal(f.length, 5, `tile_meta line ${k + 2}: ${l}`);
    return { id: f[0], wsi: Number(f[1]), ds: Number(f[2]), i: f[3], j: f[4] };
  });
  return { text, rows };
}

describe('synthetic generator: a 200-tile set without images', () => {
  let dir = '';
  let rows: MetaRow[] = [];
  let lines: Array<{ id: string; annotations: Array<{ type: string; coordinates: number[][][] }> }> = [];
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'synthetic-test-'));
    generate(path.join(dir, 'a'), '--tiles', '200', '--seed', '7', '--images', 'none');
    rows = readMeta(path.join(dir, 'a')).rows;
    const text = fs.readFileSync(path.join(dir, 'a', 'polygons.jsonl'), 'utf8');
    assert.ok(text.endsWith('\n') && !text.includes('\r'));
    lines = text.trimEnd().split('\n').map((l, k) => {
      assert.ok(!l.includes(' '), `line ${k + 1} is compact JSON`);
      return JSON.parse(l);
    });
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes tile_meta.csv with 200 unique 12-hex ids, LF endings, i/j zero-padded to 5 digits', () => {
    const { text } = readMeta(path.join(dir, 'a'));
    assert.ok(!text.includes('\r'));
    assert.equal(rows.length, 200);
    assert.equal(new Set(rows.map((r) => r.id)).size, 200);
    for (const r of rows) {
      assert.match(r.id, /^[0-9a-f]{12}$/);
      assert.match(r.i, /^\d{5}$/);
      assert.match(r.j, /^\d{5}$/);
    }
    assert.ok(!rows.some((r) => r.id === '72e40acccadf'), 'the test tile is not in tile_meta');
  });

  it('splits tiles over WSI x dataset like the real table, scaled to 200', () => {
    const counts = new Map<string, number>();
    for (const r of rows) counts.set(`${r.wsi}/${r.ds}`, (counts.get(`${r.wsi}/${r.ds}`) ?? 0) + 1);
    for (const [wsi, ds, n] of REAL_CELLS) {
      const want = (n * 200) / 7033;
      const got = counts.get(`${wsi}/${ds}`) ?? 0;
      assert.ok(Math.abs(got - want) < 1, `WSI ${wsi} dataset ${ds}: ${got} tiles, expected ~${want.toFixed(2)}`);
    }
    assert.equal([...counts.values()].reduce((a, b) => a + b, 0), 200);
  });

  it('gives every dataset 1/2 tile exactly one polygons line and dataset 3 none', () => {
    const byId = new Map(rows.map((r) => [r.id, r]));
    const annotated = rows.filter((r) => r.ds !== 3).map((r) => r.id).sort();
    assert.deepEqual(lines.map((l) => l.id).sort(), annotated);
    for (const l of lines) assert.ok(byId.get(l.id), `${l.id} is in tile_meta`);
  });

  it('follows the real per-dataset class counts, scaled by annotated tiles', () => {
    const dsOf = new Map(rows.map((r) => [r.id, r.ds]));
    for (const ds of [1, 2]) {
      const tiles = rows.filter((r) => r.ds === ds).length;
      assert.ok(tiles > 0);
      for (const cls of ['blood_vessel', 'glomerulus', 'unsure']) {
        const got = lines.filter((l) => dsOf.get(l.id) === ds).reduce((a, l) => a + l.annotations.filter((a2) => a2.type === cls).length, 0);
        const want = (REAL_CLASSES[ds][cls] * tiles) / REAL_DS_TILES[ds];
        assert.ok(Math.abs(got - want) <= 0.5 + 1e-9, `dataset ${ds} ${cls}: ${got}, expected ${want.toFixed(2)}`);
      }
    }
  });

  it('writes one dense ring per polygon: integer points in 0..511, steps of at most one pixel, at least 8 points', () => {
    let rings = 0;
    let clipped = 0;
    for (const l of lines) {
      assert.ok(l.annotations.length > 0, `${l.id} has annotations`);
      for (const a of l.annotations) {
        assert.ok(['blood_vessel', 'glomerulus', 'unsure'].includes(a.type));
        assert.equal(a.coordinates.length, 1);
        const ring = a.coordinates[0];
        assert.ok(ring.length >= 8);
        for (let k = 0; k < ring.length; k++) {
          const [x, y] = ring[k];
          assert.ok(Number.isInteger(x) && Number.isInteger(y) && x >= 0 && x <= 511 && y >= 0 && y <= 511, `${l.id}: point ${x},${y}`);
          if (k > 0) {
            assert.ok(Math.abs(x - ring[k - 1][0]) <= 1 && Math.abs(y - ring[k - 1][1]) <= 1, `${l.id}: step ${ring[k - 1]} -> ${ring[k]}`);
          }
        }
        if (ring.some(([x, y]) => x === 0 || y === 0 || x === 511 || y === 511)) clipped++;
        rings++;
      }
    }
    assert.ok(clipped > 0 && clipped < rings, `some rings touch the border (${clipped} of ${rings})`);
  });

  it('is deterministic in the seed, and a rerun with the same parameters is a no-op', () => {
    generate(path.join(dir, 'b'), '--tiles', '200', '--seed', '7', '--images', 'none');
    for (const f of ['tile_meta.csv', 'polygons.jsonl', 'wsi_meta.csv']) {
      assert.ok(fs.readFileSync(path.join(dir, 'a', f)).equals(fs.readFileSync(path.join(dir, 'b', f))), f);
    }
    const before = fs.statSync(path.join(dir, 'b', 'polygons.jsonl')).mtimeMs;
    const log = generate(path.join(dir, 'b'), '--tiles', '200', '--seed', '7', '--images', 'none');
    assert.match(log, /nothing to do/);
    assert.equal(fs.statSync(path.join(dir, 'b', 'polygons.jsonl')).mtimeMs, before);
    generate(path.join(dir, 'c'), '--tiles', '200', '--seed', '8', '--images', 'none');
    const other = new Set(readMeta(path.join(dir, 'c')).rows.map((r) => r.id));
    assert.ok(rows.filter((r) => other.has(r.id)).length === 0, 'another seed gives other ids');
  });

  it('writes wsi_meta.csv for WSIs 1-4 with the real columns', () => {
    const w = fs.readFileSync(path.join(dir, 'a', 'wsi_meta.csv'), 'utf8').trimEnd().split('\n');
    assert.equal(w[0], 'source_wsi,age,sex,race,height,weight,bmi');
    assert.deepEqual(w.slice(1).map((l) => l.split(',')[0]), ['1', '2', '3', '4']);
  });

  it('refuses to write into a folder that holds other files', () => {
    const foreign = path.join(dir, 'foreign');
    fs.mkdirSync(foreign);
    fs.writeFileSync(path.join(foreign, 'notes.txt'), 'mine');
    assert.throws(() => execFileSync(process.execPath, [cli, '--out', foreign, '--tiles', '50'], { stdio: 'pipe' }), /notes\.txt/);
    assert.equal(fs.readFileSync(path.join(foreign, 'notes.txt'), 'utf8'), 'mine');
  });
});

describe('synthetic generator: images', () => {
  let dir = '';
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'synthetic-img-'));
    generate(path.join(dir, 'r'), '--tiles', '40', '--images', 'render', '--pool', '3');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes one 512x512 RGB LZW TIFF per tile and the test tile, which is not in tile_meta', () => {
    const root = path.join(dir, 'r');
    const ids = readMeta(root).rows.map((r) => r.id);
    assert.deepEqual(fs.readdirSync(path.join(root, 'train')).sort(), ids.map((id) => `${id}.tif`).sort());
    assert.deepEqual(fs.readdirSync(path.join(root, 'test')), ['72e40acccadf.tif']);
    assert.ok(!ids.includes('72e40acccadf'));
    const annotated = fs.readFileSync(path.join(root, 'polygons.jsonl'), 'utf8').split('\n')[0].slice(7, 19);
    // Checked with PIL, independently of sharp.
    const py = [
      'import sys; from PIL import Image',
      'for f in sys.argv[1:]:',
      '  im = Image.open(f); print(im.size[0], im.size[1], im.mode, im.info.get("compression"))',
    ].join('\n');
    const files = [path.join(root, 'train', `${annotated}.tif`), path.join(root, 'test', '72e40acccadf.tif')];
    const outp = execFileSync('/usr/bin/python3', ['-c', py, ...files], { encoding: 'utf8' });
    assert.deepEqual(outp.trim().split('\n'), ['512 512 RGB tiff_lzw', '512 512 RGB tiff_lzw']);
  });
});

describe('synthetic plan at the real size (7033 tiles)', () => {
  const plan = planTiles(7033, 1);

  it('puts WSI 2 partly and WSIs 10, 11, 14 wholly off the 512 grid, with 21 overlapping pairs in WSI 2', () => {
    const off = (w: number): number => plan.filter((t) => t.wsi === w && (t.i % 512 !== 0 || t.j % 512 !== 0)).length;
    assert.equal(off(2), 287);
    assert.equal(off(10), 600);
    assert.equal(off(11), 600);
    assert.equal(off(14), 600);
    assert.equal(off(1) + off(3) + off(4) + off(6), 0);
    const w2 = plan.filter((t) => t.wsi === 2);
    let pairs = 0;
    for (let a = 0; a < w2.length; a++) {
      for (let b = a + 1; b < w2.length; b++) {
        if (Math.abs(w2[a].i - w2[b].i) < 512 && Math.abs(w2[a].j - w2[b].j) < 512) pairs++;
      }
    }
    assert.equal(pairs, 21);
  });

  it('plans exactly the documented class counts, 1622 tiles with a vessel and 435 with a glomerulus', () => {
    const plans = planAnnotations(plan, 1);
    assert.equal(plans.size, 1633);
    const dsOf = new Map(plan.map((t) => [t.id, t.dataset]));
    const sum = (ds: number, k: 'blood_vessel' | 'glomerulus' | 'unsure'): number =>
      [...plans].filter(([id]) => dsOf.get(id) === ds).reduce((a, [, p]) => a + p[k], 0);
    assert.deepEqual([sum(1, 'blood_vessel'), sum(1, 'glomerulus'), sum(1, 'unsure')], [3498, 36, 872]);
    assert.deepEqual([sum(2, 'blood_vessel'), sum(2, 'glomerulus'), sum(2, 'unsure')], [12556, 531, 25]);
    assert.equal([...plans.values()].filter((p) => p.blood_vessel > 0).length, 1622);
    assert.equal([...plans.values()].filter((p) => p.glomerulus > 0).length, 435);
    assert.ok([...plans].filter(([id, p]) => dsOf.get(id) === 2 && p.duplicates > 0).length > 0);
  });
});

describe('boundary tracing', () => {
  const mask = (rowsText: string[], x0 = 0, y0 = 0): BoxMask => ({
    x0, y0, w: rowsText[0].length, h: rowsText.length,
    data: Uint8Array.from(rowsText.join('').split('').map((c) => (c === '#' ? 1 : 0))),
  });

  it('traces a 3x3 square clockwise from its top-left pixel, in tile coordinates', () => {
    assert.deepEqual(traceBoundary(mask(['###', '###', '###'], 10, 20)), [
      [10, 20], [11, 20], [12, 20], [12, 21], [12, 22], [11, 22], [10, 22], [10, 21],
    ]);
  });

  it('traces an L shape and a diagonal step', () => {
    // #.
    // ##   -> (0,0) (1,1) (0,1): 8-connected, the diagonal taken directly
    assert.deepEqual(traceBoundary(mask(['#.', '##'])), [[0, 0], [1, 1], [0, 1]]);
    // .#
    // #.   -> two pixels touching at a corner form one 8-connected component
    assert.deepEqual(traceBoundary(mask(['.#', '#.'])), [[1, 0], [0, 1]]);
  });

  it('returns the single pixel of a one-pixel mask and nothing for an empty one', () => {
    assert.deepEqual(traceBoundary(mask(['...', '.#.', '...'])), [[1, 1]]);
    assert.deepEqual(traceBoundary(mask(['..', '..'])), []);
  });
});
