/** The sidebar tile browser: WSI -> dataset -> tiles, following the shared filter and sort; children built lazily and paged. */
import * as vscode from 'vscode';
import { describeFilter, isEmptyFilter, queryTiles, tileState } from '../../core/dataset';
import type { DatasetIndex, TileRecord } from '../../core/types';
import { displayText, escapeMarkdown } from '../../core/text';
import { Disposable } from '../common/disposable';
import type { TileFilterState } from './tileFilterState';

/** Tree nodes; `gen` is the rebuild they belong to (VS Code may hand back nodes of an earlier one). */
export type TileNode =
  | { kind: 'wsi'; gen: number; key: string; wsi?: number; tiles: TileRecord[]; total: number }
  | { kind: 'dataset'; gen: number; key: string; wsi?: number; dataset?: number; tiles: TileRecord[]; total: number }
  | { kind: 'tile'; gen: number; key: string; tile: TileRecord; parentKey: string }
  | { kind: 'more'; gen: number; key: string; parentKey: string; remaining: number };

const NONE = 'none';
const plural = (n: number, w: string) => `${n.toLocaleString('en-US')} ${w}${n === 1 ? '' : 's'}`;

/** "12 vessels · 1 glomerulus" for a tile's description. */
export function tileCountsText(t: TileRecord): string {
  const parts: string[] = [];
  if (t.counts.blood_vessel) parts.push(plural(t.counts.blood_vessel, 'vessel'));
  if (t.counts.glomerulus) parts.push(`${t.counts.glomerulus} glom.`);
  if (t.counts.unsure) parts.push(`${t.counts.unsure} unsure`);
  if (parts.length === 0) return tileState(t) === 'imageMissing' ? 'image missing' : t.polygonsLine === undefined ? 'not annotated' : 'no polygons';
  return parts.join(' · ') + (t.image ? '' : ' · image missing');
}

/**
 * "27 annotated · 194 annotations without image": "annotated" is the dashboard's state (polygons
 * and an image, the set a person trains on); polygons whose image is not on disk are named apart.
 */
export function stateCountsText(tiles: readonly TileRecord[]): string {
  let annotated = 0, noImage = 0;
  for (const t of tiles) {
    if (t.polygonsLine === undefined) continue;
    if (t.image) annotated++;
    else noImage++;
  }
  return `${annotated.toLocaleString('en-US')} annotated` + (noImage ? ` · ${noImage.toLocaleString('en-US')} annotations without image` : '');
}

export class TileTreeProvider extends Disposable implements vscode.TreeDataProvider<TileNode> {
  private readonly changed = this._register(new vscode.EventEmitter<TileNode | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  private index: DatasetIndex | undefined;
  private roots: TileNode[] = [];
  private readonly nodes = new Map<string, TileNode>();
  private readonly shown = new Map<string, number>();
  private readonly datasetTotals = new Map<string, number>();
  /** The filtered, sorted tiles (also the order for next/previous). */
  ordered: TileRecord[] = [];
  private gen = 0;

  constructor(private readonly filter: TileFilterState, private readonly view?: () => vscode.TreeView<TileNode> | undefined) {
    super();
    this._register(filter.onDidChange(() => this.rebuild()));
  }

  setIndex(index: DatasetIndex | undefined): void {
    this.index = index;
    this.rebuild();
  }

  private pageSize(): number {
    return vscode.workspace.getConfiguration('vasculatureExplorer').get<number>('tree.pageSize', 500);
  }

  /** Regroup after a new index or a new query. Cheap: one pass over the tiles. */
  rebuild(): void {
    this.gen++;
    this.nodes.clear();
    this.shown.clear();
    this.datasetTotals.clear();
    this.roots = [];
    const index = this.index;
    if (index) {
      const q = this.filter.current;
      this.ordered = queryTiles(index.tiles.values(), q);
      for (const t of index.tiles.values()) {
        const k = `${t.wsi ?? NONE}/${t.dataset ?? NONE}`;
        this.datasetTotals.set(k, (this.datasetTotals.get(k) ?? 0) + 1);
      }
      const byWsi = new Map<string, Map<string, TileRecord[]>>();
      for (const t of this.ordered) {
        const w = String(t.wsi ?? NONE);
        const d = String(t.dataset ?? NONE);
        let m = byWsi.get(w);
        if (!m) byWsi.set(w, (m = new Map()));
        let list = m.get(d);
        if (!list) m.set(d, (list = []));
        list.push(t);
      }
      const num = (s: string) => (s === NONE ? Infinity : Number(s));
      for (const w of [...byWsi.keys()].sort((a, b) => num(a) - num(b))) {
        const dsMap = byWsi.get(w)!;
        const tiles = [...dsMap.values()].flat();
        let total = 0;
        for (const [k, n] of this.datasetTotals) if (k.startsWith(`${w}/`)) total += n;
        const node: TileNode = { kind: 'wsi', gen: this.gen, key: `wsi:${w}`, wsi: w === NONE ? undefined : Number(w), tiles, total };
        this.nodes.set(node.key, node);
        this.roots.push(node);
      }
    } else {
      this.ordered = [];
    }
    const v = this.view?.();
    if (v) {
      const f = this.filter.current.filter;
      v.description = isEmptyFilter(f) ? undefined : `${describeFilter(f)} (${this.ordered.length.toLocaleString('en-US')})`;
      v.message = index && this.ordered.length === 0 ? `No tile matches the filter: ${describeFilter(f)}. Clear it with the title bar's Clear button.` : undefined;
    }
    this.changed.fire(undefined);
  }

  /** The node of the current rebuild with the same key (built on demand), or undefined when the filter dropped it. */
  private current(node: TileNode): TileNode | undefined {
    if (node.gen === this.gen) return node;
    const known = this.nodes.get(node.key);
    if (known) return known;
    if (node.kind === 'dataset') {
      const wsi = this.nodes.get(`wsi:${node.wsi ?? NONE}`);
      if (wsi) {
        this.getChildren(wsi);
        return this.nodes.get(node.key);
      }
    }
    return undefined;
  }

  getChildren(element?: TileNode): TileNode[] {
    if (!element) return this.roots;
    // Children always come from the current rebuild, even when VS Code asks with a node of an earlier one.
    const node = this.current(element);
    if (!node) return [];
    if (node.kind === 'wsi') {
      const byDs = new Map<string, TileRecord[]>();
      for (const t of node.tiles) {
        const d = String(t.dataset ?? NONE);
        let l = byDs.get(d);
        if (!l) byDs.set(d, (l = []));
        l.push(t);
      }
      return [...byDs.keys()].sort().map((d) => {
        const key = `ds:${node.wsi ?? NONE}:${d}`;
        // Hand VS Code the same object for the same id until the next rebuild ("already registered" otherwise).
        const known = this.nodes.get(key);
        if (known?.kind === 'dataset') return known;
        const n: TileNode = { kind: 'dataset', gen: this.gen, key, wsi: node.wsi, dataset: d === NONE ? undefined : Number(d), tiles: byDs.get(d)!, total: this.datasetTotals.get(`${node.wsi ?? NONE}/${d}`) ?? 0 };
        this.nodes.set(key, n);
        return n;
      });
    }
    if (node.kind === 'dataset') {
      const shown = this.shown.get(node.key) ?? this.pageSize();
      const out: TileNode[] = node.tiles.slice(0, shown).map((tile) => this.tileNode(tile, node.key));
      if (node.tiles.length > shown) out.push({ kind: 'more', gen: this.gen, key: `more:${node.key}`, parentKey: node.key, remaining: node.tiles.length - shown });
      return out;
    }
    return [];
  }

  getParent(node: TileNode): TileNode | undefined {
    if (node.kind === 'tile' || node.kind === 'more') return this.nodes.get(node.parentKey);
    if (node.kind === 'dataset') return this.nodes.get(`wsi:${node.wsi ?? NONE}`);
    return undefined;
  }

  getTreeItem(node: TileNode): vscode.TreeItem {
    const filtered = !isEmptyFilter(this.filter.current.filter);
    const count = (shown: number, total: number) => (filtered ? `${shown.toLocaleString('en-US')} of ${plural(total, 'tile')}` : plural(total, 'tile'));
    switch (node.kind) {
      case 'wsi': {
        const item = new vscode.TreeItem(node.wsi === undefined ? 'No WSI (test tiles)' : `WSI ${node.wsi}`, vscode.TreeItemCollapsibleState.Collapsed);
        item.description = `${count(node.tiles.length, node.total)} · ${stateCountsText(node.tiles)}`;
        item.iconPath = new vscode.ThemeIcon('layers');
        item.contextValue = 'wsi';
        item.id = node.key;
        return item;
      }
      case 'dataset': {
        const item = new vscode.TreeItem(node.dataset === undefined ? 'No dataset' : `Dataset ${node.dataset}`, vscode.TreeItemCollapsibleState.Collapsed);
        const withImage = node.tiles.filter((t) => t.image).length;
        item.description = `${count(node.tiles.length, node.total)} · ${stateCountsText(node.tiles)} · ${withImage.toLocaleString('en-US')} with image`;
        item.iconPath = new vscode.ThemeIcon('database');
        item.contextValue = 'dataset';
        item.id = node.key;
        return item;
      }
      case 'tile':
        return this.tileItem(node);
      case 'more': {
        const item = new vscode.TreeItem(`Show ${Math.min(node.remaining, this.pageSize()).toLocaleString('en-US')} more (${node.remaining.toLocaleString('en-US')} left)…`);
        item.iconPath = new vscode.ThemeIcon('ellipsis');
        item.command = { command: 'vasculatureExplorer.treeShowMore', title: 'Show more', arguments: [node.parentKey] };
        item.id = node.key;
        return item;
      }
    }
  }

  private tileItem(node: Extract<TileNode, { kind: 'tile' }>): vscode.TreeItem {
    const t = node.tile;
    // Ids come from data files: controls and bidi characters are shown escaped, Markdown as text.
    const shownId = displayText(t.id, 80);
    const item = new vscode.TreeItem(shownId, vscode.TreeItemCollapsibleState.None);
    item.id = node.key;
    item.description = tileCountsText(t);
    const state = tileState(t);
    item.iconPath =
      state === 'annotated'
        ? new vscode.ThemeIcon('circle-filled', new vscode.ThemeColor('vasculatureExplorer.bloodVessel'))
        : state === 'notAnnotated'
          ? new vscode.ThemeIcon('circle-outline', new vscode.ThemeColor('vasculatureExplorer.tileNotAnnotated'))
          : new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('vasculatureExplorer.tileImageMissing'));
    item.contextValue = `tile.${state}`;
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown('**');
    md.appendText(shownId);
    md.appendMarkdown('**  \n');
    md.appendMarkdown(`WSI ${t.wsi ?? "—"} · dataset ${t.dataset === undefined ? "—" : escapeMarkdown(String(t.dataset))} · offset (${t.i ?? '—'}, ${t.j ?? '—'})  \n`);
    md.appendMarkdown(`${t.counts.blood_vessel} blood vessels (${Math.round(t.areas.blood_vessel).toLocaleString('en-US')} px) · ${t.counts.glomerulus} glomeruli · ${t.counts.unsure} unsure  \n`);
    if (t.image) {
      md.appendMarkdown('image: ');
      md.appendText(displayText(t.image, 120));
    } else md.appendMarkdown('_image not on disk_');
    if (t.polygonsLine !== undefined) md.appendMarkdown(`  \npolygons.jsonl line ${t.polygonsLine}`);
    item.tooltip = md;
    item.accessibilityInformation = { label: `Tile ${shownId}, ${item.description}` };
    if (t.image) item.command = { command: 'vasculatureExplorer.openTile', title: 'Open Tile', arguments: [t.id] };
    if (t.image && this.index) item.resourceUri = vscode.Uri.file(`${this.index.root}/${t.image}`);
    return item;
  }

  /** Show one more page under a dataset node. */
  showMore(parentKey: string): void {
    const n = this.nodes.get(parentKey);
    if (!n) return;
    this.shown.set(parentKey, (this.shown.get(parentKey) ?? this.pageSize()) + this.pageSize());
    this.changed.fire(n);
  }

  /** The tree node of a tile (building its parents), for reveal; undefined when the filter hides it. */
  nodeForTile(id: string): TileNode | undefined {
    const pos = this.ordered.findIndex((t) => t.id === id);
    if (pos < 0) return undefined;
    const t = this.ordered[pos];
    const wsiKey = `wsi:${t.wsi ?? NONE}`;
    const wsi = this.nodes.get(wsiKey);
    if (!wsi) return undefined;
    const dsKey = `ds:${t.wsi ?? NONE}:${t.dataset ?? NONE}`;
    let ds = this.nodes.get(dsKey);
    if (!ds) {
      this.getChildren(wsi);
      ds = this.nodes.get(dsKey);
    }
    if (!ds || ds.kind !== 'dataset') return undefined;
    const at = ds.tiles.indexOf(t);
    const shown = this.shown.get(dsKey) ?? this.pageSize();
    if (at >= shown) this.shown.set(dsKey, Math.ceil((at + 1) / this.pageSize()) * this.pageSize());
    return this.tileNode(t, dsKey);
  }

  /** The one node object of a tile until the next rebuild. */
  private tileNode(tile: TileRecord, parentKey: string): TileNode {
    const key = `tile:${tile.id}`;
    const known = this.nodes.get(key);
    if (known?.kind === 'tile' && known.tile === tile) return known;
    const n: TileNode = { kind: 'tile', gen: this.gen, key, tile, parentKey };
    this.nodes.set(key, n);
    return n;
  }

  /** The tree element VS Code hands a menu command for the row with this key ('wsi:1', 'ds:1:2', 'tile:<id>'), built on demand. */
  elementForKey(key: string): TileNode | undefined {
    if (key.startsWith('tile:')) return this.nodeForTile(key.slice(5));
    const known = this.nodes.get(key);
    if (known) return known;
    const m = /^ds:([^:]+):/.exec(key);
    const wsi = m ? this.nodes.get(`wsi:${m[1]}`) : undefined;
    if (wsi) this.getChildren(wsi);
    return this.nodes.get(key);
  }

  /** The visible roots (for tests): label and description of each WSI node. */
  snapshot(): { key: string; label: string; description: string }[] {
    return this.roots.map((n) => {
      const it = this.getTreeItem(n);
      return { key: n.key, label: String(it.label), description: String(it.description ?? '') };
    });
  }
}
