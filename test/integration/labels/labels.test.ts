/** Prepare Training Data in a real VS Code on the real sample: the command opens the form, the form's own Prepare button runs it, the folder holds the files, the Dataset Overview shows the folds. */
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { VasculatureExplorerApi } from '../../../src/extension/common/api';
import type { LabelsFormValues } from '../../../src/shared/labelsFormProtocol';
import { until } from '../wait';

const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { name: string; publisher: string; contributes: { commands: { command: string; title: string }[]; menus: Record<string, { command: string; when?: string }[]> } };

async function api(): Promise<VasculatureExplorerApi> {
  const ext = vscode.extensions.getExtension<VasculatureExplorerApi>(`${manifest.publisher}.${manifest.name}`);
  assert.ok(ext, 'extension not loaded');
  const a = await ext.activate();
  if (!a.index()) await a.nextIndex();
  return a;
}

describe('Prepare Training Data (real VS Code, hhv-sample)', function () {
  this.timeout(180_000);
  let a: VasculatureExplorerApi;
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 've-labels-int-')), 'training');
  after(() => fs.rmSync(path.dirname(out), { recursive: true, force: true }));

  before(async () => { a = await api(); });

  it('is contributed to the palette and the tile browser title bar', async () => {
    assert.ok(manifest.contributes.commands.some((c) => c.command === 'vasculatureExplorer.prepareTrainingData' && c.title === 'Prepare Training Data…'));
    assert.ok(manifest.contributes.menus['view/title'].some((m) => m.command === 'vasculatureExplorer.prepareTrainingData' && m.when === 'view == vasculatureExplorer.tiles'));
    assert.ok(!manifest.contributes.menus.commandPalette.some((m) => m.command === 'vasculatureExplorer.prepareTrainingData'), 'not hidden from the palette');
    assert.ok((await vscode.commands.getCommands(true)).includes('vasculatureExplorer.prepareTrainingData'));
  });

  it('opens the form from the command and runs from its Prepare button; the folder holds every file', async () => {
    await vscode.commands.executeCommand('vasculatureExplorer.prepareTrainingData');
    await until(() => vscode.window.tabGroups.activeTabGroup.activeTab?.label === 'Prepare Training Data', 20_000, 'the form tab');
    const form = a.labels.form()!;
    await until(async () => ((await form.request<{ values?: LabelsFormValues }>({ kind: 'snapshot' }).catch(() => undefined))?.values !== undefined), 20_000, 'the form initialised');
    const snap = await form.request<{ values: LabelsFormValues }>({ kind: 'snapshot' });
    assert.deepEqual(snap.values.datasets, [1, 2]);
    assert.equal(snap.values.folds, 'kfold');
    await form.request({ kind: 'fill', values: { out, formats: ['masks', 'label', 'instances', 'yolo', 'coco'] } });
    const done = a.labels.nextRun();
    await form.request({ kind: 'submit' });
    const r = await done;
    assert.equal(r.error, undefined, r.error);
    const m = r.result!.manifest;
    assert.equal(m.counts.tiles, 27);
    for (const f of ['manifest.json', 'README.md', 'folds.csv', 'data_fold0.yaml', 'fold4_val.txt', 'coco/fold0_train.json', 'coco/fold4_val.json']) assert.ok(fs.existsSync(path.join(out, f)), f);
    for (const d of ['masks/blood_vessel', 'masks/label', 'masks/instance', 'labels', 'images']) assert.equal(fs.readdirSync(path.join(out, d)).length, 27, d);
    assert.equal(fs.readFileSync(path.join(out, 'folds.csv'), 'utf8').trim().split('\n').length, 28);
    assert.equal(a.labels.leakDiagnostics(), m.folds.leakage.leakingPairs);
    const status = await form.request<{ status: string; running: boolean }>({ kind: 'snapshot' });
    assert.equal(status.running, false);
    assert.match(status.status, /^Wrote \d+ files to .*27 tiles/);
  });

  it('a second run with the same options is a no-op and says so', async () => {
    const before = fs.statSync(path.join(out, 'manifest.json')).mtimeMs;
    const done = a.labels.nextRun();
    await a.labels.form()!.request({ kind: 'submit' });
    const r = await done;
    assert.equal(r.result?.upToDate, true);
    assert.equal(fs.statSync(path.join(out, 'manifest.json')).mtimeMs, before);
  });

  it('the Dataset Overview shows the folds of that run', async () => {
    await a.dashboard.show();
    let snap = await a.dashboard.snapshot();
    await until(async () => { snap = await a.dashboard.snapshot(); return (snap?.folds?.rows.length ?? 0) === 5; }, 20_000, 'the folds section');
    const f = snap!.folds!;
    assert.match(f.headline, /^5 folds · 27 tiles · leakage check: \d+ of \d+ overlapping tile pairs/);
    assert.equal(f.rows.reduce((s, r) => s + Number(r[1]), 0), 27);
    assert.equal(f.charts, 3);
    assert.ok(f.slideInk > 0, 'the slide map by fold is drawn');
  });
});
