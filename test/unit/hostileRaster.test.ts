/**
 * Hostile rings: an 80,000-vertex random ring fills in O(n log n) with bounded memory, with
 * exactly the pixels of the fill rule (checked against a plain rows x edges restatement of it
 * here), in fillRing and in the dashboard's RingRaster alike. (Pillow itself is O(n^2) on such a
 * ring, minutes, and differs from the rule by a few pixels on self-intersecting random rings:
 * real-data agreement with Pillow is rasterize.test.ts's.)
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { rasterizeRing, sortCrossings, radixSortF32, BUCKET_MAX_CROSSINGS, countCrossings } from '../../src/core/geometry/rasterize';
import { Coverage, RingRaster } from '../../src/core/dataset/coverageRaster';
import type { Ring } from '../../src/core/types/types';
import { randomRing } from './support/hostileFixtures';
import { seededRandom } from './support/seededRandom';

const sha1 = (a: Uint8Array) => createHash('sha1').update(a).digest('hex');
const count = (a: Uint8Array) => a.reduce((s, v) => s + (v ? 1 : 0), 0);

/** CPU seconds of f (the machine is shared: a descheduled process is not a slow one). */
function cpuSeconds(f: () => void): number {
  const c0 = process.cpuUsage();
  f();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1e6;
}

/** The fill rule of rasterize.ts's header, restated the slow obvious way: every row against every edge, Array sort. */
function referenceFill(ring: Ring): Uint8Array {
  const m = new Uint8Array(512 * 512);
  const pts = ring.map(([x, y]) => [Math.trunc(x), Math.trunc(y)]);
  const closed = pts[0][0] === pts[pts.length - 1][0] && pts[0][1] === pts[pts.length - 1][1];
  const edges: number[][] = [];
  for (let k = 0; k + 1 < pts.length; k++) edges.push([...pts[k], ...pts[k + 1]]);
  if (!closed) edges.push([...pts[pts.length - 1], ...pts[0]]);
  const hline = (x0: number, y: number, x1: number) => {
    if (y < 0 || y >= 512) return;
    for (let x = Math.max(0, x0); x <= Math.min(511, x1); x++) m[y * 512 + x] = 1;
  };
  let gymin = 511, gymax = 0;
  for (const [, y0, , y1] of edges) { gymin = Math.min(gymin, y0, y1); gymax = Math.max(gymax, y0, y1); }
  gymin = Math.max(0, gymin); gymax = Math.min(512, gymax);
  for (const [x0, y0, x1, y1] of edges) if (y0 === y1) hline(Math.min(x0, x1), y0, Math.max(x0, x1));
  const up = (f: number) => (f >= 0 ? Math.floor(f + 0.5) : -Math.floor(-f + 0.5));
  const down = (f: number) => (f >= 0 ? Math.ceil(f - 0.5) : -Math.ceil(-f - 0.5));
  for (let y = gymin; y <= gymax; y++) {
    const xs: number[] = [];
    for (const [x0, y0, x1, y1] of edges) {
      if (y0 === y1) continue;
      const lo = Math.min(y0, y1), hi = Math.max(y0, y1);
      if (y < lo || y > hi) continue;
      const x = Math.fround(Math.fround((y - y0) * Math.fround((x1 - x0) / (y1 - y0))) + x0);
      xs.push(x);
      if (y === hi && y < gymax) xs.push(x);
    }
    xs.sort((a, b) => a - b);
    for (let i = 1; i < xs.length; i += 2) hline(up(xs[i - 1]), y, down(xs[i]));
  }
  return m;
}

function coverageMask(ring: Ring): Uint8Array {
  const xs = Float64Array.from(ring, (p) => p[0]), ys = Float64Array.from(ring, (p) => p[1]);
  const cov = new Coverage(512);
  new RingRaster().addRing(xs, ys, 0, ring.length, cov);
  const m = new Uint8Array(512 * 512);
  for (let y = 0; y < 512; y++) for (let x = 0; x < 512; x++) if (cov.has(x, y)) m[y * 512 + x] = 1;
  assert.equal(cov.count, count(m), 'Coverage counts the pixels it sets');
  return m;
}

describe('hostile rings', () => {
  it('sortCrossings sorts long rows natively and short rows by insertion, the same order', () => {
    const rand = seededRandom(7);
    for (const n of [3, 24, 25, 1000]) {
      const xs = Float32Array.from({ length: n }, () => Math.fround(rand() * 512 - 5));
      const want = Float32Array.from(xs).sort();
      sortCrossings(xs, 0, n);
      assert.deepEqual(xs, want);
    }
  });

  it('radixSortF32 gives TypedArray sort\'s order (negatives, -0 before +0, halves, duplicates)', () => {
    const rand = seededRandom(11);
    for (const n of [1, 2, 600, 5000]) {
      const xs = Float32Array.from({ length: n }, (_, i) => (i % 7 === 0 ? -0 : i % 5 === 0 ? 0 : i % 3 === 0 ? Math.round(rand() * 20) / 2 - 3 : Math.fround(rand() * 700 - 100)));
      const want = Float32Array.from(xs).sort();
      radixSortF32(xs, n, new Uint32Array(n), new Uint32Array(n));
      for (let i = 0; i < n; i++) assert.ok(Object.is(xs[i], want[i]), `n ${n} at ${i}: ${xs[i]} vs ${want[i]}`);
    }
  });

  it('an 80,000-vertex random ring: fillRing and RingRaster in <= 2 s CPU each, pixels identical to the rule', () => {
    const ring = randomRing(80_000, 18);
    let mask!: Uint8Array, cov!: Uint8Array;
    const tFill = cpuSeconds(() => { mask = rasterizeRing(ring); });
    const tCov = cpuSeconds(() => { cov = coverageMask(ring); });
    console.log(`  80k-vertex ring: fillRing ${tFill.toFixed(2)} s CPU, RingRaster ${tCov.toFixed(2)} s CPU, ${count(mask)} px`);
    assert.ok(tFill <= 2, `fillRing took ${tFill} s`);
    assert.ok(tCov <= 2, `RingRaster took ${tCov} s`);
    const ref = referenceFill(ring);
    assert.equal(count(mask), count(ref), 'pixel count as the rule');
    assert.equal(sha1(mask), sha1(ref), 'fillRing mask bytes as the rule');
    assert.equal(sha1(cov), sha1(ref), 'RingRaster as the rule');
  });

  it('rings over the bucketing threshold and just under it give the rule\'s pixels (both paths)', () => {
    const rings = [randomRing(2_000, 1), randomRing(3_000, 2), randomRing(500, 3)];
    const crossings = rings.map((r) => {
      const m = r.length;
      const t = { m, x0: r.map((p) => p[0]), y0: r.map((p) => p[1]), ymin: r.map((p, k) => Math.min(p[1], r[(k + 1) % m][1])), ymax: r.map((p, k) => Math.max(p[1], r[(k + 1) % m][1])), dx: r.map(() => 0) };
      return countCrossings(t, 0, 511);
    });
    assert.ok(crossings.some((c) => c > BUCKET_MAX_CROSSINGS) && crossings.some((c) => c <= BUCKET_MAX_CROSSINGS), `crossings ${crossings.join(', ')} straddle ${BUCKET_MAX_CROSSINGS}`);
    rings.forEach((r, k) => {
      const ref = sha1(referenceFill(r));
      assert.equal(sha1(rasterizeRing(r)), ref, `ring ${k} (${r.length} points) fillRing`);
      assert.equal(sha1(coverageMask(r)), ref, `ring ${k} (${r.length} points) RingRaster`);
    });
  });
});
