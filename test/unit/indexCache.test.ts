import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { indexDataset } from '../../src/core/dataset/datasetIndex';
import { indexWithCache, loadCachedIndex } from '../../src/core/dataset/indexCache';
import { copyDataset, tempDir } from './helpers/paths';

describe('index cache keyed by file size and mtime', () => {
  it('returns the cached index when nothing changed, equal to a fresh one', async () => {
    const ds = copyDataset();
    const store = tempDir();
    const first = await indexWithCache(store, ds, (r) => indexDataset(r));
    assert.equal(first.fromCache, false);
    const second = await indexWithCache(store, ds, (r) => indexDataset(r));
    assert.equal(second.fromCache, true);
    assert.deepEqual([...second.index.tiles.entries()], [...first.index.tiles.entries()]);
    assert.deepEqual(second.index.problems, first.index.problems);
    assert.deepEqual(second.index.stats, first.index.stats);
  });

  it('is invalidated by an edit to polygons.jsonl, a new image and a removed file', async () => {
    const ds = copyDataset();
    const store = tempDir();
    await indexWithCache(store, ds, (r) => indexDataset(r));
    fs.appendFileSync(path.join(ds, 'polygons.jsonl'), '{broken\n');
    assert.equal(await loadCachedIndex(store, ds), undefined);
    const again = await indexWithCache(store, ds, (r) => indexDataset(r));
    assert.equal(again.fromCache, false);
    assert.ok(again.index.problems.some((p) => p.code === 'json-malformed' && p.line === 222));
    assert.ok(await loadCachedIndex(store, ds));
    fs.writeFileSync(path.join(ds, 'train', 'abcdefabcdef.png'), 'x');
    assert.equal(await loadCachedIndex(store, ds), undefined);
    await indexWithCache(store, ds, (r) => indexDataset(r));
    fs.rmSync(path.join(ds, 'wsi_meta.csv'));
    assert.equal(await loadCachedIndex(store, ds), undefined);
  });

  it('ignores a corrupt cache file and rebuilds', async () => {
    const ds = copyDataset();
    const store = tempDir();
    await indexWithCache(store, ds, (r) => indexDataset(r));
    for (const f of fs.readdirSync(store)) fs.writeFileSync(path.join(store, f), '{"version":');
    const r = await indexWithCache(store, ds, (x) => indexDataset(x));
    assert.equal(r.fromCache, false);
    assert.equal(r.index.stats.metaRows, 7033);
  });
});
