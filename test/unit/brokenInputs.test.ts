import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { indexDataset } from '../../src/core/dataset/datasetIndex';
import type { DatasetIndex, Problem } from '../../src/core/types/types';
import { copyDataset, SAMPLE, VARIANTS } from './helpers/paths';

const sampleLines = fs.readFileSync(path.join(SAMPLE, 'polygons.jsonl'), 'utf8').split('\n').filter((l) => l.trim());

/** A copy of the sample whose polygons.jsonl lines are replaced by `lines`. */
async function indexWithPolygons(lines: string[] | string): Promise<{ index: DatasetIndex; dir: string }> {
  const dir = copyDataset();
  fs.writeFileSync(path.join(dir, 'polygons.jsonl'), Array.isArray(lines) ? lines.join('\n') + '\n' : lines);
  return { index: await indexDataset(dir), dir };
}

function only(index: DatasetIndex, code: string): Problem {
  const ps = index.problems.filter((p) => p.code === code);
  assert.equal(ps.length, 1, `exactly one ${code}, got ${JSON.stringify(index.problems.filter((p) => p.severity !== 'info'))}`);
  return ps[0];
}

function withLine(n: number, text: string): string[] {
  const lines = [...sampleLines];
  lines[n - 1] = text;
  return lines;
}

const polygonLines = (index: DatasetIndex) => [...index.tiles.values()].filter((t) => t.polygonsLine !== undefined).length;

describe('broken polygons.jsonl lines are located and the rest loads', () => {
  it('a truncated line: json-malformed at its line, 220 other lines indexed', async () => {
    const { index } = await indexWithPolygons(withLine(5, sampleLines[4].slice(0, 300)));
    const p = only(index, 'json-malformed');
    assert.equal(p.line, 5);
    assert.equal(p.severity, 'error');
    assert.match(p.message, /truncated/);
    assert.equal(polygonLines(index), 220);
  });

  it('a NaN coordinate (as Python writes it): json-malformed with a NaN hint', async () => {
    const { index } = await indexWithPolygons(withLine(7, sampleLines[6].replace(/\[(\d+),(\d+)\]/, '[NaN,$2]')));
    const p = only(index, 'json-malformed');
    assert.equal(p.line, 7);
    assert.ok(p.column && p.column > 1, 'column points into the line');
    assert.match(p.message, /NaN/);
    assert.equal(polygonLines(index), 220);
  });

  it('a string coordinate: point-type at its line, the tile skipped, the rest loads', async () => {
    const { index } = await indexWithPolygons(withLine(9, sampleLines[8].replace(/\[(\d+),(\d+)\]/, '["$1",$2]')));
    const p = only(index, 'point-type');
    assert.equal(p.line, 9);
    assert.match(p.message, /two numbers/);
    assert.equal(polygonLines(index), 221, 'the line still indexes its other polygons');
    const id = (JSON.parse(sampleLines[8]) as { id: string }).id;
    const n = (JSON.parse(sampleLines[8]) as { annotations: unknown[] }).annotations.length;
    assert.equal(index.tiles.get(id)!.counts.blood_vessel, n - 1);
  });

  it('an empty file: one file-level warning, tile_meta and images still load', async () => {
    const { index } = await indexWithPolygons('');
    const p = only(index, 'file-empty');
    assert.equal(p.file, 'polygons.jsonl');
    assert.equal(index.stats.metaRows, 7033);
    assert.equal(index.stats.trainImages, 126);
  });

  it('a BOM and CRLF line ends change nothing', async () => {
    const base = await indexDataset(SAMPLE);
    const dir = copyDataset();
    fs.writeFileSync(path.join(dir, 'polygons.jsonl'), '\uFEFF' + sampleLines.join('\r\n') + '\r\n');
    const meta = fs.readFileSync(path.join(SAMPLE, 'tile_meta.csv'), 'utf8');
    fs.writeFileSync(path.join(dir, 'tile_meta.csv'), '\uFEFF' + meta.replace(/\n/g, '\r\n'));
    const index = await indexDataset(dir);
    assert.equal(index.problems.filter((p) => p.severity !== 'info').length, 0);
    assert.equal(index.stats.metaRows, 7033);
    assert.equal(index.stats.polygonLines, 221);
    for (const [id, t] of base.tiles) {
      const u = index.tiles.get(id)!;
      assert.deepEqual([u.wsi, u.dataset, u.i, u.j, u.counts], [t.wsi, t.dataset, t.i, t.j, t.counts], id);
    }
    const t = index.tiles.get('0033bbc76b6b')!;
    assert.equal(t.metaLine, base.tiles.get('0033bbc76b6b')!.metaLine);
  });

  it('a valid 10 MB single line is indexed with everything else', async () => {
    const all = sampleLines.flatMap((l) => (JSON.parse(l) as { annotations: unknown[] }).annotations);
    const big: unknown[] = [];
    let size = 0;
    for (let k = 0; size < 10 * 1024 * 1024; k++) {
      const a = all[k % all.length];
      big.push(a);
      size += JSON.stringify(a).length + 1;
    }
    const id = (JSON.parse(sampleLines[0]) as { id: string }).id;
    const { index } = await indexWithPolygons(withLine(1, JSON.stringify({ id, annotations: big })));
    assert.ok(Buffer.byteLength(JSON.stringify({ id, annotations: big })) >= 10 * 1024 * 1024);
    assert.equal(index.tiles.get(id)!.counts.blood_vessel, big.length);
    assert.equal(polygonLines(index), 221);
    assert.ok(index.problems.some((p) => p.code === 'duplicate-polygon' && p.line === 1), 'the repeated polygons are flagged');
  });

  it('a 10 MB line of garbage with no newline is one located error', async () => {
    const { index } = await indexWithPolygons(sampleLines.join('\n') + '\n{"id":"' + 'x'.repeat(10 * 1024 * 1024));
    const p = only(index, 'json-malformed');
    assert.equal(p.line, 222);
    assert.equal(polygonLines(index), 221);
  });

  it('flags every kind of bad annotation at its line with what to do', async () => {
    const id = (k: number) => (JSON.parse(sampleLines[k]) as { id: string }).id;
    const sq = [[[10, 10], [20, 10], [20, 20], [10, 20]]];
    const lines = [...sampleLines];
    lines[0] = JSON.stringify({ id: id(0), annotations: [{ type: 'vessel', coordinates: sq }] });
    lines[1] = JSON.stringify({ id: id(1), annotations: [{ type: 'blood_vessel', coordinates: [[[1, 1], [2, 2]]] }] });
    lines[2] = JSON.stringify({ id: id(2), annotations: [{ type: 'blood_vessel', coordinates: [[[1, 1], [2, 2], [3, 3]]] }] });
    lines[3] = JSON.stringify({ id: id(3), annotations: [{ type: 'glomerulus', coordinates: [[[500, 500], [520, 500], [520, 520]]] }] });
    lines[4] = JSON.stringify({ id: id(4), annotations: [{ type: 'blood_vessel', coordinates: sq }, { type: 'blood_vessel', coordinates: sq }] });
    lines[5] = JSON.stringify({ id: 'ffffffffffff', annotations: [{ type: 'unsure', coordinates: sq }] });
    lines[6] = JSON.stringify({ annotations: [] });
    lines[7] = JSON.stringify({ id: id(7), annotations: 'none' });
    lines[8] = JSON.stringify({ id: id(0), annotations: [] });
    lines[9] = '[1,2,3]';
    const { index } = await indexWithPolygons(lines);
    const at = (code: string) => index.problems.filter((p) => p.code === code).map((p) => p.line);
    assert.deepEqual(at('unknown-type'), [1]);
    assert.deepEqual(at('ring-too-short'), [2]);
    assert.deepEqual(at('zero-area'), [3]);
    assert.deepEqual(at('point-outside'), [4]);
    assert.deepEqual(at('duplicate-polygon'), [5]);
    assert.deepEqual(at('id-not-in-meta'), [6]);
    assert.deepEqual(at('field-id'), [7]);
    assert.deepEqual(at('field-annotations'), [8]);
    assert.deepEqual(at('duplicate-tile-line'), [9]);
    assert.deepEqual(at('line-not-object'), [10]);
    assert.equal(index.tiles.get(id(3))!.counts.glomerulus, 1, 'a polygon poking outside is still counted');
    assert.equal(index.tiles.get(id(4))!.counts.blood_vessel, 2);
    assert.equal(polygonLines(index), 221 - 4);
    for (const p of index.problems) assert.ok(p.message.length > 30, `message says what to do: ${p.message}`);
  });
});

describe('tile_meta.csv shapes and defects', () => {
  it('plain (unpadded) i/j from variants/ give the same tiles as the zero-padded original', async () => {
    const dir = copyDataset();
    fs.copyFileSync(path.join(VARIANTS, 'tile_meta_unpadded.csv'), path.join(dir, 'tile_meta.csv'));
    const [a, b] = await Promise.all([indexDataset(SAMPLE), indexDataset(dir)]);
    assert.equal(b.stats.metaRows, 7033);
    for (const [id, t] of a.tiles) assert.deepEqual([b.tiles.get(id)!.i, b.tiles.get(id)!.j], [t.i, t.j]);
    assert.equal(b.problems.filter((p) => p.severity === 'error').length, 0);
  });

  it('a per-tile image statistics CSV in place of tile_meta.csv is named for what it is; images still load', async () => {
    const dir = copyDataset();
    fs.copyFileSync(path.join(VARIANTS, 'tile_image_stats.csv'), path.join(dir, 'tile_meta.csv'));
    const index = await indexDataset(dir);
    const p = only(index, 'header');
    assert.equal(p.line, 1);
    assert.match(p.message, /image statistics/);
    assert.equal(index.stats.trainImages, 126);
    assert.equal(index.stats.polygonLines, 221);
  });

  it('duplicate ids, short rows and non-numeric values are located; other rows load', async () => {
    const dir = copyDataset();
    const lines = fs.readFileSync(path.join(SAMPLE, 'tile_meta.csv'), 'utf8').split('\n');
    lines[10] = lines[2];
    lines[20] = '0a0a0a0a0a0a,1,2';
    lines[30] = lines[30].replace(/,(\d+)$/, ',abc');
    lines[40] = lines[40].split(',').map((f, k) => (k === 2 ? '7' : f)).join(',');
    fs.writeFileSync(path.join(dir, 'tile_meta.csv'), lines.join('\n'));
    const index = await indexDataset(dir);
    assert.deepEqual(index.problems.filter((p) => p.code === 'duplicate-id').map((p) => p.line), [11]);
    assert.deepEqual(index.problems.filter((p) => p.code === 'row-columns').map((p) => p.line), [21]);
    assert.deepEqual(index.problems.filter((p) => p.code === 'row-value').map((p) => p.line).sort((x, y) => x - y), [31, 41]);
    assert.equal(index.stats.metaRows, 7033 - 4);
  });

  it('PNG tiles from variants/ are indexed as images; one not in tile_meta is flagged', async () => {
    const dir = copyDataset();
    for (const n of fs.readdirSync(VARIANTS).filter((f) => f.endsWith('.png'))) fs.copyFileSync(path.join(VARIANTS, n), path.join(dir, 'train', n));
    const index = await indexDataset(dir);
    assert.equal(index.tiles.get('0006ff2aa7cd')!.image, 'train/0006ff2aa7cd.png');
    assert.equal(index.tiles.get('0006ff2aa7cd')!.wsi, 2);
    assert.equal(index.stats.trainImages, 128);
    const dup = index.problems.filter((p) => p.code === 'duplicate-image' || p.code === 'image-not-in-meta');
    assert.deepEqual(dup.map((p) => [p.code, p.file]), [
      ['duplicate-image', 'test/72e40acccadf.tif'],
      ['image-not-in-meta', 'train/72e40acccadf.png'],
    ]);
  });
});
