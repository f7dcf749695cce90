import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { indexDataset } from '../../src/core/dataset/datasetIndex';
import { planContextTiles } from '../../src/core/labels/contextTiles';
import { checkLabelOptions, DEFAULT_LABEL_OPTIONS, type LabelOptions } from '../../src/core/labels/labelOptions';
import { prepareLabels, selectTiles } from '../../src/core/labels/prepareLabels';
import { parseLabelArgs } from '../../src/cli/labelsCommand';
import { validateFormValues } from '../../src/shared/labelsFormProtocol';
import { defaultFormValues, optionsFromForm } from '../../src/extension/labels/formOptions';
import { runPython } from './support/runPython';
import { SAMPLE, tempDir } from './helpers/paths';

interface Ref {
  padded: number; shifted: number; imageMismatch: string[]; maskMismatch: [string, number][]; neighbourPixels: number;
  yoloIoU: [string, number][]; yoloOutOfRange: number; cocoBad: string[]; cocoAreaRatio: [string, number][];
  expectedLeaks: [string, string][]; withNeighbours: string[];
}
const dirs: string[] = [];
after(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });
const outDir = () => { const d = tempDir('ctx-'); dirs.push(d); return path.join(d, 'out'); };
const FORMATS: LabelOptions['formats'] = { binaryMasks: { value: 1 }, labelPng: true, yolo: true, coco: true };
const pairKey = (a: string, b: string) => [a, b].sort().join(' / ');
// The real neighbours of the sample (tile_meta.csv i/j offsets of 512, both tiles annotated with an image): WSI 4 12040bd8cd09 | 2cad7b97ea7e (side by side), WSI 1 eda294658a0a over 0d6c0cfee2db.
const NEIGHBOURS = ['0d6c0cfee2db', '12040bd8cd09', '2cad7b97ea7e', 'eda294658a0a'];

function checkAgainstPython(out: string, pad: number, fill: 'reflect' | 'zero'): Ref {
  const r = runPython<Ref>('context_ref.py', { out, root: SAMPLE, pad, fill, value: 1, classes: ['blood_vessel'] });
  assert.deepEqual(r.imageMismatch, [], 'context images equal the crops of the real neighbour images (numpy)');
  assert.deepEqual(r.maskMismatch, [], 'context masks equal Pillow ImageDraw of the shifted polygons, pixel for pixel');
  assert.equal(r.yoloOutOfRange, 0, 'YOLO coordinates clipped into 0..1');
  const worst = r.yoloIoU.reduce((m, [, v]) => Math.min(m, v), 1);
  assert.ok(worst >= 0.99, `YOLO polygons drawn back match the masks (worst IoU ${worst})`);
  assert.deepEqual(r.cocoBad, [], 'COCO width/height are the context tile size');
  for (const [id, ratio] of r.cocoAreaRatio) assert.ok(Math.abs(ratio - 1) < 1e-3, `${id}: COCO area / shoelace of the YOLO polygons = ${ratio}`);
  return r;
}

describe('Context tiles on the real sample', () => {
  let out = '';
  let result: Awaited<ReturnType<typeof prepareLabels>>;
  let ref: Ref;
  before(async () => {
    out = outDir();
    result = await prepareLabels({ root: SAMPLE, out, options: { ...DEFAULT_LABEL_OPTIONS, formats: FORMATS, context: { pad: 64, fill: 'reflect', shifted: true, shiftedMinQuadrants: 2 } }, tool: { name: 'test', version: '0' } });
    ref = checkAgainstPython(out, 64, 'reflect');
  });

  it('pads every tile to 640 px from its real neighbours, the rest mirrored (numpy symmetric), and states it', () => {
    assert.equal(ref.padded, 27);
    assert.deepEqual(ref.withNeighbours, NEIGHBOURS);
    assert.equal(ref.neighbourPixels, 4 * 64 * 512, 'four tiles each take a 64 x 512 band from their neighbour');
    const m = result.manifest;
    assert.equal(m.context?.paddedTiles, 27);
    assert.match(m.context!.missing, /mirrored/);
    assert.match(fs.readFileSync(path.join(out, 'README.md'), 'utf8'), /padded by 64 px .*640 px square/);
  });

  it('builds the shifted tiles of the two real neighbour pairs (2 of 4 quadrants, the rest zero), in their anchor\'s fold', () => {
    assert.equal(ref.shifted, 2);
    assert.equal(result.manifest.context?.shiftedTiles, 2);
    const folds = new Map(fs.readFileSync(path.join(out, 'folds.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',') as [string, string]));
    assert.equal(folds.get('12040bd8cd09_shift256'), folds.get('12040bd8cd09'));
    assert.equal(folds.get('eda294658a0a_shift256'), folds.get('eda294658a0a'));
    assert.ok(fs.readFileSync(path.join(out, 'fold0_train.txt'), 'utf8').includes('images/') && [0, 1, 2, 3, 4].some((k) => fs.readFileSync(path.join(out, `fold${k}_val.txt`), 'utf8').includes('12040bd8cd09_shift256.png')));
  });

  it('reports exactly the context tiles whose source pixels lie in another fold (counted from folds.csv in Python)', () => {
    const expected = new Set(ref.expectedLeaks.map(([a, b]) => pairKey(a, b)));
    assert.ok([...expected].some((k) => k.includes('_shift256')), 'seed 42 puts the quadrants of a shifted tile in two folds');
    assert.deepEqual(new Set(result.leaks.map((l) => pairKey(l.a, l.b))), expected);
    assert.equal(result.manifest.context?.leakingPairs, expected.size);
  });
});

describe('Context tiles, zero fill and grouped folds', () => {
  it('zero-fills missing neighbours, and a scheme grouped by WSI has no context leak', async () => {
    const out = outDir();
    const r = await prepareLabels({ root: SAMPLE, out, options: { ...DEFAULT_LABEL_OPTIONS, formats: FORMATS, folds: { kind: 'leaveOneWsiOut' }, context: { pad: 32, fill: 'zero', shifted: true, shiftedMinQuadrants: 2 } } });
    const ref = checkAgainstPython(out, 32, 'zero');
    assert.equal(ref.padded, 27);
    assert.equal(ref.shifted, 2);
    assert.deepEqual(ref.expectedLeaks, []);
    assert.deepEqual(r.leaks, []);
    assert.match(r.manifest.context!.missing, /zero/);
  });

  it('needs all four quadrants by default: the sample has no full 2x2 block (checked in tile_meta.csv), so no shifted tile', async () => {
    const index = await indexDataset(SAMPLE);
    const { tiles } = selectTiles(index, DEFAULT_LABEL_OPTIONS);
    const src = (t: { id: string }, dx: number, dy: number) => ({ id: t.id, image: '', offset: 0, length: 0, checked: true, dataset: 1, dx, dy });
    assert.equal(planContextTiles(tiles, { pad: 0, fill: 'zero', shifted: true }, src).length, 0);
    assert.equal(planContextTiles(tiles, { pad: 0, fill: 'zero', shifted: true, shiftedMinQuadrants: 2 }, src).length, 2);
  });
});

describe('Context options from the CLI and the form', () => {
  it('parses --context-pad, --context-fill, --shifted and --shifted-min-quadrants', () => {
    const o = parseLabelArgs(['x', '--out', 'y', '--context-pad', '128', '--context-fill', 'zero', '--shifted', '--shifted-min-quadrants', '3']);
    assert.deepEqual(o.context, { pad: 128, fill: 'zero', shifted: true, shiftedMinQuadrants: 3 });
    assert.equal(parseLabelArgs(['x', '--out', 'y']).context, undefined);
  });
  it('refuses bad context options with a message saying what to change', () => {
    const bad = (context: LabelOptions['context'], formats = FORMATS) => checkLabelOptions({ ...DEFAULT_LABEL_OPTIONS, formats, context });
    assert.match(bad({ pad: 600, fill: 'zero', shifted: false }).join(' '), /0\.\.512/);
    assert.match(bad({ pad: 8, fill: 'zero', shifted: false, shiftedMinQuadrants: 0 }).join(' '), /1\.\.4/);
    assert.match(bad({ pad: 8, fill: 'reflect', shifted: false }, { ...FORMATS, instancePng: true }).join(' '), /instance PNGs/);
    assert.deepEqual(bad({ pad: 8, fill: 'reflect', shifted: true }), []);
  });
  it('the form carries the context fields through validation into the options', () => {
    const v = { ...defaultFormValues('/tmp/o'), contextPad: 128, contextFill: 'zero' as const, shifted: true };
    const ok = validateFormValues(v);
    assert.ok(ok.ok);
    assert.deepEqual(optionsFromForm(v).context, { pad: 128, fill: 'zero', shifted: true });
    assert.equal(optionsFromForm(defaultFormValues('/tmp/o')).context, undefined);
    assert.equal(validateFormValues({ ...v, contextPad: 513 }).ok, false);
  });
});
