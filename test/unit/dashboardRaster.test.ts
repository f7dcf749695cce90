/** The dashboard's bit-set rasteriser sets exactly the pixels of rasterize.fillRing (the Pillow rule, tested against Pillow there), counts them, and finds overlaps. */
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Coverage, RingRaster } from '../../src/core/dataset/coverageRaster';
import { fillRing } from '../../src/core/geometry/rasterize';
import type { Ring } from '../../src/core/types/types';
import { makeTilePolygons } from '../../src/core/synthetic/syntheticAnnotations';
import { SAMPLE } from './helpers/paths';

const SIZE = 512;
const REF = new Uint8Array(SIZE * SIZE);
const raster = new RingRaster(); // reused across rings, as the pass does
const cov = new Coverage(SIZE);

const flat = (r: Ring) => [Float64Array.from(r, (p) => p[0]), Float64Array.from(r, (p) => p[1])] as const;

/** Draw rings with fillRing into REF and with RingRaster into cov; compare every pixel of the rows they span, and the totals. */
function assertSame(rings: Ring[], what: string): void {
  REF.fill(0);
  cov.clear();
  let y0 = SIZE, y1 = -1;
  for (const r of rings) {
    fillRing(REF, SIZE, SIZE, r, 1);
    const [xs, ys] = flat(r);
    raster.addRing(xs, ys, 0, r.length, cov);
    for (const p of r) { y0 = Math.min(y0, Math.trunc(p[1])); y1 = Math.max(y1, Math.trunc(p[1])); }
  }
  let total = 0;
  for (let k = 0; k < REF.length; k++) total += REF[k];
  assert.equal(cov.count, total, `${what}: pixel count`);
  // fillRing writes only rows between the ring's lowest and highest vertex.
  for (let y = Math.max(0, y0); y <= Math.min(SIZE - 1, y1); y++) {
    for (let x = 0; x < SIZE; x++) {
      if (cov.has(x, y) !== (REF[y * SIZE + x] === 1)) assert.fail(`${what}: pixel (${x}, ${y}) is ${cov.has(x, y) ? 1 : 0} here, ${REF[y * SIZE + x]} in fillRing`);
    }
  }
}

describe('RingRaster equals fillRing', () => {
  it('on every ring of the real hhv-sample, and on each tile\'s blood vessels together (union count)', () => {
    let rings = 0;
    for (const line of fs.readFileSync(path.join(SAMPLE, 'polygons.jsonl'), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const obj = JSON.parse(line) as { id: string; annotations: { type: string; coordinates: Ring[] }[] };
      const vessels: Ring[] = [];
      for (const a of obj.annotations) {
        for (const r of a.coordinates) {
          assertSame([r], `${obj.id} ring ${rings}`);
          rings++;
          if (a.type === 'blood_vessel') vessels.push(r);
        }
      }
      assertSame(vessels, `${obj.id} vessels`);
    }
    assert.ok(rings > 1000, `${rings} rings`);
  });

  it('with a probe: a vessel hits exactly when its fillRing mask meets the glomeruli\'s (synthetic tiles with rim vessels; the sample has no glomeruli)', () => {
    let hits = 0, checked = 0;
    const glom = new Coverage(SIZE), scratch = new Coverage(SIZE);
    const glomMask = new Uint8Array(SIZE * SIZE), vMask = new Uint8Array(SIZE * SIZE);
    for (let t = 0; t < 40; t++) {
      const id = `t${t}`;
      const polys = makeTilePolygons(id, { blood_vessel: 5, glomerulus: 2, unsure: 0, duplicates: 0 }, 7);
      glom.clear();
      glomMask.fill(0);
      for (const p of polys.filter((q) => q.type === 'glomerulus')) {
        fillRing(glomMask, SIZE, SIZE, p.ring, 1);
        const [xs, ys] = flat(p.ring);
        raster.addRing(xs, ys, 0, p.ring.length, glom);
      }
      assertSame(polys.filter((q) => q.type === 'glomerulus').map((q) => q.ring), `${id} glomeruli`);
      for (const v of polys.filter((q) => q.type === 'blood_vessel')) {
        vMask.fill(0);
        fillRing(vMask, SIZE, SIZE, v.ring, 1);
        let expected = false;
        for (let k = 0; k < vMask.length && !expected; k++) expected = vMask[k] === 1 && glomMask[k] === 1;
        scratch.clear();
        const [xs, ys] = flat(v.ring);
        const hit = raster.addRing(xs, ys, 0, v.ring.length, scratch, glom);
        assert.equal(hit, expected, `${id}: vessel ${checked} meets a glomerulus`);
        checked++;
        if (hit) hits++;
      }
    }
    assert.ok(hits >= 3 && checked > hits, `${hits} of ${checked} vessels meet a glomerulus`);
  });

  it('on hand-made edge cases: off-tile, fractional, degenerate, closed, one point, bow-tie', () => {
    const cases: [string, Ring][] = [
      ['square', [[10, 10], [20, 10], [20, 20], [10, 20]]],
      ['closed square', [[10, 10], [20, 10], [20, 20], [10, 20], [10, 10]]],
      ['past every border', [[-30, -30], [600, -10], [700, 700], [-5, 530]]],
      ['fractional vertices (truncated)', [[10.9, 10.2], [40.5, 12.7], [25.1, 39.9]]],
      ['negative fractions', [[-0.5, 3.5], [20.2, -1.7], [10, 30]]],
      ['collinear', [[1, 1], [5, 5], [9, 9]]],
      ['horizontal line', [[3, 7], [30, 7], [12, 7]]],
      ['one point', [[100, 100]]],
      ['two points', [[100, 100], [110, 120]]],
      ['bow-tie', [[0, 0], [50, 50], [50, 0], [0, 50]]],
      ['bottom row 511 and beyond', [[0, 505], [511, 505], [511, 511], [0, 515]]],
      ['thin spike', [[200, 10], [201, 300], [202, 10]]],
      // 12 teeth: 24 crossings on a row, more than the one-pass slots hold.
      ['comb', [[10, 100], ...Array.from({ length: 12 }, (_, k) => [[20 + 30 * k, 10], [35 + 30 * k, 90]] as [number, number][]).flat(), [400, 100]]],
      ['word edges (columns 31/32, 0, 511)', [[31, 40], [32, 40], [32, 41], [0, 42], [511, 42], [511, 43], [63, 44], [64, 45]]],
    ];
    for (const [name, ring] of cases) assertSame([ring], name);
  });

  it('on 300 random rings of 3 to 40 points, half dense and half spiky', () => {
    let seed = 12345;
    const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    for (let t = 0; t < 300; t++) {
      const n = 3 + Math.floor(rnd() * 38);
      const ring: Ring = [];
      if (t % 2 === 0) {
        const cx = rnd() * 512, cy = rnd() * 512, rad = 2 + rnd() * 80;
        for (let k = 0; k < n; k++) {
          const a = (2 * Math.PI * k) / n, r = rad * (0.6 + 0.4 * rnd());
          ring.push([Math.round(cx + r * Math.cos(a)), Math.round(cy + r * Math.sin(a))]);
        }
      } else {
        for (let k = 0; k < n; k++) ring.push([Math.floor(rnd() * 560) - 24 + (k % 3 === 0 ? rnd() : 0), Math.floor(rnd() * 560) - 24]);
      }
      assertSame([ring], `random ring ${t}: ${JSON.stringify(ring)}`);
    }
  });

  it('Coverage counts a pixel once however often it is set, and clear() empties it', () => {
    const c = new Coverage(SIZE);
    c.set(3, 0, 40);
    c.set(3, 30, 33);
    c.set(3, 500, 511);
    c.set(4, 31, 31);
    assert.equal(c.count, 41 + 12 + 1);
    assert.ok(c.meets(3, 40, 60) && !c.meets(3, 41, 499) && c.meets(4, 0, 31) && !c.meets(4, 32, 511) && !c.meets(5, 0, 511));
    c.clear();
    assert.equal(c.count, 0);
    assert.ok(!c.meets(3, 0, 511) && !c.has(31, 4));
  });
});
