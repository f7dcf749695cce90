#!/usr/bin/env node
// A short, prepared check of onnxruntime-node's execution providers on a machine with a GPU:
// creates a session on each provider (cpu with 2 threads, webgpu, cuda), runs the demo model on the
// same 512x512 input, and prints the latency of each beside the cpu's and the largest output
// difference from the cpu. A provider that cannot start prints the reason (this is what the
// extension's 'auto' setting falls back on).
// Usage: node scripts/gpu/providerCheck.js [model.onnx] [runs]   (ORT_MODULE=<path> to load onnxruntime-node from elsewhere)
'use strict';
const path = require('path');
const ort = require(process.env.ORT_MODULE || 'onnxruntime-node');

const model = process.argv[2] || path.join(__dirname, '..', '..', 'media', 'model', 'demo-unet.onnx');
const runs = Number(process.argv[3] || 20);
const size = 512;

function input() {
  // A deterministic pink-purple-ish texture, normalised like the demo model's contract expects.
  const data = new Float32Array(3 * size * size);
  let s = 12345;
  for (let k = 0; k < data.length; k++) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    data[k] = ((s / 0x7fffffff) - 0.5) * 2;
  }
  return new ort.Tensor('float32', data, [1, 3, size, size]);
}

async function measure(provider, x) {
  const opts = { executionProviders: [provider], graphOptimizationLevel: 'all' };
  if (provider === 'cpu') Object.assign(opts, { intraOpNumThreads: 2, interOpNumThreads: 1 });
  const t0 = performance.now();
  let session;
  try {
    session = await ort.InferenceSession.create(model, opts);
  } catch (e) {
    return { provider, ok: false, reason: String(e && e.message || e).split('\n')[0].slice(0, 300) };
  }
  const createMs = performance.now() - t0;
  const feeds = { [session.inputNames[0]]: x };
  let out;
  for (let k = 0; k < 3; k++) out = await session.run(feeds); // warm-up (shader/kernel compilation)
  const times = [];
  for (let k = 0; k < runs; k++) {
    const t = performance.now();
    out = await session.run(feeds);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const y = out[session.outputNames[0]];
  await session.release();
  return { provider, ok: true, createMs: Math.round(createMs), medianMs: +times[times.length >> 1].toFixed(2), minMs: +times[0].toFixed(2), dims: y.dims, data: y.data };
}

(async () => {
  console.log(`onnxruntime-node ${ort.env.versions && ort.env.versions.common}, model ${path.basename(model)}, ${runs} timed runs at ${size}x${size}`);
  console.log(`backends: ${JSON.stringify(ort.listSupportedBackends ? ort.listSupportedBackends() : 'n/a')}`);
  const x = input();
  const results = [];
  for (const p of ['cpu', 'webgpu', 'cuda']) results.push(await measure(p, x));
  const cpu = results[0];
  console.log('\nprovider | session create | median run | min run | vs cpu | max |out - cpu out|');
  for (const r of results) {
    if (!r.ok) {
      console.log(`${r.provider} | did not start: ${r.reason}`);
      continue;
    }
    let diff = 0;
    if (cpu.ok) for (let k = 0; k < r.data.length; k++) diff = Math.max(diff, Math.abs(r.data[k] - cpu.data[k]));
    console.log(`${r.provider} | ${r.createMs} ms | ${r.medianMs} ms | ${r.minMs} ms | ${cpu.ok ? (cpu.medianMs / r.medianMs).toFixed(2) + 'x faster' : '-'} | ${diff.toExponential(2)}`);
  }
  console.log('\nJSON ' + JSON.stringify(results.map(({ data, ...r }) => r)));
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
