/** Status bar entry of Predict: model name, the provider actually used, the last latency. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Disposable } from '../common/disposable';

export class PredictStatusBar extends Disposable {
  private readonly item = this._register(vscode.window.createStatusBarItem('vasculatureExplorer.predict', vscode.StatusBarAlignment.Left, 49));

  constructor() {
    super();
    this.item.name = 'Vasculature Explorer Predict';
    this.item.command = 'vasculatureExplorer.selectModel';
  }

  /** The text shown now (tests read it). */
  get text(): string {
    return this.item.text;
  }

  /** After a run: model, provider used, latency; fallback reasons in the tooltip. */
  update(modelPath: string, provider: string, latencyMs: number, fallbackReasons: readonly string[]): void {
    const name = path.basename(modelPath, '.onnx');
    this.item.text = `$(circuit-board) ${name} · ${provider} · ${latencyMs.toFixed(0)} ms`;
    this.item.tooltip = `Predict model: ${modelPath}\nExecution provider used: ${provider}${fallbackReasons.length ? `\nFell back because:\n${fallbackReasons.map((r) => `  ${r}`).join('\n')}` : ''}\nLast Predict latency: ${latencyMs.toFixed(0)} ms (includes model load on first use).\nClick to select a model.`;
    this.item.backgroundColor = undefined;
    this.item.show();
  }

  /** Before the first run (or after the model changed): the model name only. */
  idle(modelPath: string): void {
    this.item.text = `$(circuit-board) ${path.basename(modelPath, '.onnx')}`;
    this.item.tooltip = `Predict model: ${modelPath}\nNot run yet in this session: right-click a tile and choose Predict.\nClick to select a model.`;
    this.item.backgroundColor = undefined;
    this.item.show();
  }

  /** After a failure: say so until the next good run. */
  failed(modelPath: string, message: string): void {
    this.item.text = `$(error) ${path.basename(modelPath, '.onnx')} · Predict failed`;
    this.item.tooltip = `${message}\nClick to select a model.`;
    this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
    this.item.show();
  }
}
