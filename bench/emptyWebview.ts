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

/**
 * The JS heap of the renderer that runs the webviews (here one process with the workbench), after
 * a gc where exposed, read by a new empty webview: taken with a hidden retained tab and again once
 * it is closed, the difference is what that tab keeps.
 */
export async function rendererHeap(): Promise<number | undefined> {
  const nonce = Math.random().toString(36).slice(2);
  const panel = vscode.window.createWebviewPanel('vasculatureExplorer.benchEmptyWebview', 'heap probe', { viewColumn: vscode.ViewColumn.Active, preserveFocus: true }, { enableScripts: true });
  try {
    const got = new Promise<number | undefined>((resolve) => panel.webview.onDidReceiveMessage((m: unknown) => resolve(typeof m === 'number' ? m : undefined)));
    panel.webview.html = `<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'nonce-${nonce}';"></head><body><script nonce="${nonce}">globalThis.gc && globalThis.gc(); acquireVsCodeApi().postMessage(performance.memory ? performance.memory.usedJSHeapSize : null);</script></body></html>`;
    return await Promise.race([got, sleep(30_000).then(() => undefined)]);
  } finally {
    panel.dispose();
  }
}
