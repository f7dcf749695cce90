import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { decodeTile } from '../../src/core/image';
import { indexDataset } from '../../src/core/dataset';
import {
  aggregateStain, aggregateByWsi, applyStainTarget, bestFit, computeDatasetStats, computeInWorker, hsvCvToRgb, labCvToRgb, macenkoFit, macenkoNormalise,
  MACENKO_REFERENCE, measureTile, parseRandStainYaml, pyFloat, pyRound3, randStainGrid, randStainYaml, reinhardNormalise, reinhardTargetFromAggregate,
  reinhardTargetOf, rgbToHed, rgbToHsvCv, rgbToLabCv, spaceStats, stainStatsWithCache, STAIN_SPACES, tileStainStats, type RgbPixels, type StainSpace,
} from '../../src/core/stain';
import { runPython } from './support/runPython';
import { SAMPLE, tempDir } from './helpers/paths';

let dir = '';
before(() => {
  dir = tempDir('vex-stain-');
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const trainFiles = fs.readdirSync(path.join(SAMPLE, 'train')).filter((n) => n.endsWith('.tif')).sort();
/** 12 real tiles spread over the sample (every 10th), and the public test tile. */
const sampleTiles = [...trainFiles.filter((_, k) => k % 10 === 0).map((n) => path.join(SAMPLE, 'train', n)), path.join(SAMPLE, 'test', '72e40acccadf.tif')];

async function rgbOf(file: string): Promise<RgbPixels> {
  const d = await decodeTile(file);
  const rgb = new Uint8Array(d.width * d.height * 3);
  for (let p = 0; p < d.width * d.height; p++) {
    rgb[p * 3] = d.data[p * 4];
    rgb[p * 3 + 1] = d.data[p * 4 + 1];
    rgb[p * 3 + 2] = d.data[p * 4 + 2];
  }
  return { width: d.width, height: d.height, channels: 3, data: rgb };
}
function rawFile(px: RgbPixels, name: string): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, px.data);
  return f;
}
/** Share of bytes (RGB of an RGBA result) within `tol` of the reference's RGB bytes, and the largest difference. */
function agreement(rgba: Uint8Array, ref: Uint8Array, tol: number): { share: number; maxDiff: number; exact: number } {
  let ok = 0, exact = 0, max = 0;
  const n = ref.length / 3;
  for (let p = 0; p < n; p++) {
    let worst = 0;
    for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(rgba[p * 4 + c] - ref[p * 3 + c]));
    if (worst <= tol) ok++;
    if (worst === 0) exact++;
    if (worst > max) max = worst;
  }
  return { share: ok / n, maxDiff: max, exact: exact / n };
}

describe('stain colour conversions: bit-exact with OpenCV 8-bit on every colour', () => {
  it('RGB->LAB, LAB->RGB, RGB->HSV and HSV->RGB equal cv2 on all 16,777,216 byte triples', () => {
    const ref = path.join(dir, 'all');
    fs.mkdirSync(ref);
    const r = runPython<{ ok: boolean; cv2: string }>('stain_ref.py', { mode: 'all_colours', dir: ref });
    assert.ok(r.ok);
    const all = new Uint8Array(3 << 24);
    for (let v = 0; v < 1 << 24; v++) {
      all[3 * v] = v >> 16;
      all[3 * v + 1] = (v >> 8) & 255;
      all[3 * v + 2] = v & 255;
    }
    const check = (name: string, ours: Uint8Array) => {
      const want = fs.readFileSync(path.join(ref, `${name}.bin`));
      assert.equal(want.length, ours.length);
      let bad = 0;
      for (let i = 0; i < want.length; i++) if (want[i] !== ours[i]) bad++;
      assert.equal(bad, 0, `${name}: ${bad} bytes differ from cv2 ${r.cv2}`);
    };
    check('rgb2lab', rgbToLabCv(all, 3));
    check('lab2rgb', labCvToRgb(all, 3));
    check('rgb2hsv', rgbToHsvCv(all, 3));
    check('hsv2rgb', hsvCvToRgb(all, 3));
  });
});

describe('per-tile colour statistics on real sample tiles', () => {
  it('LAB and HSV (cv2) and HED (skimage rgb2hed) means and stds agree within 1e-3 on 13 real tiles', async () => {
    type Ref = Record<StainSpace, [number[], number[]]>;
    const ref = runPython<Ref[]>('stain_ref.py', { mode: 'tile_stats', files: sampleTiles });
    assert.equal(ref.length, sampleTiles.length);
    let worst = 0;
    for (let k = 0; k < sampleTiles.length; k++) {
      const ours = spaceStats(await rgbOf(sampleTiles[k]), STAIN_SPACES);
      for (const s of STAIN_SPACES) {
        for (let c = 0; c < 3; c++) {
          const dm = Math.abs(ours[s]!.mean[c] - ref[k][s][0][c]);
          const ds = Math.abs(ours[s]!.std[c] - ref[k][s][1][c]);
          worst = Math.max(worst, dm, ds);
          assert.ok(dm <= 1e-3 && ds <= 1e-3, `${path.basename(sampleTiles[k])} ${s}[${c}]: ours ${ours[s]!.mean[c]}/${ours[s]!.std[c]} vs ${ref[k][s][0][c]}/${ref[k][s][1][c]}`);
        }
      }
    }
    // Not only within tolerance: the integer spaces are exact, HED is float64 rounding apart.
    assert.ok(worst < 1e-9, `largest difference ${worst}`);
  });

  it('the HED concentrations of a real tile are not all zero (the test would pass on an empty conversion otherwise)', async () => {
    const hed = rgbToHed((await rgbOf(sampleTiles[0])).data, 3);
    let max = 0;
    for (let i = 0; i < hed.length; i += 3) max = Math.max(max, hed[i]);
    assert.ok(max > 0.05, `largest H ${max}`);
  });
});

describe('RandStainNA transform equals the reference formula (numpy + cv2 + skimage)', () => {
  for (const space of ['LAB', 'HSV', 'HED'] as const) {
    it(`${space}: a fixed template (std 0) gives the reference's pixels exactly, uint8 truncation included`, async () => {
      const tiles = [sampleTiles[1], sampleTiles[7]];
      for (const file of tiles) {
        const px = await rgbOf(file);
        const st = spaceStats(px, [space])[space]!;
        // A template away from the tile's own colours, so the transform moves every pixel.
        const mean: [number, number, number] = space === 'HED' ? [st.mean[0] * 1.3 + 0.01, st.mean[1] * 0.8, st.mean[2] + 0.002] : [st.mean[0] - 12.3, st.mean[1] + 7.7, st.mean[2] - 5.1];
        const std: [number, number, number] = space === 'HED' ? [st.std[0] * 1.2, st.std[1] * 0.9, st.std[2]] : [st.std[0] * 1.25, st.std[1] * 0.8, st.std[2] + 1.5];
        const ours = applyStainTarget(px, { space, mean, std });
        assert.ok(ours.applied, ours.reason);
        const out = path.join(dir, `rs-${space}.bin`);
        runPython('stain_ref.py', { mode: 'randstain', raw: rawFile(px, 'rs-in.bin'), width: px.width, height: px.height, space, mean, std, out });
        const want = new Uint8Array(fs.readFileSync(out));
        const a = agreement(ours.data, want, 0);
        assert.equal(a.exact, 1, `${path.basename(file)} ${space}: ${((1 - a.exact) * 100).toFixed(4)} % of pixels differ (max ${a.maxDiff})`);
        let moved = 0;
        for (let p = 0; p < px.width * px.height; p++) if (ours.data[p * 4] !== px.data[p * 3]) moved++;
        assert.ok(moved > px.width * px.height * 0.3, `only ${moved} pixels changed`);
      }
    });
  }

  it('a sampled grid is reproducible from its seed and each sample differs', async () => {
    const px = await rgbOf(sampleTiles[2]);
    const stats = await Promise.all(sampleTiles.slice(0, 6).map(async (f) => tileStainStats({ id: f }, await rgbOf(f), ['LAB'])));
    const agg = aggregateStain('six', stats, ['LAB']);
    const cfg = parseRandStainYaml(randStainYaml(agg.spaces.LAB!));
    const opts = { space: 'LAB' as const, stdHyper: -0.3, distribution: 'normal' as const, probability: 1 };
    const a = randStainGrid(px, { LAB: cfg }, opts, 7, 4), b = randStainGrid(px, { LAB: cfg }, opts, 7, 4);
    for (let k = 0; k < 4; k++) assert.deepEqual(a[k].target, b[k].target);
    assert.notDeepEqual(a[0].target, a[1].target);
    assert.ok(a.every((r) => r.applied && r.data.length === px.width * px.height * 4));
  });
});

describe('RandStainNA statistics yaml', () => {
  it('the reference loader (yaml.FullLoader + RandStainNA.__init__ reads) reads our yaml of the real sample, with the values we computed', async () => {
    const tiles = await Promise.all(trainFiles.slice(0, 40).map(async (n) => tileStainStats({ id: n }, await rgbOf(path.join(SAMPLE, 'train', n)), STAIN_SPACES)));
    const agg = aggregateStain('sample', tiles);
    for (const s of STAIN_SPACES) {
      const text = randStainYaml(agg.spaces[s]!, { lines: ['computed by a test', `${tiles.length} tiles`] });
      const file = path.join(dir, `stats_${s}.yaml`);
      fs.writeFileSync(file, text);
      const r = runPython<{ color_space: string; keys: string[]; avg: { avg: number[]; std: number[] }; std: { avg: number[]; std: number[] }; distributions: string[][]; dump: string }>('stain_ref.py', { mode: 'read_yaml', file });
      assert.equal(r.color_space, s);
      const ch = agg.spaces[s]!.channels;
      assert.deepEqual(r.avg.avg, ch.map((c) => pyRound3(c.avg.mean)));
      assert.deepEqual(r.avg.std, ch.map((c) => pyRound3(c.avg.std)));
      assert.deepEqual(r.std.avg, ch.map((c) => pyRound3(c.std.mean)));
      assert.deepEqual(r.std.std, ch.map((c) => pyRound3(c.std.std)));
      // PyYAML dumping what it read gives our body byte for byte: same keys, order, float format.
      assert.equal(r.dump, text.split('\n').filter((l) => !l.startsWith('#')).join('\n'));
      assert.deepEqual(parseRandStainYaml(text).avg.map((x) => x[0]), r.avg.avg);
    }
  });

  it('reads the reference repository\'s own CRC_LAB yaml layout', () => {
    const text = 'A:\n  avg:\n    distribution: laplace\n    mean: 151.187\n    std: 10.958\n  std:\n    distribution: laplace\n    mean: 8.134\n    std: 2.822\nB:\n  avg:\n    distribution: norm\n    mean: 116.812\n    std: 6.643\n  std:\n    distribution: norm\n    mean: 6.129\n    std: 2.013\nL:\n  avg:\n    distribution: norm\n    mean: 158.033\n    std: 48.792\n  std:\n    distribution: norm\n    mean: 36.899\n    std: 14.383\ncolor_space: LAB\nmethods: Reinhard\nn_each_class: 0\nrandom: true\n';
    const c = parseRandStainYaml(text);
    assert.deepEqual(c.avg, [[158.033, 48.792], [151.187, 10.958], [116.812, 6.643]]);
    assert.deepEqual(c.std[2], [6.129, 2.013]);
    assert.throws(() => parseRandStainYaml('color_space: XYZ\n', 'x.yaml'), /x\.yaml: color_space must be LAB, HSV or HED/);
    assert.throws(() => parseRandStainYaml(text.replace('mean: 8.134', 'mean: abc'), 'y.yaml'), /y\.yaml: A\.std\.mean is missing or not a number/);
  });

  it('rounds and prints floats as Python does (round(x, 3), repr)', () => {
    assert.equal(pyRound3(0.0625), 0.062);
    assert.equal(pyRound3(0.1875), 0.188);
    assert.equal(pyRound3(-0.0625), -0.062);
    assert.equal(pyRound3(137.19349), 137.193);
    assert.equal(pyFloat(5), '5.0');
    assert.equal(pyFloat(0.029), '0.029');
    assert.equal(pyFloat(-0), '-0.0');
    assert.equal(pyFloat(1.5e-5), '1.5e-05');
  });

  it('picks norm or laplace as fitter does (scipy fits, 100-bin density, least squared error)', async () => {
    const tiles = await Promise.all(trainFiles.slice(0, 60).map(async (n) => tileStainStats({ id: n }, await rgbOf(path.join(SAMPLE, 'train', n)), ['LAB', 'HED'])));
    const lists: number[][] = [];
    for (const s of ['LAB', 'HED'] as const) for (let c = 0; c < 3; c++) {
      lists.push(tiles.map((t) => t.spaces![s]!.mean[c]));
      lists.push(tiles.map((t) => t.spaces![s]!.std[c]));
    }
    // Plus two lists whose shapes are unambiguous.
    lists.push(Array.from({ length: 400 }, (_, k) => Math.sign(k - 199.5) * Math.log(1 + Math.abs(k - 199.5))));
    lists.push(Array.from({ length: 400 }, (_, k) => Math.sqrt(-2 * Math.log((k + 0.5) / 400)) * Math.cos(k)));
    const want = runPython<string[]>('stain_ref.py', { mode: 'fit', lists });
    const ours = lists.map((l) => bestFit(l));
    assert.deepEqual(ours, want);
    assert.ok(new Set(want).size === 2, 'both names occur');
  });
});

describe('Reinhard and Macenko equal numpy ports of the published algorithms', () => {
  it('Reinhard (StainTools) onto another tile and onto the sample\'s statistics: >= 99.9 % of pixels within 1 grey level', async () => {
    const tgt = await rgbOf(sampleTiles[5]);
    const stats = await Promise.all(sampleTiles.map(async (f) => tileStainStats({ id: f }, await rgbOf(f), ['LAB'])));
    const agg = aggregateStain('sample', stats, ['LAB']);
    for (const file of [sampleTiles[0], sampleTiles[3], sampleTiles[9]]) {
      const px = await rgbOf(file);
      for (const target of ['tile', 'dataset'] as const) {
        const t = target === 'tile' ? reinhardTargetOf(tgt) : reinhardTargetFromAggregate(agg.spaces.LAB!);
        const ours = reinhardNormalise(px, t);
        assert.ok(ours.applied);
        const out = path.join(dir, 'rh.bin');
        runPython('stain_ref.py', target === 'tile'
          ? { mode: 'reinhard', raw: rawFile(px, 'rh-in.bin'), width: px.width, height: px.height, targetRaw: rawFile(tgt, 'rh-t.bin'), targetWidth: tgt.width, targetHeight: tgt.height, out }
          : { mode: 'reinhard', raw: rawFile(px, 'rh-in.bin'), width: px.width, height: px.height, mean: t.mean, std: t.std, out });
        const a = agreement(ours.data, new Uint8Array(fs.readFileSync(out)), 1);
        assert.ok(a.share >= 0.999, `${path.basename(file)} -> ${target}: ${(a.share * 100).toFixed(3)} % within 1 (max ${a.maxDiff})`);
      }
    }
  });

  it('Macenko (torchstain numpy) with the reference matrix and fitted on another tile: >= 99.9 % of pixels within 1 grey level', async () => {
    const tgt = await rgbOf(sampleTiles[4]);
    const fit = macenkoFit(tgt);
    assert.ok(fit.ok);
    for (const file of [sampleTiles[0], sampleTiles[6], sampleTiles[11]]) {
      const px = await rgbOf(file);
      for (const target of ['reference', 'tile'] as const) {
        const ours = macenkoNormalise(px, target === 'reference' ? MACENKO_REFERENCE : fit.ok ? fit.stains : MACENKO_REFERENCE);
        assert.ok(ours.applied, ours.reason);
        const out = path.join(dir, 'mk.bin');
        const r = runPython<{ he: number[][]; maxC: number[] }>('stain_ref.py', target === 'reference'
          ? { mode: 'macenko', raw: rawFile(px, 'mk-in.bin'), width: px.width, height: px.height, out }
          : { mode: 'macenko', raw: rawFile(px, 'mk-in.bin'), width: px.width, height: px.height, targetRaw: rawFile(tgt, 'mk-t.bin'), targetWidth: tgt.width, targetHeight: tgt.height, out });
        if (target === 'tile' && fit.ok) {
          for (let i = 0; i < 3; i++) for (let j = 0; j < 2; j++) assert.ok(Math.abs(fit.stains.he[i][j] - r.he[i][j]) < 1e-6, `HE[${i}][${j}] ${fit.stains.he[i][j]} vs ${r.he[i][j]}`);
          assert.ok(Math.abs(fit.stains.maxC[0] - r.maxC[0]) < 1e-6 && Math.abs(fit.stains.maxC[1] - r.maxC[1]) < 1e-6);
        }
        const a = agreement(ours.data, new Uint8Array(fs.readFileSync(out)), 1);
        assert.ok(a.share >= 0.999, `${path.basename(file)} -> ${target}: ${(a.share * 100).toFixed(3)} % within 1 (max ${a.maxDiff})`);
      }
    }
  });
});

describe('bad tiles get a stated fallback, never NaN', () => {
  const make = async (name: string, img: sharp.Sharp) => {
    const f = path.join(dir, name);
    await img.toFile(f);
    return f;
  };
  it('white, black, grey (1 channel), 16-bit and nearly-empty tiles: skip or note with a reason, numbers finite', async () => {
    const real = await rgbOf(sampleTiles[0]);
    const sparse = Buffer.alloc(512 * 512 * 3, 250);
    for (let p = 0; p < 300; p++) sparse.set(real.data.subarray(p * 3, p * 3 + 3), p * 3 * 97 % sparse.length - (p * 3 * 97 % sparse.length) % 3);
    const files = {
      white: await make('white.tif', sharp({ create: { width: 512, height: 512, channels: 3, background: { r: 255, g: 255, b: 255 } } }).tiff()),
      black: await make('black.png', sharp({ create: { width: 512, height: 512, channels: 3, background: { r: 0, g: 0, b: 0 } } }).png()),
      grey: await make('grey.png', sharp(Buffer.from(real.data.filter((_, i) => i % 3 === 1)), { raw: { width: 512, height: 512, channels: 1 } }).toColourspace('b-w').png()),
      sixteen: await make('sixteen.png', sharp(new Uint16Array(real.data).map((v) => v * 257), { raw: { width: 512, height: 512, channels: 3 } }).toColourspace('rgb16').png()),
      sparse: await make('sparse.png', sharp(sparse, { raw: { width: 512, height: 512, channels: 3 } }).png()),
    };
    const root = path.dirname(files.white);
    const rec = (f: string) => ({ id: path.basename(f), image: path.basename(f), counts: { blood_vessel: 0, glomerulus: 0, unsure: 0 }, areas: { blood_vessel: 0, glomerulus: 0, unsure: 0 } });
    const white = await measureTile(root, rec(files.white), STAIN_SPACES);
    assert.match(white.skipped ?? '', /all white: no stain variation/);
    assert.match((await measureTile(root, rec(files.black), STAIN_SPACES)).skipped ?? '', /all black/);
    // A 1-channel file decodes as R = G = B: skipped as grey either way.
    assert.match((await measureTile(root, rec(files.grey), STAIN_SPACES)).skipped ?? '', /grey (image \(1 channel\)|pixels only \(R = G = B everywhere\)): no stain colour/);
    const sixteen = await measureTile(root, rec(files.sixteen), STAIN_SPACES);
    assert.equal(sixteen.skipped, undefined);
    assert.match(sixteen.note ?? '', /16-bit image: measured on its 8-bit rescale/);
    // round(v * 257 / 257) = v: the 16-bit copy measures exactly like the 8-bit tile.
    assert.deepEqual(sixteen.spaces?.LAB, spaceStats(real, ['LAB']).LAB);
    const missing = await measureTile(root, rec(path.join(root, 'nope.tif')), STAIN_SPACES);
    assert.match(missing.skipped ?? '', /nope\.tif: image file not found/);
    // Aggregates ignore skipped tiles and stay finite.
    const sparseStats = await measureTile(root, rec(files.sparse), STAIN_SPACES);
    const agg = aggregateStain('bad', [white, sixteen, missing, sparseStats]);
    assert.equal(agg.tiles, 2);
    assert.equal(agg.skipped, 2);
    const all = JSON.stringify(agg);
    assert.ok(!/null|NaN/.test(all), all);
    // Macenko on too little tissue, and every transform on a white tile: unchanged pixels with a reason.
    const sp = await rgbOf(files.sparse);
    const mk = macenkoNormalise(sp);
    assert.equal(mk.applied, false);
    assert.match(mk.reason ?? '', /only \d+ tissue pixels .* Macenko needs at least 2622/);
    assert.deepEqual(Array.from(mk.data.subarray(0, 8)), [sp.data[0], sp.data[1], sp.data[2], 255, sp.data[3], sp.data[4], sp.data[5], 255]);
    const wp = await rgbOf(files.white);
    for (const r of [macenkoNormalise(wp), reinhardNormalise(wp, reinhardTargetOf(real)), applyStainTarget(wp, { space: 'HED', mean: [0.1, 0.1, 0.1], std: [0.01, 0.01, 0.01] })]) {
      assert.equal(r.applied, false);
      assert.match(r.reason ?? '', /left unchanged: all white/);
      assert.ok(r.data.every((v) => v === 255));
    }
    assert.equal(macenkoFit(sp).ok, false);
  });
});

describe('dataset statistics: worker thread, cache beside the index, per WSI', () => {
  it('the worker gives the same numbers as this thread; a second run reads the cache; a changed tile list misses it', async () => {
    const index = await indexDataset(SAMPLE);
    const tiles = [...index.tiles.values()].filter((t) => t.image).slice(0, 24);
    const here = await computeDatasetStats(SAMPLE, tiles);
    const there = await computeInWorker(SAMPLE, tiles);
    assert.deepEqual(there.tiles, here.tiles);
    const storage = path.join(dir, 'storage');
    let progress = 0;
    const first = await stainStatsWithCache(SAMPLE, tiles, { storageDir: storage, onProgress: (d) => (progress = d) });
    assert.equal(first.fromCache, false);
    assert.equal(first.ranIn, 'worker thread');
    assert.equal(progress, 24);
    const second = await stainStatsWithCache(SAMPLE, tiles, { storageDir: storage });
    assert.equal(second.fromCache, true);
    assert.deepEqual(second.tiles, here.tiles);
    // A subset is served from the cache; new tiles are measured and added.
    assert.equal((await stainStatsWithCache(SAMPLE, tiles.slice(3, 9), { storageDir: storage })).fromCache, true);
    const more = [...index.tiles.values()].filter((t) => t.image).slice(20, 30);
    const third = await stainStatsWithCache(SAMPLE, more, { storageDir: storage });
    assert.equal(third.fromCache, false);
    assert.equal(third.ranIn, 'worker thread, 4 from the cache');
    assert.equal((await stainStatsWithCache(SAMPLE, more, { storageDir: storage })).fromCache, true);
    const byWsi = aggregateByWsi(here.tiles);
    assert.ok(byWsi.size >= 2, `${byWsi.size} WSIs`);
    let n = 0;
    for (const a of byWsi.values()) n += a.tiles + a.skipped;
    assert.equal(n, 24);
  });
});
