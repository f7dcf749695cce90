import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Annotation, Ring } from '../../src/core/types/types';
import { annotationsToGeoJson } from '../../src/core/interchange/geojsonExport';
import { toCoco } from '../../src/core/interchange/cocoExport';
import { encodeGreyPng, instanceMaskPng } from '../../src/core/interchange/maskExport';
import { exportTiles } from '../../src/core/interchange/exportSelection';
import { rasterizeClasses, rasterizeLabels } from '../../src/core/geometry/rasterize';
import { CLASS_COLORS } from '../../src/core/palette/palette';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const polygonsPath = path.resolve(repoRoot, '..', 'shared', 'data', 'hhv-sample', 'polygons.jsonl');
const py = (script: string, ...args: string[]): string[] =>
  execFileSync('/usr/bin/python3', [path.join(repoRoot, 'test', 'unit', 'py', script), ...args], { encoding: 'utf8', maxBuffer: 64 << 20 }).trim().split('\n');

interface Line { id: string; annotations: { type: Annotation['type']; coordinates: Ring[] }[] }
const lines: Line[] = fs.readFileSync(polygonsPath, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Line);
const anns = (l: Line): Annotation[] => l.annotations.map((a) => ({ type: a.type, rings: a.coordinates, area: 0 }));
const sha1 = (a: Uint8Array | Uint16Array): string => createHash('sha1').update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)).digest('hex');

let dir = '';
before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'exports-')); });
after(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('GeoJSON export (QuPath)', () => {
  it('round-trips every real ring, closed once, with QuPath properties', () => {
    let rings = 0;
    for (const l of lines) {
      const fc = annotationsToGeoJson(anns(l), { tileId: l.id });
      assert.equal(fc.type, 'FeatureCollection');
      assert.equal(fc.features.length, l.annotations.length);
      fc.features.forEach((f, k) => {
        const src = l.annotations[k].coordinates[0];
        const ring = f.geometry.coordinates[0];
        assert.equal(f.geometry.type, 'Polygon');
        assert.deepEqual(ring[ring.length - 1], ring[0]);
        // polygons.jsonl rings already end on their first point (all 1870 here, most of them twice): kept as is.
        const closed = src[0][0] === src[src.length - 1][0] && src[0][1] === src[src.length - 1][1];
        assert.deepEqual(ring, closed ? src : [...src, src[0]]);
        assert.deepEqual(f.properties, { objectType: 'annotation', classification: { name: 'blood_vessel', color: [...CLASS_COLORS.blood_vessel.rgb] }, name: l.id });
        rings++;
      });
    }
    assert.equal(rings, 1870);
  });
  it('does not close an already closed ring twice, and applies a WSI offset', () => {
    const fc = annotationsToGeoJson([{ type: 'glomerulus', rings: [[[0, 0], [4, 0], [4, 3], [0, 0]]], area: 6 }], { offset: [1000, 2000] });
    assert.deepEqual(fc.features[0].geometry.coordinates[0], [[1000, 2000], [1004, 2000], [1004, 2003], [1000, 2000]]);
    assert.deepEqual(fc.features[0].properties.classification, { name: 'glomerulus', color: [0, 0x72, 0xb2] });
    assert.equal(JSON.parse(JSON.stringify(fc)).features[0].properties.objectType, 'annotation');
  });
});

describe('COCO export', () => {
  const tiles = lines.map((l) => ({ id: l.id, annotations: anns(l) }));
  const coco = toCoco(tiles);
  it('has images, categories and one annotation per polygon, iscrowd 0', () => {
    assert.equal(coco.images.length, 221);
    assert.equal(coco.annotations.length, 1870);
    assert.deepEqual(coco.categories.map((c) => [c.id, c.name]), [[1, 'blood_vessel'], [2, 'glomerulus'], [3, 'unsure']]);
    assert.equal(coco.images[0].file_name, `${lines[0].id}.tif`);
    assert.ok(coco.annotations.every((a) => a.iscrowd === 0 && a.category_id === 1));
    assert.deepEqual(new Set(coco.annotations.map((a) => a.id)).size, 1870);
  });
  it('areas and bboxes equal numpy shoelace and extents on every polygon; polygons equal the source rings, closed', () => {
    const ref = py('export_ref.py', 'shoelace', polygonsPath).map((l) => JSON.parse(l) as { line: number; ann: number; area: number; bbox: number[] });
    assert.equal(ref.length, coco.annotations.length);
    let total = 0;
    ref.forEach((r, k) => {
      const a = coco.annotations[k];
      assert.equal(a.image_id, r.line);
      assert.ok(Math.abs(a.area - r.area) < 1e-9, `line ${r.line} ann ${r.ann}: ${a.area} vs ${r.area}`);
      assert.deepEqual(a.bbox, r.bbox);
      const flat = (a.segmentation as number[][])[0];
      const src = lines[r.line - 1].annotations[r.ann].coordinates[0];
      assert.deepEqual(flat.slice(-2), flat.slice(0, 2));
      const closed = src[0][0] === src[src.length - 1][0] && src[0][1] === src[src.length - 1][1];
      assert.deepEqual(flat, closed ? src.flat() : [...src.flat(), ...src[0]]);
      total += a.area;
    });
    console.log(`  ${ref.length} COCO areas match numpy shoelace (total ${total} px^2)`);
  });
  it('closes an open ring once; hand-worked triangle area 6, bbox [0,0,4,3]', () => {
    const c = toCoco([{ id: 'abc', annotations: [{ type: 'unsure', rings: [[[0, 0], [4, 0], [0, 3]]], area: 0 }] }]);
    assert.deepEqual(c.annotations[0].segmentation, [[0, 0, 4, 0, 0, 3, 0, 0]]);
    assert.deepEqual([c.annotations[0].area, c.annotations[0].bbox, c.annotations[0].category_id], [6, [0, 0, 4, 3], 3]);
  });
  it('matches the conventions of a real Detectron2 COCO file on the same polygon (bbox, area)', () => {
    const real = JSON.parse(fs.readFileSync(path.resolve(repoRoot, '..', 'shared', 'data', 'bad-inputs', 'coco_mismatched_file_names.json'), 'utf8')) as { annotations: { segmentation: number[][]; bbox: number[]; area: number }[] };
    const r0 = real.annotations[0];
    const flat = r0.segmentation[0];
    const ring: Ring = [];
    for (let i = 0; i < flat.length; i += 2) ring.push([flat[i], flat[i + 1]]);
    const ours = toCoco([{ id: 'x', annotations: [{ type: 'blood_vessel', rings: [ring], area: 0 }] }]).annotations[0];
    assert.deepEqual(ours.bbox, r0.bbox);
    assert.equal(ours.area, r0.area);
    assert.deepEqual((ours.segmentation as number[][])[0], r0.segmentation[0]);
  });
});

describe('PNG masks', () => {
  it('encodes 8- and 16-bit grey PNGs that OpenCV reads back exactly', () => {
    const v16 = new Uint16Array([0, 1, 255, 256, 32896, 65535]);
    const v8 = new Uint8Array([0, 1, 127, 128, 254, 255]);
    fs.writeFileSync(path.join(dir, 'v16.png'), encodeGreyPng(v16, 3, 2));
    fs.writeFileSync(path.join(dir, 'v8.png'), encodeGreyPng(v8, 2, 3));
    const [r16, r8] = py('export_ref.py', 'png', path.join(dir, 'v16.png'), path.join(dir, 'v8.png')).map((l) => JSON.parse(l) as { dtype: string; shape: number[]; labels16: string; max: number });
    assert.deepEqual([r16.dtype, r16.shape, r16.max, r16.labels16], ['uint16', [2, 3], 65535, sha1(v16)]);
    assert.deepEqual([r8.dtype, r8.shape, r8.labels16], ['uint8', [3, 2], sha1(Uint16Array.from(v8))]);
  });
  it('exported class and instance mask PNGs equal the rasteriser and Pillow, read back by OpenCV', async () => {
    const pick = lines.slice(0, 40);
    const out = path.join(dir, 'sel');
    await exportTiles(pick.map((l) => ({ id: l.id, annotations: anns(l) })), { outDir: out, kinds: ['class-masks', 'instance-masks'] });
    const files = pick.flatMap((l) => [path.join(out, 'masks', 'blood_vessel', `${l.id}.png`), path.join(out, 'masks', 'instances', `${l.id}.png`), path.join(out, 'masks', 'glomerulus', `${l.id}.png`)]);
    const ref = py('export_ref.py', 'png', ...files).map((l) => JSON.parse(l) as { dtype: string; shape: number[]; max: number; labels16: string; binary: string });
    const pil = new Map(py('raster_ref.py', polygonsPath, 'labels').map((l) => JSON.parse(l) as { id: string; labels: [number, string]; union: [number, string] }).map((r) => [r.id, r]));
    pick.forEach((l, k) => {
      const [cls, inst, glom] = ref.slice(3 * k, 3 * k + 3);
      const mine = rasterizeClasses(anns(l));
      assert.deepEqual([cls.dtype, cls.shape, cls.max], ['uint8', [512, 512], 255]);
      assert.equal(cls.binary, sha1(mine.blood_vessel));
      assert.equal(cls.binary, pil.get(l.id)!.union[1]);
      assert.equal(inst.labels16, sha1(rasterizeLabels(anns(l))));
      assert.equal(inst.labels16, pil.get(l.id)!.labels[1]);
      assert.equal(inst.max, l.annotations.length > 0 ? inst.max : 0);
      assert.equal(glom.max, 0);
    });
  });
  it('writes a 16-bit instance PNG on request or beyond 255 instances', () => {
    const many: Annotation[] = [];
    for (let k = 0; k < 300; k++) { const x = k % 20 * 25, y = Math.floor(k / 20) * 30; many.push({ type: 'blood_vessel', rings: [[[x, y], [x + 3, y], [x + 3, y + 3], [x, y + 3]]], area: 9 }); }
    assert.equal(instanceMaskPng(many).bits, 16);
    assert.equal(instanceMaskPng(many.slice(0, 3)).bits, 8);
    assert.equal(instanceMaskPng(many.slice(0, 3), { bits: 16 }).bits, 16);
    fs.writeFileSync(path.join(dir, 'many.png'), instanceMaskPng(many).png);
    const [r] = py('export_ref.py', 'png', path.join(dir, 'many.png')).map((l) => JSON.parse(l) as { dtype: string; max: number });
    assert.deepEqual([r.dtype, r.max], ['uint16', 300]);
  });
});

describe('exportTiles', () => {
  it('writes every kind for a selection, reports progress per tile', async () => {
    const pick = lines.slice(0, 5);
    const progress: string[] = [];
    const sum = await exportTiles(pick.map((l) => ({ id: l.id, annotations: async () => anns(l) })), {
      outDir: path.join(dir, 'all'), kinds: ['class-masks', 'instance-masks', 'geojson', 'coco'], onProgress: (d, t, id) => progress.push(`${d}/${t} ${id}`),
    });
    assert.deepEqual(progress, pick.map((l, k) => `${k + 1}/5 ${l.id}`));
    assert.equal(sum.files.length, 5 * 5 + 1);
    assert.equal(sum.annotations, pick.reduce((s, l) => s + l.annotations.length, 0));
    const coco = JSON.parse(fs.readFileSync(path.join(dir, 'all', 'coco.json'), 'utf8')) as { images: unknown[]; annotations: unknown[] };
    assert.deepEqual([coco.images.length, coco.annotations.length], [5, sum.annotations]);
    const gj = JSON.parse(fs.readFileSync(path.join(dir, 'all', 'geojson', `${pick[0].id}.geojson`), 'utf8')) as { features: unknown[] };
    assert.equal(gj.features.length, pick[0].annotations.length);
  });
  it('stops on abort, after the tile in progress, and writes no coco.json', async () => {
    const ac = new AbortController();
    let done = 0;
    await assert.rejects(
      exportTiles(lines.slice(0, 10).map((l) => ({ id: l.id, annotations: anns(l) })), {
        outDir: path.join(dir, 'aborted'), kinds: ['geojson', 'coco'], signal: ac.signal,
        onProgress: (d) => { done = d; if (d === 3) ac.abort(); },
      }),
      (e: unknown) => e instanceof Error && e.name === 'AbortError',
    );
    assert.equal(done, 3);
    assert.equal(fs.readdirSync(path.join(dir, 'aborted', 'geojson')).length, 3);
    assert.equal(fs.existsSync(path.join(dir, 'aborted', 'coco.json')), false);
  });
});
