// Stain statistics: the distinct-colour pass equals the per-pixel one on real tiles, the binary
// cache round-trips, grey tiles are skipped with their stated reason, and the tissue threshold
// skips a real near-white sample tile with a reason (setting/CLI flag), counted in the summary.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import sharp from 'sharp';
import { PYTHON, REPO_ROOT, SAMPLE, tempDir } from './helpers/paths';
import { indexDataset } from '../../src/core/dataset';
import { isPlain8BitRgb } from '../../src/core/stain/headerPeek';
import { aggregateStain, applyStainTarget, countColours, DEFAULT_MIN_TISSUE, loadStainCache, measureTile, saveStainCache, spaceStats, stainStatsWithCache, statsOfColours, STAIN_SPACES, tileStainStats, type RgbPixels } from '../../src/core/stain';
import { inputSignature } from '../../src/core/dataset';

const dir = tempDir('vex-stain-tissue-');
after(() => fs.rmSync(dir, { recursive: true, force: true }));
const BIN = path.join(REPO_ROOT, 'bin', 'vasculature-explorer.js');
/** The sample's palest real tile: about 10 % of its pixels are stained. */
const NEAR_WHITE = '24bc5d5889b4';
const trainFiles = fs.readdirSync(path.join(SAMPLE, 'train')).filter((n) => n.endsWith('.tif')).sort();

/** A tile's 8-bit RGB bytes as the statistics' fast path decodes them (sharp raw, 3 channels). */
async function rgbOf(file: string): Promise<RgbPixels> {
  const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: info.channels, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

describe('statistics from distinct colours', () => {
  it('equal the per-pixel statistics on 12 real tiles: LAB/HSV exactly, HED within 1e-12; RGBA and unaligned input give the same', async () => {
    for (const n of trainFiles.filter((_, k) => k % 11 === 0)) {
      const px = await rgbOf(path.join(SAMPLE, 'train', n));
      assert.equal(px.channels, 3);
      const want = spaceStats(px, STAIN_SPACES);
      const cc = countColours(px.data, 3);
      assert.ok(cc.n > 100 && cc.n < px.width * px.height, `${n}: ${cc.n} colours`);
      let total = 0;
      for (let j = 0; j < cc.n; j++) total += cc.counts[j];
      assert.equal(total, px.width * px.height);
      const got = statsOfColours(cc, STAIN_SPACES).spaces;
      assert.deepEqual(got.LAB, want.LAB, n);
      assert.deepEqual(got.HSV, want.HSV, n);
      for (let c = 0; c < 3; c++) {
        assert.ok(Math.abs(got.HED!.mean[c] - want.HED!.mean[c]) < 1e-12 && Math.abs(got.HED!.std[c] - want.HED!.std[c]) < 1e-12, `${n} HED[${c}]`);
      }
      // RGBA (the byte loop) and an unaligned copy (also the byte loop) count the same colours.
      const rgba = new Uint8Array(px.width * px.height * 4);
      for (let p = 0; p < px.width * px.height; p++) rgba.set(px.data.subarray(p * 3, p * 3 + 3), p * 4);
      assert.deepEqual(statsOfColours(countColours(rgba, 4), ['LAB', 'HSV']).spaces, { LAB: want.LAB, HSV: want.HSV });
      const shifted = new Uint8Array(px.data.length + 1).subarray(1);
      shifted.set(px.data);
      assert.deepEqual(statsOfColours(countColours(shifted, 3), ['LAB']).spaces.LAB, want.LAB);
    }
  });

  it('the HED RandStainNA step computed per colour moves a real tile (the exact pixel check against numpy is in stain.test)', async () => {
    const px = await rgbOf(path.join(SAMPLE, 'train', trainFiles[3]));
    const r = applyStainTarget(px, { space: 'HED', mean: [0.06, 0.04, 0.01], std: [0.03, 0.02, 0.005] });
    assert.ok(r.applied, r.reason);
    let moved = 0;
    for (let p = 0; p < px.width * px.height; p++) if (r.data[p * 4] !== px.data[p * 3] || r.data[p * 4 + 3] !== 255) moved++;
    assert.ok(moved > px.width * px.height * 0.3, `${moved} pixels moved`);
  });
});

describe('the header peek that routes 8-bit RGB files to the one-call decode', () => {
  it('says yes only for 8-bit RGB single-image PNG/TIFF (real tiles, generated grey, alpha, 16-bit and pyramid files; sharp writes no RGBA TIFF, so alpha is checked as PNG)', async () => {
    for (const n of trainFiles.slice(0, 5)) assert.equal(isPlain8BitRgb(fs.readFileSync(path.join(SAMPLE, 'train', n))), true, n);
    const rgb = sharp({ create: { width: 300, height: 300, channels: 3, background: { r: 200, g: 100, b: 150 } } });
    const cases: [string, Promise<Buffer>, boolean][] = [
      ['rgb png', rgb.clone().png().toBuffer(), true],
      ['rgb tiff', rgb.clone().tiff().toBuffer(), true],
      ['rgb tiff lzw', rgb.clone().tiff({ compression: 'lzw' }).toBuffer(), true],
      ['grey png', rgb.clone().toColourspace('b-w').png().toBuffer(), false],
      ['grey tiff', rgb.clone().toColourspace('b-w').tiff().toBuffer(), false],
      ['rgba png', rgb.clone().ensureAlpha().png().toBuffer(), false],
      ['16-bit png', rgb.clone().toColourspace('rgb16').png().toBuffer(), false],
      ['pyramid tiff', rgb.clone().tiff({ pyramid: true, tile: true, tileWidth: 64, tileHeight: 64 }).toBuffer(), false],
      ['jpeg', rgb.clone().jpeg().toBuffer(), false],
    ];
    for (const [name, p, want] of cases) assert.equal(isPlain8BitRgb(await p), want, name);
    assert.equal(isPlain8BitRgb(Buffer.from('II*\0')), false);
  });
});

describe('the binary stain cache', () => {
  it('round-trips measured, skipped and noted tiles; a changed input empties it', async () => {
    const ds = path.join(dir, 'ds');
    fs.mkdirSync(ds);
    fs.copyFileSync(path.join(SAMPLE, 'tile_meta.csv'), path.join(ds, 'tile_meta.csv'));
    const px = await rgbOf(path.join(SAMPLE, 'train', trainFiles[0]));
    const a = tileStainStats({ id: 'a', wsi: 1, dataset: 2 }, px, STAIN_SPACES);
    const b = { ...tileStainStats({ id: 'b' }, px, ['HED']), note: '16-bit image: measured on its 8-bit rescale' };
    const c = { id: 'c', wsi: 3, tissue: 0, skipped: 'all white: no stain variation to measure' };
    const store = path.join(dir, 'store');
    await saveStainCache(store, ds, [{ image: 'train/a.tif', stats: a }, { image: 'train/b.tif', stats: b }, { image: '', stats: c }], await inputSignature(ds));
    const m = await loadStainCache(store, ds);
    assert.deepEqual([...m.keys()], ['a', 'b', 'c']);
    assert.deepEqual(m.get('a'), { image: 'train/a.tif', stats: a });
    assert.deepEqual(m.get('b'), { image: 'train/b.tif', stats: b });
    assert.deepEqual(m.get('c'), { image: '', stats: c });
    fs.appendFileSync(path.join(ds, 'tile_meta.csv'), '\n');
    assert.equal((await loadStainCache(store, ds)).size, 0);
  });
});

describe('bad input: grey and near-white tiles', () => {
  it('a 1-channel grey file is skipped with the stated reason (the issue: skip with a reason), never measured as R = G = B', async () => {
    const real = await rgbOf(path.join(SAMPLE, 'train', trainFiles[0]));
    const grey = path.join(dir, 'grey1.png');
    await sharp(Buffer.from(real.data.filter((_, i) => i % 3 === 1)), { raw: { width: real.width, height: real.height, channels: 1 } }).toColourspace('b-w').png().toFile(grey);
    assert.equal((await sharp(grey).metadata()).channels, 1);
    const t = await measureTile(dir, { id: 'g', image: 'grey1.png', counts: { blood_vessel: 0, glomerulus: 0, unsure: 0 }, areas: { blood_vessel: 0, glomerulus: 0, unsure: 0 } }, STAIN_SPACES);
    assert.equal(t.skipped, 'grey image (1 channel): no stain colour to measure');
    assert.equal(t.spaces, undefined);
    assert.ok(Number.isFinite(t.tissue));
  });

  it(`the real near-white tile ${NEAR_WHITE} is kept at the default threshold and skipped with the reason above 10 %, counted as skipped; the cache is reused`, async () => {
    const index = await indexDataset(SAMPLE);
    const pale = index.tiles.get(NEAR_WHITE)!;
    const other = index.tiles.get(trainFiles[1].replace(/\.tif$/, ''))!;
    assert.ok(pale?.image && other?.image);
    const storageDir = path.join(dir, 'cache');
    const def = await stainStatsWithCache(SAMPLE, [pale, other], { spaces: ['LAB'], storageDir });
    assert.equal(def.fromCache, false);
    const p0 = def.tiles.find((t) => t.id === NEAR_WHITE)!;
    assert.ok(p0.tissue > DEFAULT_MIN_TISSUE && p0.tissue < 0.2, `tissue ${p0.tissue}`);
    assert.equal(p0.skipped, undefined);
    assert.ok(p0.spaces?.LAB);
    const strict = await stainStatsWithCache(SAMPLE, [pale, other], { spaces: ['LAB'], storageDir, minTissue: 0.2 });
    assert.equal(strict.fromCache, true, 'a new threshold needs no new measurement');
    const p1 = strict.tiles.find((t) => t.id === NEAR_WHITE)!;
    assert.match(p1.skipped ?? '', /^too little tissue: 10\.\d % of pixels are stained \(optical density >= 0\.15 in every channel\), below the 20\.0 % threshold/);
    assert.equal(p1.spaces, undefined);
    assert.ok(strict.tiles.find((t) => t.id === other.id)!.spaces?.LAB);
    const agg = aggregateStain('two', strict.tiles, ['LAB']);
    assert.equal(agg.tiles, 1);
    assert.equal(agg.skipped, 1);
    assert.ok(!/null|NaN/.test(JSON.stringify(agg)));
  });

  it('CLI --min-tissue: the near-white tile alone is refused with the reason; a bad value is a usage error', () => {
    const env = { ...process.env, XDG_CACHE_HOME: path.join(dir, 'xdg') };
    const run = (...a: string[]) => spawnSync(process.execPath, [BIN, 'stain-stats', SAMPLE, ...a], { encoding: 'utf8', env });
    const out = path.join(dir, 'pale.yaml');
    const ok = run('--filter', `search=${NEAR_WHITE}`, '--out', out, '--json');
    assert.equal(ok.status, 0, ok.stderr);
    const j = JSON.parse(ok.stdout) as { tiles: number; minTissue: number; lowTissue: number };
    assert.deepEqual([j.tiles, j.minTissue, j.lowTissue], [1, DEFAULT_MIN_TISSUE, 0]);
    const strict = run('--filter', `search=${NEAR_WHITE}`, '--out', out, '--min-tissue', '0.2');
    assert.equal(strict.status, 1);
    assert.match(strict.stderr, /none of the 1 tiles could be measured; first reason: too little tissue: 10\.\d % of pixels .* below the 20\.0 % threshold/);
    const bad = run('--out', out, '--min-tissue', '5');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--min-tissue takes a fraction from 0 to 1 \(got '5'\)/);
  });

  it('the summary counts tiles under the threshold (WSI 2 of the sample at a 50 % threshold)', () => {
    const env = { ...process.env, XDG_CACHE_HOME: path.join(dir, 'xdg') };
    const r = spawnSync(process.execPath, [BIN, 'stain-stats', SAMPLE, '--filter', 'wsi=2', '--out', path.join(dir, 'w2.yaml'), '--min-tissue', '0.5'], { encoding: 'utf8', env });
    assert.equal(r.status, 0, r.stderr);
    const m = /Skipped (\d+) tiles \((\d+) below the 50\.0 % tissue threshold\)/.exec(r.stdout);
    assert.ok(m, r.stdout);
    assert.ok(Number(m[2]) >= 1 && Number(m[2]) <= Number(m[1]), r.stdout);
    assert.match(r.stdout, /too little tissue: \d+\.\d % of pixels/);
  });
});
