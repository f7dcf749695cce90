/** The index's byte scanner of polygons.jsonl lines reads clean lines exactly as JSON.parse + flattenParsed do, and hands every other shape back to the JSON.parse road. */
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FlatAnnotations, flattenParsed } from '../../src/core/dataset/flatAnnotations';
import { scanPolygonLine } from '../../src/core/dataset/polygonScan';
import { readTileAnnotations } from '../../src/core/dataset/polygonsJsonl';
import { memoryFileReader } from '../../src/core/dataset/fileReader';
import { CLASS_NAMES } from '../../src/core/types/types';
import { SAMPLE } from './helpers/paths';

type Flat = { cls: string; rings: number[][][] }[];

/** The flat arrays back as nested annotations, for deep comparison. */
function nested(f: FlatAnnotations): Flat {
  const out: Flat = [];
  for (let a = 0; a < f.nAnn; a++) {
    const rings: number[][][] = [];
    for (let r = f.annRing[a]; r < f.annRing[a + 1]; r++) {
      const ring: number[][] = [];
      for (let k = f.ptStart[r]; k < f.ptStart[r + 1]; k++) ring.push([f.xs[k], f.ys[k]]);
      rings.push(ring);
    }
    out.push({ cls: CLASS_NAMES[f.cls[a]], rings });
  }
  return out;
}

const scan = (line: string): Flat | false => {
  const f = new FlatAnnotations();
  const buf = Buffer.from(`garbage\n${line}\n{"more":1}`, 'utf8'); // the line sits inside a larger chunk
  const start = 8, end = start + Buffer.byteLength(line);
  const id = scanPolygonLine(buf, start, end, f);
  if (id !== undefined) assert.equal(id, (JSON.parse(line) as { id: string }).id);
  return id !== undefined ? nested(f) : false;
};
const parsed = (line: string): Flat => {
  const f = new FlatAnnotations();
  flattenParsed(JSON.parse(line.replace(/^\uFEFF/, '')), f);
  return nested(f);
};

describe('scanPolygonLine on the real hhv-sample', () => {
  it('reads every line itself and keeps the same rings as readTileAnnotations (JSON.parse + its own filter)', async () => {
    const file = path.join(SAMPLE, 'polygons.jsonl');
    const text = fs.readFileSync(file, 'utf8');
    const reader = memoryFileReader({ '/p.jsonl': text });
    let offset = 0, lines = 0, polygons = 0;
    for (const line of text.split('\n')) {
      const length = Buffer.byteLength(line);
      if (line.trim()) {
        const mine = scan(line);
        assert.ok(mine, `line ${lines + 1} was not read by the scanner`);
        const theirs = await readTileAnnotations(reader, '/p.jsonl', { offset, length });
        assert.deepEqual(mine, theirs.map((a) => ({ cls: a.type, rings: a.rings })), `line ${lines + 1}`);
        lines++;
        polygons += mine.length;
      }
      offset += length + 1;
    }
    assert.equal(lines, 221);
    assert.ok(polygons > 1000, `${polygons} polygons`);
  });
});

describe('scanPolygonLine on hand-made lines', () => {
  const sq = '[[1,2],[3,4],[5,6]]';
  const same: [string, string][] = [
    ['whitespace everywhere', ` { "id" : "a" , "annotations" : [ { "type" : "glomerulus" , "coordinates" : [ [ [ 1 , 2 ] , [ 3 , 4 ] ,\t[ 5 , 6 ] ] ] } ] } \r`],
    ['coordinates before type, negative and zero values', `{"annotations":[{"coordinates":[[[-1,0],[-0,511],[512,-7]]],"type":"unsure"}],"id":"a"}`],
    ['empty annotations', `{"id":"a","annotations":[]}`],
    ['15-digit integers', `{"id":"a","annotations":[{"type":"unsure","coordinates":[[[999999999999999,1],[2,3],[4,5]]]}]}`],
  ];
  for (const [name, line] of same) {
    it(`reads ${name} as JSON.parse does`, () => {
      const mine = scan(line);
      assert.ok(mine, 'not read by the scanner');
      assert.deepEqual(mine, parsed(line));
    });
  }
  it('multi-ring annotations keep ring and point order', () => {
    assert.deepEqual(scan(`{"id":"a","annotations":[{"type":"glomerulus","coordinates":[${sq},[[7,8],[9,10],[11,12],[13,14]]]}]}`), [
      { cls: 'glomerulus', rings: [[[1, 2], [3, 4], [5, 6]], [[7, 8], [9, 10], [11, 12], [13, 14]]] },
    ]);
  });

  const handedBack: [string, string][] = [
    ['a fractional coordinate', `{"id":"a","annotations":[{"type":"unsure","coordinates":[[[1.5,2],[3,4],[5,6]]]}]}`],
    ['an exponent', `{"id":"a","annotations":[{"type":"unsure","coordinates":[[[1e2,2],[3,4],[5,6]]]}]}`],
    ['16 digits', `{"id":"a","annotations":[{"type":"unsure","coordinates":[[[1234567890123456,2],[3,4],[5,6]]]}]}`],
    ['a point of three numbers', `{"id":"a","annotations":[{"type":"unsure","coordinates":[[[1,2,0],[3,4],[5,6]]]}]}`],
    ['a string coordinate', `{"id":"a","annotations":[{"type":"unsure","coordinates":[[["1",2],[3,4],[5,6]]]}]}`],
    ['an escaped type', `{"id":"a","annotations":[{"type":"glomer\\u0075lus","coordinates":[${sq}]}]}`],
    ['an escaped key', `{"id":"a","annotations":[{"typ\\u0065":"glomerulus","coordinates":[${sq}]}]}`],
    ['a repeated key (JSON.parse keeps the last)', `{"id":"a","annotations":[{"type":"unsure","type":"glomerulus","coordinates":[${sq}]}]}`],
    ['another key', `{"id":"a","annotations":[{"type":"unsure","coordinates":[${sq}],"note":"x"}]}`],
    ['a null type', `{"id":"a","annotations":[{"type":null,"coordinates":[${sq}]}]}`],
    ['annotations that are not a list', `{"id":"a","annotations":{}}`],
    // Lines whose annotations the checks report (a Problem each): the JSON.parse road reads them.
    ['an unknown type', `{"id":"a","annotations":[{"type":"cell","coordinates":[${sq}]},{"type":"blood_vessel","coordinates":[${sq}]}]}`],
    ['no type', `{"id":"a","annotations":[{"coordinates":[${sq}]}]}`],
    ['a short ring beside a long one', `{"id":"a","annotations":[{"type":"blood_vessel","coordinates":[[[1,1],[2,2]],${sq}]}]}`],
    ['an empty ring', `{"id":"a","annotations":[{"type":"blood_vessel","coordinates":[${sq},[]]}]}`],
    ['empty coordinates', `{"id":"a","annotations":[{"type":"glomerulus","coordinates":[]}]}`],
    ['no annotations key', `{"id":"a"}`],
    ['an empty annotation object', `{"id":"a","annotations":[{}]}`],
    ['a UTF-8 BOM (the reader strips it from the first line only)', `\uFEFF{"id":"a","annotations":[{"type":"glomerulus","coordinates":[${sq}]}]}`],
    ['non-ASCII text in a type', `{"id":"a","annotations":[{"type":"glomérulus","coordinates":[${sq}]}]}`],
    ['a non-ASCII id', `{"id":"tïle","annotations":[]}`],
    ['an escaped id', `{"id":"a\\u0062","annotations":[]}`],
    ['an empty id', `{"id":"","annotations":[]}`],
    ['a numeric id', `{"id":5,"annotations":[]}`],
    ['another top-level key', `{"id":"a","annotations":[],"x":1}`],
    ['a repeated id', `{"id":"a","id":"b","annotations":[]}`],
  ];
  for (const [name, line] of handedBack) {
    it(`hands back ${name}, and flattenParsed reads it`, () => {
      assert.equal(scan(line), false);
      parsed(line); // must not throw
    });
  }
  it('flattenParsed: repeated key keeps the last, fractions stay, bad points drop only their ring', () => {
    assert.deepEqual(parsed(`{"id":"a","annotations":[{"type":"unsure","type":"glomerulus","coordinates":[${sq}]}]}`)[0].cls, 'glomerulus');
    assert.deepEqual(parsed(`{"id":"a","annotations":[{"type":"unsure","coordinates":[[[1.5,2],[3,4],[5,6]]]}]}`)[0].rings, [[[1.5, 2], [3, 4], [5, 6]]]);
    assert.deepEqual(parsed(`{"id":"a","annotations":[{"type":"unsure","coordinates":[[["1",2],[3,4],[5,6]],${sq}]}]}`)[0].rings, [[[1, 2], [3, 4], [5, 6]]]);
    assert.deepEqual(parsed(`{"id":"a","annotations":[{"type":"unsure","coordinates":[[[1,2,0],[3,4],[5,6]]]}]}`)[0].rings, [[[1, 2], [3, 4], [5, 6]]]);
  });
  it('rejects broken JSON instead of guessing', () => {
    for (const line of [`{"id":"a","annotations":[{"type":"unsure","coordinates":[${sq}]}]`, `{"id":"a","annotations":[{"type":"unsure","coordinates":[[[1,2],[3,4],[5,6],]]}]}`, `{"id":"a","annotations":[]} x`, `{"id":"a","annotations":[{"type":"unsure","coordinates":[[[01,2],[3,4],[5,6]]]}]}`]) {
      assert.equal(scan(line), false, line);
    }
  });
});
