/** The tile viewer's host-side data (pixels + vectors, slide-context neighbours, thumbnails) and the validators of both webview protocols. */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { indexDataset } from '../../src/core/dataset/datasetIndex';
import { renderThumbnail } from '../../src/core/image/tileImage';
import { decimateRing, encodedSize } from '../../src/extension/gallery/galleryThumbs';
import { contextNeighbours, loadTilePayload, TilePayloadCache } from '../../src/extension/viewer/tileViewerData';
import { validateFromGallery, MAX_THUMBS_PER_REQUEST } from '../../src/shared/galleryProtocol';
import { validateFromViewer } from '../../src/shared/tileViewerProtocol';
import { repoRoot } from './support/runPython';

const SAMPLE = path.resolve(repoRoot, '..', 'shared', 'data', 'hhv-sample');

/** Raw lines of polygons.jsonl by id, parsed here. */
function rawLines(): Map<string, { line: number; annotations: { type: string; coordinates: number[][][] }[] }> {
  const m = new Map<string, { line: number; annotations: { type: string; coordinates: number[][][] }[] }>();
  fs.readFileSync(path.join(SAMPLE, 'polygons.jsonl'), 'utf8').split('\n').forEach((l, k) => {
    if (l.trim()) {
      const o = JSON.parse(l) as { id: string; annotations: { type: string; coordinates: number[][][] }[] };
      m.set(o.id, { line: k + 1, annotations: o.annotations });
    }
  });
  return m;
}

describe('tile payload on the real sample', () => {
  it('carries every polygon of the line with its class, bbox (min/max of the raw points), index and line, and 512x512 RGBA', async () => {
    const index = await indexDataset(SAMPLE);
    const raw = rawLines();
    const tiles = [...index.tiles.values()].filter((t) => t.image && raw.has(t.id));
    assert.equal(tiles.length, 27);
    for (const t of tiles.slice(0, 8)) {
      const p = await loadTilePayload(path.join(SAMPLE, t.image!), index, t);
      const r = raw.get(t.id)!;
      assert.equal(p.line, r.line);
      assert.equal(p.polygons.length, r.annotations.length);
      assert.equal(p.rgba.length, 512 * 512 * 4);
      assert.deepEqual([p.width, p.height, p.pixelsWidth, p.pixelsHeight], [512, 512, 512, 512]);
      r.annotations.forEach((a, k) => {
        const xs = a.coordinates[0].map((q) => q[0]), ys = a.coordinates[0].map((q) => q[1]);
        assert.equal(p.polygons[k].cls, a.type);
        assert.equal(p.polygons[k].index, k);
        assert.deepEqual(p.polygons[k].bbox, [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)]);
        assert.equal(p.polygons[k].rings[0].length, a.coordinates[0].length * 2);
      });
    }
  });

  it('an image outside the dataset gets pixels, no polygons and a note saying so', async () => {
    const p = await loadTilePayload(path.join(SAMPLE, 'test', '72e40acccadf.tif'));
    assert.equal(p.polygons.length, 0);
    assert.match(p.note ?? '', /not a tile of the open dataset/);
  });

  it('a truncated TIFF throws an error naming the file and saying it looks truncated', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vex-trunc-'));
    const bad = path.join(dir, 'cut.tif');
    const src = fs.readFileSync(path.join(SAMPLE, 'test', '72e40acccadf.tif'));
    fs.writeFileSync(bad, src.subarray(0, 4000));
    await assert.rejects(loadTilePayload(bad), (e: Error) => e.message.includes('cut.tif') && /truncated or corrupt/.test(e.message));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('slide-context neighbours are the same-WSI tiles whose offsets are within 1024 px (counted from tile_meta.csv here)', async () => {
    const index = await indexDataset(SAMPLE);
    const rows = fs.readFileSync(path.join(SAMPLE, 'tile_meta.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    for (const id of ['4c058755d597', rows[100][0], rows[700][0]]) {
      const c = rows.find((r) => r[0] === id)!;
      const expected = rows.filter((r) => r[0] !== id && r[1] === c[1] && Math.abs(Number(r[3]) - Number(c[3])) < 1024 && Math.abs(Number(r[4]) - Number(c[4])) < 1024).map((r) => r[0]).sort();
      assert.deepEqual(contextNeighbours(index, index.tiles.get(id)!).map((t) => t.id).sort(), expected);
    }
  });

  it('the payload cache shares one load per key and evicts the least recently used', async () => {
    const cache = new TilePayloadCache(2);
    let loads = 0;
    const load = () => { loads++; return Promise.resolve({ id: 'x' } as never); };
    await Promise.all([cache.get('a', load), cache.get('a', load)]);
    cache.get('b', load);
    cache.get('a', load); // a is now most recent
    cache.get('c', load); // evicts b
    assert.equal(loads, 3);
    assert.ok(cache.has('a') && cache.has('c') && !cache.has('b'));
  });
});

describe('gallery thumbnails', () => {
  it('reads the WebP thumbnail size from its header as Pillow does', async () => {
    const buf = await renderThumbnail(path.join(SAMPLE, 'test', '72e40acccadf.tif'), 128, 'webp');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vex-webp-'));
    fs.writeFileSync(path.join(dir, 't.webp'), buf);
    const pil = execFileSync('/usr/bin/python3', ['-c', 'import sys; from PIL import Image; im = Image.open(sys.argv[1]); print(im.size[0], im.size[1])', path.join(dir, 't.webp')], { encoding: 'utf8' }).trim();
    assert.deepEqual(encodedSize(buf), { width: Number(pil.split(' ')[0]), height: Number(pil.split(' ')[1]) });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('decimates a dense ring to at most 48 points, scaled', () => {
    const ring = Array.from({ length: 200 }, (_, k) => [k, 2 * k]);
    const flat = decimateRing(ring, 0.25);
    assert.ok(flat.length / 2 <= 48);
    // step ceil(200/48) = 5: points 0 and 5 = (5, 10), times 0.25 = (1.25, 2.5), rounded to 0.1 px (half up): (1.3, 2.5)
    assert.deepEqual(flat.slice(0, 4), [0, 0, 1.3, 2.5]);
  });
});

describe('webview message validators (untrusted input)', () => {
  it('accepts the viewer protocol', () => {
    for (const m of [{ type: 'ready' }, { type: 'navigate', step: -1 }, { type: 'openTile', id: 'abc123def456' }, { type: 'context', on: true }, { type: 'export', kind: 'geojson' },
      { type: 'painted', seq: 3, id: 'abc', drawn: { blood_vessel: 2, glomerulus: 0, unsure: 1 }, paintMs: 4.5 }, { type: 'response', inReplyTo: 1, ok: true, result: {} }]) {
      assert.ok(validateFromViewer(m).ok, JSON.stringify(m));
    }
  });

  it('rejects what the viewer protocol does not allow, saying why', () => {
    const cases: [unknown, RegExp][] = [
      [null, /not an object/], [[1], /not an object/], [{ type: 'nope' }, /unknown message type "nope"/],
      [{ type: 'ready', extra: 1 }, /unexpected/], [{ type: 'navigate', step: 2 }, /step/],
      [{ type: 'openTile', id: '../../etc/passwd' }, /tile id/], [{ type: 'openTile', id: 'x'.repeat(65) }, /tile id/],
      [{ type: 'painted', seq: 1, id: 'a', drawn: { blood_vessel: 1 }, paintMs: 1 }, /each class/],
      [{ type: 'painted', seq: 1, id: 'a', drawn: { blood_vessel: 1, glomerulus: 0, unsure: 0, evil: 1 }, paintMs: 1 }, /each class/],
      [{ type: 'export', kind: 'exe' }, /kind/], [{ type: 'response', inReplyTo: -1, ok: true }, /inReplyTo/],
    ];
    for (const [m, why] of cases) {
      const v = validateFromViewer(m);
      assert.equal(v.ok, false, JSON.stringify(m));
      if (!v.ok) assert.match(v.error, why);
    }
  });

  it('the gallery caps thumbnail requests and checks every id', () => {
    assert.ok(validateFromGallery({ type: 'needThumbs', generation: 1, ids: ['a', 'b'] }).ok);
    assert.equal(validateFromGallery({ type: 'needThumbs', generation: 1, ids: Array.from({ length: MAX_THUMBS_PER_REQUEST + 1 }, (_, k) => `t${k}`) }).ok, false);
    assert.equal(validateFromGallery({ type: 'needThumbs', generation: 1, ids: ['a', 3] }).ok, false);
    assert.equal(validateFromGallery({ type: 'open', id: 'a b' }).ok, false);
    assert.ok(validateFromGallery({ type: 'painted', generation: 2, first: 0, count: 8, ms: 12.5 }).ok);
  });
});
