import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { REPO_ROOT, SAMPLE, tempDir } from './helpers/paths';
import { runPython } from './support/runPython';
import sharp from 'sharp';
import { decodeTile } from '../../src/core/image';
import { parseRandStainYaml, reinhardNormalise } from '../../src/core/stain';

const BIN = path.join(REPO_ROOT, 'bin', 'vasculature-explorer.js');
const dir = tempDir('vex-cli-stain-');
after(() => fs.rmSync(dir, { recursive: true, force: true }));
const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', maxBuffer: 64 << 20, env: { ...process.env, XDG_CACHE_HOME: path.join(dir, 'cache') } });

describe('command line: vasculature-explorer stain-stats', () => {
  it('writes RandStainNA yamls for every space and per WSI that the reference loader reads; a second run comes from the cache', () => {
    const out = path.join(dir, 'stats.yaml');
    const r = run('stain-stats', SAMPLE, '--space', 'all', '--filter', 'wsi=1,2', '--per-wsi', '--out', out, '--json');
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { written: string[]; tiles: number; fromCache: boolean; perWsi: Record<string, { tiles: number }> };
    // Independent count: the sample's tile_meta rows of WSI 1 and 2 whose image is in train/.
    const images = new Set(fs.readdirSync(path.join(SAMPLE, 'train')).map((n) => n.replace(/\.tif$/, '')));
    const rows = fs.readFileSync(path.join(SAMPLE, 'tile_meta.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    const want = rows.filter((c) => images.has(c[0]) && (c[1] === '1' || c[1] === '2')).length;
    assert.equal(j.tiles, want);
    assert.equal(j.fromCache, false);
    assert.deepEqual(j.written.map((f) => path.basename(f)).sort(), ['stats_HED.yaml', 'stats_HED_wsi1.yaml', 'stats_HED_wsi2.yaml', 'stats_HSV.yaml', 'stats_HSV_wsi1.yaml', 'stats_HSV_wsi2.yaml', 'stats_LAB.yaml', 'stats_LAB_wsi1.yaml', 'stats_LAB_wsi2.yaml']);
    for (const f of j.written) {
      const y = runPython<{ color_space: string; keys: string[] }>('stain_ref.py', { mode: 'read_yaml', file: f });
      assert.ok(['LAB', 'HSV', 'HED'].includes(y.color_space));
      assert.equal(y.keys.length, 7, y.keys.join(','));
    }
    assert.equal(j.perWsi['1'].tiles + j.perWsi['2'].tiles, want);
    const again = run('stain-stats', SAMPLE, '--space', 'LAB', '--filter', 'wsi=2', '--out', path.join(dir, 'w2.yaml'));
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /from the cache/);
    assert.equal(fs.readFileSync(path.join(dir, 'w2.yaml'), 'utf8').replace(/^#.*\n/gm, ''), fs.readFileSync(path.join(dir, 'stats_LAB_wsi2.yaml'), 'utf8').replace(/^#.*\n/gm, ''));
  });

  it('says what is wrong with bad arguments (exit 2) and with a filter that keeps nothing (exit 1)', () => {
    const a = run('stain-stats', SAMPLE, '--space', 'XYZ', '--out', path.join(dir, 'x.yaml'));
    assert.equal(a.status, 2);
    assert.match(a.stderr, /--space must be LAB, HSV, HED or all/);
    const b = run('stain-stats', SAMPLE, '--filter', 'colour=red', '--out', path.join(dir, 'x.yaml'));
    assert.equal(b.status, 2);
    assert.match(b.stderr, /unknown key 'colour'/);
    const c = run('stain-stats', SAMPLE, '--filter', 'wsi=99', '--out', path.join(dir, 'x.yaml'));
    assert.equal(c.status, 1);
    assert.match(c.stderr, /no tile with an image matches the filter \(WSI 99/);
    assert.equal(fs.existsSync(path.join(dir, 'x.yaml')), false);
  });

  it('labels --stain reinhard:<yaml> writes Reinhard-normalised PNGs (the same pixels as the core transform) and names it in the manifest', async () => {
    const yaml = path.join(dir, 'lab_for_labels.yaml');
    assert.equal(run('stain-stats', SAMPLE, '--out', yaml).status, 0);
    const out = path.join(dir, 'labels-out');
    const r = run('labels', SAMPLE, '--out', out, '--formats', 'masks', '--stain', `reinhard:${yaml}`, '--json');
    assert.equal(r.status, 0, r.stderr);
    const m = JSON.parse(r.stdout) as { options: { transformName?: string } };
    assert.equal(m.options.transformName, 'reinhard:lab_for_labels.yaml');
    const pngs = fs.readdirSync(path.join(out, 'images')).filter((n) => n.endsWith('.png'));
    assert.ok(pngs.length > 0);
    const id = pngs[0].replace(/\.png$/, '');
    const written = await sharp(path.join(out, 'images', pngs[0])).raw().toBuffer();
    const cfg = parseRandStainYaml(fs.readFileSync(yaml, 'utf8'));
    const want = reinhardNormalise(await decodeTile(path.join(SAMPLE, 'train', `${id}.tif`)), { mean: [cfg.avg[0][0], cfg.avg[1][0], cfg.avg[2][0]], std: [cfg.std[0][0], cfg.std[1][0], cfg.std[2][0]] });
    assert.ok(want.applied);
    let diff = 0;
    for (let p = 0; p < 512 * 512; p++) for (let c = 0; c < 3; c++) if (written[p * 3 + c] !== want.data[p * 4 + c]) diff++;
    assert.equal(diff, 0);
    const bad = run('labels', SAMPLE, '--out', path.join(dir, 'l2'), '--stain', 'vahadane');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--stain vahadane: expected reinhard:<stats_LAB.yaml>, macenko or macenko:<tile id>/);
  });
});
