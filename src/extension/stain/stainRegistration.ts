/** Wires the stain features into activate(): the statistics service, Compute Stain Statistics…, the Stain panel; returns the test hooks. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { aggregateStain, randStainYaml, stainOverview, STAIN_SPACES, type DashboardStain, type StainSpace, type TileStainStats } from '../../core/stain';
import type { DatasetIndex } from '../../core/types';
import type { StainRequest, StainSnapshot } from '../../shared/stainProtocol';
import { StainPanel, type StainShownReport } from './stainPanel';
import { StainStatsService } from './stainStatsService';

export const COMPUTE_STAIN_STATS = 'vasculatureExplorer.computeStainStatistics';
export const SHOW_STAIN_PANEL = 'vasculatureExplorer.showStainPanel';

export interface StainWiring {
  extensionUri: vscode.Uri;
  storageDir: string;
  index(): DatasetIndex | undefined;
  /** The tile the active tile viewer shows. */
  viewerTileId(): string | undefined;
}

/** What the tests reach through the extension API. */
export interface StainTestHooks {
  stats(): TileStainStats[] | undefined;
  panelSnapshot(): Promise<StainSnapshot | undefined>;
  panelRequest(r: StainRequest): Promise<unknown>;
  nextShown(timeoutMs?: number): Promise<StainShownReport>;
  shown(): StainShownReport[];
  exportPngs(folder: string): Promise<string[]>;
}

/** Options a test (or a keybinding) may pass to Compute Stain Statistics…; a menu's tree element is ignored. */
interface ComputeArgs { space?: StainSpace | 'all'; out?: string }

export function registerStain(w: StainWiring): { disposables: vscode.Disposable[]; hooks: StainTestHooks; followTile(id: string): void; dashboard: { data(): DashboardStain | undefined; onDidChange: vscode.Event<unknown> } } {
  const service = new StainStatsService(w.storageDir, w.index);
  let panel: StainPanel | undefined;
  const openPanel = (id: string) => {
    if (!panel || panel.isClosed) panel = new StainPanel(w.extensionUri, w.index, service, () => (panel = undefined));
    else panel.reveal();
    panel.show(id);
    return panel;
  };
  const compute = vscode.commands.registerCommand(COMPUTE_STAIN_STATS, async (arg?: unknown) => {
    const a: ComputeArgs = typeof arg === 'object' && arg !== null && ('out' in arg || 'space' in arg) ? (arg as ComputeArgs) : {};
    const index = w.index();
    if (!index) {
      void vscode.window.showWarningMessage('Vasculature: open a dataset folder first (Open Dataset Folder…), then compute its stain statistics.');
      return undefined;
    }
    const stats = await service.ensure();
    if (!stats) return undefined;
    let space = a.space;
    if (!space) {
      const pick = await vscode.window.showQuickPick(['LAB', 'HSV', 'HED', 'all'].map((label) => ({ label, description: label === 'all' ? 'one yaml per space' : label === 'LAB' ? 'RandStainNA default' : '' })), { title: 'RandStainNA colour space' });
      if (!pick) return stats.length;
      space = pick.label as StainSpace | 'all';
    }
    let out = a.out;
    if (!out) {
      const uri = await vscode.window.showSaveDialog({ title: 'Save RandStainNA statistics', defaultUri: vscode.Uri.file(path.join(path.dirname(index.root), `stain_${space}.yaml`)), filters: { YAML: ['yaml', 'yml'] } });
      if (!uri) return stats.length;
      out = uri.fsPath;
    }
    const spaces: StainSpace[] = space === 'all' ? [...STAIN_SPACES] : [space];
    const agg = aggregateStain('all tiles', stats, spaces);
    const stem = out.replace(/\.ya?ml$/i, '');
    const written: string[] = [];
    for (const s of spaces) {
      const file = space === 'all' ? `${stem}_${s}.yaml` : out;
      fs.writeFileSync(file, randStainYaml(agg.spaces[s]!, { lines: ['RandStainNA statistics written by Vasculature Explorer (Compute Stain Statistics…)', `dataset: ${index.root}`, `tiles: ${agg.tiles} measured, ${agg.skipped} skipped (reasons in the Vasculature log)`] }));
      written.push(file);
    }
    if (!a.out) void vscode.window.showInformationMessage(`Vasculature: stain statistics of ${agg.tiles} tiles written to ${written.map((f) => path.basename(f)).join(', ')}.`);
    return written;
  });
  const show = vscode.commands.registerCommand(SHOW_STAIN_PANEL, (arg?: unknown) => {
    const fromArg = typeof arg === 'string' ? arg : typeof arg === 'object' && arg !== null && 'tile' in arg ? (arg as { tile: { id: string } }).tile.id : undefined;
    const id = fromArg ?? w.viewerTileId();
    if (!id) {
      void vscode.window.showInformationMessage('Vasculature: open a tile in the tile viewer first; the Stain panel shows that tile.');
      return;
    }
    openPanel(id);
    void service.ensure();
  });
  const hooks: StainTestHooks = {
    stats: () => service.current,
    panelSnapshot: () => (panel ? panel.snapshot() : Promise.resolve(undefined)),
    panelRequest: (r) => (panel ? panel.request(r) : Promise.reject(new Error('no Stain panel'))),
    nextShown: (timeoutMs = 30_000) => new Promise((resolve, reject) => {
      if (!panel) return reject(new Error('no Stain panel'));
      const timer = setTimeout(() => { sub.dispose(); reject(new Error(`no grid shown within ${timeoutMs} ms`)); }, timeoutMs);
      const sub = panel.onDidShow((r) => { clearTimeout(timer); sub.dispose(); resolve(r); });
    }),
    shown: () => [...(panel?.shown ?? [])],
    exportPngs: async (folder) => {
      if (!panel) throw new Error('no Stain panel');
      const snap = await panel.snapshot();
      return panel.exportPngs(snap.settings, folder);
    },
  };
  let overview: { of: TileStainStats[]; data: DashboardStain } | undefined;
  return {
    dashboard: {
      data: () => {
        const cur = service.current;
        if (!cur) return undefined;
        if (overview?.of !== cur) overview = { of: cur, data: stainOverview(cur) };
        return overview.data;
      },
      onDidChange: service.onDidChange,
    },
    disposables: [service, compute, show, { dispose: () => panel?.dispose() }],
    hooks,
    followTile: (id) => {
      if (panel && !panel.isClosed) panel.show(id);
    },
  };
}
