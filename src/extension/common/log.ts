/** The extension's one log channel. */
import * as vscode from 'vscode';

let channel: vscode.LogOutputChannel | undefined;

/** The shared LogOutputChannel ("Vasculature Explorer" in the Output panel). */
export function log(): vscode.LogOutputChannel {
  channel ??= vscode.window.createOutputChannel('Vasculature Explorer', { log: true });
  return channel;
}
