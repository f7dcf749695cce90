/**
 * "Showing a hidden webview tab again", for the suites that run inside VS Code: the webview's tab
 * is hidden behind a text editor opened in the same group, then brought back as a click on its
 * tab does (workbench.action.previousEditor: the tab to its left), and timed until the webview
 * answers a snapshot that shows its content painted.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import { sleep } from '../test/integration/wait';

const README = path.resolve(__dirname, '..', '..', 'README.md');

/** A snapshot request that gives up after ms (a webview being rebuilt may never answer the first one). */
export function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  return Promise.race([p, sleep(ms).then(() => undefined)]);
}

/**
 * ms from the command that shows the tab again to the first snapshot whose content `painted`
 * accepts; `hiddenMs` the time the tab stays hidden first. Throws when nothing is painted within 20 s.
 */
export async function tabShownAgainMs(painted: () => Promise<boolean>, hiddenMs = 600): Promise<number> {
  const doc = await vscode.workspace.openTextDocument(README);
  await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Active, preview: false, preserveFocus: false });
  await sleep(hiddenMs);
  const t0 = performance.now();
  await vscode.commands.executeCommand('workbench.action.previousEditor');
  while (!(await painted())) {
    if (performance.now() - t0 > 20_000) throw new Error('the webview tab, shown again, painted nothing within 20 s');
    await sleep(5);
  }
  return performance.now() - t0;
}
