/** The HTML shell of the tile viewer and gallery webviews: strict CSP with a crypto nonce, one bundled script. */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { EARLY_MESSAGES_SCRIPT } from '../../shared/earlyMessages';

/** Webview options: scripts on, resources only from the extension's dist/ and media/. */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')] };
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The page that loads dist/webview/<name>.js; styles come from the script (CSP allows only nonce'd
 * style/script). keepEarlyMessages: the page keeps messages that come before its script ran
 * (src/shared/earlyMessages.ts; the script must take them).
 */
export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, name: string, title: string, keepEarlyMessages = false): string {
  const nonce = randomBytes(18).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', `${name}.js`));
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} blob: data:`,
    `style-src ${webview.cspSource} 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeHtml(title)}</title>${keepEarlyMessages ? `\n<script nonce="${nonce}">${EARLY_MESSAGES_SCRIPT}</script>` : ''}
</head>
<body data-nonce="${nonce}">
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}
