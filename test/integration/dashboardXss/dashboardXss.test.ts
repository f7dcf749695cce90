/** Dataset text that looks like HTML is shown as text in the Dataset Overview, never parsed. */
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { VasculatureExplorerApi } from '../../../src/extension/common/api';
import { HOSTILE } from './workspace';

const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { name: string; publisher: string };

describe('Dataset Overview escapes dataset text (hostile ids and wsi_meta values)', function () {
  this.timeout(120_000);

  it('renders the HTML/script strings as plain text and injects no element', async () => {
    const a = await vscode.extensions.getExtension<VasculatureExplorerApi>(`${manifest.publisher}.${manifest.name}`)!.activate();
    if (!a.index()) await a.nextIndex();
    assert.ok(a.index()!.tiles.has(HOSTILE.id), 'the hostile id is indexed as a tile');
    await a.dashboard.show();
    const snap = (await a.dashboard.snapshot())!;
    const row = snap.wsiRows.find((r) => r[0] === '1')!;
    assert.equal(row[4], HOSTILE.sex);
    assert.equal(row[5], HOSTILE.race);
    assert.deepEqual(snap.foreignElements, []);
    const tpw = snap.charts.find((c) => c.id === 'tilesPerWsi')!;
    assert.ok(tpw.labels.includes('no WSI'), 'the hostile id is counted as a tile with no WSI');
  });
});
