/** Dataset Overview aggregates on the real sample equal counts computed independently (Python: csv, numpy, Pillow), plus hand-worked cases. */
import { describe, it, before } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { indexDataset } from '../../src/core/dataset/datasetIndex';
import { computeDashboard, type DashboardModel, type BarChart } from '../../src/core/overview/overviewData';
import { AREA_BIN_EDGES } from '../../src/core/overview/polygonPass';
import { qualityFilter, selectionFilter } from '../../src/core/overview/selection';
import { dashboardCsv, csvCell } from '../../src/core/overview/overviewCsv';
import { memoryFileReader } from '../../src/core/dataset/fileReader';
import { PYTHON, REPO_ROOT, SAMPLE } from './helpers/paths';

interface Ref {
  tiles: number;
  perWsi: Record<string, number>;
  classDs: Record<string, number>;
  classWsi: Record<string, number>;
  tilesWith: Record<string, number>;
  areaHist: Record<string, number[]>;
  tileAreaBins: Record<string, Record<string, number[]>>;
  vesselPx: Record<string, number>;
  vesselCounts: Record<string, number>;
  datasetOf: Record<string, number>;
  duplicates: [number, string[]];
  border: [number, string[]];
  overlaps: [number, string[]];
  noVessel: string[];
  slide: Record<string, string[]>;
  wsiMeta: Record<string, { age: string; sex: string }>;
}

const CLASSES = ['blood_vessel', 'glomerulus', 'unsure'] as const;
const STATES = ['annotated', 'notAnnotated', 'imageMissing'] as const;
const chart = (m: DashboardModel, id: string): BarChart => m.data.charts.find((c) => c.id === id)!;
const sorted = (a: string[]) => [...a].sort();

describe('Dataset Overview aggregates on the real hhv-sample', () => {
  let ref: Ref;
  let model: DashboardModel;
  before(async () => {
    ref = JSON.parse(execFileSync(PYTHON, [path.join(REPO_ROOT, 'test/unit/py/dashboard_ref.py'), SAMPLE], { encoding: 'utf8', maxBuffer: 64 << 20 })) as Ref;
    model = await computeDashboard(await indexDataset(SAMPLE));
  });

  it('counts every tile once (7033 meta rows + the public test tile)', () => {
    assert.equal(ref.tiles, 7034);
    assert.equal(model.data.totals.tiles, ref.tiles);
    const c = chart(model, 'tilesPerWsi');
    const sum = c.series.reduce((a, s) => a + s.values.reduce((x, y) => x + y, 0), 0);
    assert.equal(sum, 7034);
  });

  it('tiles per WSI, stacked by dataset and state, match the reference cell by cell', () => {
    const c = chart(model, 'tilesPerWsi');
    const got: Record<string, number> = {};
    for (const s of c.series) {
      const state = STATES.find((st) => s.label.endsWith(st === 'notAnnotated' ? 'not annotated' : st === 'imageMissing' ? 'image missing' : ', annotated'))!;
      s.values.forEach((v, x) => { if (v) got[`${c.keys[x]}|${s.dataset}|${state}`] = v; });
    }
    assert.deepEqual(got, ref.perWsi);
    // The real sample: WSI 1 holds 270 dataset-1 tiles, 28 of them with an image.
    assert.equal(['annotated', 'notAnnotated', 'imageMissing'].reduce((a, st) => a + (ref.perWsi[`1|1|${st}`] ?? 0), 0), 270);
  });

  it('instances per class by dataset and by WSI, and tiles containing each class', () => {
    const pick = (id: string, refMap: Record<string, number>) => {
      const c = chart(model, id);
      for (const s of c.series) c.keys.forEach((k, x) => assert.equal(s.values[x], refMap[`${k}|${s.cls}`] ?? 0, `${id} ${k} ${s.cls}`));
    };
    pick('classByDataset', ref.classDs);
    pick('classByWsi', ref.classWsi);
    pick('tilesWithClass', ref.tilesWith);
    assert.equal(ref.classDs['1|blood_vessel'] + ref.classDs['2|blood_vessel'], 1870);
  });

  it('polygon areas per class in log2 bins match numpy shoelace areas', () => {
    const c = chart(model, 'areaHist');
    assert.equal(c.labels.length, AREA_BIN_EDGES.length);
    for (const s of c.series) assert.deepEqual(s.values, ref.areaHist[s.cls!], s.cls);
    assert.ok(ref.areaHist.blood_vessel.filter((v) => v > 0).length >= 5, 'the sample spreads over several bins');
  });

  it('vessels per tile and vessel area fraction (Pillow union masks) per annotated tile', () => {
    const w = model.data.vesselBinWidth;
    const vp = chart(model, 'vesselsPerTile');
    const vf = chart(model, 'vesselFraction');
    for (const [k, s] of vp.series.entries()) {
      const exp = new Array<number>(vp.labels.length).fill(0);
      const expF = new Array<number>(16).fill(0);
      for (const [id, n] of Object.entries(ref.vesselCounts)) {
        if (ref.datasetOf[id] !== s.dataset) continue;
        exp[Math.floor(n / w)]++;
        expF[Math.min(15, Math.floor((ref.vesselPx[id] * 50) / (512 * 512)))]++;
      }
      assert.deepEqual(s.values, exp, `vessels per tile, ${s.label}`);
      assert.deepEqual(vf.series[k].values, expF, `vessel fraction, ${s.label}`);
    }
    for (const [id, px] of Object.entries(ref.vesselPx)) assert.equal(model.pass.tiles.get(id)?.vesselPixels, px, id);
  });

  it('data quality: border-touching, duplicated and overlapping polygons, tiles without vessels', () => {
    const q = Object.fromEntries(model.data.quality.map((x) => [x.key, x]));
    assert.equal(q.border.polygons, ref.border[0]);
    assert.deepEqual(sorted(model.pass.border.tiles), sorted(ref.border[1]));
    assert.ok(ref.border[0] > 100, 'the real sample has many polygons clipped at the border');
    assert.equal(q.duplicates.polygons, ref.duplicates[0]);
    assert.equal(q.overlaps.polygons, ref.overlaps[0]);
    assert.equal(q.noVessel.tiles, ref.noVessel.length);
    const codes = new Map(model.data.problems.map((p) => [p.code, p]));
    assert.equal(codes.get('images-missing')?.cases, 7033 - 126);
  });

  it('slide map places every tile of each WSI; metadata lists WSIs without a row', () => {
    for (const m of model.data.slideMap) assert.deepEqual(sorted(m.ids), ref.slide[String(m.wsi)], `WSI ${m.wsi}`);
    assert.equal(model.data.slideMap.length, Object.keys(ref.slide).length);
    const rows = new Map(model.data.wsiMeta.map((r) => [r.wsi, r]));
    for (const [w, r] of Object.entries(ref.wsiMeta)) {
      assert.equal(rows.get(Number(w))?.hasRow, true);
      assert.equal(rows.get(Number(w))?.age, Number(r.age));
      assert.equal(rows.get(Number(w))?.sex, r.sex);
    }
    assert.equal(rows.get(6)?.hasRow, false);
    assert.equal(rows.get(6)?.tiles, 600);
  });

  it('a click on a WSI bar filters to that WSI; a bin click keeps exactly the tiles in that bin', () => {
    const wsiChart = chart(model, 'tilesPerWsi');
    const x = wsiChart.keys.indexOf(3);
    assert.deepEqual(selectionFilter(model, { chart: 'tilesPerWsi', x, series: 0 }), { wsis: [3] });
    const area = chart(model, 'areaHist');
    const bin = area.series[0].values.indexOf(Math.max(...area.series[0].values));
    const f = selectionFilter(model, { chart: 'areaHist', x: bin, series: 0 })!;
    const exp = Object.entries(ref.tileAreaBins).filter(([, b]) => b.blood_vessel.includes(bin)).map(([id]) => id);
    assert.deepEqual(sorted(f.ids!), sorted(exp));
    assert.match(f.idsLabel!, /blood_vessel polygon of \d+-\d+ px²/);
    assert.deepEqual(sorted(qualityFilter(model, 'border').ids!), sorted(ref.border[1]));
    assert.equal(selectionFilter(model, { chart: 'tilesPerWsi', x: 999 }), undefined);
  });

  it('keeps the payload compact (no polygons)', () => {
    const bytes = Buffer.byteLength(JSON.stringify(model.data));
    assert.ok(bytes < 1 << 20, `${bytes} bytes`);
    assert.ok(!JSON.stringify(model.data).includes('coordinates'));
  });
});

describe('Dataset Overview polygon checks on a hand-worked tile', () => {
  const root = '/mem/ds';
  const sq = (x0: number, y0: number, x1: number, y1: number) => [[[x0, y0], [x1, y0], [x1, y1], [x0, y1]]];
  const line = JSON.stringify({
    id: 'aaaaaaaaaaaa',
    annotations: [
      { type: 'glomerulus', coordinates: sq(10, 10, 30, 30) },
      { type: 'blood_vessel', coordinates: sq(25, 25, 40, 40) }, // overlaps the glomerulus
      { type: 'blood_vessel', coordinates: sq(100, 100, 110, 110) },
      { type: 'blood_vessel', coordinates: sq(100, 100, 110, 110) }, // exact duplicate
      { type: 'unsure', coordinates: sq(0, 200, 20, 220) }, // touches the left border
    ],
  });
  const files = {
    [`${root}/tile_meta.csv`]: 'id,source_wsi,dataset,i,j\naaaaaaaaaaaa,1,2,0,0\nbbbbbbbbbbbb,1,2,512,0\n',
    [`${root}/polygons.jsonl`]: `${line}\n${JSON.stringify({ id: 'bbbbbbbbbbbb', annotations: [{ type: 'glomerulus', coordinates: sq(5, 5, 9, 9) }] })}\n`,
    [`${root}/train/aaaaaaaaaaaa.tif`]: 'x',
    [`${root}/train/bbbbbbbbbbbb.tif`]: 'x',
  };

  it('finds 1 overlap, 1 duplicate, 1 border polygon, 1 tile without vessels, and the vessel union pixels', async () => {
    const reader = memoryFileReader(files);
    const m = await computeDashboard(await indexDataset(root, { reader }));
    const q = Object.fromEntries(m.data.quality.map((x) => [x.key, x]));
    assert.deepEqual([q.overlaps.polygons, q.duplicates.polygons, q.border.polygons, q.noVessel.tiles], [1, 1, 1, 1]);
    // Squares with corners included (Pillow fills the outline): 16x16 + 11x11; the duplicate adds nothing.
    assert.equal(m.pass.tiles.get('aaaaaaaaaaaa')?.vesselPixels, 16 * 16 + 11 * 11);
    // Shoelace areas: 20x20=400 (bin 256-512), 15x15=225 (128-256), 10x10=100 (64-128, twice), 20x20 unsure, 4x4=16 glomerulus (16-32).
    const area = m.data.charts.find((c) => c.id === 'areaHist')!;
    const nz = (cls: string) => Object.fromEntries(area.series.find((s) => s.cls === cls)!.values.map((v, b) => [area.labels[b], v]).filter(([, v]) => v));
    assert.deepEqual(nz('blood_vessel'), { '64-128': 2, '128-256': 1 });
    assert.deepEqual(nz('glomerulus'), { '16-32': 1, '256-512': 1 });
    assert.deepEqual(qualityFilter(m, 'noVessel').ids, ['bbbbbbbbbbbb']);
  });
});

describe('Dataset Overview CSV export', () => {
  it('quotes separators and defuses formulas; HTML text stays data', () => {
    assert.equal(csvCell('a,b'), '"a,b"');
    assert.equal(csvCell('say "hi"'), '"say ""hi"""');
    assert.equal(csvCell('=HYPERLINK("x")'), `"'=HYPERLINK(""x"")"`);
    assert.equal(csvCell('<script>alert(1)</script>'), '<script>alert(1)</script>');
  });

  it('writes the WSI metadata of a dataset whose CSV values hold HTML/script text', async () => {
    const root = '/mem/xss';
    const reader = memoryFileReader({
      [`${root}/tile_meta.csv`]: 'id,source_wsi,dataset,i,j\naaaaaaaaaaaa,1,1,0,0\n',
      [`${root}/wsi_meta.csv`]: 'source_wsi,age,sex,race,height,weight,bmi\n1,50,"<img src=x onerror=alert(1)>","<script>alert(2)</script>",170,70,24\n',
      [`${root}/polygons.jsonl`]: '{"id":"<b>x</b>","annotations":[]}\n',
    });
    const m = await computeDashboard(await indexDataset(root, { reader }));
    const row = m.data.wsiMeta.find((r) => r.wsi === 1)!;
    assert.equal(row.sex, '<img src=x onerror=alert(1)>');
    const csv = dashboardCsv(m.data, 'wsiMeta')!;
    assert.match(csv, /^source_wsi,tiles,in wsi_meta.csv,age,sex,race,height,weight,bmi\r\n1,1,true,50,<img src=x onerror=alert\(1\)>,<script>alert\(2\)<\/script>,170,70,24\r\n/);
    assert.ok(m.data.charts.find((c) => c.id === 'tilesPerWsi')!.labels.includes('no WSI'), 'the odd id is kept as a tile without WSI');
  });
});
