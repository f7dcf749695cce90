/** Bench section: AP@0.6 scoring at scale, and per-tile post-processing + matching (src/core). */
import { performance } from 'node:perf_hooks';
import { matchTile, scoreAp, ScoredInstance, TileForScoring } from '../src/core/metric/apAtIou';
import { InstanceMask } from '../src/core/geometry/instanceMask';
import { probabilityToInstances } from '../src/core/model/postprocess';
import { decodeInstance, encodeInstance } from '../src/core/metric/rleCoco';
import { BenchRow, median, timeMs } from './benchTable';

const TILE = 512;

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
}

/** A filled ellipse as a cropped instance, clipped to the tile. */
function ellipse(cx: number, cy: number, rx: number, ry: number): InstanceMask {
  const x0 = Math.max(0, Math.floor(cx - rx)), x1 = Math.min(TILE - 1, Math.ceil(cx + rx));
  const y0 = Math.max(0, Math.floor(cy - ry)), y1 = Math.min(TILE - 1, Math.ceil(cy + ry));
  const w = x1 - x0 + 1, h = y1 - y0 + 1;
  const data = new Uint8Array(w * h);
  let area = 0;
  for (let r = 0; r < h; r++) {
    for (let c = 0; c < w; c++) {
      const dx = (c + x0 - cx) / rx, dy = (r + y0 - cy) / ry;
      if (dx * dx + dy * dy <= 1) { data[r * w + c] = 1; area++; }
    }
  }
  return { x: x0, y: y0, width: w, height: h, data, area };
}

interface Blob { cx: number; cy: number; rx: number; ry: number }

function randomBlobs(rand: () => number, n: number): Blob[] {
  return Array.from({ length: n }, () => ({ cx: rand() * TILE, cy: rand() * TILE, rx: 4 + rand() * 20, ry: 4 + rand() * 20 }));
}

/** 1000-tile-like scoring set: 20 GT per tile, 16 jittered true predictions + 4 false ones. */
function scoringSet(tiles: number, perTile: number, rand: () => number): TileForScoring[] {
  const out: TileForScoring[] = [];
  for (let t = 0; t < tiles; t++) {
    const blobs = randomBlobs(rand, perTile);
    const gt = blobs.map((b) => ellipse(b.cx, b.cy, b.rx, b.ry));
    const preds: ScoredInstance[] = [];
    blobs.forEach((b, k) => {
      if (k < perTile * 0.8) preds.push({ mask: ellipse(b.cx + rand() * 3 - 1.5, b.cy + rand() * 3 - 1.5, b.rx * (0.8 + rand() * 0.4), b.ry), confidence: rand() });
      else preds.push({ mask: ellipse(rand() * TILE, rand() * TILE, 5 + rand() * 10, 5 + rand() * 10), confidence: rand() * 0.6 });
    });
    out.push({ tileId: `t${t}`, group: String(1 + (t % 4)), predictions: preds, groundTruth: gt });
  }
  return out;
}

/** A probability map with soft blobs (one per GT vessel) and background noise. */
function probabilityMap(blobs: Blob[], rand: () => number): Float32Array {
  const p = new Float32Array(TILE * TILE);
  for (let i = 0; i < p.length; i++) p[i] = rand() * 0.3;
  for (const b of blobs) {
    const x0 = Math.max(0, Math.floor(b.cx - 1.3 * b.rx)), x1 = Math.min(TILE - 1, Math.ceil(b.cx + 1.3 * b.rx));
    const y0 = Math.max(0, Math.floor(b.cy - 1.3 * b.ry)), y1 = Math.min(TILE - 1, Math.ceil(b.cy + 1.3 * b.ry));
    for (let r = y0; r <= y1; r++) {
      for (let c = x0; c <= x1; c++) {
        const d = ((c - b.cx) / b.rx) ** 2 + ((r - b.cy) / b.ry) ** 2;
        const v = 1 / (1 + Math.exp(6 * (d - 1)));
        if (v > p[r * TILE + c]) p[r * TILE + c] = v;
      }
    }
  }
  return p;
}


function verdict(ms: { wall: number; cpu: number }, target: number): BenchRow['verdict'] {
  return Math.min(ms.wall, ms.cpu) <= target ? 'pass' : 'FAIL';
}

const fmt = (ms: { wall: number; cpu: number }, digits: number): string => `${ms.wall.toFixed(digits)} ms wall, ${ms.cpu.toFixed(digits)} ms cpu`;

/** Scoring 1000 tiles x 20 instances (<= 1 s) and post-process + match one 512x512 tile (<= 10 ms). */
export async function metricBench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const rand = lcg(2023);
  const set = scoringSet(1000, 20, rand);
  let ap = 0;
  const scoreMs = timeMs(() => { ap = scoreAp(set).ap; }, 3);
  rows.push({ benchmark: 'AP@0.6: score 1000 tiles x 20 GT x 20 predictions', measured: `${fmt(scoreMs, 0)} (AP ${ap.toFixed(3)})`, target: '<= 1000 ms', verdict: verdict(scoreMs, 1000) });

  const tiles = Array.from({ length: 20 }, () => {
    const blobs = randomBlobs(rand, 20);
    return { prob: probabilityMap(blobs, rand), gt: blobs.map((b) => ellipse(b.cx, b.cy, b.rx, b.ry)) };
  });
  for (const dilation of [0, 1]) {
    const wall: number[] = [], cpu: number[] = [];
    let found = 0;
    for (const t of tiles) {
      const m = timeMs(() => {
        const preds = probabilityToInstances(t.prob, TILE, TILE, { dilation });
        found = matchTile({ tileId: 'x', predictions: preds, groundTruth: t.gt }).tp;
      }, 3);
      wall.push(m.wall);
      cpu.push(m.cpu);
    }
    const ms = { wall: median(wall), cpu: median(cpu) };
    rows.push({
      benchmark: `postprocess + match, one 512x512 tile, 20 vessels, dilation ${dilation}`,
      measured: `${fmt(ms, 1)} (${found}/20 TP on the last tile)`,
      target: '<= 10 ms', verdict: verdict(ms, 10),
    });
  }

  const inst = set.slice(0, 50).flatMap((t) => t.predictions.map((p) => p.mask));
  const rleMs = timeMs(() => { for (const m of inst) decodeInstance(encodeInstance(m, TILE, TILE), TILE, TILE); }, 3);
  rows.push({ benchmark: 'COCO RLE encode + decode, per instance', measured: `${((rleMs.cpu * 1000) / inst.length).toFixed(0)} us cpu`, target: '-', verdict: 'info' });
  return rows;
}

/** Entry point named by the metric brief; same as metricBench. */
export const run = metricBench;

if (require.main === module) {
  metricBench().then((rows) => { for (const r of rows) console.log(`${r.verdict}\t${r.benchmark}\t${r.measured}\t${r.target}`); });
}
