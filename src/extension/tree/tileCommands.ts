/** Commands of the tile browser: open, go to, filter, search, sort, reveal, open dataset folder. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { imageId } from '../../core/dataset';
import type { TileSortKey } from '../../core/dataset';
import { CLASS_NAMES, type ClassName } from '../../core/types';
import { escapeNotification } from '../../core/text';
import type { DatasetService } from '../dataset/datasetService';
import type { TileFilterState } from './tileFilterState';
import { log } from '../common/log';
import { tileCountsText, type TileNode, type TileTreeProvider } from './tileTree';
import { fileOfTilePanelTab } from '../viewer/tileViewerTabs';
import { fileUriArg, isTileNode, stringArg, tileIdArg } from './commandArgs';

/** A tile id inside a notification: controls escaped, no `[text](link)`, clipped (ids come from data files). */
function shownId(id: string): string {
  return escapeNotification(id.length > 60 ? `${id.slice(0, 59)}…` : id);
}

const SORT_KEYS: readonly TileSortKey[] = ['id', 'vesselCount', 'vesselArea'];

export interface TileCommandDeps {
  service: DatasetService;
  filter: TileFilterState;
  tree: TileTreeProvider;
  view: vscode.TreeView<TileNode>;
}

/** The tile id of a file URI inside the dataset's train/ or test/ folder. */
export function tileIdOfUri(uri: vscode.Uri | undefined, root: string | undefined): string | undefined {
  if (!uri || !root || uri.scheme !== 'file') return undefined;
  const rel = path.relative(root, uri.fsPath).split(path.sep);
  return rel.length === 2 && (rel[0] === 'train' || rel[0] === 'test') ? imageId(rel[1]) : undefined;
}

/** The URI of the resource shown in the active editor, custom editor or tile viewer panel tab. */
export function activeResource(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (input instanceof vscode.TabInputText || input instanceof vscode.TabInputCustom) return input.uri;
  if (input instanceof vscode.TabInputWebview) return fileOfTilePanelTab(input); // the tile viewer panel's tile
  return vscode.window.activeTextEditor?.document.uri;
}

export function registerTileCommands(d: TileCommandDeps): vscode.Disposable[] {
  const { service, filter, tree, view } = d;
  const needIndex = () => {
    if (!service.index) void vscode.window.showWarningMessage('No dataset is open. Run "Vasculature: Open Dataset Folder…" first.');
    return service.index;
  };

  // A tile id, or a tile row of the tree (its context menu passes the row).
  const openTile = async (arg?: unknown) => {
    const id = tileIdArg(arg);
    const index = needIndex();
    const t = id ? index?.tiles.get(id) : undefined;
    if (!index || !t) return;
    if (!t.image) {
      void vscode.window.showWarningMessage(`Tile ${shownId(t.id)} has no image on disk (listed in tile_meta.csv line ${t.metaLine ?? '?'}); a partial download is normal.`);
      return;
    }
    // The reusable tile viewer panel shows it (re-targeted in place when open; its tab title follows the tile).
    if (await vscode.commands.executeCommand<boolean>('vasculatureExplorer.showTileInPreviewViewer', t.id)) return;
    // The tile viewer by its viewType, whatever editor the user made the default for images.
    await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(path.join(index.root, t.image)), 'vasculatureExplorer.tileViewer', { preview: true });
  };

  /** Selects the tile in the tree; `quiet` (the tree following an editor): no prompt when the filter hides it, nothing done when it is selected already. */
  const revealNow = async (id?: string, quiet = false) => {
    const tileId = id ?? tileIdOfUri(activeResource(), service.root);
    if (!tileId) {
      void vscode.window.showInformationMessage('The active editor is not a tile of the open dataset.');
      return false;
    }
    let node = tree.nodeForTile(tileId);
    if (!node && service.index?.tiles.has(tileId)) {
      if (quiet) return false;
      const pick = await vscode.window.showInformationMessage(`Tile ${shownId(tileId)} is hidden by the current filter.`, 'Clear Filter');
      if (pick !== 'Clear Filter') return false;
      filter.clear();
      node = tree.nodeForTile(tileId);
    }
    if (!node) return false;
    if (quiet && view.selection.some((n) => n.kind === 'tile' && n.tile.id === tileId)) return true;
    try {
      await view.reveal(node, { select: true, focus: false, expand: true });
    } catch (e) {
      // The tree was rebuilt under us (a new index or filter): harmless, the next reveal finds it.
      log().debug(`Reveal of ${tileId} skipped: ${e instanceof Error ? e.message : String(e)}`);
      return false;
    }
    return true;
  };
  // One reveal at a time: two at once (the viewer and the tab change both asking) race in the
  // tree's parent lookup, and VS Code then finds the same row registered twice.
  let revealing: Promise<unknown> = Promise.resolve();
  const reveal = (id?: string, quiet = false): Promise<boolean> => {
    const run = revealing.then(() => revealNow(id, quiet));
    revealing = run.catch(() => undefined);
    return run;
  };

  return [
    vscode.commands.registerCommand('vasculatureExplorer.openTile', openTile),
    vscode.commands.registerCommand('vasculatureExplorer.treeShowMore', (key: string) => tree.showMore(key)),
    // The channel's own show(): an output view id built by hand is not found in every VS Code.
    vscode.commands.registerCommand('vasculatureExplorer.showLog', () => log().show()),

    // A folder path or URI (the Explorer); the title bar's tree element means "ask".
    vscode.commands.registerCommand('vasculatureExplorer.openDatasetFolder', async (arg?: unknown) => {
      const given = stringArg(arg);
      let folder = given ? vscode.Uri.file(given) : fileUriArg(arg);
      if (!folder) {
        const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Open Dataset', title: 'Choose the folder that holds polygons.jsonl, tile_meta.csv, train/ and test/' });
        folder = picked?.[0];
      }
      if (!folder) return undefined;
      const index = await service.open(folder.fsPath);
      if (index) void vscode.commands.executeCommand('vasculatureExplorer.tiles.focus');
      return index ? { tiles: index.tiles.size, problems: index.problems.length } : undefined;
    }),

    vscode.commands.registerCommand('vasculatureExplorer.refresh', async () => {
      const root = service.root ?? (await service.discover());
      if (!root) {
        void vscode.window.showWarningMessage('No dataset folder found: open a folder with polygons.jsonl or tile_meta.csv, or run "Vasculature: Open Dataset Folder…".');
        return;
      }
      await service.open(root, { force: true });
    }),

    // Only a string is a tile id: the title bar passes its focused row, the keybinding nothing; both ask.
    vscode.commands.registerCommand('vasculatureExplorer.goToTile', async (arg?: unknown) => {
      let id = stringArg(arg);
      const index = needIndex();
      if (!index) return;
      if (!id) {
        type Item = vscode.QuickPickItem & { id: string };
        const items: Item[] = [];
        for (const t of index.tiles.values()) {
          items.push({ id: t.id, label: t.id, description: `WSI ${t.wsi ?? '—'} · ds ${t.dataset ?? '—'}`, detail: tileCountsText(t) });
        }
        const pick = await vscode.window.showQuickPick(items, { title: 'Go to Tile', placeHolder: `Type a tile id (${index.tiles.size.toLocaleString('en-US')} tiles)`, matchOnDescription: true });
        id = pick?.id;
      }
      if (!id) return;
      if (!index.tiles.has(id)) {
        void vscode.window.showWarningMessage(`No tile "${shownId(id)}" in ${escapeNotification(index.root)}.`);
        return;
      }
      await reveal(id);
      await openTile(id);
    }),

    vscode.commands.registerCommand('vasculatureExplorer.revealActiveTile', (id?: unknown, quiet?: unknown) => reveal(stringArg(id), quiet === true)),

    vscode.commands.registerCommand('vasculatureExplorer.searchTiles', async (text?: string) => {
      const value = typeof text === 'string' ? text : await vscode.window.showInputBox({ title: 'Search tiles by id', prompt: 'Part of a tile id (empty clears the search)', value: filter.current.filter.search ?? '' });
      if (value === undefined) return;
      filter.patchFilter({ search: value.trim().toLowerCase() || undefined });
    }),

    vscode.commands.registerCommand('vasculatureExplorer.clearFilter', () => filter.clear()),

    // The tile browser's row context menu: each receives the row's element.
    vscode.commands.registerCommand('vasculatureExplorer.copyTileId', async (arg?: unknown) => {
      const id = tileIdArg(arg);
      if (!id) return undefined;
      await vscode.env.clipboard.writeText(id);
      vscode.window.setStatusBarMessage(`$(copy) Copied tile id ${shownId(id).replace(/\$\(/g, '\\$(')}`, 4000);
      return id;
    }),
    vscode.commands.registerCommand('vasculatureExplorer.revealTileInExplorer', async (arg?: unknown) => {
      const id = tileIdArg(arg);
      const t = id ? service.index?.tiles.get(id) : undefined;
      if (!t?.image || !service.index) {
        if (t) void vscode.window.showWarningMessage(`Tile ${shownId(t.id)} has no image on disk to reveal (listed in tile_meta.csv line ${t.metaLine ?? '?'}).`);
        return undefined;
      }
      const uri = vscode.Uri.file(path.join(service.index.root, t.image));
      await vscode.commands.executeCommand('revealInExplorer', uri);
      return uri.fsPath;
    }),
    vscode.commands.registerCommand('vasculatureExplorer.filterToWsi', (arg?: unknown) => {
      const wsi = !isTileNode(arg) ? undefined : arg.kind === 'tile' ? arg.tile.wsi : arg.kind === 'more' ? undefined : arg.wsi;
      if (wsi === undefined) {
        if (isTileNode(arg) && arg.kind !== 'more') void vscode.window.showInformationMessage('These tiles belong to no WSI (test tiles): nothing to filter on.');
        return undefined;
      }
      filter.patchFilter({ wsis: [wsi] });
      return wsi;
    }),
    vscode.commands.registerCommand('vasculatureExplorer.filterToDataset', (arg?: unknown) => {
      const ds = !isTileNode(arg) ? undefined : arg.kind === 'tile' ? arg.tile.dataset : arg.kind === 'dataset' ? arg.dataset : undefined;
      if (ds === undefined) {
        if (isTileNode(arg) && (arg.kind === 'tile' || arg.kind === 'dataset')) void vscode.window.showInformationMessage('These tiles belong to no dataset: nothing to filter on.');
        return undefined;
      }
      filter.patchFilter({ datasets: [ds] });
      return ds;
    }),

    vscode.commands.registerCommand('vasculatureExplorer.filterTiles', async () => {
      const f = filter.current.filter;
      type Item = vscode.QuickPickItem & { apply: (acc: Record<string, unknown>) => void };
      const ds = (n: number): Item => ({ label: `Dataset ${n}`, description: n === 1 ? 'expert-reviewed' : n === 2 ? 'sparse, not reviewed' : 'not annotated', picked: f.datasets?.includes(n), apply: (a) => ((a.datasets as number[]).push(n)) });
      const cls = (c: ClassName): Item => ({ label: `Has ${c.replace('_', ' ')}`, picked: f.classes?.includes(c), apply: (a) => ((a.classes as ClassName[]).push(c)) });
      const items: (Item | vscode.QuickPickItem)[] = [
        { label: 'Dataset', kind: vscode.QuickPickItemKind.Separator },
        ds(1), ds(2), ds(3),
        { label: 'Classes present', kind: vscode.QuickPickItemKind.Separator },
        ...CLASS_NAMES.map(cls),
        { label: 'State', kind: vscode.QuickPickItemKind.Separator },
        // The set a person trains on; the same "annotated" the dashboard and the tree's counts mean.
        { label: 'Annotated, with image', description: 'polygons and an image on disk', picked: f.hasImage === true && f.annotated === true, apply: (a) => { a.hasImage = true; a.annotated = true; } } as Item,
        { label: 'Has image', picked: f.hasImage === true && f.annotated !== true, apply: (a) => (a.hasImage = true) } as Item,
        { label: 'Image missing', picked: f.hasImage === false, apply: (a) => (a.hasImage = a.hasImage === true ? undefined : false) } as Item,
        { label: 'Has a polygons line', description: 'with or without an image', picked: f.annotated === true && f.hasImage !== true, apply: (a) => (a.annotated = true) } as Item,
        { label: 'No polygons line', picked: f.annotated === false, apply: (a) => (a.annotated = a.annotated === true ? undefined : false) } as Item,
      ];
      const picks = await vscode.window.showQuickPick(items, { canPickMany: true, title: 'Filter tiles (datasets: any of; classes and states: all of)', placeHolder: 'Check what tiles must match; uncheck all to clear' });
      if (!picks) return;
      const acc: Record<string, unknown> = { datasets: [], classes: [] };
      for (const p of picks) (p as Item).apply?.(acc);
      filter.setFilter({
        ...f,
        datasets: (acc.datasets as number[]).length ? (acc.datasets as number[]) : undefined,
        classes: (acc.classes as ClassName[]).length ? (acc.classes as ClassName[]) : undefined,
        hasImage: acc.hasImage as boolean | undefined,
        annotated: acc.annotated as boolean | undefined,
      });
    }),

    // Only a known sort key sorts at once; anything else (the title bar's focused row, nothing) opens the picker.
    vscode.commands.registerCommand('vasculatureExplorer.sortTiles', async (arg?: unknown) => {
      let key = SORT_KEYS.find((k) => k === arg);
      if (!key) {
        const items: (vscode.QuickPickItem & { key: TileSortKey })[] = [
          { label: 'Id', description: 'A → Z', key: 'id' },
          { label: 'Vessel count', description: 'most first', key: 'vesselCount' },
          { label: 'Vessel area', description: 'largest first', key: 'vesselArea' },
        ];
        for (const i of items) if (i.key === filter.current.sort) i.label = `$(check) ${i.label}`;
        key = (await vscode.window.showQuickPick(items, { title: 'Sort tiles' }))?.key;
      }
      if (key) filter.setSort(key);
    }),
  ];
}
