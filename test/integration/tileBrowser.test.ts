/** The foundation inside a real VS Code: index, tile browser counts, Problems at the right lines, live updates. */
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { VasculatureExplorerApi } from '../../src/extension/common/api';
import { until } from './wait';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { name: string; publisher: string };
const sample = path.resolve(repoRoot, '..', 'shared', 'data', 'hhv-sample');

async function api(): Promise<VasculatureExplorerApi> {
  const ext = vscode.extensions.getExtension<VasculatureExplorerApi>(`${manifest.publisher}.${manifest.name}`);
  assert.ok(ext);
  return ext.activate();
}


/** Counts of tile_meta.csv computed here, independently of the extension. */
function metaTable(): Map<string, number> {
  const m = new Map<string, number>();
  for (const l of fs.readFileSync(path.join(sample, 'tile_meta.csv'), 'utf8').trim().split('\n').slice(1)) {
    const [, wsi, ds] = l.split(',');
    const k = `${Number(wsi)}/${Number(ds)}`;
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  return m;
}

/** A writable copy of the sample (images linked) with a few broken lines. */
function brokenCopy(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vex-broken-'));
  const lines = fs.readFileSync(path.join(sample, 'polygons.jsonl'), 'utf8').split('\n').filter((l) => l.trim());
  lines[2] = lines[2].slice(0, 200); // truncated: line 3
  lines[6] = lines[6].replace(/\[(\d+),(\d+)\]/, '["$1",$2]'); // string coordinate: line 7
  fs.writeFileSync(path.join(dir, 'polygons.jsonl'), lines.join('\n') + '\n');
  const meta = fs.readFileSync(path.join(sample, 'tile_meta.csv'), 'utf8').split('\n');
  meta[9] = meta[4]; // duplicate id: line 10
  fs.writeFileSync(path.join(dir, 'tile_meta.csv'), meta.join('\n'));
  fs.copyFileSync(path.join(sample, 'wsi_meta.csv'), path.join(dir, 'wsi_meta.csv'));
  for (const split of ['train', 'test']) {
    fs.mkdirSync(path.join(dir, split));
    for (const n of fs.readdirSync(path.join(sample, split))) fs.symlinkSync(path.join(sample, split, n), path.join(dir, split, n));
  }
  return dir;
}

describe('Tile browser on the real sample', () => {
  let x: VasculatureExplorerApi;
  before(async function () {
    this.timeout(60_000);
    x = await api();
    await until(() => x.index()?.root === sample && x.index(), 45_000, 'the sample to be indexed');
  });

  it('indexes the workspace on activation: 7033 meta rows, 126 + 1 images, 221 polygons lines', () => {
    const s = x.index()!.stats;
    assert.deepEqual([s.metaRows, s.trainImages, s.testImages, s.polygonLines, s.annotatedTiles], [7033, 126, 1, 221, 27]);
  });

  it('shows one root per WSI with the tile counts of tile_meta.csv', () => {
    const roots = x.treeRoots();
    const table = metaTable();
    const wsis = [...new Set([...table.keys()].map((k) => k.split('/')[0]))].sort((a, b) => Number(a) - Number(b));
    assert.deepEqual(roots.map((r) => r.label), [...wsis.map((w) => `WSI ${w}`), 'No WSI (test tiles)']);
    for (const w of wsis) {
      const total = [...table].filter(([k]) => k.startsWith(`${w}/`)).reduce((a, [, n]) => a + n, 0);
      const row = roots.find((r) => r.label === `WSI ${w}`)!;
      assert.match(row.description, new RegExp(`^${total.toLocaleString('en-US')} tiles`), `WSI ${w}: ${row.description}`);
    }
  });

  it('splits WSI 1 into its datasets with their counts', () => {
    const table = metaTable();
    const kids = x.treeChildren('wsi:1');
    assert.deepEqual(kids.map((k) => k.label), ['Dataset 1', 'Dataset 2']);
    assert.match(kids[0].description, new RegExp(`^${table.get('1/1')} tiles`));
    assert.match(kids[1].description, new RegExp(`^${table.get('1/2')} tiles`));
  });

  it('filters the tree through the shared filter, and clears it', async () => {
    await vscode.commands.executeCommand('vasculatureExplorer.searchTiles', '00');
    const ids = x.orderedTileIds();
    assert.ok(ids.length > 0 && ids.every((id) => id.includes('00')));
    const expected = fs.readFileSync(path.join(sample, 'tile_meta.csv'), 'utf8').trim().split('\n').slice(1).filter((l) => l.split(',')[0].includes('00')).length + ('72e40acccadf'.includes('00') ? 1 : 0);
    assert.equal(ids.length, expected);
    await vscode.commands.executeCommand('vasculatureExplorer.clearFilter');
    assert.equal(x.orderedTileIds().length, 7034);
  });

  it('sorts tiles by vessel count, most first', async () => {
    await vscode.commands.executeCommand('vasculatureExplorer.sortTiles', 'vesselCount');
    const idx = x.index()!;
    const counts = x.orderedTileIds().slice(0, 50).map((id) => idx.tiles.get(id)!.counts.blood_vessel);
    assert.deepEqual(counts, [...counts].sort((a, b) => b - a));
    assert.ok(counts[0] > 0);
    await vscode.commands.executeCommand('vasculatureExplorer.sortTiles', 'id');
  });

  it('puts the grouped partial-download finding on tile_meta.csv line 2 in the Problems panel', async () => {
    const ds = await until(() => {
      const d = vscode.languages.getDiagnostics(vscode.Uri.file(path.join(sample, 'tile_meta.csv')));
      return d.length > 0 && d;
    }, 10_000, 'diagnostics on tile_meta.csv');
    assert.equal(ds.length, 1);
    assert.equal(ds[0].range.start.line, 1);
    assert.equal(ds[0].severity, vscode.DiagnosticSeverity.Information);
    assert.match(ds[0].message, /6907 of 7033/);
  });

  it('opens a tile from the tree command as its image file', async () => {
    const id = fs.readdirSync(path.join(sample, 'train'))[0].replace('.tif', '');
    await vscode.commands.executeCommand('vasculatureExplorer.openTile', id);
    // It shows in the tile viewer panel (a webview tab named after the file; the viewer reports the file).
    await until(() => vscode.window.tabGroups.activeTabGroup.activeTab?.label === `${id}.tif`, 10_000, 'the tile to open');
    assert.equal(x.viewerTile()?.file, path.join(sample, 'train', `${id}.tif`));
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});

describe('Problems for a broken copy, and live updates', () => {
  let x: VasculatureExplorerApi;
  let dir: string;
  before(async function () {
    this.timeout(60_000);
    x = await api();
    dir = brokenCopy();
    const done = x.nextIndex();
    await vscode.commands.executeCommand('vasculatureExplorer.openDatasetFolder', dir);
    await done;
  });
  after(async () => {
    const done = x.nextIndex();
    await vscode.commands.executeCommand('vasculatureExplorer.openDatasetFolder', sample);
    await done;
  });

  it('puts each defect on its file and line', () => {
    const poly = vscode.languages.getDiagnostics(vscode.Uri.file(path.join(dir, 'polygons.jsonl')));
    const lineOf = (code: string) => poly.filter((d) => d.code === code).map((d) => d.range.start.line + 1);
    assert.deepEqual(lineOf('json-malformed'), [3]);
    assert.deepEqual(lineOf('point-type'), [7]);
    const errors = poly.filter((d) => d.severity === vscode.DiagnosticSeverity.Error);
    assert.equal(errors.length, 2);
    const meta = vscode.languages.getDiagnostics(vscode.Uri.file(path.join(dir, 'tile_meta.csv')));
    assert.deepEqual(meta.filter((d) => d.code === 'duplicate-id').map((d) => d.range.start.line + 1), [10]);
  });

  it('still loads everything else (220 of 221 polygons lines)', () => {
    const tiles = [...x.index()!.tiles.values()];
    assert.equal(tiles.filter((t) => t.polygonsLine !== undefined).length, 220);
    assert.equal(x.index()!.stats.metaRows, 7032);
  });

  it('re-indexes when polygons.jsonl is edited on disk: the fixed line loses its problem', async function () {
    this.timeout(30_000);
    const file = path.join(dir, 'polygons.jsonl');
    const good = fs.readFileSync(path.join(sample, 'polygons.jsonl'), 'utf8').split('\n');
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    lines[2] = good[2];
    const done = x.nextIndex();
    fs.writeFileSync(file, lines.join('\n'));
    await done;
    const poly = await until(() => {
      const d = vscode.languages.getDiagnostics(vscode.Uri.file(file));
      return !d.some((q) => q.code === 'json-malformed') && d;
    }, 15_000, 'the fixed line to lose its diagnostic');
    assert.deepEqual(poly.filter((d) => d.severity === vscode.DiagnosticSeverity.Error).map((d) => d.range.start.line + 1), [7]);
    assert.equal([...x.index()!.tiles.values()].filter((t) => t.polygonsLine !== undefined).length, 221);
  });
});
