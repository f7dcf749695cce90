/**
 * A person opens the Dataset Overview on the sample, clicks the tuning card's Run button
 * ("Tune Post-processing…"), types a 3 x 2 grid, picks "No folds" and "Dataset 1"; the Overview shows the heatmap
 * with one cell per combination; clicking a cell and "Apply to Predict settings" writes the
 * workspace settings.json. Screenshot in test-output/screenshots/tuning-sweep.png.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { commandTitle } from './manifest';
import { findWebviewFrame, type E2eTest } from './vscodeSession';
import { repoRoot } from '../harness/paths';

const TUNE = 'vasculatureExplorer.tunePostprocessing';
const SHOW = 'vasculatureExplorer.showDashboard';
let ws: string | undefined;
/** A workspace of its own (Apply writes its .vscode/settings.json), pointing at the read-only sample. */
function workspace(): string {
  if (ws) return ws;
  ws = fs.mkdtempSync(path.join(os.tmpdir(), 've-e2e-tuning-'));
  fs.mkdirSync(path.join(ws, '.vscode'));
  fs.writeFileSync(path.join(ws, '.vscode', 'settings.json'), JSON.stringify({ 'vasculatureExplorer.datasetFolder': path.resolve(repoRoot, '..', 'shared', 'data', 'hhv-sample'), 'vasculatureExplorer.predict.executionProvider': 'cpu' }, null, 2));
  return ws;
}

export const tests: E2eTest[] = [
  {
    name: 'tuning-sweep',
    get folder() { return workspace(); },
    skipIf: () => (commandTitle(TUNE) && commandTitle(SHOW) ? undefined : `package.json contributes no ${TUNE} or ${SHOW}`),
    async run(vs) {
      await vs.page.setViewportSize({ width: 1500, height: 1300 });
      const sidebar = await vs.openActivityBarView('Vasculature Explorer');
      await sidebar.locator('.monaco-list-row', { hasText: /^WSI 1/ }).first().waitFor({ state: 'visible', timeout: 60_000 });
      // The Dataset Overview, its tuning card still empty; the person clicks its Run button.
      await vs.runCommand(commandTitle(SHOW)!);
      const overview = await findWebviewFrame(vs.page, `!!document.querySelector('#card-tuning #tuning-run') && !!document.getElementById('tuning-empty')`, 60_000);
      const run = overview.locator('#card-tuning #tuning-run');
      await run.scrollIntoViewIfNeeded();
      await run.click();
      const input = vs.page.locator('.quick-input-widget input.input');
      await input.waitFor({ state: 'visible', timeout: 10_000 });
      await input.fill('threshold=0.3,0.5,0.7 dilation=0,1 min-area=10');
      await input.press('Enter');
      await vs.page.locator('.quick-input-list .monaco-list-row', { hasText: 'No folds' }).first().click();
      // Which tiles to sweep: Dataset 1 (the competition's test tiles) is the first choice.
      await vs.page.locator('.quick-input-widget .quick-input-title', { hasText: 'tiles to sweep' }).waitFor({ state: 'visible', timeout: 10_000 });
      await vs.page.locator('.quick-input-list .monaco-list-row', { hasText: "the competition's test tiles" }).first().click();
      const frame = await findWebviewFrame(vs.page, `document.querySelectorAll('#tuning-heatmap .tuning-cell').length > 0`, 300_000);
      assert.equal(await frame.locator('#tuning-heatmap .tuning-cell').count(), 6, 'one heatmap cell per combination (3 thresholds x 2 dilations)');
      assert.match((await frame.locator('#tuning-summary').textContent()) ?? '', /13 tiles · 6 cells/);
      // Click the threshold 0.7, dilation 1 cell, then Apply.
      const idx = 5; // cell order: threshold outer, dilation inner
      await frame.locator(`#tuning-heatmap .tuning-cell[data-index="${idx}"]`).click();
      assert.match((await frame.locator('#tuning-selected').textContent()) ?? '', /^t 0\.7 · dil 1 · min 10/);
      const before = JSON.parse(fs.readFileSync(path.join(workspace(), '.vscode', 'settings.json'), 'utf8')) as Record<string, unknown>;
      assert.equal(before['vasculatureExplorer.predict.threshold'], undefined, 'no threshold set before Apply');
      await frame.locator('#tuning-apply').click();
      await vs.page.locator('.notifications-toasts', { hasText: 'Predict settings (workspace) set to' }).first().waitFor({ state: 'visible', timeout: 20_000 });
      const settings = JSON.parse(fs.readFileSync(path.join(workspace(), '.vscode', 'settings.json'), 'utf8')) as Record<string, unknown>;
      assert.equal(settings['vasculatureExplorer.predict.threshold'], 0.7);
      assert.equal(settings['vasculatureExplorer.predict.dilation'], 1);
      assert.equal(settings['vasculatureExplorer.predict.minArea'], 10);
      await frame.evaluate(() => document.getElementById('card-tuning')?.scrollIntoView());
      await vs.page.waitForTimeout(800);
      await vs.screenshot('tuning-sweep');
    },
  },
];
