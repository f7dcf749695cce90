/**
 * Bench section 'hostile': the issue-18 files (generated here, in the temp folder, and deleted)
 * against their targets, each beside its floor measured in the same run: zlib-bomb submissions
 * through the CLI (peak RSS growth over scoring the honest sample submission), an 80,000-vertex
 * ring through the rasteriser and the Dataset Overview pass, a 1000-level TIFF, a 200 MB
 * single-line polygons.jsonl (RSS growth over validating the plain sample), and a model that
 * never returns (the real hanging ONNX).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BenchRow, fmtMiB, fmtSeconds } from './benchTable';
import { parseSubmissionCsv } from '../src/core/metric/submissionCsv';
import { rasterizeRing } from '../src/core/geometry/rasterize';
import { Coverage, RingRaster } from '../src/core/dataset/coverageRaster';
import { indexDataset } from '../src/core/dataset/datasetIndex';
import { indexInWorker } from '../src/core/dataset/indexInWorker';
import { readTileInfo, TileImageError } from '../src/core/image/tileImage';
import { InferenceClient, InferenceTimeoutError, DEFAULT_TIMEOUT_MS } from '../src/inference/client';
import { bombSubmission, crashCaseSubmission, hexId, pyramidTiff, randomRing, writeLongLinePolygons } from '../test/unit/support/hostileFixtures';

const REPO = path.resolve(__dirname, '..', '..');
const SAMPLE = path.resolve(REPO, '..', 'shared', 'data', 'hhv-sample');
const BIN = path.join(REPO, 'bin', 'vasculature-explorer.js');
const PROBE = path.join(__dirname, 'rssProbe.js');
const MB64 = 64 << 20;

const verdict = (ok: boolean): BenchRow['verdict'] => (ok ? 'pass' : 'FAIL');
const cpu = (f: () => void): number => { const c0 = process.cpuUsage(); f(); const c = process.cpuUsage(c0); return (c.user + c.system) / 1e6; };

/** Runs the CLI in a fresh process; its exit code, output, wall seconds and peak RSS. */
function cliRun(args: string[]): { status: number | null; signal: string | null; out: string; wall: number; rss: number } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['-r', PROBE, BIN, ...args], { encoding: 'utf8', maxBuffer: 256 << 20 });
  const wall = (performance.now() - t0) / 1000;
  const m = /VE_MAXRSS=(\d+)/.exec(r.stderr);
  return { status: r.status, signal: r.signal, out: r.stdout + r.stderr, wall, rss: m ? Number(m[1]) : NaN };
}

/** A temp dataset: the sample's files copied, its images linked. */
function datasetCopy(tmp: string, name: string): string {
  const dst = path.join(tmp, name);
  fs.mkdirSync(dst);
  for (const f of ['tile_meta.csv', 'wsi_meta.csv', 'polygons.jsonl']) fs.copyFileSync(path.join(SAMPLE, f), path.join(dst, f));
  for (const split of ['train', 'test']) {
    fs.mkdirSync(path.join(dst, split));
    for (const n of fs.readdirSync(path.join(SAMPLE, split))) fs.symlinkSync(path.join(SAMPLE, split, n), path.join(dst, split, n));
  }
  return dst;
}

function submissions(tmp: string): BenchRow[] {
  const rows: BenchRow[] = [];
  const floor = cliRun(['score', path.join(SAMPLE, 'sample_submission.csv'), SAMPLE]);
  const cases: [string, string][] = [
    ['2.8 MB zlib bomb (64 MiB per mask)', bombSubmission(2.8e6, 64 << 20)],
    ['204 KB crash case (150 MiB mask)', crashCaseSubmission()],
  ];
  for (const [name, text] of cases) {
    const file = path.join(tmp, 'submission.csv');
    fs.writeFileSync(file, text);
    const parseCpu = cpu(() => parseSubmissionCsv(text));
    const r = cliRun(['score', file, SAMPLE]);
    const grow = r.rss - floor.rss;
    const named = /submission\.csv:2:\d+: error \[submission-mask-limit\]/.test(r.out);
    const ok = r.signal === null && r.status === 1 && named && grow <= MB64 && parseCpu <= 1;
    rows.push({
      benchmark: `hostile: ${name} (${(fs.statSync(file).size / 1e6).toFixed(2)} MB) via CLI score`,
      measured: `exit ${r.status}${r.signal ? ` signal ${r.signal}` : ''}, row ${named ? 'named (line 2)' : 'NOT named'}, parse ${fmtSeconds(parseCpu)} CPU, CLI ${fmtSeconds(r.wall)}; peak RSS ${fmtMiB(r.rss)}, +${fmtMiB(Math.max(0, grow))} over floor`,
      target: `exit 1, row named, refused <= 1 s, RSS growth <= 64 MiB (floor: honest sample submission, CLI ${fmtSeconds(floor.wall)}, ${fmtMiB(floor.rss)})`,
      verdict: verdict(ok),
    });
  }
  return rows;
}

/** The 80k-vertex ring rows alone (exported so they can be run by themselves). */
export async function ring(tmp: string): Promise<BenchRow[]> {
  const pts = randomRing(80_000, 18);
  let mask!: Uint8Array;
  const tFill = cpu(() => { mask = rasterizeRing(pts); });
  const xs = Float64Array.from(pts, (p) => p[0]), ys = Float64Array.from(pts, (p) => p[1]);
  const cov = new Coverage(512);
  const tCov = cpu(() => { new RingRaster().addRing(xs, ys, 0, pts.length, cov); });
  let same = cov.count === mask.reduce((a, v) => a + v, 0);
  for (let i = 0; same && i < mask.length; i++) if ((mask[i] === 1) !== cov.has(i % 512, Math.floor(i / 512))) same = false;
  // The index's one pass over polygons.jsonl (which now computes the Overview's polygon statistics, coverage included) with the ring added as one more tile's line, against the plain sample.
  const plain = datasetCopy(tmp, 'ring-floor');
  const withRing = datasetCopy(tmp, 'ring');
  fs.appendFileSync(path.join(withRing, 'polygons.jsonl'), JSON.stringify({ id: hexId(0xbeef), annotations: [{ type: 'blood_vessel', coordinates: [pts] }] }) + '\n');
  const passCpu = async (root: string) => { await indexDataset(root); const c0 = process.cpuUsage(); await indexDataset(root); const c = process.cpuUsage(c0); return (c.user + c.system) / 1e6; };
  const floor = await passCpu(plain);
  const passed = await passCpu(withRing);
  // The same pass as the extension runs it (in a worker thread) against this thread: worst lateness of a 10 ms timer here.
  const lateness = async (work: () => Promise<unknown>) => {
    let last = performance.now(), worst = 0;
    const t = setInterval(() => { const now = performance.now(); worst = Math.max(worst, now - last - 10); last = now; }, 10);
    const t0 = performance.now();
    try { await work(); } finally { clearInterval(t); }
    return { worst, wall: (performance.now() - t0) / 1000 };
  };
  const here = await lateness(() => indexDataset(withRing));
  const there = await lateness(() => indexInWorker(withRing));
  // The floor: the same timer while this thread only waits as long (a loaded machine makes timers late by itself).
  const idle = await lateness(() => new Promise((r) => setTimeout(r, there.wall * 1000)));
  const busy = os.loadavg()[0] / os.cpus().length > 1.5;
  const lateOk = there.worst <= 100 || (busy && there.worst <= idle.worst + 100);
  return [
    { benchmark: 'hostile: index + Overview pass in the worker thread, sample + the 80k ring: timer lateness on the calling (host) thread', measured: `${there.worst.toFixed(0)} ms (wall ${fmtSeconds(there.wall)})${busy ? `; busy machine (load ${os.loadavg()[0].toFixed(1)}): judged against the idle floor + 100 ms` : ''}`, target: `<= 100 ms (floor: an idle wait, ${idle.worst.toFixed(0)} ms late; alternative: the pass on this thread, ${here.worst.toFixed(0)} ms late, wall ${fmtSeconds(here.wall)})`, verdict: verdict(lateOk) },
    { benchmark: 'hostile: 80,000-vertex random ring, fillRing / RingRaster', measured: `${fmtSeconds(tFill)} / ${fmtSeconds(tCov)} CPU, pixels ${same ? 'identical' : 'DIFFER'}`, target: '<= 2 s each, identical pixels (was 158 s with insertion sort)', verdict: verdict(tFill <= 2 && tCov <= 2 && same) },
    { benchmark: 'hostile: index + Overview polygon pass, sample + the 80k ring (1 MB line)', measured: `${fmtSeconds(passed)} CPU (+${fmtSeconds(passed - floor)} for the ring)`, target: `ring adds <= 2 s (floor: the plain sample ${fmtSeconds(floor)})`, verdict: verdict(passed - floor <= 2) },
  ];
}

async function tiff(tmp: string): Promise<BenchRow[]> {
  const file = path.join(tmp, 'pyramid-1000.tif');
  fs.writeFileSync(file, pyramidTiff(1000, 30000));
  const real = path.join(SAMPLE, 'train', fs.readdirSync(path.join(SAMPLE, 'train'))[0]);
  await readTileInfo(real); // load sharp first: the refusal is timed, not the module load
  const t1 = performance.now();
  await readTileInfo(real);
  const floorMs = performance.now() - t1;
  const t0 = performance.now();
  const e = await readTileInfo(file).then(() => undefined, (x: unknown) => x);
  const ms = performance.now() - t0;
  const refused = e instanceof TileImageError && e.code === 'limit';
  return [{ benchmark: 'hostile: TIFF with 1000 levels (30000x30000 at level 0)', measured: `${refused ? 'refused (tiffLevels cap)' : `NOT refused: ${String(e)}`} in ${ms.toFixed(1)} ms`, target: `refused <= 100 ms (floor: header of a real tile ${floorMs.toFixed(1)} ms)`, verdict: verdict(refused && ms <= 100) }];
}

function longLine(tmp: string): BenchRow[] {
  const plain = datasetCopy(tmp, 'long-floor');
  const big = datasetCopy(tmp, 'long');
  const lineNo = writeLongLinePolygons(path.join(big, 'polygons.jsonl'), 200e6);
  const size = fs.statSync(path.join(big, 'polygons.jsonl')).size;
  const floor = cliRun(['validate', plain, '--json']);
  const r = cliRun(['validate', big, '--json']);
  fs.rmSync(path.join(big, 'polygons.jsonl'));
  const j = JSON.parse(r.out.slice(0, r.out.lastIndexOf('VE_MAXRSS')).trim()) as { polygonLines: number; annotatedTiles: number; problems: { line: number; code: string }[] };
  const jf = JSON.parse(floor.out.slice(0, floor.out.lastIndexOf('VE_MAXRSS')).trim()) as { polygonLines: number; annotatedTiles: number };
  const reported = j.problems.some((p) => p.code === 'line-too-long' && p.line === lineNo);
  const rest = j.annotatedTiles === jf.annotatedTiles && j.polygonLines === jf.polygonLines + 1;
  const grow = r.rss - floor.rss;
  return [{
    benchmark: `hostile: polygons.jsonl with one ${(size / 1e6).toFixed(0)} MB line (validate)`,
    measured: `line ${lineNo} ${reported ? 'reported' : 'NOT reported'}, rest ${rest ? 'indexed' : 'NOT indexed'}, ${fmtSeconds(r.wall)}; peak RSS ${fmtMiB(r.rss)}, +${fmtMiB(Math.max(0, grow))} over floor`,
    target: `RSS growth <= 64 MiB, line reported, rest indexed (floor: the plain sample ${fmtSeconds(floor.wall)}, ${fmtMiB(floor.rss)})`,
    verdict: verdict(reported && rest && grow <= MB64),
  }];
}

async function hangingModel(tmp: string): Promise<BenchRow[]> {
  const model = path.join(tmp, 'hanging.onnx');
  execFileSync('/usr/bin/python3', [path.join(REPO, 'scripts', 'model', 'export_hanging_model.py'), model], { timeout: 60_000 });
  const sharp = (await import('sharp')).default;
  const tiles = fs.readdirSync(path.join(SAMPLE, 'train')).slice(0, 2);
  const img = async (n: string) => { const { data, info } = await sharp(path.join(SAMPLE, 'train', n)).raw().toBuffer({ resolveWithObject: true }); return { width: info.width, height: info.height, channels: info.channels as 3, data: new Uint8Array(data.buffer, data.byteOffset, data.length) }; };
  const client = new InferenceClient({ log: () => undefined }); // the default timeout
  try {
    const t0 = performance.now();
    const failed = await client.predict({ modelPath: model, image: await img(tiles[0]), provider: 'cpu', threads: 1 }).then(() => false, (e: unknown) => e instanceof InferenceTimeoutError);
    const waited = (performance.now() - t0) / 1000;
    const t1 = performance.now();
    const next = await client.predict({ modelPath: path.join(REPO, 'media', 'model', 'demo-unet.onnx'), image: await img(tiles[1]), provider: 'cpu', threads: 2 }).then(() => true, () => false);
    const nextS = (performance.now() - t1) / 1000;
    const ok = failed && next && waited >= DEFAULT_TIMEOUT_MS / 1000 && waited <= DEFAULT_TIMEOUT_MS / 1000 + 5;
    return [{ benchmark: 'hostile: a model that never returns (real ONNX Loop of 2^62 steps)', measured: `tile ${failed ? 'failed with a timeout' : 'did NOT time out'} after ${fmtSeconds(waited)}; next tile ${next ? 'ran' : 'FAILED'} on a fresh worker in ${fmtSeconds(nextS)}`, target: `fails after the ${DEFAULT_TIMEOUT_MS / 1000} s default timeout, the next tile runs`, verdict: verdict(ok) }];
  } finally {
    await client.dispose();
  }
}

/** The section: every row, temp files deleted at the end. */
export async function hostileBench(): Promise<BenchRow[]> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 've-hostile-bench-'));
  try {
    return [...submissions(tmp), ...(await ring(tmp)), ...(await tiff(tmp)), ...longLine(tmp), ...(await hangingModel(tmp))];
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (require.main === module) {
  void hostileBench().then((rows) => { for (const r of rows) console.log(`${r.verdict}\t${r.benchmark}\t${r.measured}\t${r.target}`); });
}
