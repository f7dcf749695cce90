/**
 * Fuzz suite: seeded mutations of the real sample's polygons.jsonl, tile_meta.csv, a real-shaped
 * submission, a real TIFF tile and the demo ONNX, through the readers behind validate and score,
 * the tile decoder and the model loader. Each target runs in its own child process under a heap
 * limit and a time budget (support/fuzzChild.ts); two at a time, the whole suite within 2
 * minutes. Seed: VE_FUZZ_SEED (default 18); a failure prints the command that replays it.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';

const CHILD = path.join(__dirname, 'support', 'fuzzChild.js');
const SEED = Number(process.env.VE_FUZZ_SEED ?? 18);
const HEAP_MB = 256;
/** Resident memory a child may reach (heap limit plus native buffers, sharp and onnxruntime). */
const RSS_BUDGET = 512 << 20;
/** Wall time a child may take before it counts as hung. */
const CHILD_TIMEOUT_MS = 110_000;
/** The whole suite (every target, two at a time) must finish within this (issue 18: a few thousand cases within 2 minutes). */
const SUITE_BUDGET_MS = 120_000;
const PLAN: [string, number][] = [['polygons', 600], ['submission', 800], ['onnx', 600], ['tiff', 600], ['tile_meta', 500]];

interface Summary { target: string; seed: number; ok: boolean; case?: number; error?: string; cases?: number; slowestMs?: number; totalMs?: number; maxRssBytes?: number }

function runChild(target: string, cases: number): Promise<{ summary?: Summary; code: number | null; signal: NodeJS.Signals | null; stderr: string; ms: number }> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [`--max-old-space-size=${HEAP_MB}`, CHILD, target, String(SEED), String(cases)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
    child.stderr.on('data', (b: Buffer) => { err = (err + b.toString()).slice(-4000); });
    const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const last = out.trim().split('\n').pop() ?? '';
      let summary: Summary | undefined;
      try { summary = JSON.parse(last) as Summary; } catch { summary = undefined; }
      resolve({ summary, code, signal, stderr: err, ms: performance.now() - t0 });
    });
  });
}

describe(`fuzz: seeded mutations of real files (seed ${SEED})`, () => {
  it(`${PLAN.reduce((a, [, n]) => a + n, 0)} cases within ${SUITE_BUDGET_MS / 1000} s: no crash, hang, budget overrun, or lost untouched lines`, async () => {
    const t0 = performance.now();
    const queue = [...PLAN];
    const results: { target: string; r: Awaited<ReturnType<typeof runChild>> }[] = [];
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) results.push({ target: next[0], r: await runChild(next[0], next[1]) });
    };
    await Promise.all([worker(), worker()]);
    const totalMs = performance.now() - t0;
    console.log(`  fuzz suite: ${(totalMs / 1000).toFixed(1)} s in all (budget ${SUITE_BUDGET_MS / 1000} s)`);
    for (const { target, r } of results) {
      const replay = `node --max-old-space-size=${HEAP_MB} out/test/unit/support/fuzzChild.js ${target} ${SEED} ${PLAN.find((p) => p[0] === target)![1]}`;
      const s = r.summary;
      console.log(`  fuzz ${target}: ${s?.ok ? `${s.cases} cases in ${((s.totalMs ?? 0) / 1000).toFixed(1)} s, slowest ${s.slowestMs} ms, peak RSS ${((s.maxRssBytes ?? 0) / 1048576).toFixed(0)} MiB` : 'FAILED'}`);
      assert.ok(s, `fuzz ${target} (seed ${SEED}) gave no summary: exit ${r.code}, signal ${r.signal}${r.signal === 'SIGKILL' ? ' (hung past the child timeout)' : ''}; stderr: ${r.stderr.slice(-800)}\nreplay: ${replay}`);
      assert.ok(s.ok, `fuzz ${target} failed at seed ${SEED}, case ${s.case}: ${s.error}\nreplay: ${replay}`);
      assert.equal(r.code, 0);
      assert.ok((s.maxRssBytes ?? 0) < RSS_BUDGET, `fuzz ${target}: peak RSS ${s.maxRssBytes} bytes over the ${RSS_BUDGET} budget\nreplay: ${replay}`);
    }
    assert.ok(totalMs <= SUITE_BUDGET_MS, `the fuzz suite took ${(totalMs / 1000).toFixed(1)} s, over its ${SUITE_BUDGET_MS / 1000} s budget (per target: ${results.map(({ target, r }) => `${target} ${(r.ms / 1000).toFixed(1)} s`).join(', ')})`);
  });
});
