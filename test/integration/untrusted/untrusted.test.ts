/**
 * Restricted Mode in a real VS Code (workspace trust on, the folder not trusted): the workspace's
 * restricted settings (modelPath, datasetFolder, limits, every predict.*) are ignored while
 * an ordinary one applies; no model or sidecar is loaded from inside the workspace, and the message
 * the user gets says why and what to do; Train Baseline Model refuses; browsing, Problems, opening a
 * submission and Predict with the bundled model work.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { VasculatureExplorerApi } from '../../../src/extension/common/api';
import { until } from '../wait';
import { TRUNCATED_LINE, WORKSPACE_SETTINGS } from './workspace';

const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { name: string; publisher: string };
const folder = () => vscode.workspace.workspaceFolders![0].uri.fsPath;
const cfg = () => vscode.workspace.getConfiguration('vasculatureExplorer');

interface OpenResult { rows: number; problems: { code: string; line: number; message: string }[] }

describe('An untrusted workspace (Restricted Mode)', function () {
  this.timeout(120_000);
  let x: VasculatureExplorerApi;
  before(async () => {
    // Everything below means something only in Restricted Mode: fail at once if the workspace is trusted.
    assert.equal(vscode.workspace.isTrusted, false, 'the workspace must be UNTRUSTED for this suite (is workspace trust on in the profile, and code-server started without --disable-workspace-trust?)');
    const ext = vscode.extensions.getExtension<VasculatureExplorerApi>(`${manifest.publisher}.${manifest.name}`);
    assert.ok(ext);
    x = await ext.activate();
    await until(() => x.index()?.root === folder() && x.index(), 45_000, 'the workspace folder to be indexed');
  });
  after(async () => {
    await cfg().update('modelPath', undefined, vscode.ConfigurationTarget.Global);
  });

  it('vscode.workspace.isTrusted is false, and the workspace settings file holds the restricted settings', () => {
    assert.equal(vscode.workspace.isTrusted, false);
    const onDisk = JSON.parse(fs.readFileSync(path.join(folder(), '.vscode', 'settings.json'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual(onDisk, WORKSPACE_SETTINGS);
  });

  it('the restricted workspace settings are ignored; every predict.* among them; an ordinary one (tree.pageSize) applies', () => {
    const c = cfg();
    for (const [k, want] of [['modelPath', ''], ['datasetFolder', ''], ['limits.submissionFileMiB', 256], ['predict.timeoutSeconds', 30], ['predict.threshold', 0.5], ['predict.tta', false]] as const) {
      const i = c.inspect(k);
      console.log(`  ${k}: get=${JSON.stringify(c.get(k))} inspect.workspaceValue=${JSON.stringify(i?.workspaceValue)}`);
      assert.deepEqual(c.get(k), want, `${k} must keep its default in Restricted Mode`);
    }
    assert.equal(c.get('tree.pageSize'), 77, 'the workspace settings file is read at all (a non-restricted setting applies)');
  });

  it('datasetFolder from the workspace is ignored: the workspace folder itself is the dataset', () => {
    assert.equal(x.index()!.root, folder());
    assert.ok(x.index()!.tiles.size > 7000);
  });

  it('limits.submissionFileMiB from the workspace is ignored: the 2.8 MB bomb is read under the default cap and refused row by row', async () => {
    const r = (await vscode.commands.executeCommand('vasculatureExplorer.openSubmission', path.join(folder(), 'submissions', 'bomb.csv'))) as OpenResult;
    const codes = new Set(r.problems.map((p) => p.code));
    assert.ok(!codes.has('submission-too-large'), `the workspace's 1 MiB cap applied: ${[...codes].join(',')}`);
    assert.ok(codes.has('submission-mask-limit'), [...codes].join(','));
  });

  it("the workspace's modelPath is not used: Predict runs the bundled demo model", async () => {
    const tile = [...x.index()!.tiles.values()].find((t) => t.polygonsLine !== undefined && t.image)!;
    const r = (await vscode.commands.executeCommand('vasculatureExplorer.predictTile', tile.id)) as { tileId: string } | undefined;
    assert.ok(r, `Predict failed: ${JSON.stringify(x.predict.lastPredictError())}`);
    assert.equal(r.tileId, tile.id);
    const logLines = x.predict.predictLog().join('\n');
    assert.ok(!logLines.includes('evil.onnx'), logLines.slice(-2000));
  });

  for (const [label, value] of [['an absolute user-level modelPath into the workspace', () => path.join(folder(), 'model', 'evil.onnx')], ['a relative user-level modelPath (resolved against the workspace)', () => 'model/evil.onnx']] as const) {
    it(`${label}: no model or sidecar from inside the workspace; the message says why and what to do`, async () => {
      await cfg().update('modelPath', value(), vscode.ConfigurationTarget.Global);
      await until(() => cfg().get('modelPath') === value(), 10_000, 'the user setting');
      const tile = [...x.index()!.tiles.values()].find((t) => t.image)!;
      await assert.rejects(Promise.resolve(vscode.commands.executeCommand('vasculatureExplorer.predictTile', tile.id)).then((v) => {
        if (v === undefined) throw new Error('no prediction');
        return v;
      }));
      const err = x.predict.lastPredictError();
      assert.ok(err, 'a failure the user is shown');
      assert.match(err.message, /this workspace is not trusted/);
      assert.match(err.message, /does not load a model or its sidecar from inside it/);
      assert.match(err.message, /Manage Workspace Trust/);
      assert.ok(err.message.includes(path.join(folder(), 'model', 'evil.onnx')), err.message);
      // The sidecar's 60000 px inputSize was never read (it would be refused as a contract error).
      assert.doesNotMatch(err.message, /60000/);
      await cfg().update('modelPath', undefined, vscode.ConfigurationTarget.Global);
    });
  }

  it('Train Baseline Model (runs Python) refuses and says to trust the workspace', async () => {
    const r = (await vscode.commands.executeCommand('vasculatureExplorer.trainBaseline')) as { state: string; message: string } | undefined;
    assert.ok(r);
    assert.equal(r.state, 'refused');
    assert.match(r.message, /trust this workspace/);
  });

  it('browsing and Problems work: the tile tree, and the truncated polygons.jsonl line in the Problems panel', async () => {
    const roots = x.treeRoots();
    assert.ok(roots.length > 0, 'tile browser rows');
    assert.ok(x.treeChildren(roots[0].key).length > 0, 'children of the first row');
    const p = x.index()!.problems.find((q) => q.code === 'json-malformed');
    assert.ok(p && p.line === TRUNCATED_LINE, JSON.stringify(x.index()!.problems.filter((q) => q.severity === 'error').slice(0, 3)));
    const uri = vscode.Uri.file(path.join(folder(), 'polygons.jsonl'));
    await until(() => vscode.languages.getDiagnostics(uri).some((d) => d.range.start.line === TRUNCATED_LINE - 1), 20_000, 'the json-malformed diagnostic');
  });
});
