/** Hostile files in a real VS Code: unsafe ids become located warnings; a zlib-bomb submission opened with "Open and Score submission.csv" is refused row by row without taking the extension host down; the limits settings reach the core. */
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { VasculatureExplorerApi } from '../../../src/extension/common/api';
import { until } from '../wait';
import { activateOnHostileCopy, folder, repoRoot } from './suiteHost';
import { HOSTILE_IDS } from './workspace';


interface OpenResult { rows: number; problems: { file: string; line: number; severity: string; code: string; message: string }[] }

describe('Hostile inputs in the extension host', function () {
  this.timeout(120_000);
  let x: VasculatureExplorerApi;
  before(async () => {
    x = await activateOnHostileCopy();
  });
  after(() => vscode.workspace.getConfiguration('vasculatureExplorer').update('limits.submissionFileMiB', undefined, vscode.ConfigurationTarget.Global));

  it('each unsafe id is an id-not-safe warning at its polygons.jsonl line, in the Problems panel', async () => {
    const lines = fs.readFileSync(path.join(folder(), 'polygons.jsonl'), 'utf8').trimEnd().split('\n').length;
    const want = HOSTILE_IDS.map((_, k) => lines - HOSTILE_IDS.length + 1 + k);
    assert.deepEqual(x.index()!.problems.filter((p) => p.code === 'id-not-safe').map((p) => p.line), want);
    const uri = vscode.Uri.file(path.join(folder(), 'polygons.jsonl'));
    await until(() => vscode.languages.getDiagnostics(uri).filter((d) => d.code === 'id-not-safe' || (d.code as { value?: string })?.value === 'id-not-safe').length === want.length, 20_000, 'the id-not-safe diagnostics');
  });

  for (const name of ['bomb.csv', 'crash.csv']) {
    it(`Open and Score ${name}: every bomb row refused at its line, in seconds, and the extension keeps working`, async () => {
      const t0 = Date.now();
      const r = (await vscode.commands.executeCommand('vasculatureExplorer.openSubmission', path.join(folder(), 'submissions', name))) as OpenResult;
      const ms = Date.now() - t0;
      const refused = r.problems.filter((p) => p.code === 'submission-mask-limit');
      assert.ok(refused.length >= 1 && refused[0].line === 2, JSON.stringify(r.problems.slice(0, 3)));
      assert.match(refused[0].message, /vasculatureExplorer\.limits\.maskInflatedKiB/);
      assert.ok(ms < 20_000, `${ms} ms`);
      // The host still answers: another command runs.
      assert.ok((await vscode.commands.executeCommand('vasculatureExplorer.openSubmission', path.join(folder(), 'submissions', name))) !== undefined);
    });
  }

  it('the limits setting reaches the core: a 1 MiB file cap refuses the 2.8 MB submission unread', async () => {
    await vscode.workspace.getConfiguration('vasculatureExplorer').update('limits.submissionFileMiB', 1, vscode.ConfigurationTarget.Global);
    await new Promise((r) => setTimeout(r, 200));
    const r = (await vscode.commands.executeCommand('vasculatureExplorer.openSubmission', path.join(folder(), 'submissions', 'bomb.csv'))) as OpenResult;
    assert.deepEqual(r.problems.map((p) => p.code), ['submission-too-large']);
    assert.match(r.problems[0].message, /limits\.submissionFileMiB/);
  });
});
