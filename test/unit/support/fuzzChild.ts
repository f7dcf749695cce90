/**
 * One fuzz run in its own process (started by hostileFuzz.test.ts with a heap limit):
 * `node fuzzChild.js <target> <seed> <cases>`. Each case mutates a real file with a PRNG seeded by
 * (seed, case) (truncation, bit flips, duplicated and spliced chunks, huge numbers, deep nesting)
 * and feeds it to the product's reader for that file. A case fails when the reader throws where
 * it must report, takes longer than the per-case budget, or (for line/row formats) stops the
 * untouched lines from loading. Prints one JSON summary line; exits 1 with the seed and case
 * on the first failure.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { memoryFileReader } from '../../../src/core/dataset/fileReader';
import { readPolygonsJsonl } from '../../../src/core/dataset/polygonsJsonl';
import { parseTileMeta } from '../../../src/core/dataset/tileMetaCsv';
import { parseSubmissionCsv, writeSubmissionCsv } from '../../../src/core/metric/submissionCsv';
import { instanceFromFullMask } from '../../../src/core/geometry/instanceMask';
import { rasterizeRing } from '../../../src/core/geometry/rasterize';
import { decodeTile, TileImageError } from '../../../src/core/image/tileImage';
import { readOnnxMetadata } from '../../../src/inference/onnxMetadata';
import { InferenceError, SessionCache } from '../../../src/inference/sessionCache';
import { seededRandom } from './seededRandom';

const SAMPLE = path.resolve(__dirname, '..', '..', '..', '..', '..', 'shared', 'data', 'hhv-sample');
const REPO = path.resolve(__dirname, '..', '..', '..', '..');
/** Wall time one case may take (generous: the machine is shared). */
export const CASE_BUDGET_MS = 3000;

type Rand = () => number;
const int = (r: Rand, n: number) => Math.floor(r() * n);

/** One seeded mutation of bytes; `name` says which, for the failure report. */
export function mutate(src: Buffer, r: Rand): { out: Buffer; name: string } {
  const n = src.length;
  const pos = int(r, n + 1);
  switch (int(r, 6)) {
    case 0:
      return { out: src.subarray(0, pos), name: `truncate at ${pos}` };
    case 1: {
      const out = Buffer.from(src);
      const flips = 1 + int(r, 8);
      for (let k = 0; k < flips && n > 0; k++) out[int(r, n)] ^= 1 << int(r, 8);
      return { out, name: `${flips} bit flips` };
    }
    case 2: {
      const a = int(r, n), len = 1 + int(r, Math.min(4096, n - a || 1)), times = 1 + int(r, 64);
      const chunk = src.subarray(a, a + len);
      return { out: Buffer.concat([src.subarray(0, pos), ...Array(times).fill(chunk), src.subarray(pos)]), name: `duplicate ${len} bytes at ${a} x${times} into ${pos}` };
    }
    case 3: {
      const a = int(r, n), len = 1 + int(r, Math.min(4096, n - a || 1)), b = int(r, n);
      return { out: Buffer.concat([src.subarray(0, b), src.subarray(a, a + len), src.subarray(Math.min(n, b + len))]), name: `splice ${len} bytes from ${a} over ${b}` };
    }
    case 4: {
      const text = src.toString('latin1');
      const huge = ['1e308', '-1e308', '99999999999999999999999', '-1', '4294967296', 'NaN', '1e-320', '0x7fffffff'][int(r, 8)];
      const digits = [...text.matchAll(/\d+/g)];
      if (digits.length === 0) return { out: Buffer.concat([src, Buffer.from(huge)]), name: `append ${huge}` };
      const m = digits[int(r, digits.length)];
      return { out: Buffer.from(text.slice(0, m.index) + huge + text.slice(m.index! + m[0].length), 'latin1'), name: `number at ${m.index} -> ${huge}` };
    }
    default: {
      const depth = 1 + int(r, 20000);
      const open = ['[', '{"a":', '"'][int(r, 3)];
      return { out: Buffer.concat([src.subarray(0, pos), Buffer.from(open.repeat(depth)), src.subarray(pos)]), name: `nest ${depth} x ${open} at ${pos}` };
    }
  }
}

interface Target {
  /** Runs one case; throws (with a reason) when the product misbehaved. */
  run(r: Rand): Promise<string>;
}

function fail(why: string): never {
  throw new Error(why);
}

/** polygons.jsonl (its first 40 lines): one line mutated; every untouched line must still be read at its place. */
function polygonsTarget(): Target {
  const lines = fs.readFileSync(path.join(SAMPLE, 'polygons.jsonl'), 'utf8').split('\n').filter((l) => l.trim()).slice(0, 40);
  const ids = lines.map((l) => (JSON.parse(l) as { id: string }).id);
  return {
    async run(r) {
      const k = int(r, lines.length);
      const m = mutate(Buffer.from(lines[k]), r);
      const bad = m.out.toString('utf8');
      const text = [...lines.slice(0, k), bad, ...lines.slice(k + 1)].join('\n') + '\n';
      const res = await readPolygonsJsonl(memoryFileReader({ '/ds/polygons.jsonl': text }), '/ds/polygons.jsonl', 'polygons.jsonl');
      const at = new Map<string, number>();
      for (const l of res.lines) if (!at.has(l.id)) at.set(l.id, l.line);
      const shift = bad.split('\n').length - 1; // a mutation may add line breaks
      for (let j = 0; j < lines.length; j++) {
        if (j === k || bad.includes(ids[j])) continue;
        const want = j < k ? j + 1 : j + 1 + shift;
        const got = at.get(ids[j]);
        if (got !== want) fail(`line ${k + 1} mutated (${m.name}): untouched tile ${ids[j]} is at line ${got}, expected ${want}`);
      }
      return m.name;
    },
  };
}

/**
 * tile_meta.csv (its header and first 1000 rows): one row mutated (four cases in five) or the whole
 * file (the fifth); the parser must report, never throw, and the rest must load: every original
 * row that is still a whole line of the mutated text (under an unchanged header, its id nowhere
 * else) is loaded at that line with its values.
 */
function tileMetaTarget(): Target {
  const lines = fs.readFileSync(path.join(SAMPLE, 'tile_meta.csv'), 'utf8').split('\n').slice(0, 1001);
  const meta = Buffer.from(lines.join('\n') + '\n');
  const want = new Map(parseTileMeta(meta.toString('utf8'), 'tile_meta.csv').rows.map((row) => [row.id, row]));
  if (want.size !== lines.length - 1) fail(`the unmutated tile_meta.csv loads ${want.size} of ${lines.length - 1} rows`);
  const original = new Set(lines.slice(1));
  let n = 0;
  return {
    async run(r) {
      let text: string, name: string;
      const wholeFile = n++ % 5 === 4;
      if (wholeFile) {
        const m = mutate(meta, r);
        text = m.out.toString('utf8');
        name = `whole file: ${m.name}`;
      } else {
        const k = 1 + int(r, lines.length - 1);
        const m = mutate(Buffer.from(lines[k]), r);
        text = [...lines.slice(0, k), m.out.toString('utf8'), ...lines.slice(k + 1)].join('\n') + '\n';
        name = `row ${k + 1}: ${m.name}`;
      }
      const res = parseTileMeta(text, 'tile_meta.csv');
      const got = new Map(res.rows.map((row) => [row.id, row]));
      // Lines as parseCsv counts them (CRLF, CR or LF end a line).
      const segs = text.split(/\r\n|\r|\n/);
      if (segs[0].replace(/^\uFEFF/, '') !== lines[0]) return `${name} (header changed)`;
      // An original line given more than once, or an id inside a changed line, may be a duplicate: not checked.
      const times = new Map<string, number>();
      const elsewhere = new Set<string>();
      for (let l = 1; l < segs.length; l++) {
        const seg = segs[l];
        if (original.has(seg)) times.set(seg, (times.get(seg) ?? 0) + 1);
        else for (let c = 0; c + 12 <= seg.length; c++) if (want.has(seg.slice(c, c + 12))) elsewhere.add(seg.slice(c, c + 12));
      }
      let checked = 0;
      for (let l = 1; l < segs.length; l++) {
        if (times.get(segs[l]) !== 1) continue;
        const id = segs[l].slice(0, segs[l].indexOf(','));
        const row = want.get(id)!;
        if (elsewhere.has(id)) continue;
        const g = got.get(id);
        if (!g || g.line !== l + 1 || g.wsi !== row.wsi || g.dataset !== row.dataset || g.i !== row.i || g.j !== row.j) {
          fail(`${name}: untouched row ${id} (line ${l + 1}) ${g ? `loaded as ${JSON.stringify(g)}` : 'did not load'}, expected ${JSON.stringify({ ...row, line: l + 1 })}`);
        }
        checked++;
      }
      // One row mutated: every other row is still a whole line, so each was checked.
      if (!wholeFile && checked < lines.length - 2) fail(`${name}: only ${checked} of the ${lines.length - 2} untouched rows were found as whole lines to check`);
      return `${name} (${checked} untouched rows loaded)`;
    },
  };
}

/** submission.csv: a real-shaped submission (the sample's polygons encoded), one row mutated; the other rows decode as before. */
function submissionTarget(): Target {
  const lines = fs.readFileSync(path.join(SAMPLE, 'polygons.jsonl'), 'utf8').split('\n').filter((l) => l.trim()).slice(0, 16);
  const rows = lines.map((l) => {
    const o = JSON.parse(l) as { id: string; annotations: { type: string; coordinates: [number, number][][] }[] };
    const vessels = o.annotations.filter((a) => a.type === 'blood_vessel').slice(0, 8);
    return { id: o.id, height: 512, width: 512, predictions: vessels.map((a, i) => ({ confidence: 1 - i / 10, mask: instanceFromFullMask(rasterizeRing(a.coordinates[0]), 512, 512) })) };
  });
  const text = writeSubmissionCsv(rows).trim().split('\n');
  const before = parseSubmissionCsv(text.join('\n'));
  return {
    async run(r) {
      const k = 1 + int(r, text.length - 1);
      const m = mutate(Buffer.from(text[k]), r);
      const bad = m.out.toString('latin1');
      const after = parseSubmissionCsv([...text.slice(0, k), bad, ...text.slice(k + 1)].join('\n'));
      for (const row of before.rows) {
        if (row.line === k + 1 || bad.includes(row.id)) continue;
        const got = after.rows.find((x) => x.id === row.id);
        if (!got || got.predictions.length !== row.predictions.length || got.ok !== row.ok) fail(`row ${k + 1} mutated (${m.name}): untouched row ${row.id} decoded differently (${got?.predictions.length} vs ${row.predictions.length} predictions)`);
      }
      return m.name;
    },
  };
}

/** A real tile TIFF, mutated: decodeTile succeeds or throws TileImageError, nothing else. */
function tiffTarget(): Target {
  const src = fs.readFileSync(path.join(SAMPLE, 'train', '00168d1b7522.tif'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vex-fuzz-tif-'));
  let n = 0;
  return {
    async run(r) {
      const m = mutate(src, r);
      const file = path.join(dir, `case${n++ % 4}.tif`);
      fs.writeFileSync(file, m.out);
      try {
        await decodeTile(file);
      } catch (e) {
        if (!(e instanceof TileImageError)) fail(`${m.name}: decodeTile threw ${String(e)} instead of a TileImageError`);
      }
      return m.name;
    },
  };
}

/** The demo ONNX, mutated: the metadata reader throws only Errors, and the worker's loader (SessionCache) fails with an InferenceError or loads. */
function onnxTarget(): Target {
  const src = fs.readFileSync(path.join(REPO, 'media', 'model', 'demo-unet.onnx'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vex-fuzz-onnx-'));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ort = require('onnxruntime-node') as typeof import('onnxruntime-node');
  let n = 0;
  return {
    async run(r) {
      const m = mutate(src, r);
      try {
        readOnnxMetadata(m.out, 'fuzz.onnx');
      } catch (e) {
        if (!(e instanceof Error) || /Maximum call stack|invalid size/i.test(e.message)) fail(`${m.name}: readOnnxMetadata threw ${String(e)}`);
      }
      if (n++ % 4 === 0) {
        const file = path.join(dir, `case${n % 8}.onnx`);
        fs.writeFileSync(file, m.out);
        const cache = new SessionCache(ort, () => undefined);
        try {
          const { entry } = await cache.get({ modelPath: file, provider: 'cpu', threads: 1 });
          await entry.session.release();
        } catch (e) {
          if (!(e instanceof InferenceError)) fail(`${m.name}: the model loader threw ${String(e)} instead of an InferenceError`);
        }
      }
      return m.name;
    },
  };
}

const TARGETS: Record<string, () => Target> = { polygons: polygonsTarget, tile_meta: tileMetaTarget, submission: submissionTarget, tiff: tiffTarget, onnx: onnxTarget };

async function main(): Promise<void> {
  const [name, seedText, casesText] = process.argv.slice(2);
  const seed = Number(seedText), cases = Number(casesText);
  const target = TARGETS[name]?.();
  if (!target || !Number.isInteger(seed) || !(cases > 0)) {
    console.error(`usage: fuzzChild.js <${Object.keys(TARGETS).join('|')}> <seed> <cases>`);
    process.exit(2);
  }
  let slowest = 0;
  const t0 = performance.now();
  for (let c = 0; c < cases; c++) {
    const r = seededRandom((seed * 1_000_003 + c) >>> 0);
    const ts = performance.now();
    let what = '';
    try {
      what = await target.run(r);
    } catch (e) {
      console.log(JSON.stringify({ target: name, seed, case: c, ok: false, error: e instanceof Error ? e.message : String(e) }));
      process.exit(1);
    }
    const ms = performance.now() - ts;
    if (ms > slowest) slowest = ms;
    if (ms > CASE_BUDGET_MS) {
      console.log(JSON.stringify({ target: name, seed, case: c, ok: false, error: `${what}: took ${ms.toFixed(0)} ms, over the ${CASE_BUDGET_MS} ms budget` }));
      process.exit(1);
    }
  }
  const rss = process.resourceUsage().maxRSS * 1024;
  console.log(JSON.stringify({ target: name, seed, cases, ok: true, slowestMs: Math.round(slowest), totalMs: Math.round(performance.now() - t0), maxRssBytes: rss }));
}

void main();
