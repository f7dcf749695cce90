/**
 * Prepare Training Data into a folder that holds other files, in a real VS Code: the extension asks
 * with a modal warning before any work; Cancel writes nothing, "Write Beside Them" writes the
 * training data and leaves the other files alone. The modal is answered by a wrapper on the
 * extension's own window API (the test's `vscode` is the extension's API object): it records the
 * call (text, modal flag, buttons) and returns the answer a person would click, without drawing it.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { VasculatureExplorerApi } from '../../../src/extension/common/api';
import type { LabelsFormValues } from '../../../src/shared/labelsFormProtocol';
import { until } from '../wait';

const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { name: string; publisher: string };

interface Asked { text: string; modal: boolean; buttons: string[] }
type ShowWarning = (message: string, ...rest: unknown[]) => Thenable<unknown>;

describe('Prepare Training Data into a folder holding other files (real VS Code, hhv-sample)', function () {
  this.timeout(180_000);
  let a: VasculatureExplorerApi;
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 've-labels-other-'));
  const out = path.join(parent, 'mixed');
  const asked: Asked[] = [];
  let answer: string | undefined;
  const w = vscode.window as unknown as { showWarningMessage: ShowWarning };
  const real = w.showWarningMessage;

  before(async () => {
    const ext = vscode.extensions.getExtension<VasculatureExplorerApi>(`${pkg.publisher}.${pkg.name}`);
    assert.ok(ext, 'extension not loaded');
    a = await ext.activate();
    if (!a.index()) await a.nextIndex();
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, 'notes.txt'), 'my own notes\n');
    // Modal warnings are answered as scripted; every other warning goes to the real window.
    w.showWarningMessage = (message: string, ...rest: unknown[]) => {
      const opts = rest[0] as { modal?: boolean } | undefined;
      if (!opts || typeof opts !== 'object' || !opts.modal) return real.call(vscode.window, message, ...rest);
      asked.push({ text: message, modal: true, buttons: rest.slice(1).map((b) => (typeof b === 'string' ? b : (b as { title: string }).title)) });
      return Promise.resolve(answer);
    };
  });
  after(() => {
    w.showWarningMessage = real;
    fs.rmSync(parent, { recursive: true, force: true });
  });

  async function submitFromForm(): Promise<{ result?: { manifest: { counts: { tiles: number } } }; error?: string }> {
    await vscode.commands.executeCommand('vasculatureExplorer.prepareTrainingData');
    await until(() => vscode.window.tabGroups.activeTabGroup.activeTab?.label === 'Prepare Training Data', 20_000, 'the form tab');
    const form = a.labels.form()!;
    await until(async () => ((await form.request<{ values?: LabelsFormValues }>({ kind: 'snapshot' }).catch(() => undefined))?.values !== undefined), 20_000, 'the form initialised');
    await form.request({ kind: 'fill', values: { out, formats: ['masks', 'yolo', 'coco'] } });
    const done = a.labels.nextRun();
    await form.request({ kind: 'submit' });
    return done;
  }

  it('asks with a modal naming the folder and its other files; Cancel writes nothing', async () => {
    answer = undefined; // Cancel (or Escape) resolves to undefined
    const r = await submitFromForm();
    assert.equal(asked.length, 1, 'asked once');
    assert.equal(asked[0].modal, true);
    assert.ok(asked[0].text.includes(out) && asked[0].text.includes('notes.txt'), asked[0].text);
    assert.deepEqual(asked[0].buttons, ['Write Beside Them']);
    assert.equal(r.error, 'declined');
    assert.deepEqual(fs.readdirSync(out), ['notes.txt'], 'nothing written beside the other file');
    assert.equal(fs.readFileSync(path.join(out, 'notes.txt'), 'utf8'), 'my own notes\n');
    const status = await a.labels.form()!.request<{ status: string; running: boolean }>({ kind: 'snapshot' });
    assert.equal(status.running, false);
    assert.match(status.status, /^Not started/);
  });

  it('"Write Beside Them" writes the training data and keeps the other file', async () => {
    answer = 'Write Beside Them';
    const r = await submitFromForm();
    assert.equal(asked.length, 2, 'asked again for the second run');
    assert.equal(r.error, undefined, r.error);
    assert.equal(r.result!.manifest.counts.tiles, 27);
    for (const f of ['manifest.json', 'README.md', 'folds.csv', 'data_fold0.yaml', 'coco/fold0_train.json']) assert.ok(fs.existsSync(path.join(out, f)), f);
    assert.equal(fs.readdirSync(path.join(out, 'masks', 'blood_vessel')).length, 27);
    assert.equal(fs.readFileSync(path.join(out, 'notes.txt'), 'utf8'), 'my own notes\n', 'the other file is untouched');
  });
});
