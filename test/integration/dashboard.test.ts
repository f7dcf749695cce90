/** The Dataset Overview in a real VS Code on the real sample: every chart drawn with the independently computed numbers, clicks filter the tile browser and open tiles. */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { VasculatureExplorerApi } from '../../src/extension/common/api';
import type { DashboardSnapshot } from '../../src/shared/dashboardProtocol';
import { until } from './wait';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { name: string; publisher: string };
const sample = path.resolve(repoRoot, '..', 'shared', 'data', 'hhv-sample');

async function api(): Promise<VasculatureExplorerApi> {
  const ext = vscode.extensions.getExtension<VasculatureExplorerApi>(`${manifest.publisher}.${manifest.name}`);
  assert.ok(ext, 'extension not loaded');
  const a = await ext.activate();
  if (!a.index()) await a.nextIndex();
  return a;
}


interface Ref { perWsi: Record<string, number>; classDs: Record<string, number>; areaHist: Record<string, number[]> }

describe('Dataset Overview panel (real VS Code, hhv-sample)', function () {
  this.timeout(120_000);
  let a: VasculatureExplorerApi;
  let snap: DashboardSnapshot;
  let ref: Ref;

  before(async () => {
    a = await api();
    ref = JSON.parse(execFileSync('/usr/bin/python3', [path.join(repoRoot, 'test/unit/py/dashboard_ref.py'), sample], { encoding: 'utf8', maxBuffer: 64 << 20 })) as Ref;
  });

  it('is contributed as "Vasculature: Show Dataset Overview" and opens a webview tab', async () => {
    assert.ok((await vscode.commands.getCommands(true)).includes('vasculatureExplorer.showDashboard'));
    const ms = await a.dashboard.show();
    console.log(`      dashboard: command to all charts drawn ${ms.toFixed(0)} ms`);
    const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
    assert.equal(tab?.label, 'Dataset Overview');
    assert.ok(tab?.input instanceof vscode.TabInputWebview);
  });

  it('draws every chart with data and ink, and the slide map', async () => {
    snap = (await a.dashboard.snapshot())!;
    assert.deepEqual(snap.charts.map((c) => c.id), ['tilesPerWsi', 'classByDataset', 'classByWsi', 'tilesWithClass', 'areaHist', 'vesselsPerTile', 'vesselFraction']);
    for (const c of snap.charts) {
      assert.ok(c.series.some((s) => s.values.some((v) => v > 0)), `${c.id} has data`);
      assert.ok(c.width > 200 && c.height > 150, `${c.id} is ${c.width}x${c.height}`);
      assert.ok(c.inkPixels > 50, `${c.id} drew ${c.inkPixels} sampled pixels in its plot area`);
    }
    assert.ok(snap.slideMap.tiles > 0 && snap.slideMap.inkPixels > 100, JSON.stringify(snap.slideMap));
    assert.deepEqual(snap.foreignElements, []);
  });

  it('shows the counts a csv/numpy/Pillow reference computes from the files', () => {
    const tpw = snap.charts.find((c) => c.id === 'tilesPerWsi')!;
    // Per WSI total across every stacked series.
    for (const [x, label] of tpw.labels.entries()) {
      const w = label.replace('WSI ', '');
      const exp = Object.entries(ref.perWsi).filter(([k]) => k.split('|')[0] === (w === 'no WSI' ? '-1' : w)).reduce((s, [, n]) => s + n, 0);
      assert.equal(tpw.series.reduce((s, ser) => s + ser.values[x], 0), exp, label);
    }
    const cbd = snap.charts.find((c) => c.id === 'classByDataset')!;
    const vessels = cbd.series.find((s) => s.label === 'blood vessel')!;
    assert.equal(vessels.values[cbd.labels.indexOf('dataset 1')], ref.classDs['1|blood_vessel']);
    assert.equal(vessels.values[cbd.labels.indexOf('dataset 2')], ref.classDs['2|blood_vessel']);
    const area = snap.charts.find((c) => c.id === 'areaHist')!;
    assert.deepEqual(area.series.find((s) => s.label === 'blood vessel')!.values, ref.areaHist.blood_vessel);
    assert.deepEqual(snap.wsiRows.map((r) => r[0]), ['1', '2', '3', '4', '6', '7', '8', '9', '10', '11', '12', '13', '14']);
    assert.equal(snap.wsiRows.find((r) => r[0] === '6')?.[2], 'missing');
    assert.deepEqual(snap.wsiRows.find((r) => r[0] === '1')?.slice(2, 5), ['yes', '58', 'F']);
  });

  it('clicking a WSI bar filters the tile browser to that WSI', async () => {
    const tpw = snap.charts.find((c) => c.id === 'tilesPerWsi')!;
    const x = tpw.labels.indexOf('WSI 3');
    const series = tpw.series.findIndex((s) => s.values[x] > 0);
    await a.dashboard.click({ kind: 'click', chart: 'tilesPerWsi', x, series });
    await until(() => a.query().filter.wsis?.[0] === 3, 20_000, 'the filter');
    assert.deepEqual(a.query().filter, { wsis: [3] });
    await until(() => a.treeRoots().length === 1, 20_000, 'the tree');
    assert.deepEqual(a.treeRoots().map((r) => r.key), ['wsi:3']);
    const exp = Object.entries(ref.perWsi).filter(([k]) => k.startsWith('3|')).reduce((s, [, n]) => s + n, 0);
    assert.equal(a.orderedTileIds().length, exp);
    await vscode.commands.executeCommand('vasculatureExplorer.clearFilter');
    await until(() => a.treeRoots().length > 1, 20_000, 'the cleared filter');
  });

  it('clicking a tile on the slide map opens that tile', async () => {
    const index = a.index()!;
    // The map follows the filter (the test before filtered to WSI 3): read which WSI it shows now.
    const now = (await a.dashboard.snapshot())!;
    const tiles = [...index.tiles.values()].filter((t) => t.wsi === now.slideMap.wsi && t.i !== undefined);
    assert.equal(tiles.length, now.slideMap.tiles, `the map of WSI ${now.slideMap.wsi} draws its tiles`);
    const k = tiles.findIndex((t) => t.image);
    assert.ok(k >= 0, 'the WSI shown has a tile with an image');
    await a.dashboard.click({ kind: 'clickSlideMap', index: k });
    // Tiles opened from inside the product show in the one tile viewer panel, whose tab names the file.
    const shown = await until(() => {
      const t = a.viewerTile();
      return t?.id === tiles[k].id && vscode.window.tabGroups.activeTabGroup.activeTab?.label === path.basename(tiles[k].image!) ? t : undefined;
    }, 20_000, 'the tile in the viewer');
    assert.equal(shown.file, path.join(sample, tiles[k].image!));
  });
});
