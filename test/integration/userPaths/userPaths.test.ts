/**
 * Issue 12's broken paths, each through the argument its menu place passes: the tile browser's
 * title bar (the focused row), a row's context menu (the row), Show Log (the channel shows), and
 * Predict from a row (the tile opens in the viewer with its prediction layer, and a notification
 * says what was found). The clicks themselves are in test/e2e/userPaths.e2e.ts.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { VasculatureExplorerApi } from '../../../src/extension/common/api';
import { until } from '../wait';
import { closeSample, openSample, sample } from './sampleSession';
import { failures, invoke, opened, resetObserved, shown } from './observe';

const ANNOTATED = '00da70813521';
const MISSING = '0006ff2aa7cd';

/** Tile ids of the sample with polygons and an image, and with polygons but no image, read here from the files. */
function annotationCounts(): { withImage: number; withoutImage: number } {
  const images = new Set(fs.readdirSync(path.join(sample, 'train')).map((f) => f.replace(/\.tif$/, '')));
  let withImage = 0, withoutImage = 0;
  for (const l of fs.readFileSync(path.join(sample, 'polygons.jsonl'), 'utf8').split('\n')) {
    if (!l.trim()) continue;
    if (images.has((JSON.parse(l) as { id: string }).id)) withImage++;
    else withoutImage++;
  }
  return { withImage, withoutImage };
}

describe('User paths of the tile browser, Show Log and Predict', function () {
  this.timeout(180_000);
  let x: VasculatureExplorerApi;
  before(async () => { x = await openSample(); });
  after(closeSample);
  beforeEach(() => resetObserved());

  it('1. Go to Tile… from the title bar with a focused row opens the tile picker, not "No tile [object Object]"', async () => {
    for (const focused of [x.treeElement('wsi:1'), x.treeElement(`tile:${ANNOTATED}`), undefined]) {
      resetObserved();
      const r = await invoke('vasculatureExplorer.goToTile', [focused]);
      assert.equal(r.error, undefined);
      assert.deepEqual(opened.map((o) => o.title), ['Go to Tile']);
      assert.deepEqual(failures(), [], JSON.stringify(shown));
      assert.ok(!shown.some((s) => /No tile/.test(s.text)), JSON.stringify(shown));
    }
  });

  it('2. Sort Tiles… from the title bar with a focused row opens the sort picker and keeps a valid sort', async () => {
    await vscode.commands.executeCommand('vasculatureExplorer.sortTiles', 'id');
    resetObserved();
    const r = await invoke('vasculatureExplorer.sortTiles', [x.treeElement('wsi:1')]);
    assert.equal(r.error, undefined);
    assert.deepEqual(opened.map((o) => o.title), ['Sort tiles']);
    assert.equal(x.query().sort, 'id');
    assert.equal(x.orderedTileIds().length, 7034);
  });

  it('4. a tile row\'s context menu: Copy Tile Id, Filter to This WSI / Dataset, Reveal in Explorer act on that row', async () => {
    const row = x.treeElement(`tile:${ANNOTATED}`);
    assert.equal(await vscode.commands.executeCommand('vasculatureExplorer.copyTileId', row, [row]), ANNOTATED);
    assert.equal(await vscode.env.clipboard.readText(), ANNOTATED);
    const t = x.index()!.tiles.get(ANNOTATED)!;
    await vscode.commands.executeCommand('vasculatureExplorer.filterToWsi', row, [row]);
    assert.deepEqual(x.query().filter.wsis, [t.wsi]);
    await vscode.commands.executeCommand('vasculatureExplorer.filterToDataset', row, [row]);
    assert.ok(x.orderedTileIds().length > 0 && x.orderedTileIds().every((id) => x.index()!.tiles.get(id)!.wsi === t.wsi && x.index()!.tiles.get(id)!.dataset === t.dataset));
    assert.match(x.treeRoots()[0].description, /of .* tiles/, 'the WSI row says "N of M tiles" under the filter');
    await vscode.commands.executeCommand('vasculatureExplorer.clearFilter');
    const revealed = await vscode.commands.executeCommand('vasculatureExplorer.revealTileInExplorer', row, [row]);
    assert.equal(revealed, path.join(sample, 'train', `${ANNOTATED}.tif`));
    // A row whose image is missing reveals nothing and says why.
    const missing = x.treeElement(`tile:${MISSING}`);
    resetObserved();
    assert.equal(await vscode.commands.executeCommand('vasculatureExplorer.revealTileInExplorer', missing, [missing]), undefined);
    assert.match(shown.map((s) => s.text).join('\n'), new RegExp(`Tile ${MISSING} has no image on disk`));
  });

  it('4. Filter to This WSI on a WSI row and Filter to This Dataset on a dataset row', async () => {
    await vscode.commands.executeCommand('vasculatureExplorer.filterToWsi', x.treeElement('wsi:2'));
    await vscode.commands.executeCommand('vasculatureExplorer.filterToDataset', x.treeElement('ds:2:1'));
    const idx = x.index()!;
    const expected = [...idx.tiles.values()].filter((t) => t.wsi === 2 && t.dataset === 1).length;
    assert.equal(x.orderedTileIds().length, expected);
    await vscode.commands.executeCommand('vasculatureExplorer.clearFilter');
  });

  it('5. Show Log makes the Vasculature Explorer output channel visible', async () => {
    await vscode.commands.executeCommand('workbench.action.closePanel');
    const isLog = (e: vscode.TextEditor) => e.document.uri.scheme === 'output' && /Vasculature Explorer/.test(e.document.uri.path);
    await until(() => !vscode.window.visibleTextEditors.some(isLog), 5_000, 'the Output panel to close');
    const r = await invoke('vasculatureExplorer.showLog', []);
    assert.equal(r.error, undefined);
    await until(() => vscode.window.visibleTextEditors.some(isLog), 10_000, 'the Vasculature Explorer channel to show in the Output panel');
    await vscode.commands.executeCommand('workbench.action.closePanel');
  });

  it('8. the tree says "annotated" as the dashboard does (polygons and an image), and names annotations without image apart', () => {
    const { withImage, withoutImage } = annotationCounts();
    let annotated = 0, noImage = 0;
    for (const r of x.treeRoots()) {
      annotated += Number(/(\d+) annotated/.exec(r.description)?.[1] ?? 0);
      noImage += Number(/(\d+) annotations without image/.exec(r.description)?.[1] ?? 0);
    }
    assert.equal(annotated, withImage);
    assert.equal(annotated, x.index()!.stats.annotatedTiles, 'the dashboard\'s count');
    assert.equal(noImage, withoutImage);
  });

  it('3. Predict from a tile row opens the tile in the viewer with its prediction layer on, and a notification says what was found', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const row = x.treeElement(`tile:${ANNOTATED}`);
    resetObserved();
    const r = await invoke('vasculatureExplorer.predictTile', [row, [row]]);
    assert.equal(r.error, undefined);
    assert.ok(r.value, `no prediction: ${JSON.stringify(x.predict.lastPredictError())}`);
    await until(() => x.viewerTile()?.id === ANNOTATED, 20_000, 'the viewer to show the tile');
    const snap = await until(async () => {
      const s = await x.viewerSnapshot().catch(() => undefined); // a busy machine can miss one 10 s reply: ask again
      return s?.prediction && s.predictionVisible ? s : undefined;
    }, 20_000, 'the prediction layer to be drawn');
    const p = x.predict.lastPrediction()!;
    assert.equal(snap.prediction!.tp + snap.prediction!.fp + (snap.prediction!.ignored ?? 0) + (snap.prediction!.none ?? 0), p.vessels);
    const note = shown.find((s) => s.level === 'info' && s.text.startsWith(`Predict ${ANNOTATED}:`));
    assert.ok(note, JSON.stringify(shown));
    assert.match(note.text, new RegExp(`${p.vessels} vessel instances?, mean confidence 0\\.\\d\\d, \\d+ ms on cpu · TP ${p.tp} FP ${p.fp} FN ${p.fn}`));
    assert.deepEqual(note.buttons, ['Show Log']);
  });

  it('3. Predict on a dataset row runs a batch over its tiles and ends with a summary that opens the submission', async () => {
    const row = x.treeElement('ds:2:1');
    const images = [...x.index()!.tiles.values()].filter((t) => t.wsi === 2 && t.dataset === 1 && t.image).length;
    resetObserved();
    const r = await invoke('vasculatureExplorer.predictTile', [row, [row]]);
    assert.equal(r.error, undefined);
    assert.equal((r.value as { tiles: number }).tiles, images);
    const note = shown.find((s) => s.level === 'info' && /^Predict WSI 2 · dataset 1:/.test(s.text));
    assert.ok(note, JSON.stringify(shown));
    assert.match(note.text, new RegExp(`${images} of ${images} tiles, \\d+ vessel instances, AP@0\\.6 `));
    assert.deepEqual(note.buttons, ['Open submission.csv', 'Show Log']);
    assert.equal(x.predict.lastBatch()?.scope, 'WSI 2 · dataset 1');
  });
});
