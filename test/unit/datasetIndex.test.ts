import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { indexDataset } from '../../src/core/dataset/datasetIndex';
import { summarize } from '../../src/core/dataset/datasetSummary';
import { readTileAnnotations } from '../../src/core/dataset/polygonsJsonl';
import { nodeFileReader } from '../../src/core/dataset/fileReader';
import type { DatasetIndex } from '../../src/core/types/types';
import { PYTHON, REPO_ROOT, SAMPLE } from './helpers/paths';

describe('dataset index on the real sample (../shared/data/hhv-sample)', () => {
  let index: DatasetIndex;
  before(async () => {
    index = await indexDataset(SAMPLE);
  });

  it('reads all 7033 tile_meta rows, 126 train images, 1 test image, 221 polygons lines', () => {
    assert.equal(index.stats.metaRows, 7033);
    assert.equal(index.stats.trainImages, 126);
    assert.equal(index.stats.testImages, 1);
    assert.equal(index.stats.polygonLines, 221);
  });

  it('counts 27 tiles with both an image and a polygons line, as the files on disk say', () => {
    const images = new Set(fs.readdirSync(path.join(SAMPLE, 'train')).map((n) => n.replace(/\.tif$/, '')));
    const lines = fs.readFileSync(path.join(SAMPLE, 'polygons.jsonl'), 'utf8').split('\n').filter((l) => l.trim());
    const expected = lines.map((l) => (JSON.parse(l) as { id: string }).id).filter((id) => images.has(id)).length;
    assert.equal(expected, 27);
    assert.equal(index.stats.annotatedTiles, expected);
  });

  it('matches the WSI x dataset table of tile_meta.csv counted independently', () => {
    const rows = fs.readFileSync(path.join(SAMPLE, 'tile_meta.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    const expected: Record<string, number> = {};
    for (const r of rows) expected[`${Number(r[1])}/${Number(r[2])}`] = (expected[`${Number(r[1])}/${Number(r[2])}`] ?? 0) + 1;
    const s = summarize(index);
    for (const [key, n] of Object.entries(expected)) {
      const [w, d] = key.split('/');
      assert.equal(s.wsis[w].byDataset[d], n, `WSI ${w} dataset ${d}`);
    }
    assert.equal(s.wsis['1'].tiles, 507);
    assert.equal(s.wsis['14'].tiles, 600);
    assert.equal(s.wsis['none'].tiles, 1, 'the public test tile has no WSI');
  });

  it('gives per-tile class counts and shoelace areas equal to an independent numpy computation', () => {
    const ref = JSON.parse(execFileSync(PYTHON, [path.join(REPO_ROOT, 'test/unit/py/polygon_stats.py'), path.join(SAMPLE, 'polygons.jsonl')], { encoding: 'utf8', maxBuffer: 64 << 20 })) as Record<string, { counts: Record<string, number>; areas: Record<string, number> }>;
    assert.equal(Object.keys(ref).length, 221);
    let polygons = 0;
    for (const [id, r] of Object.entries(ref)) {
      const t = index.tiles.get(id);
      assert.ok(t, `tile ${id} indexed`);
      for (const c of ['blood_vessel', 'glomerulus', 'unsure'] as const) {
        assert.equal(t.counts[c], r.counts[c] ?? 0, `${id} ${c} count`);
        assert.ok(Math.abs(t.areas[c] - (r.areas[c] ?? 0)) < 1e-6, `${id} ${c} area ${t.areas[c]} vs ${r.areas[c]}`);
        polygons += t.counts[c];
      }
    }
    assert.equal(polygons, 1870);
  });

  it('reports a partial download as one grouped problem per file, not thousands', () => {
    const grouped = index.problems.filter((p) => p.code === 'images-missing');
    assert.equal(grouped.length, 1);
    assert.equal(grouped[0].count, 7033 - 126);
    assert.equal(grouped[0].file, 'tile_meta.csv');
    assert.equal(grouped[0].line, 2);
    const noImage = index.problems.filter((p) => p.code === 'annotations-without-image');
    assert.equal(noImage.length, 1);
    assert.equal(noImage[0].count, 194);
    assert.equal(index.problems.filter((p) => p.severity === 'error').length, 0);
  });

  it('treats the public test tile as expected information, not an error', () => {
    const p = index.problems.find((q) => q.code === 'test-image-not-in-meta');
    assert.ok(p);
    assert.equal(p.severity, 'info');
    assert.equal(p.file, 'test/72e40acccadf.tif');
  });

  it('reads one tile\'s polygons back by byte offset, identical to its line', async () => {
    const lines = fs.readFileSync(path.join(SAMPLE, 'polygons.jsonl'), 'utf8').split('\n');
    const t = index.tiles.get('0033bbc76b6b')!;
    assert.equal(t.polygonsLine, 1);
    const anns = await readTileAnnotations(nodeFileReader, path.join(SAMPLE, 'polygons.jsonl'), { offset: t.polygonsOffset!, length: t.polygonsLength! });
    const original = JSON.parse(lines[0]) as { annotations: { coordinates: number[][][] }[] };
    assert.equal(anns.length, original.annotations.length);
    assert.deepEqual(anns[0].rings, original.annotations[0].coordinates);
    const t2 = [...index.tiles.values()].find((x) => x.polygonsLine === 150)!;
    const anns2 = await readTileAnnotations(nodeFileReader, path.join(SAMPLE, 'polygons.jsonl'), { offset: t2.polygonsOffset!, length: t2.polygonsLength! });
    assert.deepEqual(anns2.map((a) => a.rings), (JSON.parse(lines[149]) as { annotations: { coordinates: number[][][] }[] }).annotations.map((a) => a.coordinates));
  });
});
