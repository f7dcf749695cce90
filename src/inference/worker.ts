/**
 * The inference child process: owns onnxruntime-node, caches sessions, and answers the typed
 * requests of protocol.ts over the fork IPC channel. Bundled to dist/inferenceWorker.js; also
 * runnable as out/src/inference/worker.js. A native crash here kills only this process.
 */
import { decodeOutputs, type RawTensor } from '../core/model';
import { vesselClassIndex } from '../core/predict';
import { toInputTensor } from '../core/model';
import { applyContractStain } from '../core/stain';
import { semanticOutputToInstances } from '../core/model';
import { outputCapRefusal } from '../core/model';
import type { FromWorker, PostprocessedInstances, RawOutput, RunRequest, ToWorker } from './protocol';
import { providerCandidates, shortReason } from './providers';
import { limits, limitsFromEnvironment, raiseHint } from '../core/limits';
import { InferenceError, SessionCache } from './sessionCache';

type Ort = typeof import('onnxruntime-node');

function send(msg: FromWorker): void {
  process.send?.(msg);
}

function log(level: 'info' | 'warn' | 'error', message: string): void {
  send({ type: 'log', level, message });
}

function isRequest(m: unknown): m is ToWorker {
  if (typeof m !== 'object' || m === null) return false;
  const r = m as { type?: unknown; id?: unknown };
  return typeof r.id === 'number' && (r.type === 'run' || r.type === 'describe' || r.type === 'release');
}

let inputScratch: Float32Array | undefined;

async function handleRun(ort: Ort, cache: SessionCache, req: RunRequest): Promise<FromWorker> {
  let { entry, created } = await cache.get(req);
  const c = entry.contract;
  const t0 = performance.now();
  // A model trained on stain-normalised tiles sees normalised tiles (contract.stainNormalise).
  const image = c.stainNormalise ? applyContractStain(req.image, c.stainNormalise) : req.image;
  // Runs are one at a time, and the runtime does not keep its inputs: one buffer serves them all.
  const input = toInputTensor(image, c, inputScratch);
  inputScratch = input.data;
  const t1 = performance.now();
  // Checked before running, from the session's output metadata and this input's dims: onnxruntime would otherwise allocate the outputs first.
  const tooBig = outputCapRefusal(entry.io, c.inputName, input.dims, req.modelPath);
  if (tooBig) throw new InferenceError('limit', tooBig);
  const feeds = { [c.inputName]: new ort.Tensor('float32', input.data, input.dims) };
  let results: Awaited<ReturnType<typeof entry.session.run>>;
  try {
    results = await entry.session.run(feeds);
  } catch (e) {
    if (entry.provider === 'cpu') throw new InferenceError('run-failed', `Running ${req.modelPath} failed: ${shortReason(e)}. Input ${c.inputName} was [${input.dims.join(',')}].`);
    entry = await cache.fallBackToCpu(req, entry, shortReason(e));
    created = true;
    results = await entry.session.run(feeds);
  }
  const t2 = performance.now();
  let outBytes = 0;
  for (const t of Object.values(results)) outBytes += (t.data as { byteLength?: number }).byteLength ?? 0;
  // The backstop, for outputs whose size the metadata left open (symbolic dims of their own).
  if (outBytes > limits().outputTensorBytes) {
    for (const t of Object.values(results)) t.dispose?.();
    throw new InferenceError('limit', `${req.modelPath}: the model's outputs for one tile hold ${outBytes} bytes; they were dropped: ${raiseHint('outputTensorBytes')}.`);
  }
  const outputs: Record<string, RawTensor> = {};
  const outputShapes: Record<string, number[]> = {};
  for (const [name, t] of Object.entries(results)) {
    outputs[name] = { dims: t.dims, data: t.data as RawTensor['data'] };
    outputShapes[name] = [...t.dims];
  }
  let prediction: ReturnType<typeof decodeOutputs>;
  let postprocessed: PostprocessedInstances | undefined;
  let t3: number;
  if (req.postprocess && c.outputs.kind === 'semantic') {
    // Instances cross the process boundary instead of a float map per class.
    const r = semanticOutputToInstances(outputs[c.outputs.logits], c, input.geometry, vesselClassIndex, req.postprocess.options, req.postprocess.glomerulusMask);
    t3 = performance.now();
    prediction = r.prediction;
    postprocessed = { classIndex: r.classIndex, instances: r.instances, ms: t3 - t2, fastPath: r.fastPath };
  } else {
    prediction = decodeOutputs(outputs, c, input.geometry, req.decode);
    t3 = performance.now();
  }
  let raw: Record<string, RawOutput> | undefined;
  if (req.includeRaw) raw = Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, { dims: [...v.dims], data: v.data }]));
  for (const t of Object.values(results)) t.dispose?.();
  return {
    type: 'result',
    inReplyTo: req.id,
    session: { provider: entry.provider, fallbackReasons: entry.fallbackReasons, contract: c, io: entry.io, created },
    prediction,
    ...(postprocessed ? { postprocessed } : {}),
    outputShapes,
    ...(raw ? { raw } : {}),
    timings: { loadMs: created ? entry.loadMs : 0, preprocessMs: t1 - t0, runMs: t2 - t1, decodeMs: postprocessed ? 0 : t3 - t2 },
  };
}

async function main(): Promise<void> {
  limitsFromEnvironment(process.env);
  if (!process.send) {
    console.error('inference worker: start me with child_process.fork (I talk over the IPC channel). Providers tried by "auto" here: ' + providerCandidates('auto').join(', '));
    process.exit(2);
  }
  // Loaded here, not at the top: a missing or broken native module becomes an error reply.
  let ort: Ort;
  try {
    ort = require('onnxruntime-node') as Ort;
  } catch (e) {
    log('error', `cannot load onnxruntime-node: ${shortReason(e)}. Reinstall the extension (its native runtime is missing for ${process.platform}-${process.arch}).`);
    process.exit(3);
  }
  const cache = new SessionCache(ort, log);
  process.on('message', async (m: unknown) => {
    if (!isRequest(m)) {
      const id = typeof m === 'object' && m !== null && typeof (m as { id?: unknown }).id === 'number' ? (m as { id: number }).id : -1;
      send({ type: 'error', inReplyTo: id, code: 'bad-request', message: `inference worker: unknown request ${JSON.stringify(m)?.slice(0, 200)}` });
      return;
    }
    try {
      if (m.type === 'run') send(await handleRun(ort, cache, m));
      else if (m.type === 'describe') {
        const { entry } = await cache.get(m);
        send({ type: 'described', inReplyTo: m.id, session: { provider: entry.provider, fallbackReasons: entry.fallbackReasons, contract: entry.contract, io: entry.io, created: true }, metadata: entry.metadata, loadMs: entry.loadMs });
      } else {
        await cache.releaseAll();
        send({ type: 'released', inReplyTo: m.id });
      }
    } catch (e) {
      const code = e instanceof InferenceError ? e.code : 'run-failed';
      send({ type: 'error', inReplyTo: m.id, code, message: e instanceof Error ? e.message : String(e) });
    }
  });
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready', pid: process.pid, ortVersion: ort.env.versions?.node ?? ort.env.versions?.common ?? 'unknown' });
}

void main();
