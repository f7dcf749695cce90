/** Train Baseline Model inside a real VS Code: a 1-epoch job on the sample with progress in the notification, then a job cancelled mid-run that registers no model and leaves the previous one untouched. */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { VasculatureExplorerApi } from '../../src/extension/common/api';
import type { TrainOutcome } from '../../src/extension/training/trainCommands';
import { until } from './wait';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { name: string; publisher: string };
const sample = path.resolve(repoRoot, '..', 'shared', 'data', 'hhv-sample');

async function api(): Promise<VasculatureExplorerApi> {
  const ext = vscode.extensions.getExtension<VasculatureExplorerApi>(`${manifest.publisher}.${manifest.name}`);
  assert.ok(ext);
  return ext.activate();
}

const config = () => vscode.workspace.getConfiguration('vasculatureExplorer');

describe('Train Baseline Model on the real sample', function () {
  this.timeout(240_000);
  let x: VasculatureExplorerApi;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 've-train-int-'));
  const labels = path.join(tmp, 'labels');
  const small = { fold: '0', epochs: 1, steps: 3, batch: 2, size: 64, width: 4, valTiles: 2, threads: 1 };
  before(async () => {
    x = await api();
    await until(() => x.index()?.root === sample && x.index(), 45_000, 'the sample to be indexed');
    await config().update('python', '/usr/bin/python3', vscode.ConfigurationTarget.Global);
    await config().update('modelPath', undefined, vscode.ConfigurationTarget.Global);
    // A labels folder in the documented layout, made by the test's Python helper (outside the dataset).
    execFileSync('/usr/bin/python3', [path.join(repoRoot, 'test', 'unit', 'py', 'make_labels_folder.py')], { input: JSON.stringify({ dataset: sample, out: labels }) });
  });
  after(async () => {
    await config().update('python', undefined, vscode.ConfigurationTarget.Global);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('runs a 1-epoch job with progress (device, epoch, loss, validation AP) and writes a model Predict can use', async () => {
    const out = path.join(tmp, 'model');
    const r = (await vscode.commands.executeCommand('vasculatureExplorer.trainBaseline', { labels, out, ...small })) as TrainOutcome;
    assert.equal(r.state, 'done', r.message);
    assert.ok(r.progress.some((m) => /^cpu .* · epoch 1\/1 · loss \d\.\d{3} · val AP@0\.6 \d\.\d{3}/.test(m)), r.progress.join('\n'));
    assert.ok(fs.existsSync(r.done!.model) && fs.existsSync(r.done!.card));
    assert.equal(config().inspect('modelPath')?.globalValue, undefined, 'nothing registered until "Use for Predict" is chosen');
  });

  it('cancel mid-run: no model registered, the previous model file untouched, nothing left in the folder', async () => {
    const out = path.join(tmp, 'cancel');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'baseline-unet.onnx'), 'previous model');
    const job = vscode.commands.executeCommand('vasculatureExplorer.trainBaseline', { labels, out, ...small, steps: 400 }) as Thenable<TrainOutcome>;
    await until(() => x.training.lastTraining()?.state === 'running' && x.training.lastTraining()!.events.some((e) => e.event === 'step'), 120_000, 'the first training step');
    assert.ok(x.training.cancelTraining());
    const r = await job;
    assert.equal(r.state, 'cancelled', r.message);
    assert.ok(!r.events.some((e) => e.event === 'done'));
    assert.equal(fs.readFileSync(path.join(out, 'baseline-unet.onnx'), 'utf8'), 'previous model');
    assert.deepEqual(fs.readdirSync(out), ['baseline-unet.onnx']);
    assert.equal(config().inspect('modelPath')?.globalValue, undefined);
    assert.equal(x.training.isTraining(), false);
  });

  it('refuses a model folder inside the dataset folder', async () => {
    const r = (await vscode.commands.executeCommand('vasculatureExplorer.trainBaseline', { labels, out: path.join(sample, 'model'), ...small })) as TrainOutcome;
    assert.equal(r.state, 'refused');
    assert.match(r.message, /inside the dataset folder/);
    assert.ok(!fs.existsSync(path.join(sample, 'model')));
  });
});
