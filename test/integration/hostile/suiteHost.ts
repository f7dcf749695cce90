/** What the hostile suite's test files share: the repository, the workspace folder (the hostile copy), and the extension activated on it once indexed. */
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { VasculatureExplorerApi } from '../../../src/extension/common/api';
import { until } from '../wait';

export const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { name: string; publisher: string };
export const folder = (): string => vscode.workspace.workspaceFolders![0].uri.fsPath;

/** The extension's API once it has indexed the hostile copy. */
export async function activateOnHostileCopy(): Promise<VasculatureExplorerApi> {
  const ext = vscode.extensions.getExtension<VasculatureExplorerApi>(`${manifest.publisher}.${manifest.name}`);
  assert.ok(ext, 'extension not loaded');
  const x = await ext.activate();
  await until(() => x.index()?.root === folder() && x.index(), 45_000, 'the hostile copy to be indexed');
  return x;
}
