/**
 * The floor of every new webview in this VS Code, for the suites that run inside it: an EMPTY
 * webview panel (one inline script, no extension code), creation to its script's message. In
 * code-server this is mostly VS Code's webview service worker being registered again in the one
 * origin all webviews share (docs/webview-startup.md).
 */
import * as vscode from 'vscode';
import { sleep } from '../test/integration/wait';

/** Creates an empty webview panel whose only content is an inline script posting one message; ms from creation to that message. */
export async function emptyWebviewMs(): Promise<number> {
  const nonce = Math.random().toString(36).slice(2);
  const t0 = performance.now();
  const panel = vscode.window.createWebviewPanel('vasculatureExplorer.benchEmptyWebview', 'empty webview', vscode.ViewColumn.Active, { enableScripts: true });
  try {
    const got = new Promise<number>((resolve) => panel.webview.onDidReceiveMessage(() => resolve(performance.now() - t0)));
    panel.webview.html = `<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'nonce-${nonce}';"></head><body><script nonce="${nonce}">acquireVsCodeApi().postMessage('ready');</script></body></html>`;
    return await Promise.race([got, sleep(30_000).then(() => { throw new Error('the empty webview never ran its script'); })]);
  } finally {
    panel.dispose();
  }
}
