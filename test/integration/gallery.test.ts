/** The gallery inside a real VS Code on the real sample: scrolled end to end, every thumbnail it waits for comes exactly once, none lost. */
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { VasculatureExplorerApi } from '../../src/extension/common/api';
import { until } from './wait';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { name: string; publisher: string };
const sample = path.resolve(repoRoot, '..', 'shared', 'data', 'hhv-sample');


describe('Gallery thumbnails on the real sample', function () {
  this.timeout(90_000);
  let x: VasculatureExplorerApi;
  before(async () => {
    x = await vscode.extensions.getExtension<VasculatureExplorerApi>(`${manifest.publisher}.${manifest.name}`)!.activate();
    await until(() => x.index()?.root === sample && x.index(), 45_000, 'the sample to be indexed', 50);
  });

  it('scrolled screen by screen to the end: every asked-for thumbnail answered exactly once, no retry by the safety-net timer', async () => {
    // Image files on disk, counted here: the gallery lists the tiles that have one.
    const images = ['train', 'test'].reduce((n, d) => n + fs.readdirSync(path.join(sample, d)).filter((f) => f.endsWith('.tif')).length, 0);
    assert.equal(images, 127);
    await vscode.commands.executeCommand('vasculatureExplorer.clearFilter');
    await vscode.commands.executeCommand('vasculatureExplorer.gallery.focus');
    const first = await until(async () => { const s = await x.gallerySnapshot().catch(() => undefined); return s && s.items === images && s.drawn === s.cells && s.cells > 0 && s; }, 30_000, 'the first screen drawn', 50);
    const perScreen = first.lastVisible - first.firstVisible + 1;
    assert.ok(perScreen > 0);
    const t0 = Date.now();
    for (let i = 0; i < images; i += perScreen) {
      await x.galleryScrollTo(i);
      // Each screen completes well before the 5 s safety net could ask again.
      await until(async () => { const s = await x.gallerySnapshot(); return s.drawn === s.cells && s.thumbs.outstanding === 0 && s; }, 4_000, `the screen at ${i} drawn`, 50);
    }
    const end = await x.gallerySnapshot();
    assert.equal(end.lastVisible, images - 1, 'scrolled to the last tile');
    // Over this list each of the 127 tiles was either held already (from the list before) or asked for (or
    // announced by the host) once, and each asked-for one got one answer: none twice, none lost, none asked again by the timer.
    const { kept, asked } = end.thumbs;
    assert.equal(kept + asked, images, `kept ${kept} + asked ${asked}`);
    assert.deepEqual(end.thumbs, { kept, asked, answered: asked, unasked: 0, retried: 0, outstanding: 0 }, `after ${Date.now() - t0} ms`);
  });
});
