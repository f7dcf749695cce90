/** The gallery's thumbnail queue: every asked-for id answered exactly once, newest request first, bounded, stale lists dropped; on the real sample. */
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { indexDataset } from '../../src/core/dataset/datasetIndex';
import { ThumbnailCache } from '../../src/core/image/thumbnailCache';
import { GalleryThumbQueue } from '../../src/extension/gallery/galleryThumbQueue';
import { buildThumb, encodedSize, thumbJob, type ThumbJob } from '../../src/extension/gallery/galleryThumbs';
import { GalleryThumbService } from '../../src/extension/gallery/galleryThumbService';
import type { GalleryThumb } from '../../src/shared/galleryProtocol';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const sample = path.resolve(repoRoot, '..', 'shared', 'data', 'hhv-sample');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Annotation count per tile id, read straight from polygons.jsonl. */
function annotationCounts(): Map<string, number> {
  const m = new Map<string, number>();
  for (const l of fs.readFileSync(path.join(sample, 'polygons.jsonl'), 'utf8').split('\n')) {
    if (!l.trim()) continue;
    const o = JSON.parse(l) as { id: string; annotations: unknown[] };
    m.set(o.id, o.annotations.length);
  }
  return m;
}

/** Collects what a queue posts, per generation and id. */
function recorder() {
  const posts: { generation: number; ids: string[] }[] = [];
  const byId = new Map<string, number>();
  const thumbs = new Map<string, GalleryThumb>();
  return {
    posts,
    byId,
    thumbs,
    post: (generation: number, list: GalleryThumb[]) => {
      posts.push({ generation, ids: list.map((t) => t.id) });
      for (const t of list) {
        byId.set(`${generation}:${t.id}`, (byId.get(`${generation}:${t.id}`) ?? 0) + 1);
        thumbs.set(t.id, t);
      }
    },
  };
}

describe('gallery thumbnail queue on the real sample', () => {
  it('answers every asked-for id exactly once while requests overlap like a scroll (scattered completion order)', async () => {
    const index = await indexDataset(sample);
    const tiles = [...index.tiles.values()].filter((t) => t.image).sort((a, b) => a.id.localeCompare(b.id));
    assert.equal(tiles.length, 127, 'image tiles in train/ and test/');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 've-gq-'));
    try {
      const cache = new ThumbnailCache(dir, 64 << 20);
      const rec = recorder();
      // Random extra latency scatters completion order: the old per-request workers lost replies exactly then.
      const q = new GalleryThumbQueue<ThumbJob>(async (job) => {
        await sleep(Math.random() * 15);
        return buildThumb(job, cache, 128);
      }, rec.post, { concurrency: 3 });
      q.reset(1);
      const jobs = tiles.map((t) => thumbJob(index, t));
      const asked = new Set<string>();
      // Screens of 18 cells, each starting 12 further on (6 overlapping the previous screen), asked 5 ms apart.
      for (let s = 0; s * 12 < jobs.length; s++) {
        const part = jobs.slice(s * 12, s * 12 + 18);
        for (const j of part) asked.add(j.id);
        q.request(1, part);
        await sleep(5);
      }
      await q.idle();
      assert.equal(asked.size, 127);
      assert.deepEqual([...rec.byId.keys()].sort(), [...asked].map((id) => `1:${id}`).sort(), 'every asked-for id answered');
      assert.deepEqual([...new Set(rec.byId.values())], [1], 'each exactly once');
      // Real values: 512x512 tiles give 128x128 WebP thumbnails; outlines = annotations in polygons.jsonl.
      const counts = annotationCounts();
      for (const t of tiles) {
        const th = rec.thumbs.get(t.id)!;
        assert.equal(th.error, undefined, `${t.id}: ${th.error}`);
        assert.deepEqual(encodedSize(th.bytes!), { width: 128, height: 128 }, t.id);
        assert.equal(th.outlines.length, counts.get(t.id) ?? 0, `${t.id} outlines`);
      }
      assert.equal(cache.size, 127, 'one cached file per tile');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the worker thread answers every id once as well (built from out/, as the extension runs it from dist/)', async () => {
    const index = await indexDataset(sample);
    const tiles = [...index.tiles.values()].filter((t) => t.image).slice(0, 30);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 've-gw-'));
    const rec = recorder();
    const warnings: string[] = [];
    const svc = new GalleryThumbService({ cacheDir: dir, maxBytes: 64 << 20, size: 128, concurrency: 2 }, rec.post, (m) => warnings.push(m));
    try {
      assert.equal(svc.inWorker, true, warnings.join('; '));
      svc.reset(4);
      svc.request(4, tiles.slice(0, 20).map((t) => thumbJob(index, t)));
      svc.request(4, tiles.slice(10, 30).map((t) => thumbJob(index, t)));
      const t0 = Date.now();
      while (rec.byId.size < 30 && Date.now() - t0 < 20_000) await sleep(20);
      await sleep(100); // a duplicate would arrive by now
      assert.equal(rec.byId.size, 30);
      assert.deepEqual([...new Set(rec.byId.values())], [1]);
      assert.ok(rec.posts.every((p) => p.generation === 4));
      assert.deepEqual(encodedSize(rec.thumbs.get(tiles[0].id)!.bytes!), { width: 128, height: 128 });
      assert.deepEqual(warnings, []);
    } finally {
      svc.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('gallery thumbnail queue scheduling', () => {
  /** A build that finishes only when the test says so. */
  function manualBuild() {
    const open = new Map<string, () => void>();
    let running = 0, maxRunning = 0;
    const starts: string[] = [];
    const build = (job: { id: string }) => new Promise<GalleryThumb>((resolve) => {
      starts.push(job.id);
      running++;
      maxRunning = Math.max(maxRunning, running);
      open.set(job.id, () => { running--; open.delete(job.id); resolve({ id: job.id, width: 1, height: 1, outlines: [] }); });
    });
    return { build, open, starts, max: () => maxRunning };
  }
  const ids = (...xs: string[]) => xs.map((id) => ({ id }));

  it('builds the newest request first, at most `concurrency` at once, and an id asked twice only once', async () => {
    const m = manualBuild();
    const rec = recorder();
    const q = new GalleryThumbQueue(m.build, rec.post, { concurrency: 2, flushMs: 1 });
    q.reset(1);
    q.request(1, ids('a1', 'a2', 'a3', 'a4'));
    assert.deepEqual(m.starts, ['a1', 'a2']);
    q.request(1, ids('b1', 'b2', 'a3', 'a1'));
    m.open.get('a1')!();
    await sleep(0);
    // b1 (newest request) before a3/a4; a1 (already building) is not built again; a3 moved forward with b's.
    assert.deepEqual(m.starts, ['a1', 'a2', 'b1']);
    while (m.open.size) { [...m.open.values()][0](); await sleep(0); }
    await q.idle();
    assert.deepEqual(m.starts, ['a1', 'a2', 'b1', 'b2', 'a3', 'a4']);
    assert.equal(m.max(), 2);
    assert.deepEqual([...rec.byId.entries()].sort(), ['a1', 'a2', 'a3', 'a4', 'b1', 'b2'].map((id) => [`1:${id}`, 1]));
  });

  it('a new list drops the old list\'s waiting and finishing work, and does not wait for its last builds', async () => {
    const m = manualBuild();
    const rec = recorder();
    const q = new GalleryThumbQueue(m.build, rec.post, { concurrency: 2, flushMs: 1 });
    q.reset(1);
    q.request(1, ids('x', 'y', 'z'));
    q.reset(2);
    q.request(2, ids('x', 'p'));
    q.request(1, ids('late')); // a reply to the old list arriving late is ignored
    // x of list 2 is built anew (list 1's x is still running), p too: the old builds do not hold the slots.
    assert.deepEqual(m.starts, ['x', 'y', 'x', 'p']);
    for (const f of [...m.open.values()]) f();
    await q.idle();
    await sleep(5);
    assert.deepEqual([...rec.byId.keys()].sort(), ['2:p', '2:x']);
  });

  it('a build that throws is still answered, with the error', async () => {
    const rec = recorder();
    const q = new GalleryThumbQueue(async (j: { id: string }) => { if (j.id === 'bad') throw new Error('unreadable'); return { id: j.id, width: 1, height: 1, outlines: [] }; }, rec.post, { concurrency: 2 });
    q.reset(7);
    q.request(7, ids('ok', 'bad'));
    await q.idle();
    assert.equal(rec.thumbs.get('bad')?.error, 'unreadable');
    assert.equal(rec.byId.get('7:ok'), 1);
  });
});
