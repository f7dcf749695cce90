/** Publishes the index's problems to the Problems panel, on the offending file and line. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DatasetIndex, Problem } from '../../core/types';
import { Disposable } from '../common/disposable';

const SEVERITY: Record<Problem['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

/** Convert one problem to a diagnostic (1-based line to 0-based; line 0 = the file's start). */
export function toDiagnostic(p: Problem): vscode.Diagnostic {
  const line = Math.max(0, p.line - 1);
  const start = p.column ? p.column - 1 : 0;
  const end = p.endColumn ? p.endColumn - 1 : p.column ? start + 1 : 10_000;
  const d = new vscode.Diagnostic(new vscode.Range(line, start, line, end), p.count !== undefined ? `${p.message} [${p.count} cases]` : p.message, SEVERITY[p.severity]);
  d.source = 'Vasculature Explorer';
  d.code = p.code;
  return d;
}

export class ProblemsPublisher extends Disposable {
  private readonly collection = this._register(vscode.languages.createDiagnosticCollection('vasculatureExplorer'));

  /** Replace all diagnostics with the index's problems. */
  publish(index: DatasetIndex): void {
    const showInfo = vscode.workspace.getConfiguration('vasculatureExplorer').get<boolean>('problems.showInfo', true);
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const p of index.problems) {
      if (p.severity === 'info' && !showInfo) continue;
      const list = byFile.get(p.file) ?? [];
      list.push(toDiagnostic(p));
      byFile.set(p.file, list);
    }
    this.collection.clear();
    this.collection.set([...byFile].map(([file, ds]) => [vscode.Uri.file(path.join(index.root, file)), ds]));
  }

  /** The diagnostics currently shown for a file. */
  get(uri: vscode.Uri): readonly vscode.Diagnostic[] {
    return this.collection.get(uri) ?? [];
  }
}
