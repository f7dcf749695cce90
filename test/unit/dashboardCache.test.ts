/** The Dataset Overview's on-disk polygon-pass cache: a hit equals a fresh pass; edits to polygons.jsonl, a new index, a torn or old-version file all miss. */
import { describe, it, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { indexDataset } from '../../src/core/dataset/datasetIndex';
import { computeDashboard, type DashboardModel } from '../../src/core/overview/overviewData';
import { dashboardCacheFileFor, loadCachedPass, polygonPassWithCache } from '../../src/core/overview/overviewCache';
import { polygonPass, type PolygonPass } from '../../src/core/overview/polygonPass';
import type { DashboardData } from '../../src/core/types/overviewTypes';
import type { DatasetIndex } from '../../src/core/types/types';
import { copyDataset, tempDir } from './helpers/paths';

/** The pass without its timing, as plain data. */
const passData = (p: PolygonPass) => ({ ...p, ms: 0, tiles: [...p.tiles].sort((a, b) => a[0].localeCompare(b[0])) });
/** The chart data without its timings. */
const chartData = (d: DashboardData) => ({ ...d, timing: undefined });

describe('Dataset Overview pass cache on a copy of the real hhv-sample', () => {
  let root: string;
  let storage: string;
  let index: DatasetIndex;
  let fresh: DashboardModel;
  before(async () => {
    root = copyDataset();
    storage = tempDir('vex-dash-cache-');
    index = await indexDataset(root);
    fresh = await computeDashboard(index);
  });
  after(() => {
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(storage, { recursive: true, force: true });
  });

  it('misses first, then hits with a pass and chart data equal to a fresh computation', async () => {
    const first = await computeDashboard(index, undefined, storage);
    assert.equal(first.fromCache, false);
    assert.ok(fs.existsSync(dashboardCacheFileFor(storage, root)));
    const again = await computeDashboard(index, undefined, storage);
    assert.equal(again.fromCache, true);
    assert.deepEqual(passData(again.pass), passData(fresh.pass));
    assert.deepEqual(chartData(again.data), chartData(fresh.data));
    // Non-trivial content: every non-empty line of the sample's polygons.jsonl (221), each tile's stats kept.
    const lines = fs.readFileSync(path.join(root, 'polygons.jsonl'), 'utf8').split('\n').filter((l) => l.trim()).length;
    assert.equal(lines, 221);
    assert.equal(again.pass.lines, lines);
    assert.equal(again.pass.tiles.size, fresh.pass.tiles.size);
    assert.ok(again.pass.border.polygons > 0 && again.pass.tiles.size > 0);
  });

  it('a touch of polygons.jsonl (same bytes, new mtime) invalidates it', async () => {
    await polygonPassWithCache(storage, index);
    assert.ok(await loadCachedPass(storage, index));
    const f = path.join(root, 'polygons.jsonl');
    const later = new Date(fs.statSync(f).mtimeMs + 5000);
    fs.utimesSync(f, later, later);
    assert.equal(await loadCachedPass(storage, index), undefined);
  });

  it('an edit of polygons.jsonl (last tile line removed) misses and recomputes the changed pass', async () => {
    index = await indexDataset(root);
    const before = await polygonPassWithCache(storage, index);
    assert.equal((await polygonPassWithCache(storage, index)).fromCache, true);
    const f = path.join(root, 'polygons.jsonl');
    const lines = fs.readFileSync(f, 'utf8').split('\n').filter((l) => l.trim());
    const droppedId = (JSON.parse(lines[lines.length - 1]) as { id: string }).id;
    fs.writeFileSync(f, lines.slice(0, -1).join('\n') + '\n');
    const edited = await indexDataset(root);
    // Even the old index object must not get the old pass: the file's signature changed.
    assert.equal(await loadCachedPass(storage, index), undefined);
    const after = await polygonPassWithCache(storage, edited);
    assert.equal(after.fromCache, false);
    assert.equal(after.pass.lines, before.pass.lines - 1);
    assert.equal(after.pass.tiles.has(droppedId), false);
    assert.equal(before.pass.tiles.has(droppedId), true);
    assert.deepEqual(passData(after.pass), passData(await polygonPass(edited)));
    assert.equal((await polygonPassWithCache(storage, edited)).fromCache, true);
  });

  it('a torn cache file or one of another version is ignored', async () => {
    index = await indexDataset(root);
    await polygonPassWithCache(storage, index);
    const file = dashboardCacheFileFor(storage, root);
    const good = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, good.slice(0, good.length >> 1));
    assert.equal(await loadCachedPass(storage, index), undefined);
    fs.writeFileSync(file, good.replace(/^\{"version":\d+/, '{"version":-1'));
    assert.equal(await loadCachedPass(storage, index), undefined);
    fs.writeFileSync(file, good);
    assert.ok(await loadCachedPass(storage, index));
  });
});
