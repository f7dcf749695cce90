import { describe, it, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { indexDataset } from '../../src/core/dataset/datasetIndex';
import { DEFAULT_PREDICT_SETTINGS, predictTile } from '../../src/core/predict/pipeline';
import { loadIndexedTile } from '../../src/core/predict/tileInputs';
import { semanticOutputToInstances } from '../../src/core/model/semanticInstances';
import { PROBABILITY_LEVELS } from '../../src/core/model/componentStats';
import { vesselClassIndex } from '../../src/core/predict/pipeline';
import { parseTrainingLine, type TrainEvent } from '../../src/core/training/progressLines';
import { scoreProbabilityMaps } from '../../src/core/training/scoreMaps';
import { findPythonWithTorch, NoTorchError, runTraining, TrainingCancelledError, TrainingFailedError, type TrainArgs } from '../../src/core/training/trainRunner';
import { InferenceClient } from '../../src/inference/client';
import { repoRoot } from './support/runPython';

const SAMPLE = path.resolve(repoRoot, '..', 'shared', 'data', 'hhv-sample');
const SCRIPT = path.join(repoRoot, 'training', 'train.py');
const SCORER = [process.execPath, path.join(repoRoot, 'bin', 'vasculature-explorer.js')];
const WORKER = path.join(repoRoot, 'out', 'src', 'inference', 'worker.js');
/** Small enough for 2 busy cores: 1 epoch of 4 steps on 64 px crops, validation on 4 full tiles. */
const SMOKE: Omit<TrainArgs, 'labels' | 'out'> = { fold: '0', epochs: 1, steps: 4, batch: 2, size: 64, width: 4, threads: 1, device: 'cpu', valTiles: 4 };

describe('training program: smoke run on the sample, through the product\'s runner', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 've-train-'));
  const labels = path.join(tmp, 'labels');
  let made: { tiles: number; folds: Record<string, number> };
  const client = new InferenceClient({ workerPath: WORKER, timeoutMs: 120_000 });
  before(() => {
    // The product's own labels output (leave-one-WSI-out folds, exact instance PNGs).
    execFileSync(process.execPath, [path.join(repoRoot, 'bin', 'vasculature-explorer.js'), 'labels', SAMPLE, '--out', labels, '--formats', 'masks,instances', '--folds', 'lowo'], { stdio: 'ignore' });
    const rows = fs.readFileSync(path.join(labels, 'folds.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    made = { tiles: rows.length, folds: {} };
    for (const [, f] of rows) made.folds[f] = (made.folds[f] ?? 0) + 1;
  });
  after(() => {
    client.dispose();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('trains, validates with our scorer, writes ONNX + sidecar + metrics + card; every stdout line is an event the parser reads', async () => {
    assert.equal(made.tiles, 27);
    const out = path.join(tmp, 'model');
    const events: TrainEvent[] = [];
    const logs: string[] = [];
    const py = await findPythonWithTorch('/usr/bin/python3', 'requirements.txt');
    const t0 = Date.now();
    const done = await runTraining({ python: py.python, script: SCRIPT, args: { ...SMOKE, labels, out }, scorer: SCORER, onEvent: (e) => events.push(e), onLog: (l) => logs.push(l) });
    const seconds = (Date.now() - t0) / 1000;
    console.log(`# smoke training ${seconds.toFixed(1)} s; events ${events.map((e) => e.event).join(',')}`);
    assert.deepEqual(events.map((e) => e.event), ['start', 'step', 'step', 'epoch', 'done']);
    const start = events[0] as Extract<TrainEvent, { event: 'start' }>;
    assert.equal(start.trainTiles + made.folds['0'], 27);
    assert.equal(start.valTiles, 4);
    assert.match(start.device, /^cpu/);
    const epoch = events[3] as Extract<TrainEvent, { event: 'epoch' }>;
    assert.ok(typeof epoch.valAP60 === 'number' && epoch.valAP60 >= 0 && epoch.valAP60 <= 1, `valAP60 ${epoch.valAP60}`);
    assert.ok(typeof epoch.valDice === 'number' && epoch.valDice >= 0 && epoch.valDice <= 1);
    // No stdout line was lost as a log: non-event lines only come from stderr (Python warnings).
    assert.ok(!logs.some((l) => parseTrainingLine(l)), 'an event line was taken for a log');
    for (const f of [done.model, done.sidecar, done.metrics, done.card]) assert.ok(fs.existsSync(f), f);
    assert.deepEqual(fs.readdirSync(out).filter((n) => n.startsWith('.')), [], 'no temporary folder left');
    const metrics = JSON.parse(fs.readFileSync(done.metrics, 'utf8'));
    assert.equal(metrics.epochs[0].valAP60, epoch.valAP60);
    assert.equal(metrics.valTiles.length, 4);
    assert.equal(metrics.epochs[0].valGT > 0, true);
    const card = fs.readFileSync(done.card, 'utf8');
    assert.ok(card.includes(`| 1 | ${epoch.loss.toFixed(4)} | ${epoch.valDice!.toFixed(4)} | ${epoch.valAP60!.toFixed(4)} |`), 'the card shows the epoch\'s numbers');
    assert.ok(card.includes('training/train.py'), 'the card holds the command');

    // Predict loads it with the contract from metadata alone (sidecar moved away) and runs it.
    fs.renameSync(done.sidecar, done.sidecar + '.off');
    const desc = await client.describe({ modelPath: done.model, provider: 'cpu' });
    assert.equal(desc.contract.source, 'metadata');
    assert.deepEqual(desc.contract.classNames, ['blood_vessel', 'blood_vessel_interior']);
    assert.equal(desc.contract.instanceSplit?.method, 'watershed');
    const index = await indexDataset(SAMPLE);
    const id = metrics.valTiles[0] as string;
    const input = await loadIndexedTile(index, id);
    const settings = { ...DEFAULT_PREDICT_SETTINGS, modelPath: done.model, provider: 'cpu' as const, minArea: 1, threshold: 0.3 };
    const r = await predictTile(client, input, settings);
    const raw = await client.predict({ modelPath: done.model, image: input.image, provider: 'cpu', includeRaw: true });
    const logits = Object.values(raw.raw!)[0];
    assert.deepEqual(logits.dims, [1, 2, 512, 512]);
    const g = { tileWidth: 512, tileHeight: 512, inputWidth: 512, inputHeight: 512, scaleX: 1, scaleY: 1 };
    const expected = semanticOutputToInstances({ dims: logits.dims, data: logits.data }, desc.contract, g, vesselClassIndex, { threshold: 0.3, minArea: 1, dilation: 0, levels: PROBABILITY_LEVELS });
    assert.equal(r.vessels.length, expected.instances.length, 'Predict gives the watershed-split instances of the contract');
    assert.ok(r.annotated && r.groundTruth.length > 0, `tile ${id} scored against its polygons`);
  });

  /** A model folder holding a previous model: every failed or cancelled run must leave exactly that. */
  const withPreviousModel = (name: string) => {
    const out = path.join(tmp, name);
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'baseline-unet.onnx'), 'previous model');
    return out;
  };
  const assertOnlyPreviousModel = (out: string, why: string) => {
    assert.equal(fs.readFileSync(path.join(out, 'baseline-unet.onnx'), 'utf8'), 'previous model');
    assert.deepEqual(fs.readdirSync(out), ['baseline-unet.onnx'], why);
  };

  it('cancel: no model appears, the previous model is untouched, no temporary folder is left', async () => {
    const out = withPreviousModel('cancel');
    const ac = new AbortController();
    const events: string[] = [];
    const run = runTraining({ python: '/usr/bin/python3', script: SCRIPT, args: { ...SMOKE, steps: 500, labels, out }, scorer: SCORER, signal: ac.signal, onEvent: (e) => { events.push(e.event); if (e.event === 'step') ac.abort(); } });
    await assert.rejects(run, TrainingCancelledError);
    assert.ok(events.includes('step'));
    assert.ok(!events.includes('done'));
    assertOnlyPreviousModel(out, 'no temporary folder is left');
  });

  it('a CUDA error mid-run (injected: this machine has no GPU): the message says to rerun on the CPU, no model, the previous one untouched', async () => {
    const out = withPreviousModel('cuda');
    const events: TrainEvent[] = [];
    await assert.rejects(
      runTraining({ python: '/usr/bin/python3', script: SCRIPT, args: { ...SMOKE, steps: 6, labels, out }, scorer: SCORER, env: { VE_TRAIN_FAULT: 'cuda-at-step:3' }, onEvent: (e) => events.push(e) }),
      (e: Error) => e instanceof TrainingFailedError && /CUDA error/.test(e.message) && /Rerun with --device cpu/.test(e.message) && /No model was written/.test(e.message),
    );
    assert.ok(events.some((e) => e.event === 'step'), 'it was training when the error came');
    assertOnlyPreviousModel(out, 'no sidecar, metrics, card or partial folder');
  });

  it('a write that fails while the model is exported (a real file-size limit, ulimit -f 1 MiB: the 2+ MB ONNX cannot be written): a message, no model, the previous one untouched', async () => {
    const out = withPreviousModel('full');
    // Python ignores SIGXFSZ, so the write past the limit fails with EFBIG as a full disk fails with ENOSPC.
    const limited = path.join(tmp, 'python-fsize-limited.sh');
    fs.writeFileSync(limited, '#!/bin/sh\nulimit -f 1024\nexec /usr/bin/python3 "$@"\n', { mode: 0o755 });
    await assert.rejects(
      runTraining({ python: limited, script: SCRIPT, args: { ...SMOKE, width: 12, fold: 'all', labels, out }, scorer: SCORER }),
      (e: Error) => e instanceof TrainingFailedError && /File too large|No space/.test(e.message) && /no model was written/i.test(e.message),
    );
    assertOnlyPreviousModel(out, 'the partial folder is removed');
  });

  it('bad input: a folder without manifest, another format, a fold with no tiles: a message, no model', async () => {
    const other = path.join(tmp, 'other');
    fs.mkdirSync(other);
    fs.writeFileSync(path.join(other, 'folds.csv'), 'id,fold\na,0\n');
    const fail = (labelsDir: string, fold: string) => runTraining({ python: '/usr/bin/python3', script: SCRIPT, args: { ...SMOKE, fold, labels: labelsDir, out: path.join(tmp, 'bad') }, scorer: SCORER });
    await assert.rejects(fail(other, '0'), (e: Error) => e instanceof TrainingFailedError && /manifest\.json is missing.*vasculature-explorer labels/.test(e.message));
    fs.writeFileSync(path.join(other, 'manifest.json'), JSON.stringify({ format: 'someone-else/3' }));
    await assert.rejects(fail(other, '0'), /format is "someone-else\/3", expected "vasculature-explorer-labels\/1"/);
    await assert.rejects(fail(labels, '9'), /fold 9 has no tiles.*folds: 0, 1, 2, 3/);
    assert.ok(!fs.existsSync(path.join(tmp, 'bad', 'baseline-unet.onnx')));
    // Never inside the dataset folder.
    await assert.rejects(runTraining({ python: '/usr/bin/python3', script: SCRIPT, args: { ...SMOKE, labels, out: path.join(SAMPLE, 'model') }, scorer: SCORER }), /inside the dataset folder/);
    assert.ok(!fs.existsSync(path.join(SAMPLE, 'model')));
  });

  it('the CLI: vasculature-explorer train --fold all --json prints parseable events and writes the model', () => {
    const out = path.join(tmp, 'cli');
    const stdout = execFileSync(process.execPath, [path.join(repoRoot, 'bin', 'vasculature-explorer.js'), 'train', labels, '--out', out, '--fold', 'all', '--epochs', '1', '--steps', '2', '--batch', '2', '--size', '32', '--width', '4', '--threads', '1', '--device', 'cpu', '--python', '/usr/bin/python3', '--json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const events = stdout.trim().split('\n').map((l) => parseTrainingLine(l));
    assert.deepEqual(events.map((e) => e?.event), ['start', 'step', 'step', 'epoch', 'done']);
    const epoch = events[3] as Extract<TrainEvent, { event: 'epoch' }>;
    assert.equal(epoch.valAP60, undefined, '"all" has no held-out fold');
    assert.ok(fs.existsSync(path.join(out, 'baseline-unet.onnx')));
    assert.match(fs.readFileSync(path.join(out, 'MODEL_CARD.md'), 'utf8'), /no held-out number/);
  });

  it('a Python without torch: a clear message with the install command', async () => {
    const noTorch = ['/root/.pyenv/shims/python3', '/bin/false'].find((p) => {
      try {
        execFileSync(p, ['-c', 'import torch'], { stdio: 'ignore' });
        return false;
      } catch {
        return fs.existsSync(p);
      }
    })!;
    await assert.rejects(findPythonWithTorch(noTorch, '/x/training/requirements.txt'), (e: Error) => e instanceof NoTorchError && e.message.includes(`vasculatureExplorer.python (${noTorch}) has no torch`) && e.message.includes('apt install python3-torch') && e.message.includes('/x/training/requirements.txt'));
  });
});

describe('scoreProbabilityMaps (the training program\'s validation numbers)', () => {
  it('ground-truth maps score AP 1 and Dice 1; an empty map AP 0; the split separates two touching squares', () => {
    const h = 40, w = 40, n = h * w;
    const gt = new Uint16Array(n);
    for (let y = 5; y < 15; y++) for (let x = 5; x < 25; x++) gt[y * w + x] = x < 15 ? 1 : 2;
    const prob = Float32Array.from(gt, (v) => (v ? 1 : 0));
    const cc = scoreProbabilityMaps([{ id: 't', height: h, width: w, probability: prob, groundTruth: gt }], { minArea: 1 });
    assert.equal(cc.tp, 0, 'components merge the two touching squares');
    const inner = Float32Array.from({ length: n }, (_, i) => { const y = Math.floor(i / w), x = i % w; return y >= 7 && y < 13 && ((x >= 7 && x < 13) || (x >= 17 && x < 23)) ? 1 : 0; });
    const ws = scoreProbabilityMaps([{ id: 't', height: h, width: w, probability: prob, split: inner, groundTruth: gt }], { minArea: 1, split: { method: 'watershed', channel: 1, minMarkerArea: 1 } });
    assert.deepEqual([ws.ap, ws.tp, ws.fp, ws.dice], [1, 2, 0, 1]);
    const none = scoreProbabilityMaps([{ id: 't', height: h, width: w, probability: new Float32Array(n), groundTruth: gt }]);
    assert.deepEqual([none.ap, none.numGt, none.dice], [0, 2, 0]);
  });
});
