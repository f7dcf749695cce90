/**
 * The stain features inside a real VS Code on the real sample: Show Stain Panel invoked with the
 * tile browser row's menu argument opens the panel on that tile (the original, Reinhard, Macenko
 * and 8 RandStainNA samples, each with the tile's polygons, counted here from polygons.jsonl);
 * Compute Stain Statistics… writes the yaml, and the vasculatureExplorer.stain.minTissue setting
 * turns the sample's palest real tile into a stated skip, counted in the yaml's provenance.
 */
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
/** The sample's palest real tile (about 10 % stained pixels). */
const NEAR_WHITE = '24bc5d5889b4';

/** The sample tile with an image and the most polygons, and that count (from polygons.jsonl). */
function mostAnnotated(): { id: string; polygons: number } {
  const images = new Set(fs.readdirSync(path.join(sample, 'train')).map((n) => n.replace(/\.tif$/, '')));
  let best = { id: '', polygons: -1 };
  for (const l of fs.readFileSync(path.join(sample, 'polygons.jsonl'), 'utf8').split('\n')) {
    if (!l.trim()) continue;
    const o = JSON.parse(l) as { id: string; annotations: unknown[] };
    if (images.has(o.id) && (o.annotations.length > best.polygons || (o.annotations.length === best.polygons && o.id < best.id))) best = { id: o.id, polygons: o.annotations.length };
  }
  return best;
}

describe('stain: the Stain panel command and the statistics setting in the real VS Code', function () {
  this.timeout(240_000);
  let x: VasculatureExplorerApi;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 've-int-stain-'));

  before(async () => {
    const ext = vscode.extensions.getExtension<VasculatureExplorerApi>(`${manifest.publisher}.${manifest.name}`);
    assert.ok(ext);
    x = await ext.activate();
    await until(() => x.index()?.root === sample && x.index(), 45_000, 'the sample to be indexed');
  });

  after(async () => {
    await vscode.workspace.getConfiguration('vasculatureExplorer').update('stain.minTissue', undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('Show Stain Panel with a tile browser row ({tile}) shows that tile: original, Reinhard, Macenko and 8 samples, each with its polygons', async () => {
    const pick = mostAnnotated();
    const tile = x.index()!.tiles.get(pick.id);
    assert.ok(tile);
    await vscode.commands.executeCommand('vasculatureExplorer.showStainPanel', { tile });
    const snap = await until(async () => {
      const s = await x.stain.panelSnapshot();
      return s && s.tileId === pick.id && s.cells.length === 11 ? s : undefined;
    }, 180_000, 'the Stain panel to draw 11 pictures of the tile');
    assert.deepEqual(snap.cells.map((c) => c.kind), ['original', 'reinhard', 'macenko', ...Array(8).fill('sample')]);
    for (const c of snap.cells) {
      assert.equal(c.overlayPolygons, pick.polygons, `${c.label}: the tile's ${pick.polygons} polygons`);
      assert.ok(c.inkPixels > 100, `${c.label}: tissue drawn`);
    }
    assert.ok(snap.cells.filter((c) => c.kind === 'sample').every((c) => c.applied), snap.cells.map((c) => c.note ?? '').join(' | '));
  });

  it('Compute Stain Statistics… writes the LAB yaml; minTissue 0.2 skips the near-white real tile with the reason, counted in the yaml', async () => {
    const cfg = () => vscode.workspace.getConfiguration('vasculatureExplorer');
    const run = async (name: string) => {
      const out = path.join(tmp, name);
      const written = await vscode.commands.executeCommand<string[]>('vasculatureExplorer.computeStainStatistics', { space: 'LAB', out });
      assert.deepEqual(written, [out]);
      const text = fs.readFileSync(out, 'utf8');
      const m = /tiles: (\d+) measured, (\d+) skipped/.exec(text);
      assert.ok(m, text);
      return { measured: Number(m[1]), skipped: Number(m[2]) };
    };
    const base = await run('default.yaml');
    const images = fs.readdirSync(path.join(sample, 'train')).length + fs.readdirSync(path.join(sample, 'test')).length;
    assert.equal(base.measured + base.skipped, images, 'every tile with an image is measured or skipped');
    assert.ok(x.stain.stats()?.find((t) => t.id === NEAR_WHITE)?.spaces?.LAB, 'kept at the default 5 %');
    await cfg().update('stain.minTissue', 0.2, vscode.ConfigurationTarget.Global);
    const strict = await run('strict.yaml');
    assert.equal(strict.skipped, base.skipped + 1, 'exactly the near-white tile more is skipped (the sample\'s others hold > 30 % tissue)');
    const pale = x.stain.stats()?.find((t) => t.id === NEAR_WHITE);
    assert.match(pale?.skipped ?? '', /^too little tissue: 10\.\d % of pixels are stained .* below the 20\.0 % threshold \(setting vasculatureExplorer\.stain\.minTissue/);
    assert.equal(pale?.spaces, undefined);
    assert.notEqual(fs.readFileSync(path.join(tmp, 'strict.yaml'), 'utf8').replace(/^#.*\n/gm, ''), fs.readFileSync(path.join(tmp, 'default.yaml'), 'utf8').replace(/^#.*\n/gm, ''), 'leaving a tile out changes the statistics');
  });
});
