/**
 * A model that never returns, in a real VS Code: with vasculatureExplorer.predict.timeoutSeconds at
 * 2 and modelPath on the hanging model (scripts/model/export_hanging_model.py), Predict on a tile
 * row of the tile browser fails after the timeout with an error notification and a log line that
 * name the timeout and its setting; with the demo model back, the next Predict on the same row
 * succeeds (the inference worker was restarted, the extension still works).
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { VasculatureExplorerApi } from '../../../src/extension/common/api';
import { observe, resetObserved, shown } from '../userPaths/observe';
import { until } from '../wait';
import { activateOnHostileCopy, folder, repoRoot } from './suiteHost';

/** A tile with an image whose polygons.jsonl line is not one of the suite's 80,000-vertex rings. */
const TILE = '1f0d3cd4b621';

const config = () => vscode.workspace.getConfiguration('vasculatureExplorer');
const setting = (key: string, value: unknown) => config().update(key, value, vscode.ConfigurationTarget.Global);

describe('A hanging model in the extension host', function () {
  this.timeout(180_000);
  let x: VasculatureExplorerApi;
  let model: string;
  before(async () => {
    x = await activateOnHostileCopy();
    // Outside the workspace (a model inside an untrusted workspace is refused for another reason).
    model = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vex-hang-int-')), 'hanging.onnx');
    execFileSync('/usr/bin/python3', [path.join(repoRoot, 'scripts', 'model', 'export_hanging_model.py'), model], { timeout: 60_000 });
    observe();
    await setting('predict.executionProvider', 'cpu');
  });
  after(async () => {
    await setting('predict.timeoutSeconds', undefined);
    await setting('modelPath', undefined);
    await setting('predict.executionProvider', undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(path.dirname(model), { recursive: true, force: true });
  });

  it('Predict on a tile row times out after 2 s with an error naming the timeout; with the demo model back the next Predict on that row works', async () => {
    await setting('predict.timeoutSeconds', 2);
    await setting('modelPath', model);
    const row = x.treeElement(`tile:${TILE}`);
    assert.ok(row && (row as { kind?: string }).kind === 'tile', `the tile browser has a row for ${TILE}`);
    resetObserved();
    const logBefore = x.predict.predictLog().length;

    const t0 = Date.now();
    const r = await vscode.commands.executeCommand('vasculatureExplorer.predictTile', row);
    const ms = Date.now() - t0;
    assert.equal(r, undefined, 'a timed-out Predict returns no result');
    assert.ok(ms >= 1900 && ms < 30_000, `failed after ${ms} ms (timeout 2 s)`);
    const err = x.predict.lastPredictError();
    assert.equal(err?.kind, 'timeout', JSON.stringify(err));
    // What the person reads: an error notification that says it timed out, on which model, and which setting sets the limit.
    const note = await until(() => shown.find((s) => s.level === 'error' && /timed out/.test(s.text)), 10_000, 'the timeout error notification');
    assert.match(note.text, /hanging\.onnx/);
    assert.match(note.text, /vasculatureExplorer\.predict\.timeoutSeconds/);
    assert.ok(note.buttons.includes('Open Settings'), JSON.stringify(note.buttons));
    const logged = x.predict.predictLog().slice(logBefore);
    assert.ok(logged.some((l) => /^error Predict timed out on hanging\.onnx: .*predict\.timeoutSeconds/.test(l)), JSON.stringify(logged));
    assert.match(x.predict.predictStatusText(), /Predict failed/);
    assert.equal(x.predict.predictionLayer(TILE), undefined, 'no layer is stored for the timed-out tile');

    // The extension keeps working: the demo model, the default limit, the same row.
    await setting('modelPath', undefined);
    await setting('predict.timeoutSeconds', undefined);
    resetObserved();
    const ok = (await vscode.commands.executeCommand('vasculatureExplorer.predictTile', x.treeElement(`tile:${TILE}`))) as { tileId: string; provider: string } | undefined;
    assert.ok(ok, `the second Predict returned nothing; last error: ${JSON.stringify(x.predict.lastPredictError())}`);
    assert.equal(ok.tileId, TILE);
    assert.equal(ok.provider, 'cpu');
    assert.equal(x.predict.lastPredictError(), undefined);
    assert.equal(x.predict.lastPrediction()?.tileId, TILE);
    assert.ok(x.predict.predictionLayer(TILE), 'the good run stored its layer');
    assert.deepEqual(shown.filter((s) => s.level === 'error').map((s) => s.text), [], 'no error the second time');
  });
});
