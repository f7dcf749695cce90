/**
 * The one pass over polygons.jsonl (byte scanner for clean lines) against the JSON.parse road
 * (every line JSON.parsed and checked by checkPolygonLine, as the index always did, its polygons
 * flattened by flattenParsed as the dashboard's old second pass did for odd lines): the index,
 * every Problem, and the Dataset Overview's pass and data read from the index, on the real sample,
 * a synthetic set, every damaged line of brokenInputs and more, seeded fuzz on real lines and the
 * files of ../shared/data/bad-inputs. Finding by finding, count by count. (Until the old second
 * pass over the file was deleted, the dashboard side was compared with it here: commit "One pass
 * over polygons.jsonl, part 1".)
 */
import { describe, it, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { indexDataset } from '../../src/core/dataset/datasetIndex';
import { nodeFileReader } from '../../src/core/dataset/fileReader';
import { readPolygonsJsonl } from '../../src/core/dataset/polygonsJsonl';
import { limits, setLimits } from '../../src/core/limits/limits';
import { passFromIndex, type PolygonPass } from '../../src/core/overview/polygonPass';
import { buildDashboard } from '../../src/core/overview/overviewData';
import { writeSyntheticDataset } from '../../src/core/synthetic/writeSyntheticDataset';
import type { DatasetIndex } from '../../src/core/types/types';
import { BAD_INPUTS, copyDataset, SAMPLE, tempDir } from './helpers/paths';
import { seededRandom } from './support/seededRandom';

const sampleLines = fs.readFileSync(path.join(SAMPLE, 'polygons.jsonl'), 'utf8').split('\n').filter((l) => l.trim());
const made: string[] = [];
after(() => { for (const d of made) fs.rmSync(d, { recursive: true, force: true }); });

/** A copy of the sample (csv files, linked images) whose polygons.jsonl holds `content`. */
function withPolygons(content: string | Buffer): string {
  const dir = copyDataset();
  made.push(dir);
  fs.writeFileSync(path.join(dir, 'polygons.jsonl'), content);
  return dir;
}

/** Everything the index says about polygons.jsonl, in a form deepEqual compares exactly (tiles in map order). */
function indexView(index: DatasetIndex) {
  return {
    problems: index.problems,
    stats: index.stats,
    areaHist: index.areaHist,
    tiles: [...index.tiles.values()],
  };
}

const passView = (p: PolygonPass) => ({ ...p, ms: 0, tiles: [...p.tiles] });

interface Compared { scanned: number; lines: number; problems: number }

/** Index dir both ways and compare: problems, counts, areas, offsets, per-tile numbers; then the dashboard's pass and data. */
async function compare(dir: string, what: string): Promise<Compared> {
  const fast = await indexDataset(dir);
  const ref = await indexDataset(dir, { parseEveryLine: true });
  const a = indexView(fast), b = indexView(ref);
  assert.equal(a.problems.length, b.problems.length, `${what}: number of problems`);
  for (let k = 0; k < a.problems.length; k++) assert.deepEqual(a.problems[k], b.problems[k], `${what}: problem ${k + 1}`);
  assert.deepEqual(a.stats, b.stats, `${what}: counts`);
  assert.deepEqual(a.areaHist, b.areaHist, `${what}: area histogram`);
  assert.equal(a.tiles.length, b.tiles.length, `${what}: tiles`);
  for (let k = 0; k < a.tiles.length; k++) assert.deepEqual(a.tiles[k], b.tiles[k], `${what}: tile ${a.tiles[k].id}`);
  // The dashboard: the pass and the chart data read from each index.
  const fromIndex = passFromIndex(fast);
  const fromParse = passFromIndex(ref);
  assert.deepEqual(passView(fromIndex), passView(fromParse), `${what}: the dashboard's polygon pass`);
  const data = (p: PolygonPass, i: DatasetIndex) => ({ ...buildDashboard(i, p), timing: undefined });
  assert.deepEqual(data(fromIndex, fast), data(fromParse, ref), `${what}: the dashboard's data`);
  const lines = fs.existsSync(path.join(dir, 'polygons.jsonl')) ? ref.stats.polygonLines : 0;
  return { scanned: fast.stats.polygonLines, lines, problems: fast.problems.length };
}

/** Damaged and odd lines: each replaces one sample line. */
const L = (n: number) => sampleLines[n];
const obj = (n: number) => JSON.parse(L(n)) as { id: string; annotations: { type: string; coordinates: number[][][] }[] };
const DAMAGE: [string, string][] = [
  ['truncated', L(4).slice(0, 300)],
  ['NaN coordinate', L(6).replace(/\[(\d+),(\d+)\]/, '[NaN,$2]')],
  ['Infinity coordinate', L(6).replace(/\[(\d+),(\d+)\]/, '[$1,-Infinity]')],
  ['string coordinate', L(8).replace(/\[(\d+),(\d+)\]/, '["$1",$2]')],
  ['fraction coordinate', L(9).replace(/\[(\d+),(\d+)\]/, '[$1.5,$2]')],
  ['exponent coordinate', L(9).replace(/\[(\d+),(\d+)\]/, '[1e2,$2]')],
  ['leading zero', L(9).replace(/\[(\d+),(\d+)\]/, '[0$1,$2]')],
  ['negative and -0', L(10).replace(/\[(\d+),(\d+)\]/, '[-3,-0]')],
  ['16-digit number', L(10).replace(/\[(\d+),(\d+)\]/, '[1234567890123456,$2]')],
  ['point outside', L(11).replace(/\[(\d+),(\d+)\]/g, (m, x: string, y: string) => (Number(x) > 250 ? `[${Number(x) + 300},${y}]` : m))],
  ['unknown type', L(12).replace('"blood_vessel"', '"vessel"')],
  ['type not a string', L(12).replace('"type":"blood_vessel"', '"type":7').replace('"type": "blood_vessel"', '"type": 7')],
  ['no type', JSON.stringify({ ...obj(13), annotations: obj(13).annotations.map((a, k) => (k === 0 ? { coordinates: a.coordinates } : a)) })],
  ['no coordinates', JSON.stringify({ ...obj(13), annotations: obj(13).annotations.map((a, k) => (k === 0 ? { type: a.type } : a)) })],
  ['empty coordinates', JSON.stringify({ ...obj(14), annotations: obj(14).annotations.map((a, k) => (k === 0 ? { type: a.type, coordinates: [] } : a)) })],
  ['empty ring', JSON.stringify({ ...obj(14), annotations: obj(14).annotations.map((a, k) => (k === 0 ? { type: a.type, coordinates: [[]] } : a)) })],
  ['two-point ring', JSON.stringify({ ...obj(15), annotations: obj(15).annotations.map((a, k) => (k === 0 ? { type: a.type, coordinates: [a.coordinates[0].slice(0, 2)] } : a)) })],
  ['a hole', JSON.stringify({ ...obj(16), annotations: obj(16).annotations.map((a, k) => (k === 0 ? { type: a.type, coordinates: [a.coordinates[0], a.coordinates[0].slice(0, 5)] } : a)) })],
  ['zero area', JSON.stringify({ ...obj(17), annotations: [...obj(17).annotations, { type: 'glomerulus', coordinates: [[[1, 1], [2, 2], [3, 3]]] }] })],
  ['duplicate polygon', JSON.stringify({ ...obj(18), annotations: [...obj(18).annotations, obj(18).annotations[0]] })],
  ['extra point component', L(19).replace(/\[(\d+),(\d+)\]/, '[$1,$2,7]')],
  ['annotation not an object', JSON.stringify({ ...obj(20), annotations: [3, ...obj(20).annotations] })],
  ['annotations not a list', JSON.stringify({ id: obj(21).id, annotations: {} })],
  ['no annotations', JSON.stringify({ id: obj(21).id })],
  ['empty annotations', JSON.stringify({ id: obj(22).id, annotations: [] })],
  ['no id', JSON.stringify({ annotations: obj(23).annotations })],
  ['id a number', JSON.stringify({ id: 5, annotations: obj(23).annotations })],
  ['empty id', JSON.stringify({ id: '', annotations: obj(24).annotations })],
  ['escaped id', JSON.stringify({ id: 'ab\\"cd', annotations: obj(25).annotations })],
  ['unicode id', JSON.stringify({ id: 'tïle', annotations: obj(25).annotations })],
  ['extra key', JSON.stringify({ ...obj(26), source: 'x' })],
  ['extra annotation key', JSON.stringify({ ...obj(26), annotations: obj(26).annotations.map((a) => ({ ...a, score: 1 })) })],
  ['repeated key', L(27).replace(/^\{/, `{"id":"ffffffffffff",`)],
  ['keys reordered, spaced', JSON.stringify({ annotations: obj(28).annotations.map((a) => ({ coordinates: a.coordinates, type: a.type })), id: obj(28).id }, null, 1).replace(/\n/g, ' ')],
  ['tabs and CR inside', L(29).replace(/,/g, ',\t').replace(/:/g, ' :\r')],
  ['valid JSON, not an object', '[1, 2, 3]'],
  ['a string line', '"hello"'],
  ['trailing garbage', L(30) + ' x'],
  ['two objects on a line', L(31) + L(32)],
  ['BOM inside the file', '\uFEFF' + L(33)],
  ['only a BOM', '\uFEFF'],
  ['non-breaking spaces only', '\u00a0\u00a0'],
  ['duplicate tile line', L(0)],
  ['invalid UTF-8 in the id', '\u0000INVALID'],
  ['an ASCII id that is not safe (id-not-safe)', JSON.stringify({ id: '../etc/pass.wd', annotations: obj(34).annotations })],
  ['an ASCII id of another shape', JSON.stringify({ id: 'TILE_0001', annotations: obj(35).annotations })],
];

describe('one pass over polygons.jsonl: scanner and JSON.parse road agree finding by finding', () => {
  it('the real hhv-sample: every line scanned, same index, same dashboard', async () => {
    const r = await compare(SAMPLE, 'hhv-sample');
    assert.equal(r.lines, 221);
    const index = await indexDataset(SAMPLE);
    assert.equal(index.stats.polygonLines, 221);
  });

  it('each damaged or odd line, one file per damage, and all of them in one file', async () => {
    const all = [...sampleLines];
    for (const [k, [what, text]] of DAMAGE.entries()) {
      const lines = [...sampleLines];
      lines[40 + k] = text;
      all[40 + k] = text;
      let content: string | Buffer = lines.join('\n') + '\n';
      if (what === 'invalid UTF-8 in the id') {
        const bad = Buffer.from(`{"id":"ab\xff\xfecd","annotations":[]}`, 'latin1');
        content = Buffer.concat([Buffer.from(lines.slice(0, 40 + k).join('\n') + '\n'), bad, Buffer.from('\n' + lines.slice(41 + k).join('\n') + '\n')]);
      }
      await compare(withPolygons(content), what);
    }
    const r = await compare(withPolygons(all.join('\n') + '\n'), 'every damage at once');
    assert.ok(r.problems > DAMAGE.length, `the damages produce findings (${r.problems})`);
  });

  it('line ends and file edges: BOM, CRLF, no final newline, blank lines, an empty file, no file', async () => {
    await compare(withPolygons('\uFEFF' + sampleLines.join('\r\n') + '\r\n'), 'BOM + CRLF');
    await compare(withPolygons(sampleLines.join('\n')), 'no final newline');
    await compare(withPolygons(sampleLines.join('\n\n  \n') + '\n\n'), 'blank lines');
    await compare(withPolygons(''), 'empty file');
    const dir = withPolygons('');
    fs.rmSync(path.join(dir, 'polygons.jsonl'));
    await compare(dir, 'no polygons.jsonl');
  });

  it('seeded fuzz: 10 files of randomly damaged real lines', async () => {
    const ALPHABET = ['[', ']', '{', '}', ',', ':', '"', '-', '.', 'e', '1', '0', ' ', '\\', 'x', 'null', '1.5', '"type"', '"coordinates"', '"glomerulus"', '\t', '600', '[1,2]'];
    const rnd = seededRandom(11);
    for (let f = 0; f < 10; f++) {
      const lines = sampleLines.map((line) => {
        if (rnd() < 0.5) return line;
        let s = line;
        for (let e = 1 + Math.floor(rnd() * 3); e > 0; e--) {
          const at = Math.floor(rnd() * s.length);
          const op = rnd();
          if (op < 0.4) s = s.slice(0, at) + s.slice(at + 1 + Math.floor(rnd() * 3));
          else if (op < 0.85) s = s.slice(0, at) + ALPHABET[Math.floor(rnd() * ALPHABET.length)] + s.slice(at);
          else s = s.slice(0, at);
        }
        return s;
      });
      await compare(withPolygons(lines.join('\n') + '\n'), `fuzz file ${f + 1}`);
    }
  });

  it('under small caps (hostile inputs): a ring over the points cap, a line over the length cap', async () => {
    const saved = { ...limits() };
    try {
      setLimits({ pointsPerPolygon: 40, polygonsLineBytes: 20_000 });
      const r = await compare(withPolygons(sampleLines.join('\n') + '\n'), 'points cap 40, line cap 20000 bytes');
      const index = await indexDataset(made[made.length - 1]);
      const codes = new Set(index.problems.map((p) => p.code));
      assert.ok(codes.has('ring-too-many-points') && codes.has('line-too-long'), `both caps hit: ${[...codes].join(', ')}`);
      assert.ok(r.scanned > 0);
    } finally {
      setLimits(saved);
    }
  });

  it('a synthetic set (generated, 400 tiles)', async () => {
    const out = tempDir('vex-onepass-syn-');
    made.push(out);
    await writeSyntheticDataset({ out, tiles: 400, images: 'none', seed: 7 });
    const r = await compare(out, 'synthetic 400');
    assert.ok(r.lines > 50, `synthetic lines ${r.lines}`);
  });

  it('every file of ../shared/data/bad-inputs read as a polygons.jsonl', async () => {
    const names = fs.readdirSync(BAD_INPUTS);
    assert.ok(names.length > 0);
    for (const n of names) await compare(withPolygons(fs.readFileSync(path.join(BAD_INPUTS, n))), `bad-inputs/${n}`);
  });

  it('the scanner reads clean lines itself (the JSON.parse road is not taken for them)', async () => {
    const r = await readPolygonsJsonl(nodeFileReader, path.join(SAMPLE, 'polygons.jsonl'), 'polygons.jsonl');
    assert.equal(r.scanned, 221);
    assert.equal(r.parsed, 0);
    const dir = withPolygons([...sampleLines.slice(0, 3), L(12).replace('"blood_vessel"', '"vessel"')].join('\n'));
    const d = await readPolygonsJsonl(nodeFileReader, path.join(dir, 'polygons.jsonl'), 'polygons.jsonl');
    assert.equal(d.scanned, 3);
    assert.equal(d.parsed, 1);
  });
});
