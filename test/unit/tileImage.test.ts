import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { decodeTile, readTileInfo, chooseLevel, renderThumbnail, TileImageError } from '../../src/core/image/tileImage';
import { ThumbnailCache } from '../../src/core/image/thumbnailCache';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const shared = path.resolve(repoRoot, '..', 'shared', 'data');
const tileRef = path.join(repoRoot, 'test', 'unit', 'py', 'tile_ref.py');
const sha1 = (d: Uint8Array): string => createHash('sha1').update(d).digest('hex');
const px = (t: { width: number; data: Uint8Array }, x: number, y: number): number[] => Array.from(t.data.subarray((y * t.width + x) * 4, (y * t.width + x) * 4 + 4));

let dir = '';
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tileimage-'));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

interface RefRgba { file: string; width: number; height: number; sha1: string; mean: number }
function pilRgba(...files: string[]): RefRgba[] {
  return execFileSync('/usr/bin/python3', [tileRef, 'rgba', ...files], { encoding: 'utf8' }).trim().split('\n').map((l) => JSON.parse(l) as RefRgba);
}

describe('decodeTile on real tiles', () => {
  it('decodes a real LZW TIFF tile and its PNG copy to the same RGBA bytes as Pillow', async () => {
    const tif = path.join(shared, 'hhv-sample', 'test', '72e40acccadf.tif');
    const png = path.join(shared, 'variants', '72e40acccadf.png');
    const [rt, rp] = pilRgba(tif, png);
    const a = await decodeTile(tif);
    const b = await decodeTile(png);
    assert.equal(a.width, 512); assert.equal(a.height, 512); assert.equal(a.channels, 4);
    assert.equal(a.info.format, 'tiff'); assert.equal(b.info.format, 'png');
    assert.equal(sha1(a.data), rt.sha1);
    assert.equal(sha1(b.data), rp.sha1);
  });
  it('a PNG variant has the mean of tile_image_stats.csv (computed on the original TIFF)', async () => {
    const t = await decodeTile(path.join(shared, 'variants', '0006ff2aa7cd.png'));
    const row = fs.readFileSync(path.join(shared, 'variants', 'tile_image_stats.csv'), 'utf8').split('\n').find((l) => l.startsWith('0006ff2aa7cd,'));
    const mean = Number(/"\([^"]*\)",\d+,([0-9.]+),/.exec(row!)![1]); // img_mean, after the quoted shape and img_size
    let s = 0;
    for (let i = 0; i < t.data.length; i += 4) s += t.data[i] + t.data[i + 1] + t.data[i + 2];
    assert.ok(Math.abs(s / (512 * 512 * 3) - mean) < 1e-9, `${s / (512 * 512 * 3)} vs ${mean}`);
  });
});

describe('decodeTile on odd inputs', () => {
  it('non-512 RGB size: keeps the size and the pixels', async () => {
    const w = 300, h = 200, raw = Buffer.alloc(w * h * 3);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) raw.set([x % 256, y, (x + y) % 256], (y * w + x) * 3);
    const f = path.join(dir, 'odd.tif');
    await sharp(raw, { raw: { width: w, height: h, channels: 3 } }).tiff({ compression: 'lzw' }).toFile(f);
    const t = await decodeTile(f);
    assert.deepEqual([t.width, t.height], [300, 200]);
    assert.deepEqual(px(t, 299, 199), [299 % 256, 199, (299 + 199) % 256, 255]);
    assert.deepEqual(px(t, 10, 20), [10, 20, 30, 255]);
  });
  it('8-bit grayscale becomes grey RGB with opaque alpha', async () => {
    const f = path.join(dir, 'grey.png');
    await sharp(Buffer.from([0, 100, 200, 255]), { raw: { width: 2, height: 2, channels: 1 } }).toColourspace('b-w').png().toFile(f);
    const t = await decodeTile(f);
    assert.equal(t.info.channels, 1);
    assert.deepEqual(Array.from(t.data), [0, 0, 0, 255, 100, 100, 100, 255, 200, 200, 200, 255, 255, 255, 255, 255]);
  });
  it('RGBA keeps its alpha', async () => {
    const f = path.join(dir, 'rgba.png');
    await sharp(Buffer.from([10, 20, 30, 40, 50, 60, 70, 80]), { raw: { width: 2, height: 1, channels: 4 } }).png().toFile(f);
    const t = await decodeTile(f);
    assert.deepEqual(Array.from(t.data), [10, 20, 30, 40, 50, 60, 70, 80]);
  });
  it('16-bit grey, RGB and RGBA (PNG and TIFF, written by OpenCV) scale to round(v / 257), not truncated; 32-bit grey is stretched', async () => {
    const ref = JSON.parse(execFileSync('/usr/bin/python3', [tileRef, 'write16', dir], { encoding: 'utf8', maxBuffer: 32 << 20 })) as Record<string, { width: number; height: number; rgba: number[]; tolerance?: number }>;
    for (const [name, r] of Object.entries(ref)) {
      const t = await decodeTile(path.join(dir, name));
      assert.equal(t.info.depth, name.includes('32') ? (name.startsWith('float') ? 'float' : 'int') : 'ushort', name);
      assert.deepEqual([t.width, t.height], [r.width, r.height], name);
      let diff = 0;
      // 32-bit values go through float32 in sharp: allow 1 level of rounding there, none for 16-bit.
      for (let i = 0; i < r.rgba.length; i++) if (Math.abs(t.data[i] - r.rgba[i]) > (r.tolerance ?? 0)) diff++;
      assert.equal(diff, 0, `${name}: ${diff} bytes differ`);
    }
    const g = await decodeTile(path.join(dir, 'grey16.png'));
    // Hand-worked: 0 -> 0, 1000 -> 3.89 -> 4 (a >>8 would give 3), 32896 -> 128, 65535 -> 255.
    assert.deepEqual([0, 1, 2, 3].map((x) => px(g, x, 0)[0]), [0, 4, 128, 255]);
  });
});

describe('big pyramidal TIFF', () => {
  const big = (): string => path.join(dir, 'big.tif');
  // An 8x8 grid of 1024 px blocks: block (bx, by) has colour (32 bx, 32 by, 200).
  before(async () => {
    const small = Buffer.alloc(8 * 8 * 3);
    for (let by = 0; by < 8; by++) for (let bx = 0; bx < 8; bx++) small.set([bx * 32, by * 32, 200], (by * 8 + bx) * 3);
    await sharp(small, { raw: { width: 8, height: 8, channels: 3 } })
      .resize(8192, 8192, { kernel: 'nearest' })
      .tiff({ pyramid: true, tile: true, tileWidth: 256, tileHeight: 256, compression: 'lzw' })
      .toFile(big());
  });
  it('lists its pyramid levels from the header', async () => {
    const info = await readTileInfo(big());
    assert.deepEqual(info.levels.map((l) => l.width), [8192, 4096, 2048, 1024, 512, 256]);
  });
  it('chooses the smallest level that still has the requested size', () => {
    const levels = [8192, 4096, 2048, 1024, 512, 256].map((w, index) => ({ index, width: w, height: w }));
    const all = { left: 0, top: 0, width: 8192, height: 8192 };
    assert.equal(chooseLevel(levels, all, 1000), 3);
    assert.equal(chooseLevel(levels, all, 1024), 3);
    assert.equal(chooseLevel(levels, all, 1025), 2);
    assert.equal(chooseLevel(levels, all, 100), 5);
    assert.equal(chooseLevel(levels, { left: 0, top: 0, width: 2048, height: 1024 }, 512), 2);
    assert.equal(chooseLevel(levels, all, undefined), 0);
  });
  it('reads a level for a requested size, with the right pixels', async () => {
    const t = await decodeTile(big(), { maxSize: 1000 });
    assert.deepEqual([t.level, t.width, t.height, t.scale], [3, 1024, 1024, 0.125]);
    for (const [bx, by] of [[0, 0], [5, 2], [7, 7]]) assert.deepEqual(px(t, bx * 128 + 64, by * 128 + 64), [bx * 32, by * 32, 200, 255]);
  });
  it('reads a full-resolution region without decoding the whole image', async () => {
    const t = await decodeTile(big(), { region: { left: 5000, top: 3000, width: 512, height: 300 } });
    assert.deepEqual([t.level, t.width, t.height], [0, 512, 300]);
    assert.deepEqual(px(t, 0, 0), [4 * 32, 2 * 32, 200, 255]); // (5000, 3000) is in block (4, 2)
    assert.deepEqual(px(t, 511, 299), [5 * 32, 3 * 32, 200, 255]); // (5511, 3299) is in block (5, 3)
  });
  it('refuses to decode the whole 8k image at once, with a message that says what to do', async () => {
    await assert.rejects(decodeTile(big()), (e: unknown) => e instanceof TileImageError && e.code === 'too-large' && e.message.includes(big()) && /smaller region/.test(e.message));
  });
  it('rejects a region outside the image', async () => {
    await assert.rejects(decodeTile(big(), { region: { left: 8000, top: 0, width: 512, height: 10 } }), (e: unknown) => e instanceof TileImageError && e.code === 'bad-region');
  });
  it('renders a 256 px thumbnail from a small level', async () => {
    const buf = await renderThumbnail(big(), 256, 'png');
    const m = await sharp(buf).metadata();
    assert.deepEqual([m.format, m.width, m.height], ['png', 256, 256]);
    assert.equal((await decodeTile(big(), { maxSize: 256 })).level, 5); // the 256 px level, not the 8k one
  });
});

describe('broken files give a TileImageError naming the file', () => {
  it('a truncated real TIFF', async () => {
    const src = fs.readFileSync(path.join(shared, 'hhv-sample', 'test', '72e40acccadf.tif'));
    const f = path.join(dir, 'truncated.tif');
    fs.writeFileSync(f, src.subarray(0, Math.floor(src.length * 0.4)));
    await assert.rejects(decodeTile(f), (e: unknown) => {
      assert.ok(e instanceof TileImageError, String(e));
      assert.equal(e.code, 'corrupt');
      assert.ok(e.message.startsWith(f + ':'), e.message);
      assert.match(e.message, /Re-download or re-export/);
      return true;
    });
  });
  it('a truncated PNG', async () => {
    const src = fs.readFileSync(path.join(shared, 'variants', '0006ff2aa7cd.png'));
    const f = path.join(dir, 'truncated.png');
    fs.writeFileSync(f, src.subarray(0, 5000));
    await assert.rejects(decodeTile(f), (e: unknown) => e instanceof TileImageError && e.code === 'corrupt' && e.message.includes(f));
  });
  it('garbage bytes with a .tif name', async () => {
    const f = path.join(dir, 'garbage.tif');
    fs.writeFileSync(f, Buffer.from('this is not an image at all, just text'));
    await assert.rejects(decodeTile(f), (e: unknown) => e instanceof TileImageError && e.code === 'unsupported-format' && e.message.includes(f));
  });
  it('a missing file', async () => {
    const f = path.join(dir, 'nope.tif');
    await assert.rejects(decodeTile(f), (e: unknown) => e instanceof TileImageError && e.code === 'not-found' && e.message.includes(f));
  });
});

describe('ThumbnailCache', () => {
  it('renders once, then hits; re-renders when the file changes; evicts least recently used beyond the byte bound', async () => {
    const cdir = path.join(dir, 'cache');
    const srcs: string[] = [];
    for (let k = 0; k < 3; k++) {
      const f = path.join(dir, `t${k}.png`);
      await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 50 * k, g: 10, b: 10 } } }).png().toFile(f);
      srcs.push(f);
    }
    let renders = 0;
    // A fake renderer of exactly 1000 bytes keeps the byte arithmetic exact.
    const cache = new ThumbnailCache(cdir, 2500, async () => { renders++; return Buffer.alloc(1000, renders); });
    const a1 = await cache.get(srcs[0], 128);
    const a2 = await cache.get(srcs[0], 128);
    assert.deepEqual([a1.hit, a2.hit, renders], [false, true, 1]);
    assert.equal(a2.data[0], 1);
    await cache.get(srcs[1], 128);
    await cache.get(srcs[0], 128); // 0 is now more recent than 1
    await cache.get(srcs[2], 128); // 3000 bytes > 2500: evicts 1
    assert.equal(cache.totalBytes, 2000);
    assert.equal(fs.readdirSync(cdir).length, 2);
    assert.equal((await cache.get(srcs[0], 128)).hit, true);
    assert.equal((await cache.get(srcs[1], 128)).hit, false);
    const before = renders;
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(srcs[2], later, later);
    assert.equal((await cache.get(srcs[2], 128)).hit, false);
    assert.equal(renders, before + 1);
    // A new cache over the same folder picks up what is there and stays within the bound.
    const again = new ThumbnailCache(cdir, 2500, async () => Buffer.alloc(1000));
    assert.equal((await again.get(srcs[2], 128)).hit, true);
    assert.ok(again.totalBytes <= 2500);
  });
  it('a missing image gives a TileImageError, not a raw fs error', async () => {
    const cache = new ThumbnailCache(path.join(dir, 'cache3'), 1 << 20);
    const f = path.join(dir, 'gone.tif');
    await assert.rejects(cache.get(f, 64), (e: unknown) => e instanceof TileImageError && e.code === 'not-found' && e.message.includes(f));
  });
  it('stores real WebP thumbnails by default', async () => {
    const cache = new ThumbnailCache(path.join(dir, 'cache2'), 1 << 20);
    const t = await cache.get(path.join(shared, 'hhv-sample', 'test', '72e40acccadf.tif'), 96);
    const m = await sharp(t.data).metadata();
    assert.deepEqual([m.format, m.width, m.height], ['webp', 96, 96]);
    assert.ok(t.path.endsWith('.webp') && fs.existsSync(t.path));
  });
});
