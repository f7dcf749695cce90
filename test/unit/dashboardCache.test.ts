/** The Dataset Overview after a warm open: its numbers come back with the index cache (no second file, no re-read), equal to a fresh index; an edit of polygons.jsonl misses the cache and changes them. */
import { describe, it, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { indexDataset } from '../../src/core/dataset/datasetIndex';
import { cacheFileFor, indexWithCache, loadCachedIndex } from '../../src/core/dataset/indexCache';
import { computeDashboard } from '../../src/core/overview/overviewData';
import type { PolygonPass } from '../../src/core/overview/polygonPass';
import type { DashboardData } from '../../src/core/types/overviewTypes';
import { copyDataset, tempDir } from './helpers/paths';

/** The pass without its timing, as plain data. */
const passData = (p: PolygonPass) => ({ ...p, ms: 0, tiles: [...p.tiles].sort((a, b) => a[0].localeCompare(b[0])) });
/** The chart data without its timings. */
const chartData = (d: DashboardData) => ({ ...d, timing: undefined });

describe('Dataset Overview from the index cache, on a copy of the real hhv-sample', () => {
  let root: string;
  let storage: string;
  before(() => {
    root = copyDataset();
    storage = tempDir('vex-dash-cache-');
  });
  after(() => {
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(storage, { recursive: true, force: true });
  });

  it('a warm open gives the pass and chart data of a fresh index', async () => {
    const fresh = await computeDashboard(await indexDataset(root));
    const first = await indexWithCache(storage, root, (r) => indexDataset(r));
    assert.equal(first.fromCache, false);
    assert.ok(fs.existsSync(cacheFileFor(storage, root)));
    const again = await indexWithCache(storage, root, () => Promise.reject(new Error('must come from the cache')));
    assert.equal(again.fromCache, true);
    const warm = await computeDashboard(again.index);
    assert.deepEqual(passData(warm.pass), passData(fresh.pass));
    assert.deepEqual(chartData(warm.data), chartData(fresh.data));
    // Non-trivial content: every non-empty line of the sample's polygons.jsonl (221), each tile's numbers kept.
    const lines = fs.readFileSync(path.join(root, 'polygons.jsonl'), 'utf8').split('\n').filter((l) => l.trim()).length;
    assert.equal(lines, 221);
    assert.equal(warm.pass.lines, lines);
    assert.equal(warm.pass.tiles.size, lines);
    assert.ok(warm.pass.border.polygons > 0 && warm.pass.overlaps.polygons >= 0);
  });

  it('an edit of polygons.jsonl (last tile line removed) misses the cache and drops that tile from the pass', async () => {
    const before = await computeDashboard((await indexWithCache(storage, root, (r) => indexDataset(r))).index);
    const f = path.join(root, 'polygons.jsonl');
    const lines = fs.readFileSync(f, 'utf8').split('\n').filter((l) => l.trim());
    const droppedId = (JSON.parse(lines[lines.length - 1]) as { id: string }).id;
    fs.writeFileSync(f, lines.slice(0, -1).join('\n') + '\n');
    assert.equal(await loadCachedIndex(storage, root), undefined);
    const edited = await indexWithCache(storage, root, (r) => indexDataset(r));
    assert.equal(edited.fromCache, false);
    const after = await computeDashboard(edited.index);
    assert.equal(after.pass.lines, before.pass.lines - 1);
    assert.equal(after.pass.tiles.has(droppedId), false);
    assert.equal(before.pass.tiles.has(droppedId), true);
    assert.deepEqual(passData(after.pass), passData((await computeDashboard(await indexDataset(root))).pass));
  });
});
