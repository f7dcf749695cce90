/**
 * What a command receives from each place that can invoke it, and how to read it: the tile
 * browser's title bar passes the focused tree element (or nothing), a row's context menu or inline
 * action passes that row's element (and the selection), editor/title passes the editor's URI
 * (a webview panel's own `webview-panel:` URI for the tile viewer panel) and a context object,
 * explorer/context passes the file URI (and the selection), the palette and keybindings nothing.
 */
import * as vscode from 'vscode';
import type { TileNode } from './tileTree';

/** A tree element of the tile browser (any kind of row). */
export function isTileNode(a: unknown): a is TileNode {
  if (!a || typeof a !== 'object') return false;
  const k = (a as { kind?: unknown }).kind;
  return (k === 'wsi' || k === 'dataset' || k === 'tile' || k === 'more') && typeof (a as { key?: unknown }).key === 'string';
}

/** The argument when it is a non-empty string (an id given by code or a link), else undefined. */
export function stringArg(a: unknown): string | undefined {
  return typeof a === 'string' && a.length > 0 ? a : undefined;
}

/** The argument when it is a file: URI (the Explorer, a custom editor's title), else undefined. */
export function fileUriArg(a: unknown): vscode.Uri | undefined {
  return a instanceof vscode.Uri && a.scheme === 'file' ? a : undefined;
}

/** The tile id carried by a string argument or a tile row, else undefined (title bars, URIs and nothing carry none). */
export function tileIdArg(a: unknown): string | undefined {
  if (typeof a === 'string') return stringArg(a);
  return isTileNode(a) && a.kind === 'tile' ? a.tile.id : undefined;
}
