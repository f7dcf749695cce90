/** The vasculatureExplorer.limits.* settings copied into core's caps (core/limits), now and whenever they change. */
import * as vscode from 'vscode';
import { limitsFromSettings, setLimits } from '../../core/limits';

function apply(): void {
  const c = vscode.workspace.getConfiguration('vasculatureExplorer');
  setLimits(limitsFromSettings((setting) => c.get<number>(setting)));
}

/** Applies the limits settings and follows their changes. */
export function registerLimitsSettings(): vscode.Disposable {
  apply();
  return vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration('vasculatureExplorer.limits')) apply();
  });
}
