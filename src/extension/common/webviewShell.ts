/**
 * The HTML shell every webview of ours uses: a strict CSP with a crypto nonce, and the bundled
 * script (and stylesheet) written INTO the page instead of linked.
 *
 * Why inline: a linked `https://…vscode-resource.vscode-cdn.net/…` URL only resolves while VS Code's
 * webview service worker controls the frame. In code-server every webview shares one origin and one
 * worker registration, and a new webview's registration replaces the worker under the others; a
 * frame that loads in that window is not controlled, its script request goes to the network and
 * the webview stays blank (clean-clone CI: "blocked …vscode-cdn.net/…/dist/webview/tileViewer.js",
 * then "no reply to request 1"). An inline script needs no worker, no round trip through the host,
 * and is the same bytes. docs/webview-startup.md has the measurements.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { EARLY_MESSAGES_SCRIPT } from '../../shared/earlyMessages';
import { inlineScriptText, inlineStyleText } from '../../shared/inlineText';

/** Webview options: scripts on, resources only from the extension's dist/ and media/. */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')] };
}

export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const fileCache = new Map<string, { mtimeMs: number; size: number; text: string }>();

/** A built file's text, read again only when it changed on disk (a watch build during development). */
function readBuilt(file: string): string {
  const st = fs.statSync(file);
  const hit = fileCache.get(file);
  if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.text;
  const text = fs.readFileSync(file, 'utf8');
  fileCache.set(file, { mtimeMs: st.mtimeMs, size: st.size, text });
  return text;
}

export interface WebviewShellOptions {
  /** dist/webview/<script>.js */
  script: string;
  /** media/<css>.css, written in a nonce'd <style> */
  css?: string;
  title: string;
  /** The body's content before the script (escaped by the caller). */
  body?: string;
  /** Keep messages that come before the script ran (src/shared/earlyMessages.ts; the script must take them). */
  keepEarlyMessages?: boolean;
}

/** The page for one webview; styles the script adds itself take the nonce from body[data-nonce]. */
export function webviewShellHtml(webview: vscode.Webview, extensionUri: vscode.Uri, o: WebviewShellOptions): string {
  const nonce = randomBytes(18).toString('base64');
  const js = readBuilt(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', `${o.script}.js`).fsPath);
  const css = o.css ? readBuilt(vscode.Uri.joinPath(extensionUri, 'media', `${o.css}.css`).fsPath) : undefined;
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} blob: data:`,
    `style-src ${webview.cspSource} 'nonce-${nonce}'`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeHtml(o.title)}</title>${o.keepEarlyMessages ? `\n<script nonce="${nonce}">${EARLY_MESSAGES_SCRIPT}</script>` : ''}${css !== undefined ? `\n<style nonce="${nonce}">${inlineStyleText(css)}</style>` : ''}
</head>
<body data-nonce="${nonce}">
${o.body ?? ''}
<script nonce="${nonce}">${inlineScriptText(js)}</script>
</body>
</html>`;
}
