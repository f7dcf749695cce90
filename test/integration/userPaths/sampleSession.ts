/** What every userPaths suite does first and last: the extension active on the indexed sample, Predict on the CPU, the window API observed. */
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { VasculatureExplorerApi } from '../../../src/extension/common/api';
import { until } from '../wait';
import { observe } from './observe';

export const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');
export const sample = path.resolve(repoRoot, '..', 'shared', 'data', 'hhv-sample');
export const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { name: string; publisher: string };

/** Activates the extension, waits for the sample's index, sets Predict to the CPU and starts observing messages and pickers. */
export async function openSample(): Promise<VasculatureExplorerApi> {
  const x = await vscode.extensions.getExtension<VasculatureExplorerApi>(`${manifest.publisher}.${manifest.name}`)!.activate();
  await until(() => x.index()?.root === sample && x.index(), 45_000, 'the sample to be indexed');
  await vscode.workspace.getConfiguration('vasculatureExplorer').update('predict.executionProvider', 'cpu', vscode.ConfigurationTarget.Global);
  observe();
  return x;
}

/** Undoes openSample's setting, clears the tile filter and closes every editor. */
export async function closeSample(): Promise<void> {
  await vscode.workspace.getConfiguration('vasculatureExplorer').update('predict.executionProvider', undefined, vscode.ConfigurationTarget.Global);
  await vscode.commands.executeCommand('vasculatureExplorer.clearFilter');
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}
