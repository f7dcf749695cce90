/**
 * The training program end to end on the full synthetic set (7033 tiles, 1633 annotated, images
 * rendered with their polygons): the product's labels export, then train.py for a few CPU steps,
 * validated by the product's scorer; the whole run within 2 minutes (issue 17).
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeSyntheticDataset } from '../../src/core/synthetic/writeSyntheticDataset';
import { parseTrainingLine, type TrainEvent } from '../../src/core/training/progressLines';
import { repoRoot } from './support/runPython';

const CLI = path.join(repoRoot, 'bin', 'vasculature-explorer.js');
const BUDGET_MS = 120_000;

describe('training program on the full synthetic set', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 've-train-synthetic-'));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('generate (7033 tiles), labels (1633 tiles, leave-one-WSI-out folds), train 3 steps on CPU, validate with our scorer: a model with its contract, within 2 minutes', async () => {
    const t0 = Date.now();
    const root = path.join(tmp, 'full');
    const gen = await writeSyntheticDataset({ out: root, tiles: 7033, images: 'render' });
    assert.equal(gen.tiles, 7033);
    const labels = path.join(tmp, 'labels');
    execFileSync(process.execPath, [CLI, 'labels', root, '--out', labels, '--formats', 'masks,instances', '--folds', 'lowo'], { stdio: 'ignore' });
    const manifest = JSON.parse(fs.readFileSync(path.join(labels, 'manifest.json'), 'utf8')) as { counts: { tiles: number }; folds: { names: string[] } };
    assert.equal(manifest.counts.tiles, gen.polygonLines, 'every annotated tile has an image in the rendered set');
    assert.ok(manifest.folds.names.length >= 2, `${manifest.folds.names.length} folds`);

    const out = path.join(tmp, 'model');
    const stdout = execFileSync('/usr/bin/python3', [
      path.join(repoRoot, 'training', 'train.py'), '--labels', labels, '--fold', '0', '--out', out,
      '--epochs', '1', '--steps', '3', '--batch', '2', '--size', '64', '--width', '4', '--threads', '1', '--device', 'cpu', '--val-tiles', '4',
      '--scorer', JSON.stringify([process.execPath, CLI]),
    ], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 16 << 20 });
    const events = stdout.trim().split('\n').map((l) => parseTrainingLine(l)).filter((e): e is TrainEvent => !!e);
    assert.equal(events.length, stdout.trim().split('\n').length, 'every stdout line is an event the product parses');
    const start = events.find((e) => e.event === 'start');
    assert.ok(start && start.event === 'start' && start.trainTiles > 1000, `trained on ${start && start.event === 'start' ? start.trainTiles : '?'} tiles`);
    const epoch = events.find((e) => e.event === 'epoch');
    assert.ok(epoch && epoch.event === 'epoch' && typeof epoch.valDice === 'number' && typeof epoch.valAP60 === 'number', 'validated with the scorer');
    const done = events.at(-1);
    assert.equal(done?.event, 'done');
    const model = path.join(out, 'baseline-unet.onnx');
    const contract = JSON.parse(fs.readFileSync(`${model}.json`, 'utf8')) as { outputKind: string; instanceSplit?: { method: string } };
    assert.equal(contract.outputKind, 'semantic');
    assert.equal(contract.instanceSplit?.method, 'watershed');
    assert.ok(fs.readFileSync(model).includes(Buffer.from('vasculature_explorer.contract')), 'the contract is in the ONNX metadata');
    const ms = Date.now() - t0;
    console.log(`  synthetic training smoke: ${(ms / 1000).toFixed(1)} s (generate ${gen.seconds.toFixed(1)} s; ${manifest.counts.tiles} labelled tiles)`);
    assert.ok(ms <= BUDGET_MS, `${(ms / 1000).toFixed(1)} s > 120 s`);
  });
});
