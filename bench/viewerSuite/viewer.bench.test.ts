/**
 * Runs inside the real VS Code (code-server) for bench/viewerBench.ts: opens real sample tiles,
 * switches tiles, does 500 switches, then the gallery on the full synthetic set; writes the
 * timings to VE_BENCH_RESULTS as JSON. Not part of `npm test`.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { VasculatureExplorerApi } from '../../src/extension/common/api';
import type { GalleryPhases } from '../../src/extension/gallery/galleryProvider';
import type { ViewerSnapshot } from '../../src/shared/tileViewerProtocol';
import { until, sleep } from '../../test/integration/wait';
import { emptyWebviewMs, rendererHeap } from '../emptyWebview';
import { tabShownAgainMs, within } from '../tabSwitch';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { name: string; publisher: string };
const sample = path.resolve(repoRoot, '..', 'shared', 'data', 'hhv-sample');
const synthetic = process.env.VE_BENCH_SYNTHETIC ?? path.join(repoRoot, '.synthetic', 'full');

/** What the bench reads back. */
export interface ViewerBenchResults {
  openMs: number[];
  openHostLoadMs: number[];
  openWebviewPaintMs: number[];
  switchMs: number[];
  switchPrefetched: number;
  switchWebviewPaintMs: number[];
  switchTransitMs: number[];
  /** Switches painted from the webview's kept tiles, and the look at each tile before next (ms). */
  switchCached: number;
  settleMs: number;
  /** Command to the frame that shows the tile (webview clock), i.e. without the "painted" report's trip back to the host. */
  openToScreenMs: number[];
  reuseToScreenMs: number[];
  switchToScreenMs: number[];
  /** Next started in the webview (its n key handler, run by a test request): handler start to the frame after it, webview clock. */
  pressMs: number[];
  /** Of pressMs: the synchronous part (switch, DOM, canvas drawing) before the browser's frame. */
  pressDrawMs: number[];
  /** Presses the webview served by itself from its kept tiles (the rest asked the host). */
  pressLocal: number;
  /** First viewer open (new webview), ms from the command to each start-up step. */
  openPhases: { resolve: number[]; document: number[]; script: number[]; ready: number[] };
  /** The floor of a first open: an empty webview panel (one inline script), creation to its script's first message, ms. */
  emptyWebviewMs?: number[];
  /** The floor of a host-started switch: a tiny message host -> viewer webview (one way, both clocks one machine) and its answer back. */
  ping?: { oneWayMs: number[]; roundTripMs: number[] };
  /** Open a tile from the tile browser with a viewer already open in a preview tab (its webview reused). */
  reuseMs: number[];
  reuseCached: number;
  reuseTransitMs: number[];
  reuseNewEditors: number;
  memory: { switches: number; hostStart: number; hostEnd: number; webviewStart?: number; webviewEnd?: number; /** Webview JS heap every 100 switches (is growth a trend or garbage not yet collected?). */ webviewEvery100?: number[] };
  gallery?: { items: number; coldFirstScreenMs: number; screenMs: number[]; cachedScreenMs: number[]; screenCells: number; phases?: GalleryPhases };
  /** The viewer's tab hidden behind a text editor, then shown again (as a tab click): ms to a snapshot showing the tile painted. */
  tabShowMs?: number[];
  /** The viewer webview's JS heap while its tab is hidden (what retainContextWhenHidden keeps), bytes. */
  hiddenJsHeap?: number;
  /** The webviews' renderer heap with the viewer hidden (retained), and after it is closed (bytes). */
  heapRetained?: number;
  heapClosed?: number;
  /** Extension-host memory just before opening the full synthetic set and right after its index is published. */
  hostIndex?: { rssBefore: number; rssAfter: number; heapBefore: number; heapAfter: number; tiles: number };
  errors: string[];
}

/** How long a person looks at a tile before pressing next (or opening another): the viewer settles (prefetch lands). */
const SETTLE_MS = 600;

/** Gallery on the full synthetic set, cold thumbnail cache (a fresh profile): first screenful, then scroll jumps. */
async function galleryOnFullSet(x: VasculatureExplorerApi, out: ViewerBenchResults): Promise<void> {
  if (fs.existsSync(path.join(synthetic, 'tile_meta.csv'))) {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    (globalThis as { gc?: () => void }).gc?.();
    const m0 = process.memoryUsage();
    const indexed = x.nextIndex();
    let t0 = 0;
    void indexed.then((ix) => {
      t0 = performance.now();
      const m1 = process.memoryUsage();
      out.hostIndex = { rssBefore: m0.rss, rssAfter: m1.rss, heapBefore: m0.heapUsed, heapAfter: m1.heapUsed, tiles: ix.tiles.size };
    });
    const first = x.galleryNextPaint(120_000);
    await vscode.commands.executeCommand('vasculatureExplorer.openDatasetFolder', synthetic);
    await vscode.commands.executeCommand('vasculatureExplorer.gallery.focus');
    const firstPaint = await first.catch(async (e: unknown) => { throw new Error(`${String(e)}; gallery: ${JSON.stringify(await x.gallerySnapshot().catch((err: unknown) => String(err)))}`); });
    // From the new index to the first screenful of thumbnails, rendered into an empty (cold) cache.
    const coldFirstScreenMs = performance.now() - t0;
    const snap = await x.gallerySnapshot();
    const perScreen = Math.max(1, snap.lastVisible - snap.firstVisible + 1);
    const screenMs: number[] = [];
    const cachedScreenMs: number[] = [];
    const screens = 15;
    for (const [list, from] of [[screenMs, 1], [cachedScreenMs, 1]] as const) {
      for (let s = from; s <= screens; s++) {
        const t = performance.now();
        const p = x.galleryNextPaint(30_000);
        await x.galleryScrollTo(s * perScreen * 3); // jump 3 screens: never the margin already rendered
        await p;
        list.push(performance.now() - t);
      }
      await x.galleryScrollTo(0);
      await sleep(300);
    }
    out.gallery = { items: snap.items, coldFirstScreenMs, screenMs, cachedScreenMs, screenCells: perScreen, phases: (firstPaint as { phases?: GalleryPhases }).phases };
  }
}

describe('viewer bench (real VS Code)', function () {
  this.timeout(900_000);
  it('measures open, switch, 500 switches and the gallery', async () => {
    const out: ViewerBenchResults = { openMs: [], openHostLoadMs: [], openWebviewPaintMs: [], switchMs: [], switchPrefetched: 0, switchWebviewPaintMs: [], switchTransitMs: [], switchCached: 0, settleMs: SETTLE_MS, openToScreenMs: [], reuseToScreenMs: [], switchToScreenMs: [], pressMs: [], pressDrawMs: [], pressLocal: 0, openPhases: { resolve: [], document: [], script: [], ready: [] }, reuseMs: [], reuseCached: 0, reuseTransitMs: [], reuseNewEditors: 0, memory: { switches: 0, hostStart: 0, hostEnd: 0 }, errors: [] };
    const write = () => process.env.VE_BENCH_RESULTS && fs.writeFileSync(process.env.VE_BENCH_RESULTS, JSON.stringify(out));
    try {
      const x = await vscode.extensions.getExtension<VasculatureExplorerApi>(`${manifest.publisher}.${manifest.name}`)!.activate();
      await until(() => x.index()?.root === sample, 60_000, 'the sample index', 50);
      const index = x.index()!;
      const ids = x.orderedTileIds().filter((id) => index.tiles.get(id)?.image);
      // The gallery is shown from the start (as in a person's side bar); it re-lists when the dataset changes.
      const galleryUp = x.galleryNextPaint(60_000);
      await vscode.commands.executeCommand('vasculatureExplorer.gallery.focus');
      await galleryUp.catch(async (e: unknown) => out.errors.push(`gallery on the sample: ${String(e)}; ${JSON.stringify(await x.gallerySnapshot().catch((err: unknown) => String(err)))}`));
      // VE_BENCH_PART=gallery: only the gallery part (the viewer part takes minutes).
      if (process.env.VE_BENCH_PART === 'gallery') { await galleryOnFullSet(x, out); write(); return; }
      // Warm-up: the first webview of a session pays for the webview service worker.
      const warm = x.viewerNextPaint(ids[0], 60_000);
      await vscode.commands.executeCommand('vasculatureExplorer.openTile', ids[0]);
      await warm;

      // A developer's loop: VE_BENCH_QUICK=1 runs only the re-targeted open and next-by-command rows,
      // VE_BENCH_QUICK=open only the first opens and their floor.
      const quick = process.env.VE_BENCH_QUICK === '1';
      const onlyOpen = process.env.VE_BENCH_QUICK === 'open';
      // The floor of a new viewer: what VS Code itself takes to start a webview and run its script.
      out.emptyWebviewMs = [];
      for (let k = 0; k < (quick ? 0 : 5); k++) {
        await vscode.commands.executeCommand('workbench.action.closeAllEditors');
        await sleep(150);
        out.emptyWebviewMs.push(await emptyWebviewMs());
      }
      if (onlyOpen) out.settleMs = SETTLE_MS;

      // Open a tile in a new editor: command to the webview's "painted" message.
      for (const id of ids.slice(1, quick ? 2 : 12)) {
        await vscode.commands.executeCommand('workbench.action.closeAllEditors');
        await sleep(150);
        const t0 = performance.now();
        const at0 = performance.timeOrigin + t0;
        const p = x.viewerNextPaint(id, 30_000);
        await vscode.commands.executeCommand('vasculatureExplorer.openTile', id);
        const r = await p;
        out.openMs.push(performance.now() - t0);
        if (r.paintedAt !== undefined) out.openToScreenMs.push(r.paintedAt - at0);
        out.openHostLoadMs.push(r.loadMs);
        out.openWebviewPaintMs.push(r.paintMs);
        if (r.open) {
          out.openPhases.resolve.push(r.open.resolvedAt - at0);
          if (r.open.documentAt !== undefined) out.openPhases.document.push(r.open.documentAt - at0);
          if (r.open.scriptAt !== undefined) out.openPhases.script.push(r.open.scriptAt - at0);
          out.openPhases.ready.push(r.open.readyAt - at0);
        }
      }

      if (onlyOpen) { write(); return; }

      // Open another tile from the tile browser with the tile viewer panel open: the panel is
      // re-targeted (no new webview; its tab title follows the tile). Tiles 7 apart in the order: never a kept neighbour, so its pixels cross.
      const tabsBefore = () => vscode.window.tabGroups.all.reduce((n, g) => n + g.tabs.length, 0);
      for (let k = 0, at = ids.indexOf(x.viewerTile()!.id); k < 10; k++) {
        at = (at + 7) % ids.length;
        const id = ids[at];
        await sleep(SETTLE_MS);
        const tabs = tabsBefore();
        const t0 = performance.now();
        const p = x.viewerNextPaint(id, 30_000);
        await vscode.commands.executeCommand('vasculatureExplorer.openTile', id);
        const r = await p;
        out.reuseMs.push(performance.now() - t0);
        if (r.paintedAt !== undefined) out.reuseToScreenMs.push(r.paintedAt - (performance.timeOrigin + t0));
        if (r.cached) out.reuseCached++;
        if (r.transitMs !== undefined) out.reuseTransitMs.push(r.transitMs);
        if (r.open || tabsBefore() !== tabs) out.reuseNewEditors++;
      }

      // Showing the hidden viewer tab again (issue 12, item 6): a text editor over it in the same group, then its tab back.
      out.tabShowMs = [];
      for (let k = 0; k < (quick ? 3 : 6); k++) {
        const want = x.viewerTile()!.id;
        out.tabShowMs.push(await tabShownAgainMs(async () => {
          const s = await within(x.viewerShown(), 250);
          return !!s && s.tileId === want && s.inkPixels > 0;
        }, SETTLE_MS));
      }
      {
        // What the hidden tab keeps: its webview's heap, asked while the text editor is in front.
        const doc = await vscode.workspace.openTextDocument(path.join(repoRoot, 'README.md'));
        await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Active, preview: false });
        await sleep(SETTLE_MS);
        out.hiddenJsHeap = (await within(x.viewerSnapshot(), 2000))?.jsHeap;
        out.heapRetained = await rendererHeap();
        await vscode.commands.executeCommand('workbench.action.closeAllEditors');
        await sleep(SETTLE_MS);
        out.heapClosed = await rendererHeap();
      }
      write();

      // Next tile in place, after a person's look at each (SETTLE_MS: the neighbours' prefetch lands in the webview).
      const first = x.viewerNextPaint(ids[0], 30_000);
      await vscode.commands.executeCommand('vasculatureExplorer.openTile', ids[0]);
      await first;
      let pos = 0;
      for (let k = 0; k < 40 && pos + 1 < ids.length; k++, pos++) {
        await sleep(SETTLE_MS);
        const t0 = performance.now();
        const p = x.viewerNextPaint(ids[pos + 1], 20_000);
        await vscode.commands.executeCommand('vasculatureExplorer.nextTile');
        const r = await p;
        out.switchMs.push(performance.now() - t0);
        if (r.paintedAt !== undefined) out.switchToScreenMs.push(r.paintedAt - (performance.timeOrigin + t0));
        out.switchWebviewPaintMs.push(r.paintMs);
        if (r.transitMs !== undefined) out.switchTransitMs.push(r.transitMs);
        if (r.prefetched) out.switchPrefetched++;
        if (r.cached) out.switchCached++;
      }
      // The floor of every host-started switch: a tiny message to the viewer webview and its answer, in the same state.
      out.ping = { oneWayMs: [], roundTripMs: [] };
      for (let k = 0; k < 15; k++) {
        await sleep(SETTLE_MS);
        const r = await x.viewerPing();
        if (r) { out.ping.oneWayMs.push(r.oneWayMs); out.ping.roundTripMs.push(r.roundTripMs); }
      }
      write();
      if (quick) return;

      // Next started in the webview (n pressed there), after the same look at each tile: handler to the frame, webview clock.
      const back = x.viewerNextPaint(ids[0], 30_000);
      await vscode.commands.executeCommand('vasculatureExplorer.openTile', ids[0]);
      await back;
      for (let k = 0; k + 1 < ids.length && k < 40; k++) {
        await sleep(SETTLE_MS);
        const s = await vscode.commands.executeCommand<ViewerSnapshot | undefined>('vasculatureExplorer.tileViewerPress', 'n');
        if (!s?.press || s.tileId !== ids[k + 1]) { out.errors.push(`press n at ${ids[k]}: ${JSON.stringify(s?.press)} showing ${s?.tileId}, not ${ids[k + 1]}`); break; }
        out.pressMs.push(s.press.ms);
        if (s.press.drawMs !== undefined) out.pressDrawMs.push(s.press.drawMs);
        if (s.press.local) out.pressLocal++;
        await until(() => x.viewerTile()?.id === ids[k + 1], 10_000, `the host to follow to ${ids[k + 1]}`, 50);
      }
      write();

      // 500 switches back and forth over the tiles: memory at start and end.
      await sleep(500);
      out.memory.hostStart = process.memoryUsage().heapUsed;
      out.memory.webviewStart = (await x.viewerSnapshot())?.jsHeap;
      let step: 1 | -1 = -1;
      for (let k = 0; k < 500; k++) {
        const cur = ids.indexOf(x.viewerTile()!.id);
        if (cur + step < 0 || cur + step >= ids.length) step = step === 1 ? -1 : 1;
        const p = x.viewerNextPaint(ids[cur + step], 20_000);
        await vscode.commands.executeCommand(step === 1 ? 'vasculatureExplorer.nextTile' : 'vasculatureExplorer.previousTile');
        await p;
        out.memory.switches++;
        if (out.memory.switches % 100 === 0) {
          const h = (await x.viewerSnapshot())?.jsHeap;
          if (h !== undefined) (out.memory.webviewEvery100 ??= []).push(h);
        }
      }
      await sleep(1500);
      out.memory.hostEnd = process.memoryUsage().heapUsed;
      out.memory.webviewEnd = (await x.viewerSnapshot())?.jsHeap;
      write();

      if (process.env.VE_BENCH_PART !== 'viewer') await galleryOnFullSet(x, out);
    } catch (e) {
      out.errors.push(e instanceof Error ? e.message : String(e));
    }
    write();
  });
});
