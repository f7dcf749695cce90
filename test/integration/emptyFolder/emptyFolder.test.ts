/** In a folder without polygons.jsonl or tile_meta.csv the extension stays out of the way. */
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';

const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { name: string; publisher: string };

describe('A workspace with no dataset', () => {
  it('opens the temporary not-a-dataset folder, not the sample', () => {
    const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => path.basename(f.uri.fsPath));
    assert.deepEqual(folders, ['not-a-dataset']);
  });

  it('does not activate the extension (its activation events need dataset files)', async () => {
    const ext = vscode.extensions.getExtension(`${manifest.publisher}.${manifest.name}`);
    assert.ok(ext, 'the development extension is not loaded');
    await new Promise((r) => setTimeout(r, 3000)); // give workspaceContains time to (wrongly) fire
    assert.equal(ext.isActive, false);
  });
});
