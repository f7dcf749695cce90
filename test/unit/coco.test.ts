import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Annotation, Ring } from '../../src/core/types/types';
import { parseCoco, lineColumnAt, tileIdFromFileName } from '../../src/core/interchange/cocoImport';
import { crossCheckCocoFileNames } from '../../src/core/interchange/cocoFileNameCheck';
import { toCoco } from '../../src/core/interchange/cocoExport';
import { rasterizeRing, rasterizeAnnotation } from '../../src/core/geometry/rasterize';
import { maskToRuns, runsToCountsString } from '../../src/core/metric/rleCoco';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const data = path.resolve(repoRoot, '..', 'shared', 'data');
const badCocoPath = path.join(data, 'bad-inputs', 'coco_mismatched_file_names.json');
const badCocoText = fs.readFileSync(badCocoPath, 'utf8');
interface Line { id: string; annotations: { type: Annotation['type']; coordinates: Ring[] }[] }
const lines: Line[] = fs.readFileSync(path.join(data, 'hhv-sample', 'polygons.jsonl'), 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Line);
const reference = new Map<string, Annotation[]>(lines.map((l) => [l.id, l.annotations.map((a) => ({ type: a.type, rings: a.coordinates, area: 0 }))]));
const referenceLines = new Map(lines.map((l, k) => [l.id, k + 1]));
// Independent truth for the broken file: annotation image_id k belongs to the k-th dataset-1 id in sorted order.
const ds1Sorted = fs.readFileSync(path.join(data, 'hhv-sample', 'tile_meta.csv'), 'utf8').split('\n').slice(1)
  .map((l) => l.split(',')).filter((c) => c[2] === '1').map((c) => c[0]).sort();

describe('parseCoco', () => {
  const raw = JSON.parse(badCocoText) as { images: { id: number; file_name: string }[]; annotations: { image_id: number }[] };
  const r = parseCoco(badCocoText, 'bad-inputs/coco_mismatched_file_names.json');
  it('reads the real Detectron2 file: every image and polygon, keyed by the file_name basename', () => {
    assert.equal(r.images.length, raw.images.length);
    assert.equal(r.images.length, 85);
    assert.deepEqual(r.stats, { annotations: 674, polygons: 674, rle: 0, skipped: 0 });
    assert.deepEqual(r.problems, []);
    const first = raw.images[0];
    assert.equal(r.images[0].tileId, '1a785cc0d167');
    const perImage = raw.annotations.filter((a) => a.image_id === first.id).length;
    assert.equal(r.tiles.get('1a785cc0d167')!.length, perImage);
    assert.equal([...r.tiles.values()].reduce((s, a) => s + a.length, 0), 674);
  });
  it('locates each image entry: line and column point at its file_name string', () => {
    for (const im of r.images) {
      assert.equal(im.line, 1); // the file is one line
      assert.equal(badCocoText.substr(im.column - 1, im.fileName.length + 2), JSON.stringify(im.fileName));
    }
  });
  it('helpers: line/column, tile id from Windows and POSIX paths', () => {
    assert.deepEqual(lineColumnAt('ab\ncd\nef', 4), { line: 2, column: 2 });
    assert.equal(tileIdFromFileName('C:\\data\\train\\0033bbc76b6b.tif'), '0033bbc76b6b');
    assert.equal(tileIdFromFileName('0033bbc76b6b'), '0033bbc76b6b');
  });
  it('reports malformed JSON at its line and column', () => {
    const p = parseCoco('{\n  "images": [\n    {"id": 1,, }\n  ]\n}', 'x.json');
    assert.equal(p.problems.length, 1);
    assert.equal(p.problems[0].code, 'coco-json-malformed');
    assert.equal(p.problems[0].line, 3);
    assert.equal(p.problems[0].column, 14); // the second comma
  });
  it('reports orphan annotations, unknown categories and unusable segmentations, grouped', () => {
    const doc = {
      images: [{ id: 1, file_name: 'a.png', width: 512, height: 512 }],
      categories: [{ id: 1, name: 'blood_vessel' }, { id: 2, name: 'cat' }],
      annotations: [
        { id: 1, image_id: 9, category_id: 1, segmentation: [[0, 0, 5, 0, 5, 5]] },
        { id: 2, image_id: 1, category_id: 2, segmentation: [[0, 0, 5, 0, 5, 5]] },
        { id: 3, image_id: 1, category_id: 1, segmentation: [[0, 0, 5]] },
        { id: 4, image_id: 1, category_id: 1, segmentation: [[0, 0, 5, 0, 5, 5]] },
      ],
    };
    const p = parseCoco(JSON.stringify(doc), 'y.json');
    assert.deepEqual(p.problems.map((q) => q.code).sort(), ['coco-annotation-category', 'coco-bad-segmentation', 'coco-orphan-annotation', 'coco-unknown-category']);
    assert.equal(p.tiles.get('a')!.length, 1);
    assert.equal(p.tiles.get('a')![0].area, 12.5);
  });
  it('reads RLE segmentation (compressed and uncompressed) back into rings that rasterise to the same mask', () => {
    const pick = lines.slice(0, 12).flatMap((l) => l.annotations.map((a) => a.coordinates[0])).slice(0, 60);
    const masks = pick.map((ring) => rasterizeRing(ring));
    const doc = {
      images: [{ id: 1, file_name: 'rle.tif', width: 512, height: 512 }],
      categories: [{ id: 1, name: 'blood_vessel' }],
      annotations: masks.map((m, k) => {
        const runs = maskToRuns(m, 512, 512);
        return { id: k + 1, image_id: 1, category_id: 1, iscrowd: 0, segmentation: { size: [512, 512], counts: k % 2 ? runs : runsToCountsString(runs) } };
      }),
    };
    const p = parseCoco(JSON.stringify(doc), 'rle.json');
    assert.equal(p.stats.rle, masks.length);
    const anns = p.tiles.get('rle')!;
    let exact = 0, diffPx = 0;
    anns.forEach((a, k) => {
      const back = rasterizeAnnotation(a);
      let d = 0, n = 0;
      for (let i = 0; i < back.length; i++) { if (back[i] !== masks[k][i]) d++; n += masks[k][i]; }
      assert.equal(a.area, n);
      if (d === 0) exact++;
      diffPx += d;
    });
    console.log(`  RLE -> ring -> mask: ${exact}/${masks.length} exact, ${diffPx} px differ in all`);
    assert.ok(exact >= masks.length - 1);
    assert.ok(diffPx <= 4);
  });
});

describe('crossCheckCocoFileNames', () => {
  const coco = parseCoco(badCocoText, 'bad-inputs/coco_mismatched_file_names.json');
  const named = coco.images.map((im) => im.tileId);
  const truth = coco.images.map((im) => ds1Sorted[im.id]);
  const inBoth = coco.images.filter((im, k) => reference.has(named[k]) && reference.has(truth[k]));
  const truthInSample = coco.images.filter((_, k) => reference.has(truth[k]));
  const t0 = Date.now();
  const check = crossCheckCocoFileNames(coco, reference, { referenceFile: 'hhv-sample/polygons.jsonl', referenceLines });
  const ms = Date.now() - t0;
  it('flags the real broken file: each flagged image points at the tile that really holds its polygons', () => {
    console.log(`  sample overlap: ${named.filter((n) => reference.has(n)).length} named tiles in the sample, ${truthInSample.length} true tiles, ${inBoth.length} both; ${check.mismatches.length} flagged of ${check.checked} checked (${ms} ms)`);
    assert.equal(truth.filter((t, k) => t === named[k]).length, 0);
    for (const m of check.mismatches) {
      assert.equal(m.likelyTile, ds1Sorted[m.imageId], `image ${m.imageId}`);
      assert.ok(m.iouLikely > 0.99, `image ${m.imageId}: IoU ${m.iouLikely}`);
    }
    assert.deepEqual(check.mismatches.map((m) => m.imageId).sort((a, b) => a - b), truthInSample.map((im) => im.id).sort((a, b) => a - b));
    assert.equal(check.confirmed, 0);
    // Named tile in the sample but true tile not: cannot point at the right tile, only say it is off.
    const offOnly = coco.images.filter((im, k) => reference.has(named[k]) && !reference.has(truth[k]));
    assert.deepEqual(check.unmatched.map((u) => u.imageId), offOnly.map((im) => im.id));
    assert.ok(check.unmatched.every((u) => u.iouNamed < 0.2));
    assert.equal(check.problems.filter((p) => p.code === 'coco-polygons-off-tile').length, offOnly.length);
  });
  it('for tiles present under both names, the named tile overlaps far worse than the true one', () => {
    assert.ok(inBoth.length >= 10, `${inBoth.length}`);
    for (const im of inBoth) {
      const m = check.mismatches.find((x) => x.imageId === im.id)!;
      assert.ok(m, `image ${im.id} not flagged`);
      assert.ok(m.iouNamed !== undefined && m.iouNamed < 0.2, `image ${im.id}: named IoU ${m.iouNamed}`);
    }
  });
  it('reports one located warning per image and one error for the file that says what to do', () => {
    const file = check.problems.filter((p) => p.code === 'coco-file-names-wrong');
    assert.equal(file.length, 1);
    assert.equal(file[0].line, 0);
    assert.equal(file[0].severity, 'error');
    assert.match(file[0].message, /sorted order of tile ids/);
    assert.match(file[0].message, /regenerate it/);
    const per = check.problems.filter((p) => p.code === 'coco-file-name-mismatch');
    assert.equal(per.length, check.mismatches.length);
    const p0 = per.find((p) => p.message.startsWith('Image 0 '))!;
    assert.equal(p0.line, 1);
    assert.equal(badCocoText.substr(p0.column! - 1, 20), '"/home/ec2-user/hubm');
    assert.match(p0.message, /named 1a785cc0d167, but its polygons match tile 0033bbc76b6b in hhv-sample\/polygons.jsonl \(line \d+\) with mask IoU 1\.00/);
    console.log(`  e.g. ${p0.message}`);
  });
  it('a consistent COCO file (our own export of the sample) passes, and shifting its file_names is caught', () => {
    const own = toCoco(lines.map((l) => ({ id: l.id, annotations: reference.get(l.id)! })));
    const ok = crossCheckCocoFileNames(parseCoco(JSON.stringify(own), 'own.json'), reference);
    assert.deepEqual([ok.mismatches.length, ok.unmatched.length, ok.problems.length, ok.confirmed, ok.checked], [0, 0, 0, 221, 221]);
    const names = own.images.map((im) => im.file_name);
    own.images.forEach((im, k) => { im.file_name = names[(k + 1) % names.length]; });
    const shifted = crossCheckCocoFileNames(parseCoco(JSON.stringify(own), 'shifted.json'), reference);
    assert.equal(shifted.mismatches.length, 221);
    assert.ok(shifted.mismatches.every((m) => m.likelyTile === lines[own.images.findIndex((im) => im.id === m.imageId)].id));
  });
});
