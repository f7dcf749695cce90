/** A non-intrusive status bar entry: the open dataset's size and problem counts. */
import * as vscode from 'vscode';
import type { DatasetIndex } from '../../core/types';
import { Disposable } from '../common/disposable';

export class DatasetStatusBar extends Disposable {
  private readonly item = this._register(vscode.window.createStatusBarItem('vasculatureExplorer.dataset', vscode.StatusBarAlignment.Left, 50));

  constructor() {
    super();
    this.item.name = 'Vasculature Explorer dataset';
  }

  update(index: DatasetIndex | undefined): void {
    if (!index) {
      this.item.hide();
      return;
    }
    let errors = 0, warnings = 0;
    for (const p of index.problems) {
      if (p.severity === 'error') errors++;
      else if (p.severity === 'warning') warnings++;
    }
    this.item.text = `$(layers) ${index.tiles.size.toLocaleString('en-US')} tiles $(error) ${errors} $(warning) ${warnings}`;
    this.item.tooltip = `Vasculature Explorer: ${index.root}\n${index.stats.trainImages} train images, ${index.stats.polygonLines} polygons lines\n${errors} errors, ${warnings} warnings in the data. Click for the tile browser.`;
    this.item.command = 'vasculatureExplorer.tiles.focus';
    this.item.show();
  }
}
