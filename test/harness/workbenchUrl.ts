/** Builds the code-server workbench URL: folder to open and the `payload` that stands in for VS Code's CLI flags. */
import * as path from 'path';

/** A local absolute path as the remote URI the web workbench expects (vscode-remote://127.0.0.1:PORT/abs/path). */
export function remoteUri(port: number, absPath: string): string {
  const p = path.resolve(absPath).split(path.sep).map(encodeURIComponent).join('/');
  return `vscode-remote://127.0.0.1:${port}${p.startsWith('/') ? p : '/' + p}`;
}

export interface WorkbenchTarget {
  port: number;
  /** Folder to open; omitted opens an empty window. */
  folder?: string;
  /** Extensions to load from source (like --extensionDevelopmentPath). */
  extensionDevelopmentPaths?: string[];
  /** Test module to run in the extension host (like --extensionTestsPath). */
  extensionTestsPath?: string;
}

/** http://127.0.0.1:PORT/?folder=...&payload=[[...]] */
export function workbenchUrl(t: WorkbenchTarget): string {
  const q = new URLSearchParams();
  if (t.folder) q.set('folder', path.resolve(t.folder));
  const payload: [string, string][] = [];
  for (const p of t.extensionDevelopmentPaths ?? []) payload.push(['extensionDevelopmentPath', remoteUri(t.port, p)]);
  if (t.extensionTestsPath) payload.push(['extensionTestsPath', remoteUri(t.port, t.extensionTestsPath)]);
  if (payload.length) q.set('payload', JSON.stringify(payload));
  return `http://127.0.0.1:${t.port}/?${q.toString()}`;
}
