/**
 * The Dataset Overview's user paths in the real VS Code: a broken submission opened from the
 * Explorer's context menu (its URI) keeps the last good score on the dashboard with the errors
 * beside it; count charts label their y axis with whole numbers. (Exports are clicked in
 * test/e2e/dashboardPaths.e2e.ts.)
 */
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { VasculatureExplorerApi } from '../../../src/extension/common/api';
import { until } from '../wait';
import { closeSample, openSample } from './sampleSession';
import { invoke, resetObserved, shown } from './observe';

const TILE = '00da70813521';

describe('Dataset Overview user paths', function () {
  this.timeout(180_000);
  let x: VasculatureExplorerApi;
  before(async () => { x = await openSample(); });
  after(closeSample);

  it('12. a broken submission (Explorer → Open and Score) keeps the last good score and shows its errors beside it', async () => {
    const good = await invoke('vasculatureExplorer.predictBatch', [[TILE]]);
    assert.equal((good.value as { tiles: number }).tiles, 1);
    const before = x.predict.lastBatch()!;
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 've-broken-sub-')), 'broken.csv');
    fs.writeFileSync(file, `id,height,width,prediction_string\n${TILE},512,512,0 1.0 eNoLTDAwyrM3yI/PMwcAE94DZA==\n${TILE}x,512,oops\n`);
    const uri = vscode.Uri.file(file);
    resetObserved();
    const r = await invoke('vasculatureExplorer.openSubmission', [uri, [uri]]);
    assert.equal(r.error, undefined);
    assert.ok((r.value as { problems: { severity: string; line: number }[] }).problems.some((p) => p.severity === 'error' && p.line === 3));
    assert.ok(shown.some((s) => s.level === 'warning' && /broken\.csv: \d+ error/.test(s.text)), JSON.stringify(shown));
    const after = x.predict.lastBatch()!;
    assert.deepEqual([after.source, after.scope, after.tp, after.fp, after.fn], [before.source, before.scope, before.tp, before.fp, before.fn], 'the last good batch stays');
    await x.dashboard.show();
    const snap = await until(async () => {
      const s = await x.dashboard.snapshot().catch(() => undefined); // a busy machine can miss one 10 s reply: ask again
      return s?.score.rejected ? s : undefined;
    }, 15_000, 'the errors box');
    assert.equal(snap.score.score?.tiles, 1, 'the good score is still drawn');
    assert.ok(snap.score.chart && snap.score.chart.inkPixels > 0, 'its PR chart is drawn, not emptied');
    assert.match(snap.score.rejected!, /^broken\.csv was not scored: 1 error \(each at its line in the Problems panel\)\. The score shown is the last good one\.line 3: The row has 3 fields/);
    // The next good result clears the box (looked at again: the batch's report tab hid the dashboard).
    await invoke('vasculatureExplorer.predictBatch', [[TILE]]);
    await x.dashboard.show();
    const cleared = await until(async () => {
      const s = await x.dashboard.snapshot().catch(() => undefined); // a busy machine can miss one 10 s reply: ask again
      return s && !s.score.rejected ? s : undefined;
    }, 15_000, 'the errors box to go');
    assert.equal(cleared.score.score?.tiles, 1);
  });

  it('11. count charts label the y axis with whole numbers (no "0.4 tiles")', async () => {
    await x.dashboard.show();
    const snap = await until(() => x.dashboard.snapshot().catch(() => undefined), 30_000, 'the dashboard snapshot');
    const counts = snap.charts.filter((c) => c.yTicks && c.yTicks.length > 0);
    assert.ok(counts.length >= 5, `${counts.length} charts report their y ticks`);
    for (const c of counts) for (const t of c.yTicks!) assert.match(t, /^[\d,]+$/, `${c.id}: y tick "${t}"`);
  });
});
