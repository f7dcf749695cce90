/** The extension loads in a real VS Code opened on the real sample dataset. */
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
  name: string; publisher: string; main?: string;
  contributes?: { commands?: { command: string }[]; views?: Record<string, { id: string }[]>; viewsContainers?: Record<string, { id: string }[]> };
};
const extensionId = `${manifest.publisher}.${manifest.name}`;
const sample = path.resolve(repoRoot, '..', 'shared', 'data', 'hhv-sample');

describe('Activation in a real VS Code', () => {
  it('runs VS Code 1.100 with the hhv-sample folder as the only workspace folder', () => {
    assert.match(vscode.version, /^1\.100\./);
    const folders = vscode.workspace.workspaceFolders ?? [];
    assert.deepEqual(folders.map((f) => f.uri.fsPath), [sample]);
  });

  it('sees the real sample files through the workspace API (126 train tiles)', async () => {
    const tiles = await vscode.workspace.findFiles('train/*.tif');
    assert.equal(tiles.length, fs.readdirSync(path.join(sample, 'train')).filter((f) => f.endsWith('.tif')).length);
    assert.equal(tiles.length, 126);
  });

  it('loads this repository as the development extension', () => {
    const ext = vscode.extensions.getExtension(extensionId);
    assert.ok(ext, `extension ${extensionId} is not loaded`);
    assert.equal(ext.extensionUri.fsPath, repoRoot);
  });

  it('activates by itself on this workspace (workspaceContains polygons.jsonl), without activate() being called', async function () {
    if (!manifest.main || !fs.existsSync(path.join(repoRoot, manifest.main))) this.skip();
    const ext = vscode.extensions.getExtension(extensionId);
    assert.ok(ext);
    const deadline = Date.now() + 30_000;
    while (!ext.isActive && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    assert.equal(ext.isActive, true, 'not active 30 s after startup: check activationEvents and the extension host log');
    await ext.activate(); // rethrows if activate() failed
  });

  it('registers every command that package.json contributes', async function () {
    const contributed = (manifest.contributes?.commands ?? []).map((c) => c.command);
    if (contributed.length === 0) this.skip();
    await vscode.extensions.getExtension(extensionId)?.activate();
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.deepEqual(contributed.filter((c) => !registered.has(c)), []);
  });

  it('opens every contributed view through its generated focus command', async function () {
    const views = Object.values(manifest.contributes?.views ?? {}).flat().map((v) => v.id);
    if (views.length === 0) this.skip();
    await vscode.extensions.getExtension(extensionId)?.activate();
    for (const id of views) await vscode.commands.executeCommand(`${id}.focus`);
  });
});
