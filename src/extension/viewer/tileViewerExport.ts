/** Export commands: the current tile, or every annotated tile of the shared filter, as mask PNGs, QuPath GeoJSON or COCO JSON, with progress and cancel. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { exportTiles, type ExportKind, type ExportSummary, type ExportTileRef } from '../../core/interchange';
import type { DatasetIndex, TileRecord } from '../../core/types';
import { log } from '../common/log';
import { escapeNotification } from '../../core/text';
import { tileAnnotations } from './tileViewerData';

export interface ExportDeps {
  index(): DatasetIndex | undefined;
  ordered(): TileRecord[];
  /** The tile of the active viewer, if any. */
  activeTileId(): string | undefined;
}

const KINDS: { exportKind: ExportKind; label: string; detail: string }[] = [
  { exportKind: 'class-masks', label: 'Masks PNG per class', detail: 'masks/<class>/<id>.png: 8-bit, 255 inside' },
  { exportKind: 'instance-masks', label: 'Instance-labelled mask PNG', detail: 'masks/instances/<id>.png: 0 background, k = k-th annotation (16-bit above 255)' },
  { exportKind: 'geojson', label: 'GeoJSON for QuPath', detail: 'geojson/<id>.geojson: one feature per annotation with its classification' },
  { exportKind: 'coco', label: 'COCO JSON', detail: 'coco.json: polygons, areas, bboxes' },
];
const isKind = (k: unknown): k is ExportKind => KINDS.some((x) => x.exportKind === k);

async function pickKinds(given: unknown): Promise<ExportKind[] | undefined> {
  if (isKind(given)) return [given];
  if (Array.isArray(given) && given.length && given.every(isKind)) return given;
  const picks = await vscode.window.showQuickPick(KINDS.map((k) => ({ ...k, picked: k.exportKind === 'class-masks' })), { canPickMany: true, title: 'Export as' });
  return picks?.length ? picks.map((p) => p.exportKind) : undefined;
}

async function pickFolder(given: unknown): Promise<string | undefined> {
  if (typeof given === 'string' && path.isAbsolute(given)) return given;
  const r = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: false, openLabel: 'Export Here', title: 'Folder to export into' });
  return r?.[0]?.fsPath;
}

function refs(index: DatasetIndex, tiles: TileRecord[]): ExportTileRef[] {
  return tiles.map((t) => ({ id: t.id, offset: t.i !== undefined && t.j !== undefined ? [t.i, t.j] : undefined, annotations: () => tileAnnotations(index, t) }));
}

async function run(tiles: ExportTileRef[], kinds: ExportKind[], outDir: string, what: string): Promise<ExportSummary | undefined> {
  try {
    const summary = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Exporting ${what}`, cancellable: true }, async (progress, token) => {
      const ac = new AbortController();
      token.onCancellationRequested(() => ac.abort());
      let last = 0;
      return exportTiles(tiles, {
        outDir, kinds, signal: ac.signal,
        onProgress: (done, total, id) => {
          const pct = (100 * done) / total;
          progress.report({ increment: pct - last, message: `${done} of ${total} (${escapeNotification(id.slice(0, 40))})` });
          last = pct;
        },
      });
    });
    log().info(`Exported ${summary.tiles} tiles, ${summary.annotations} annotations, ${summary.files.length} files to ${outDir}.`);
    const renamed = summary.renamed.length ? ` ${summary.renamed.length} id(s) are not tile ids and were written under safe names listed in manifest.json.` : '';
    void vscode.window.showInformationMessage(`Exported ${escapeNotification(what)}: ${summary.files.length} files in ${outDir}.${renamed}`, 'Reveal').then((a) => a && vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(outDir)));
    return summary;
  } catch (e) {
    if (e instanceof Error && e.name === 'AbortError') {
      void vscode.window.showInformationMessage(`Export cancelled; files already written stay in ${outDir}.`);
      return undefined;
    }
    void vscode.window.showErrorMessage(`Export to ${outDir} failed: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
}

/** vasculatureExplorer.exportTile(id?, kind?, outDir?) and vasculatureExplorer.exportSelection(kinds?, outDir?). */
export function registerExportCommands(d: ExportDeps): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('vasculatureExplorer.exportTile', async (id?: string, kind?: ExportKind | ExportKind[], outDir?: string) => {
      const index = d.index();
      const tileId = typeof id === 'string' ? id : d.activeTileId();
      const t = tileId ? index?.tiles.get(tileId) : undefined;
      if (!index || !t) {
        void vscode.window.showWarningMessage('No tile to export: open a tile of the dataset in the tile viewer first.');
        return undefined;
      }
      const kinds = await pickKinds(kind);
      const dir = kinds && (await pickFolder(outDir));
      return kinds && dir ? run(refs(index, [t]), kinds, dir, `tile ${t.id}`) : undefined;
    }),
    vscode.commands.registerCommand('vasculatureExplorer.exportSelection', async (kind?: ExportKind | ExportKind[], outDir?: string) => {
      const index = d.index();
      if (!index) {
        void vscode.window.showWarningMessage('No dataset is open. Run "Vasculature: Open Dataset Folder…" first.');
        return undefined;
      }
      const tiles = d.ordered().filter((t) => t.polygonsLine !== undefined);
      if (tiles.length === 0) {
        void vscode.window.showWarningMessage('The current tile filter keeps no annotated tile: nothing to export.');
        return undefined;
      }
      const kinds = await pickKinds(kind);
      const dir = kinds && (await pickFolder(outDir));
      return kinds && dir ? run(refs(index, tiles), kinds, dir, `${tiles.length} annotated tiles of the filter`) : undefined;
    }),
  ];
}
