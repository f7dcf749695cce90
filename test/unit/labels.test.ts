import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { indexDataset } from '../../src/core/dataset/datasetIndex';
import { memoryFileReader } from '../../src/core/dataset/fileReader';
import { readTileAnnotations } from '../../src/core/dataset/polygonsJsonl';
import { DEFAULT_LABEL_OPTIONS, type LabelOptions } from '../../src/core/labels/labelOptions';
import { LabelsError } from '../../src/core/labels/outputFolder';
import { prepareLabels } from '../../src/core/labels/prepareLabels';
import { tileLabels } from '../../src/core/labels/tileLabels';
import { main } from '../../src/cli/main';
import { runPython } from './support/runPython';
import { copyDataset, SAMPLE, tempDir } from './helpers/paths';

const POLY = path.join(SAMPLE, 'polygons.jsonl');
const ALL_FORMATS: LabelOptions = { ...DEFAULT_LABEL_OPTIONS, formats: { binaryMasks: { value: 1 }, labelPng: true, instancePng: true, yolo: true, coco: true } };
const dirs: string[] = [];
const tmp = (p?: string) => { const d = tempDir(p); dirs.push(d); return d; };
after(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });

/** A copy of the sample (removed after), its polygons.jsonl lines, and the index of the first line whose tile has an image. */
function copyWithAnnotatedTile(): { ds: string; lines: string[]; k: number } {
  const ds = copyDataset();
  dirs.push(ds);
  const lines = fs.readFileSync(path.join(ds, 'polygons.jsonl'), 'utf8').split('\n').filter(Boolean);
  const images = new Set(fs.readdirSync(path.join(ds, 'train')).map((n) => n.slice(0, -4)));
  return { ds, lines, k: lines.findIndex((l) => images.has((JSON.parse(l) as { id: string }).id)) };
}

describe('Training data from the real sample', () => {
  let out = '';
  let result: Awaited<ReturnType<typeof prepareLabels>>;
  before(async () => {
    out = path.join(tmp('labels-'), 'out');
    result = await prepareLabels({ root: SAMPLE, out, options: ALL_FORMATS, tool: { name: 'test', version: '0' } });
  });

  it('writes the 27 tiles that have an image and a polygons line, and reports the 194 without an image', () => {
    const m = result.manifest;
    assert.equal(m.counts.tiles, 27);
    assert.equal(fs.readdirSync(path.join(out, 'masks', 'blood_vessel')).length, 27);
    assert.equal(m.skipped.tilesWithoutImage.count, 194);
    assert.equal(m.counts.instances.blood_vessel, fs.readdirSync(path.join(out, 'labels')).reduce((s, f) => s + fs.readFileSync(path.join(out, 'labels', f), 'utf8').trim().split('\n').filter(Boolean).length, 0));
    assert.ok(fs.lstatSync(path.join(out, 'images', fs.readdirSync(path.join(out, 'images'))[0])).isSymbolicLink(), 'images are linked, not copied');
    assert.equal(m.inputsHash.length, 64);
    assert.match(fs.readFileSync(path.join(out, 'README.md'), 'utf8'), /1 inside the class's polygons/);
  });

  it('masks, label map and 16-bit instance map equal Pillow ImageDraw.polygon pixel for pixel', () => {
    const r = runPython<{ tiles: number; mismatch: string[]; pixels: number }>('labels_ref.py', { cmd: 'masks', out, polygons: POLY, classes: ['blood_vessel'], value: 1 });
    assert.equal(r.tiles, 27);
    assert.deepEqual(r.mismatch, []);
    assert.ok(r.pixels > 10000, `only ${r.pixels} vessel pixels drawn`);
  });

  it('YOLO labels parse back to the polygons within 1/512, with class indices inside data.yaml names', () => {
    const r = runPython<{ names: Record<string, string>; nc: number; lines: number; maxErrPx: number; badClass: number; countMismatch: string[]; listed: number; missingImages: number }>('labels_ref.py', { cmd: 'yolo', out, polygons: POLY, classes: ['blood_vessel'], fold: 0 });
    assert.deepEqual(r.names, { 0: 'blood_vessel' });
    assert.equal(r.nc, 1);
    assert.deepEqual(r.countMismatch, []);
    assert.equal(r.badClass, 0);
    assert.equal(r.lines, result.manifest.counts.instances.blood_vessel);
    assert.ok(r.maxErrPx <= 1, `max error ${r.maxErrPx} px`);
    assert.equal(r.listed, 27, 'train + val lists of fold 0 hold every tile once');
    assert.equal(r.missingImages, 0);
  });

  it('COCO files carry the schema fields, consistent ids and shoelace areas', () => {
    const r = runPython<{ files: number; images: number; annotations: number; errors: string[]; maxAreaErr: number }>('labels_ref.py', { cmd: 'coco', out, polygons: POLY });
    assert.equal(r.files, 10, '5 folds x train/val');
    assert.deepEqual(r.errors, []);
    assert.equal(r.images, 27 * 5, 'each tile in one split of every fold');
    assert.equal(r.annotations, result.manifest.counts.instances.blood_vessel * 5);
    assert.ok(r.maxAreaErr < 1e-9, `area differs by ${r.maxAreaErr}`);
  });

  it('folds.csv lists every tile once; per-fold counts in the manifest add up', () => {
    const rows = fs.readFileSync(path.join(out, 'folds.csv'), 'utf8').trim().split('\n');
    assert.equal(rows[0], 'id,fold');
    assert.equal(rows.length - 1, 27);
    const m = result.manifest;
    assert.equal(m.folds.perFold.reduce((s, f) => s + f.tiles, 0), 27);
    assert.equal(m.folds.perFold.reduce((s, f) => s + (f.instances.blood_vessel ?? 0), 0), m.counts.instances.blood_vessel);
  });

  it('worker threads write the same bytes as the single-thread run', async () => {
    const out2 = path.join(tmp('labels-workers-'), 'out');
    await prepareLabels({ root: SAMPLE, out: out2, options: ALL_FORMATS, workers: 2, tool: { name: 'test', version: '0' } });
    const list = (d: string, rel = ''): string[] => fs.readdirSync(path.join(d, rel), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? list(d, path.join(rel, e.name)) : [path.join(rel, e.name)])).sort();
    const files = list(out).filter((f) => !['manifest.json', 'README.md'].includes(f) && !f.endsWith('.yaml'));
    assert.deepEqual(list(out2).filter((f) => !['manifest.json', 'README.md'].includes(f) && !f.endsWith('.yaml')), files);
    for (const f of files) assert.ok(fs.readFileSync(path.join(out, f)).equals(fs.readFileSync(path.join(out2, f))), f);
  });

  it('re-running with the same options into the same folder is a no-op', async () => {
    const before = fs.statSync(path.join(out, 'manifest.json')).mtimeMs;
    const again = await prepareLabels({ root: SAMPLE, out, options: ALL_FORMATS });
    assert.equal(again.upToDate, true);
    assert.equal(fs.statSync(path.join(out, 'manifest.json')).mtimeMs, before);
  });
});

describe('Output folder rules', () => {
  it('refuses a folder holding other files without force, and the CLI says so with exit 1', async () => {
    const out = tmp('labels-other-');
    fs.writeFileSync(path.join(out, 'notes.txt'), 'mine');
    await assert.rejects(prepareLabels({ root: SAMPLE, out, options: DEFAULT_LABEL_OPTIONS }), (e: unknown) => e instanceof LabelsError && e.code === 'other-files' && /notes\.txt/.test(e.message));
    const err: string[] = [];
    assert.equal(await main(['labels', SAMPLE, '--out', out], { out: () => undefined, err: (s) => err.push(s) }), 1);
    assert.match(err.join('\n'), /holds other files \(notes\.txt\).*--force/);
    assert.equal(await main(['labels', SAMPLE, '--out', out, '--force', '--formats', 'yolo'], { out: () => undefined, err: () => undefined }), 0);
    assert.equal(fs.readFileSync(path.join(out, 'notes.txt'), 'utf8'), 'mine', 'other files are kept');
    assert.ok(fs.existsSync(path.join(out, 'manifest.json')));
  });

  it('an output folder that cannot be written fails before any work with a clear message', async () => {
    const f = path.join(tmp('labels-file-'), 'a-file');
    fs.writeFileSync(f, '');
    await assert.rejects(prepareLabels({ root: SAMPLE, out: path.join(f, 'out'), options: DEFAULT_LABEL_OPTIONS }), (e: unknown) => e instanceof LabelsError && e.code === 'not-writable' && /Cannot write to the output folder .*a-file/.test(e.message));
  });

  it('never writes inside the dataset folder unless asked', async () => {
    const ds = copyDataset();
    dirs.push(ds);
    await assert.rejects(prepareLabels({ root: ds, out: path.join(ds, 'labels'), options: DEFAULT_LABEL_OPTIONS }), (e: unknown) => e instanceof LabelsError && e.code === 'inside-dataset');
    assert.equal(fs.existsSync(path.join(ds, 'labels')), false);
  });

  it('a cancelled run leaves no folder that looks complete', async () => {
    const out = path.join(tmp('labels-cancel-'), 'out');
    const ac = new AbortController();
    await assert.rejects(prepareLabels({ root: SAMPLE, out, options: ALL_FORMATS, signal: ac.signal, concurrency: 1, onProgress: (done) => { if (done >= 16) ac.abort(); } }), (e: unknown) => (e as Error).name === 'AbortError');
    assert.equal(fs.existsSync(path.join(out, 'manifest.json')), false);
    assert.equal(fs.existsSync(out), false, 'the folder the run created is removed again');
    const ac2 = new AbortController();
    await assert.rejects(prepareLabels({ root: SAMPLE, out, options: ALL_FORMATS, signal: ac2.signal, workers: 2, concurrency: 1, onProgress: (done) => { if (done >= 4) ac2.abort(); } }), (e: unknown) => (e as Error).name === 'AbortError');
    assert.equal(fs.existsSync(out), false, 'with worker threads too');
  });
});

describe('A tile filter', () => {
  it('restricts the version to the listed tiles (CLI --tiles-file) and records it', async () => {
    const dir = tmp('labels-filter-');
    const ids = fs.readdirSync(path.join(SAMPLE, 'train')).map((n) => n.slice(0, -4)).filter((id) => fs.readFileSync(POLY, 'utf8').includes(`"id":"${id}"`)).slice(0, 7);
    fs.writeFileSync(path.join(dir, 'ids.txt'), ids.join('\n') + '\n');
    const lines: string[] = [];
    assert.equal(await main(['labels', SAMPLE, '--out', path.join(dir, 'out'), '--tiles-file', path.join(dir, 'ids.txt'), '--folds', 'lowo', '--json'], { out: (s) => lines.push(s), err: () => undefined }), 0);
    const m = JSON.parse(lines.join('\n')) as { counts: { tiles: number }; options: { tileIds: string[]; tileFilter: string } };
    assert.equal(m.counts.tiles, 7);
    assert.deepEqual(m.options.tileIds, ids);
    assert.equal(m.options.tileFilter, 'ids in ids.txt');
    assert.deepEqual(fs.readFileSync(path.join(dir, 'out', 'folds.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')[0]).sort(), [...ids].sort());
  });
});

describe('An id that cannot be a file name never reaches one', () => {
  it('a tile whose id holds an RTL override (image, polygons line, a dataset) is left out and counted; nothing written carries the character', async () => {
    const { ds, lines, k } = copyWithAnnotatedTile();
    const src = JSON.parse(lines[k]) as { id: string; annotations: unknown[] };
    const evil = 'evil\u202egpj.exe';
    fs.appendFileSync(path.join(ds, 'polygons.jsonl'), JSON.stringify({ id: evil, annotations: src.annotations }) + '\n');
    fs.copyFileSync(path.join(ds, 'train', `${src.id}.tif`), path.join(ds, 'train', `${evil}.tif`));
    const meta = fs.readFileSync(path.join(ds, 'tile_meta.csv'), 'utf8');
    const row = meta.split(/\r?\n/).find((l) => l.startsWith(`${src.id},`))!;
    fs.writeFileSync(path.join(ds, 'tile_meta.csv'), meta.replace(/\s*$/, '\n') + row.replace(src.id, evil) + '\n');
    // tile_meta.csv already refuses the row (not 12 hex characters), so the index leaves the tile
    // without a dataset; give it one, as a looser tile_meta reader might, to reach the export's own guard.
    const index = await indexDataset(ds);
    assert.ok(index.problems.some((p) => p.code === 'id-not-safe'), 'the index reports the id');
    const t = index.tiles.get(evil)!;
    assert.ok(t.image && t.polygonsLine !== undefined, 'image and polygons line are there');
    t.dataset = 1;
    t.wsi = 1;
    const out = path.join(tmp('labels-unsafe-'), 'out');
    const r = await prepareLabels({ root: ds, out, options: ALL_FORMATS, index });
    assert.equal(r.manifest.skipped.unsafeIds?.count, 1);
    assert.deepEqual(r.manifest.skipped.unsafeIds?.examples, ['evil\\u202egpj.exe']);
    assert.equal(r.manifest.counts.tiles, 27, 'the other tiles are all written');
    const names: string[] = [];
    const walk = (d: string) => { for (const e of fs.readdirSync(d, { withFileTypes: true })) { names.push(e.name); if (e.isDirectory()) walk(path.join(d, e.name)); } };
    walk(out);
    assert.ok(names.length > 27 * 3, `${names.length} files`);
    assert.equal(names.filter((n) => n.includes('\u202e')).length, 0);
    for (const f of ['folds.csv', 'README.md', 'manifest.json']) assert.ok(!fs.readFileSync(path.join(out, f), 'utf8').includes('\u202e'), f);
    assert.match(fs.readFileSync(path.join(out, 'README.md'), 'utf8'), /left out for an id that cannot be a file name: 1/);
  });
});

describe('Bad polygons are skipped by Problems code, never written', () => {
  it('counts each code in the manifest and writes the rest', async () => {
    const { ds, lines, k } = copyWithAnnotatedTile();
    const obj = JSON.parse(lines[k]) as { id: string; annotations: unknown[] };
    const good = obj.annotations.length;
    obj.annotations.push(
      { type: 'blood_vessel', coordinates: [[[1, 1], [2, 2]]] },
      { type: 'blood_vessel', coordinates: [[[10, 10], [600, 10], [10, 20]]] },
      { type: 'blood_vessel', coordinates: [[[5, 5], [6, 6], [7, 7]]] },
      { type: 'blood_vessel', coordinates: [[[5, 5], ['x', 6], [7, 9]]] },
      { type: 'artery', coordinates: [[[5, 5], [9, 6], [7, 9]]] },
    );
    lines[k] = JSON.stringify(obj);
    fs.writeFileSync(path.join(ds, 'polygons.jsonl'), lines.join('\n') + '\n');
    const out = path.join(tmp('labels-bad-'), 'out');
    const r = await prepareLabels({ root: ds, out, options: { ...DEFAULT_LABEL_OPTIONS, formats: { yolo: true } } });
    assert.deepEqual(r.manifest.skipped.byCode, { 'ring-too-short': 1, 'point-outside': 1, 'zero-area': 1, 'point-type': 1, 'unknown-type': 1 });
    assert.equal(fs.readFileSync(path.join(out, 'labels', `${obj.id}.txt`), 'utf8').trim().split('\n').length, good);
  });

  it('IoU-1 de-duplication drops identical and same-mask polygons of a class and counts them', () => {
    const ring: [number, number][] = [[10, 10], [30, 10], [30, 30], [10, 30]];
    const sameMask: [number, number][] = [[10, 10], [20, 10], [30, 10], [30, 30], [10, 30]];
    const raw = [{ type: 'blood_vessel', coordinates: [ring] }, { type: 'blood_vessel', coordinates: [ring] }, { type: 'blood_vessel', coordinates: [sameMask] }, { type: 'glomerulus', coordinates: [ring] }];
    const r = tileLabels(raw, { classes: ['blood_vessel', 'glomerulus'], unsure: 'drop', dedupe: true });
    assert.deepEqual(r.deduped, { exact: 1, sameMask: 1 });
    assert.deepEqual(r.instances.map((a) => a.type), ['blood_vessel', 'glomerulus']);
    assert.equal(tileLabels(raw, { classes: ['blood_vessel'], unsure: 'drop', dedupe: false }).instances.length, 3);
  });
});

describe('Index line offsets past the reader\'s first chunk', () => {
  it('every tile\'s offset and length read its own line back (64 KiB chunks over the real polygons.jsonl)', async () => {
    const text = fs.readFileSync(POLY);
    assert.ok(text.length > 4 * 65536, 'the file spans several chunks');
    const root = '/mem/ds';
    const fr = memoryFileReader({ [`${root}/polygons.jsonl`]: text });
    const index = await indexDataset(root, { reader: fr });
    let n = 0;
    for (const t of index.tiles.values()) {
      if (t.polygonsOffset === undefined) continue;
      const line = JSON.parse(text.toString('utf8', t.polygonsOffset, t.polygonsOffset + t.polygonsLength!)) as { id: string };
      assert.equal(line.id, t.id);
      assert.ok((await readTileAnnotations(fr, `${root}/polygons.jsonl`, { offset: t.polygonsOffset, length: t.polygonsLength! })).length > 0);
      n++;
    }
    assert.equal(n, 221);
  });
});
