/** The tile viewer and gallery inside a real VS Code, on the real sample: what is drawn is checked against polygons.jsonl read here. */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { VasculatureExplorerApi } from '../../src/extension/common/api';
import type { PressKey, ViewerSnapshot } from '../../src/shared/tileViewerProtocol';
import { until, sleep } from './wait';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { name: string; publisher: string };
const sample = path.resolve(repoRoot, '..', 'shared', 'data', 'hhv-sample');
/** The custom editor (a file opened from the Explorer). */
const VIEW_TYPE = 'vasculatureExplorer.tileViewer';
/** The reusable tile viewer panel (tiles opened from inside the product). */
const PANEL_TYPE = 'vasculatureExplorer.tilePanel';

type Counts = { blood_vessel: number; glomerulus: number; unsure: number };

/** Per-tile class counts and 1-based line, parsed here from polygons.jsonl (independent of the extension). */
function polygonsTable(): Map<string, { counts: Counts; line: number }> {
  const m = new Map<string, { counts: Counts; line: number }>();
  fs.readFileSync(path.join(sample, 'polygons.jsonl'), 'utf8').split('\n').forEach((l, k) => {
    if (!l.trim()) return;
    const o = JSON.parse(l) as { id: string; annotations: { type: keyof Counts }[] };
    const counts: Counts = { blood_vessel: 0, glomerulus: 0, unsure: 0 };
    for (const a of o.annotations) counts[a.type]++;
    m.set(o.id, { counts, line: k + 1 });
  });
  return m;
}

/** tile_meta.csv rows: id -> wsi, i, j. */
function metaTable(): Map<string, { wsi: number; i: number; j: number }> {
  const m = new Map<string, { wsi: number; i: number; j: number }>();
  for (const l of fs.readFileSync(path.join(sample, 'tile_meta.csv'), 'utf8').trim().split('\n').slice(1)) {
    const [id, wsi, , i, j] = l.split(',');
    m.set(id, { wsi: Number(wsi), i: Number(i), j: Number(j) });
  }
  return m;
}

const imageIds = () => [
  ...fs.readdirSync(path.join(sample, 'train')).filter((n) => n.endsWith('.tif')).map((n) => n.slice(0, -4)),
  ...fs.readdirSync(path.join(sample, 'test')).filter((n) => n.endsWith('.tif')).map((n) => n.slice(0, -4)),
];



/** Runs the viewer webview's own n/p/]/[ key handler; its snapshot after the next frame (press.local: it switched by itself). */
const press = async (key: PressKey): Promise<ViewerSnapshot> => {
  const s = await vscode.commands.executeCommand<ViewerSnapshot | undefined>('vasculatureExplorer.tileViewerPress', key);
  assert.ok(s?.press, `the viewer answered the ${key} press`);
  return s;
};

/** The image file of a sample tile (train or test). */
function tileFile(id: string): string {
  const train = path.join(sample, 'train', `${id}.tif`);
  return fs.existsSync(train) ? train : path.join(sample, 'test', `${id}.tif`);
}

/** Sum of every RGBA byte of an image, read by PIL/numpy (Debian's python3), independent of sharp and the viewer. */
function rgbaSum(file: string): number {
  const py = 'import sys, numpy as np\nfrom PIL import Image\nprint(int(np.asarray(Image.open(sys.argv[1]).convert("RGBA"), dtype=np.uint64).sum()))';
  return Number(execFileSync('/usr/bin/python3', ['-c', py, file], { encoding: 'utf8' }).trim());
}

/** The active tab's view type: the custom editor's, or the tile viewer panel's (the workbench may prefix a webview's). */
function activeViewType(): string | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (input instanceof vscode.TabInputCustom) return input.viewType;
  if (input instanceof vscode.TabInputWebview) return input.viewType.endsWith(PANEL_TYPE) ? PANEL_TYPE : input.viewType;
  return undefined;
}

/** What the active tab says (the label a person reads), and the tile file name it must be. */
const activeLabel = () => vscode.window.tabGroups.activeTabGroup.activeTab?.label;
const fileName = (id: string) => path.basename(tileFile(id));

/** Every tile viewer panel tab, in any group. */
const panelTabs = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith(PANEL_TYPE));

/** The tab label follows panel.title a moment after it is set (one round trip to the workbench). */
const labelIs = (id: string) => until(() => activeLabel() === fileName(id), 5_000, `the active tab label to be ${fileName(id)} (it is ${activeLabel()})`);

describe('Tile viewer on the real sample', function () {
  this.timeout(60_000);
  let x: VasculatureExplorerApi;
  const polys = polygonsTable();
  const annotated = imageIds().filter((id) => polys.has(id)).sort();
  const zero: Counts = { blood_vessel: 0, glomerulus: 0, unsure: 0 };
  /** The tile browser's order, tiles with an image only (what next/previous step through). */
  const withImages = () => x.orderedTileIds().filter((id) => x.index()!.tiles.get(id)?.image);
  /** Opens the k-th tile of that order in the tile viewer panel and waits for its paint; returns the order. */
  async function openInOrder(k: number): Promise<string[]> {
    const order = withImages();
    const open = x.viewerNextPaint(order[k]);
    await vscode.commands.executeCommand('vasculatureExplorer.openTile', order[k]);
    await open;
    return order;
  }

  before(async () => {
    const ext = vscode.extensions.getExtension<VasculatureExplorerApi>(`${manifest.publisher}.${manifest.name}`);
    assert.ok(ext);
    x = await ext.activate();
    await until(() => x.index()?.root === sample && x.index(), 45_000, 'the sample to be indexed');
    await vscode.commands.executeCommand('vasculatureExplorer.clearFilter');
    await vscode.commands.executeCommand('vasculatureExplorer.sortTiles', 'id');
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('the sample has 27 tiles with an image and a polygons line (as its README says)', () => {
    assert.equal(annotated.length, 27);
  });

  it('opens a tile from the tile browser command in the tile viewer panel, draws every polygon of its line, and the tab names the tile', async () => {
    for (const id of annotated.slice(0, 3)) {
      const paint = x.viewerNextPaint(id, 45_000); // the first webview of a session starts slowly in code-server
      await vscode.commands.executeCommand('vasculatureExplorer.openTile', id);
      const r = await paint;
      assert.deepEqual(r.drawn, polys.get(id)!.counts, `tile ${id}`);
      assert.equal(activeViewType(), PANEL_TYPE);
      await labelIs(id);
      assert.equal(panelTabs().length, 1, 'one tile viewer panel, re-targeted');
      assert.equal(x.viewerTile()?.id, id);
    }
    const snap = await x.viewerSnapshot();
    assert.ok(snap && snap.inkPixels > 1000, `the canvas shows the tissue (${snap?.inkPixels} ink samples)`);
  });

  it('opens a tile picked in the Explorer (vscode.open) in the viewer: it is the default editor for train/*.tif', async () => {
    const id = annotated[5];
    const paint = x.viewerNextPaint(id);
    await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(path.join(sample, 'train', `${id}.tif`)));
    const r = await paint;
    assert.equal(activeViewType(), VIEW_TYPE);
    assert.equal(activeLabel(), `${id}.tif`);
    assert.equal(r.drawn.blood_vessel, polys.get(id)!.counts.blood_vessel);
    assert.ok(r.drawn.blood_vessel > 0);
  });

  it('toggling a class hides exactly its overlays, and toggling it back shows them again', async () => {
    const id = x.viewerTile()!.id;
    const n = polys.get(id)!.counts.blood_vessel;
    const off = (await vscode.commands.executeCommand('vasculatureExplorer.toggleOverlayClass', 'blood_vessel', false)) as { drawn: Counts; visible: Record<string, boolean> };
    assert.equal(off.drawn.blood_vessel, 0);
    assert.equal(off.visible.blood_vessel, false);
    const on = (await vscode.commands.executeCommand('vasculatureExplorer.toggleOverlayClass', 'blood_vessel', true)) as { drawn: Counts };
    assert.equal(on.drawn.blood_vessel, n);
  });

  it('next in a file opened from the Explorer shows the next tile in the tile viewer panel; the file tab keeps naming its file and showing it', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const order = withImages();
    const id = order[3], next = order[4];
    const open = x.viewerNextPaint(id, 45_000);
    await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(tileFile(id)));
    await open;
    assert.equal(activeViewType(), VIEW_TYPE);
    const p = x.viewerNextPaint(next, 45_000);
    await vscode.commands.executeCommand('vasculatureExplorer.nextTile');
    assert.deepEqual((await p).drawn, polys.get(next)?.counts ?? { blood_vessel: 0, glomerulus: 0, unsure: 0 });
    assert.equal(activeViewType(), PANEL_TYPE);
    await labelIs(next);
    assert.equal(x.viewerTile()?.id, next);
    const fileTab = vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputCustom && t.input.viewType === VIEW_TYPE);
    assert.equal(fileTab?.label, fileName(id), 'the file tab still names (and shows) its own file');
  });

  it('next/previous follow the tile browser order (vessel count, most first) and its filter', async () => {
    await vscode.commands.executeCommand('vasculatureExplorer.sortTiles', 'vesselCount');
    const count = (id: string) => polys.get(id)?.counts.blood_vessel ?? 0;
    const expected = imageIds().sort((a, b) => count(b) - count(a) || (a < b ? -1 : 1));
    const open = x.viewerNextPaint(expected[0]);
    await vscode.commands.executeCommand('vasculatureExplorer.openTile', expected[0]);
    await open;
    for (const [cmd, want] of [['nextTile', expected[1]], ['nextTile', expected[2]], ['previousTile', expected[1]]] as const) {
      const p = x.viewerNextPaint(want);
      await vscode.commands.executeCommand(`vasculatureExplorer.${cmd}`);
      assert.equal((await p).id, want);
      await labelIs(want);
    }
    // With a search filter, next skips every tile the filter hides.
    await vscode.commands.executeCommand('vasculatureExplorer.searchTiles', 'a');
    const filtered = expected.filter((id) => id.includes('a'));
    assert.ok(filtered.length >= 3 && filtered.length < expected.length);
    const p0 = x.viewerNextPaint(filtered[0]);
    await vscode.commands.executeCommand('vasculatureExplorer.openTile', filtered[0]);
    await p0;
    const p1 = x.viewerNextPaint(filtered[1]);
    await vscode.commands.executeCommand('vasculatureExplorer.nextTile');
    assert.equal((await p1).id, filtered[1]);
    await vscode.commands.executeCommand('vasculatureExplorer.clearFilter');
    await vscode.commands.executeCommand('vasculatureExplorer.sortTiles', 'id');
  });

  it('next paints from the tiles the webview keeps (pushed after the last paint): exact pixels and polygons, no pixels sent', async () => {
    const order = await openInOrder(0);
    for (const [cmd, want] of [['nextTile', order[1]], ['nextTile', order[2]], ['previousTile', order[1]]] as const) {
      await sleep(1500); // a person's look at the tile: the neighbours' prefetch lands in the webview
      const p = x.viewerNextPaint(want);
      await vscode.commands.executeCommand(`vasculatureExplorer.${cmd}`);
      const r = await p;
      assert.equal(r.cached, true, `${cmd} to ${want} painted from the webview's kept tiles`);
      assert.deepEqual(r.drawn, polys.get(want)?.counts ?? zero, `tile ${want}`);
      const snap = await x.viewerSnapshot();
      assert.equal(snap?.tileId, want);
      assert.equal(snap?.imageSum, rgbaSum(tileFile(want)), `tile ${want}: the kept pixels are the file's, byte for byte`);
    }
  });

  it('n/p pressed in the webview paint a kept neighbour at once, then the host follows (its tile, the tab label); no pixels cross', async () => {
    const order = await openInOrder(3);
    for (const [key, want] of [['n', order[4]], [']', order[5]], ['p', order[4]], ['[', order[3]]] as const) {
      await sleep(1500); // a person's look at the tile: the neighbours and their roles land in the webview
      const painted = x.viewerNextPaint(want);
      const snap = await press(key);
      assert.equal(snap.press?.local, true, `${key} to ${want}: the webview switched by itself`);
      assert.ok(snap.press!.ms > 0 && snap.press!.ms < 1000, `${key}: handler to frame ${snap.press!.ms} ms`);
      assert.equal(snap.tileId, want);
      assert.deepEqual(snap.drawn, polys.get(want)?.counts ?? zero, `tile ${want}: every polygon of its polygons.jsonl line drawn`);
      assert.equal(snap.imageSum, rgbaSum(tileFile(want)), `tile ${want}: the kept pixels are the file's, byte for byte`);
      const r = await painted;
      assert.equal(r.local, true, 'reported as a switch made in the webview');
      assert.equal(r.cached, true, 'painted from the kept tiles: no pixels crossed');
      assert.deepEqual(r.drawn, polys.get(want)?.counts ?? zero);
      await until(() => x.viewerTile()?.id === want, 5_000, `the host's tile to follow to ${want}`);
      await labelIs(want);
    }
  });

  it('n pressed in the webview without the neighbour kept goes through the host, and after an order change the host order wins', async () => {
    const order = await openInOrder(6);
    await sleep(1500);
    // Two presses at once: the first switches in the webview; the second finds no neighbour roles yet (they come when the host follows) and asks the host.
    const [a, b] = await Promise.all([press('n'), press('n')]);
    assert.equal(a.press?.local, true);
    assert.equal(b.press?.local, false, 'the second press went to the host');
    const want = order[8];
    await until(async () => x.viewerTile()?.id === want && (await x.viewerSnapshot())?.tileId === want, 10_000, `host and webview to show ${want} (host ${x.viewerTile()?.id})`);
    const snap = (await x.viewerSnapshot())!;
    assert.deepEqual(snap.drawn, polys.get(want)?.counts ?? zero);
    assert.equal(snap.imageSum, rgbaSum(tileFile(want)));
    await labelIs(want);
    // The order changes under the webview: next follows the new order (by vessel count), whichever side steps.
    await sleep(1500);
    await vscode.commands.executeCommand('vasculatureExplorer.sortTiles', 'vesselCount');
    try {
      const count = (id: string) => polys.get(id)?.counts.blood_vessel ?? 0;
      const byVessels = imageIds().sort((p, q) => count(q) - count(p) || (p < q ? -1 : 1));
      const at = byVessels.indexOf(want);
      assert.ok(at >= 0 && at + 2 < byVessels.length);
      await press('n'); // at once: stale roles (the webview then shows a tile the host corrects) or new ones
      const n1 = byVessels[at + 1];
      await until(async () => x.viewerTile()?.id === n1 && (await x.viewerSnapshot())?.tileId === n1, 10_000, `host and webview to show ${n1} (host ${x.viewerTile()?.id})`);
      await labelIs(n1);
      await sleep(1500); // the roles of the new order land
      const s2 = await press('n');
      const n2 = byVessels[at + 2];
      assert.equal(s2.press?.local, true, 'the refreshed roles let the webview switch by itself');
      assert.equal(s2.tileId, n2);
      assert.deepEqual(s2.drawn, polys.get(n2)?.counts ?? zero);
      await until(() => x.viewerTile()?.id === n2, 5_000, `the host to follow to ${n2}`);
      await labelIs(n2);
    } finally {
      await vscode.commands.executeCommand('vasculatureExplorer.sortTiles', 'id');
    }
  });

  it('Open Tile re-targets the one tile viewer panel (no new webview): its tab names the tile after an open, a next and a second open; closed, the next open makes a new one', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const order = withImages();
    const [a, b, c] = [annotated[2], annotated[9], annotated[4]];
    const pa = x.viewerNextPaint(a, 45_000);
    await vscode.commands.executeCommand('vasculatureExplorer.openTile', a);
    assert.ok((await pa).open, 'the first open starts a webview');
    assert.equal(panelTabs().length, 1);
    await labelIs(a);
    await sleep(300);
    // Next, in place: the tab follows.
    const an = order[order.indexOf(a) + 1];
    const pn = x.viewerNextPaint(an);
    await vscode.commands.executeCommand('vasculatureExplorer.nextTile');
    assert.equal((await pn).open, undefined);
    await labelIs(an);
    // A second open reuses the panel.
    const pb = x.viewerNextPaint(b);
    await vscode.commands.executeCommand('vasculatureExplorer.openTile', b);
    const rb = await pb;
    assert.equal(rb.open, undefined, 'no new webview started');
    assert.equal(panelTabs().length, 1, 'still one viewer tab');
    assert.equal(vscode.window.tabGroups.all.flatMap((g) => g.tabs).length, 1, 'and no other tab');
    await labelIs(b);
    assert.deepEqual(rb.drawn, polys.get(b)!.counts);
    assert.equal(x.viewerTile()?.id, b);
    const snap = await x.viewerSnapshot();
    assert.equal(snap?.tileId, b);
    assert.equal(snap?.imageSum, rgbaSum(tileFile(b)));
    // "Reveal active tile" (the tree following the editor) reads the panel's tile.
    assert.equal(await vscode.commands.executeCommand('vasculatureExplorer.revealActiveTile'), true);
    // Another editor in front of it: the next open brings the same panel back.
    const doc = await vscode.workspace.openTextDocument({ content: 'notes' });
    await vscode.window.showTextDocument(doc, { preview: false });
    assert.notEqual(activeViewType(), PANEL_TYPE);
    const pc = x.viewerNextPaint(c, 45_000);
    await vscode.commands.executeCommand('vasculatureExplorer.openTile', c);
    await pc;
    assert.equal(activeViewType(), PANEL_TYPE);
    assert.equal(panelTabs().length, 1);
    await labelIs(c);
    // Closed, the next open makes a new panel.
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await until(() => panelTabs().length === 0, 5_000, 'the panel to close');
    const pa2 = x.viewerNextPaint(a, 45_000);
    await vscode.commands.executeCommand('vasculatureExplorer.openTile', a);
    assert.ok((await pa2).open, 'a new webview for the new panel');
    await labelIs(a);
    assert.equal(panelTabs().length, 1);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('the tile browser follows the tile viewer panel: an open, a next and a re-targeted open each select the tile shown', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('vasculatureExplorer.tiles.focus');
    const order = withImages();
    const [a, c] = [annotated[3], annotated[8]];
    const selected = (id: string) => until(() => x.treeSelection().includes(id), 10_000, `the tree to select ${id} (it selects ${JSON.stringify(x.treeSelection())})`);
    const pa = x.viewerNextPaint(a, 45_000);
    await vscode.commands.executeCommand('vasculatureExplorer.openTile', a);
    await pa;
    await selected(a);
    await sleep(300);
    const an = order[order.indexOf(a) + 1];
    const pn = x.viewerNextPaint(an);
    await vscode.commands.executeCommand('vasculatureExplorer.nextTile');
    await pn;
    await selected(an);
    await sleep(300);
    const pc = x.viewerNextPaint(c);
    await vscode.commands.executeCommand('vasculatureExplorer.openTile', c);
    await pc;
    await selected(c);
    assert.equal(panelTabs().length, 1, 'one tile viewer panel all along');
  });

  it('Predict with no argument in the panel, after next, predicts the tile shown and draws its layer there', async () => {
    const cfg = vscode.workspace.getConfiguration('vasculatureExplorer');
    await cfg.update('predict.executionProvider', 'cpu', vscode.ConfigurationTarget.Global);
    try {
      const order = x.orderedTileIds().filter((id) => x.index()!.tiles.get(id)?.image && polys.has(id));
      // A tile no other test predicted, after next from its predecessor in the order.
      const all = withImages();
      const want = order.filter((id) => all.indexOf(id) > 0 && !x.predict.predictionLayer(id)).pop()!;
      const from = all[all.indexOf(want) - 1];
      const p0 = x.viewerNextPaint(from, 45_000);
      await vscode.commands.executeCommand('vasculatureExplorer.openTile', from);
      await p0;
      const p1 = x.viewerNextPaint(want);
      await vscode.commands.executeCommand('vasculatureExplorer.nextTile');
      await p1;
      await labelIs(want);
      const r = (await vscode.commands.executeCommand('vasculatureExplorer.predictTile')) as { tileId: string; tp: number; fp: number; fn: number } | undefined;
      assert.ok(r, `predictTile returned nothing; last error: ${JSON.stringify(x.predict.lastPredictError())}`);
      assert.equal(r.tileId, want, 'Predict acts on the tile the panel shows');
      const snap = await until(async () => { const s = await x.viewerSnapshot(); return s?.prediction ? s : undefined; }, 15_000, 'the prediction layer in the panel');
      assert.equal(snap.tileId, want);
      assert.deepEqual([snap.prediction!.tp, snap.prediction!.fp, snap.prediction!.fn], [r.tp, r.fp, r.fn]);
      // The panel's editor-title Predict button passes the panel's own webview-panel: URI (no file): still the tile shown.
      const fromButton = (await vscode.commands.executeCommand('vasculatureExplorer.predictTile', vscode.Uri.from({ scheme: 'webview-panel', path: 'webview-panel/webview-1' }))) as { tileId: string } | undefined;
      assert.equal(fromButton?.tileId, want);
    } finally {
      await cfg.update('predict.executionProvider', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('slide context shows the neighbours of the same WSI by pixel offset (counted from tile_meta.csv)', async () => {
    const meta = metaTable();
    const id = annotated[0];
    const c = meta.get(id)!;
    const expected = [...meta].filter(([k, m]) => k !== id && m.wsi === c.wsi && Math.abs(m.i - c.i) < 1024 && Math.abs(m.j - c.j) < 1024).length;
    const p = x.viewerNextPaint(id);
    await vscode.commands.executeCommand('vasculatureExplorer.openTile', id);
    await p;
    await vscode.commands.executeCommand('vasculatureExplorer.toggleSlideContext', true);
    const snap = await until(async () => { const s = await x.viewerSnapshot(); return s && s.contextTiles > 0 && s; }, 15_000, 'the slide context');
    assert.equal(snap.contextTiles, expected);
    assert.equal(snap.drawn.blood_vessel, polys.get(id)!.counts.blood_vessel, 'the centre tile keeps its overlays');
    await vscode.commands.executeCommand('vasculatureExplorer.toggleSlideContext', false);
  });

  it('a truncated TIFF shows a clear message in the editor, naming the file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vex-odd-'));
    fs.mkdirSync(path.join(dir, 'train'));
    const bad = path.join(dir, 'train', 'truncated.tif');
    const src = fs.readFileSync(path.join(sample, 'train', `${annotated[0]}.tif`));
    fs.writeFileSync(bad, src.subarray(0, Math.floor(src.length / 3)));
    await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(bad), VIEW_TYPE);
    const snap = await until(async () => { const s = await x.viewerSnapshot(); return s?.error ? s : undefined; }, 15_000, 'the error message');
    assert.match(snap.error!, /truncated\.tif/);
    assert.match(snap.error!, /truncated or corrupt/);
    assert.equal(snap.tileId, undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('exports the current tile as GeoJSON with one feature per polygon', async () => {
    const id = annotated[1];
    const p = x.viewerNextPaint(id);
    await vscode.commands.executeCommand('vasculatureExplorer.openTile', id);
    await p;
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'vex-export-'));
    await vscode.commands.executeCommand('vasculatureExplorer.exportTile', undefined, 'geojson', out);
    const fc = JSON.parse(fs.readFileSync(path.join(out, 'geojson', `${id}.geojson`), 'utf8')) as { features: unknown[] };
    const c = polys.get(id)!.counts;
    assert.equal(fc.features.length, c.blood_vessel + c.glomerulus + c.unsure);
    fs.rmSync(out, { recursive: true, force: true });
  });
});

describe('Gallery on the real sample', function () {
  this.timeout(60_000);
  let x: VasculatureExplorerApi;
  before(async () => {
    const ext = vscode.extensions.getExtension<VasculatureExplorerApi>(`${manifest.publisher}.${manifest.name}`);
    x = await ext!.activate();
    await until(() => x.index()?.root === sample && x.index(), 45_000, 'the sample to be indexed');
  });

  it('lists the filtered tiles virtualised, and a click opens the tile in the viewer', async () => {
    await vscode.commands.executeCommand('vasculatureExplorer.searchTiles', 'ab');
    await vscode.commands.executeCommand('vasculatureExplorer.gallery.focus');
    // The gallery leaves out tiles whose image is not on disk (a partial download).
    const want = x.orderedTileIds().filter((t) => x.index()!.tiles.get(t)!.image !== undefined).length;
    assert.ok(want > 0 && want < x.orderedTileIds().length);
    const snap = await until(async () => { const s = await x.gallerySnapshot().catch(() => undefined); return s && s.items === want && s.drawn > 0 && s; }, 30_000, 'the gallery to list the filtered tiles');
    assert.ok(snap.cells < snap.items || snap.items < 60, `virtualised: ${snap.cells} cells for ${snap.items} items`);
    const polys = polygonsTable();
    const id = imageIds().filter((t) => t.includes('ab') && polys.has(t)).sort()[0] ?? imageIds().filter((t) => t.includes('ab')).sort()[0];
    const p = x.viewerNextPaint(id);
    await x.galleryClick(id);
    assert.equal((await p).id, id);
    assert.equal(activeViewType(), PANEL_TYPE);
    await labelIs(id);
    await vscode.commands.executeCommand('vasculatureExplorer.clearFilter');
    const images = imageIds().length;
    assert.equal(images, 127);
    const all = await until(async () => { const s = await x.gallerySnapshot(); return s.items === images && s; }, 10_000, 'the gallery to follow the cleared filter');
    assert.ok(all.cells < all.items, `only visible rows are in the DOM (${all.cells} cells for ${all.items})`);
  });
});
