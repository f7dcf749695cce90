/**
 * The reusable tile viewer panel's view type, and the file its tab shows. VS Code names a webview
 * panel's tab after panel.title but gives its TabInputWebview no URI, so the panel reports its
 * tile here for the code that asks "which tile is in the active tab" (Predict, tree reveal).
 */
import * as vscode from 'vscode';

/** View type of the reusable tile viewer WebviewPanel (the custom editor's is vasculatureExplorer.tileViewer). */
export const TILE_PANEL_TYPE = 'vasculatureExplorer.tilePanel';

let shownFile: (() => vscode.Uri | undefined) | undefined;

/** Registers where the reusable panel's shown file is read from; disposing unregisters it. */
export function setTilePanelFile(f: () => vscode.Uri | undefined): vscode.Disposable {
  shownFile = f;
  return new vscode.Disposable(() => { if (shownFile === f) shownFile = undefined; });
}

/** The file the tile viewer panel in this webview tab shows (undefined for any other webview). */
export function fileOfTilePanelTab(input: vscode.TabInputWebview): vscode.Uri | undefined {
  // The workbench may prefix an extension's view type (mainThreadWebview-<viewType>).
  return input.viewType === TILE_PANEL_TYPE || input.viewType.endsWith(`-${TILE_PANEL_TYPE}`) ? shownFile?.() : undefined;
}
