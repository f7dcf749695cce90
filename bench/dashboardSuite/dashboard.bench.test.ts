/**
 * Runs inside the real VS Code (code-server) for bench/dashboardBench.ts: opens the full synthetic
 * set with an empty storage folder (no index or dashboard cache), and the moment its index is
 * published runs "Show Dataset Overview": command to the webview's 'rendered' message (every chart
 * drawn), the cold polygon pass included (it starts in the background at the same moment). Then
 * closes and reopens the panel (model in memory). Writes VE_BENCH_RESULTS as JSON. Not part of `npm test`.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { VasculatureExplorerApi } from '../../src/extension/common/api';
import type { DashboardPhases } from '../../src/extension/overview/dashboardPanel';
import type { ShownReply } from '../../src/shared/dashboardProtocol';
import { emptyWebviewMs, rendererHeap } from '../emptyWebview';
import { tabShownAgainMs, within } from '../tabSwitch';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { name: string; publisher: string };
const synthetic = process.env.VE_BENCH_SYNTHETIC ?? path.join(repoRoot, '.synthetic', 'full');

/** What the bench reads back. */
export interface DashboardVsCodeResults {
  tiles: number;
  /** Index published -> command -> all charts drawn, cold pass (ms). */
  coldMs?: number;
  /** Panel closed and shown again: model in memory (ms), several times. */
  reopenMs: number[];
  coldPhases?: DashboardPhases;
  reopenPhases: DashboardPhases[];
  /** The floor of a new webview in this VS Code: an empty one's creation to its script's message (ms), each after the reopens. */
  emptyWebviewMs: number[];
  /** The Dataset Overview's tab hidden behind a text editor, then shown again (as a tab click): ms to a snapshot with every chart painted. */
  tabShowMs: number[];
  /** The Dataset Overview webview's JS heap while its tab is hidden (what retainContextWhenHidden keeps), bytes. */
  hiddenJsHeap?: number;
  /** Chart redraws (chart.js resizes) over the tab's hides and shows. */
  tabShowResizes?: number;
  /** The webviews' renderer heap with the Dataset Overview hidden (retained), and after it is closed (bytes). */
  heapRetained?: number;
  heapClosed?: number;
  errors: string[];
}

describe('Dataset Overview bench (real VS Code)', function () {
  this.timeout(300_000);
  it('measures command to all charts drawn on the full synthetic set', async () => {
    const out: DashboardVsCodeResults = { tiles: 0, reopenMs: [], reopenPhases: [], emptyWebviewMs: [], tabShowMs: [], errors: [] };
    try {
      const x = await vscode.extensions.getExtension<VasculatureExplorerApi>(`${manifest.publisher}.${manifest.name}`)!.activate();
      if (!x.index()) await x.nextIndex();
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      const indexed = x.nextIndex();
      await vscode.commands.executeCommand('vasculatureExplorer.openDatasetFolder', synthetic);
      const ix = await indexed;
      if (path.resolve(ix.root) !== path.resolve(synthetic)) throw new Error(`the index published is of ${ix.root}, not ${synthetic}`);
      out.tiles = ix.tiles.size;
      // The command right away: the background pass started with this index is still to do.
      out.coldMs = await x.dashboard.show();
      out.coldPhases = x.dashboard.phases();
      for (let k = 0; k < 5; k++) {
        await vscode.commands.executeCommand('workbench.action.closeAllEditors');
        await new Promise((r) => setTimeout(r, 300));
        out.reopenMs.push(await x.dashboard.show());
        out.reopenPhases.push(x.dashboard.phases() ?? {});
      }
      // Showing the hidden tab again (issue 12, item 6): the panel is open; a text editor over it, then its tab back.
      const ref = await x.dashboard.snapshot();
      if (!ref?.charts.length || !ref.charts.some((c) => c.inkPixels > 0)) throw new Error(`the open Dataset Overview drew no charts: ${JSON.stringify(ref?.charts.map((c) => c.inkPixels))}`);
      const before = await x.dashboard.click({ kind: 'shown' }) as ShownReply;
      for (let k = 0; k < 6; k++) {
        out.tabShowMs.push(await tabShownAgainMs(async () => {
          const s = await within(x.dashboard.click({ kind: 'shown' }) as Promise<ShownReply>, 250);
          // Painted: a frame of the same document (its canvases keep their pixels) with every chart, ready.
          return !!s && s.doc === before.doc && s.charts === ref.charts.length && s.state === 'ready';
        }));
      }
      const last = await x.dashboard.click({ kind: 'shown' }) as ShownReply;
      out.tabShowResizes = (last.resizes ?? 0) - (before.resizes ?? 0);
      const after = await x.dashboard.snapshot();
      if (JSON.stringify(after?.charts.map((c) => c.inkPixels)) !== JSON.stringify(ref.charts.map((c) => c.inkPixels))) out.errors.push('the Dataset Overview shown again has other chart pixels than before it was hidden');
      {
        const doc = await vscode.workspace.openTextDocument(path.join(repoRoot, 'README.md'));
        await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Active, preview: false });
        await new Promise((r) => setTimeout(r, 600));
        out.hiddenJsHeap = (await within(x.dashboard.snapshot(), 2000))?.jsHeap;
        out.heapRetained = await rendererHeap();
        await vscode.commands.executeCommand('workbench.action.closeAllEditors');
        await new Promise((r) => setTimeout(r, 600));
        out.heapClosed = await rendererHeap();
      }
      for (let k = 0; k < 5; k++) {
        await vscode.commands.executeCommand('workbench.action.closeAllEditors');
        await new Promise((r) => setTimeout(r, 300));
        out.emptyWebviewMs.push(await emptyWebviewMs());
      }
    } catch (e) {
      out.errors.push(e instanceof Error ? e.message : String(e));
    }
    if (process.env.VE_BENCH_RESULTS) fs.writeFileSync(process.env.VE_BENCH_RESULTS, JSON.stringify(out));
  });
});
