/**
 * A person runs batch Predict on one WSI from the palette and opens the Dataset Overview: the
 * "Prediction score" card shows the AP headline, the PR chart and one per-WSI row;
 * screenshot in test-output/screenshots/dashboard-score.png.
 */
import * as assert from 'node:assert/strict';
import type { Frame, Page } from 'playwright-core';
import { commandTitle } from './manifest';
import { E2eTest } from './vscodeSession';

const SHOW = 'vasculatureExplorer.showDashboard';
const BATCH = 'vasculatureExplorer.predictBatch';

async function scoreFrame(page: Page): Promise<Frame | undefined> {
  for (const f of page.frames()) {
    if (await f.evaluate(`!!document.querySelector('#app[data-state="ready"] #score-headline')`).catch(() => false)) return f;
  }
  return undefined;
}

export const tests: E2eTest[] = [
  {
    name: 'dashboard-score',
    skipIf: () => (commandTitle(SHOW) && commandTitle(BATCH) ? undefined : `package.json contributes no ${SHOW} or ${BATCH}`),
    async run(vs) {
      await vs.page.setViewportSize({ width: 1500, height: 1300 });
      const sidebar = await vs.openActivityBarView('Vasculature Explorer');
      await sidebar.locator('.monaco-list-row', { hasText: /^WSI 1/ }).first().waitFor({ state: 'visible', timeout: 60_000 });
      // Batch Predict on WSI 4 (22 tiles with images in the sample) through the palette and its scope pick.
      await vs.runCommand(commandTitle(BATCH)!);
      const input = vs.page.locator('.quick-input-widget input.input');
      await input.fill('WSI 4');
      await vs.page.locator('.quick-input-list .monaco-list-row', { hasText: 'WSI 4' }).first().click();
      // The report opens when the batch is done; then show the overview (its webview gets the stored score on load).
      const t0 = Date.now();
      let frame: Frame | undefined;
      while (!frame) {
        if (Date.now() - t0 > 240_000) throw new Error('no "Prediction score" in the Dataset Overview within 240 s of batch Predict');
        await vs.page.waitForTimeout(5_000);
        const reportOpen = await vs.page.locator('.tabs-container .tab', { hasText: /predict-report/ }).count();
        if (!reportOpen) continue;
        await vs.runCommand(commandTitle(SHOW)!);
        for (let k = 0; k < 40 && !frame; k++) {
          frame = await scoreFrame(vs.page);
          if (!frame) await vs.page.waitForTimeout(500);
        }
      }
      const headline = (await frame.locator('#score-headline').textContent()) ?? '';
      assert.match(headline, /^AP@0\.6 (\d\.\d{3}|—) · 22 tiles/);
      assert.match((await frame.locator('#score-convention').textContent()) ?? '', /blood_vessel only/);
      const rows = await frame.evaluate(() => Array.from(document.querySelectorAll('#score-wsi vscode-data-grid-row:not([row-type="header"])')).map((r) => Array.from(r.querySelectorAll('vscode-data-grid-cell')).map((c) => c.textContent ?? '')));
      assert.deepEqual(rows.map((r) => r.slice(0, 2)), [['4', '22']]);
      await frame.locator('#chart-prCurve canvas').waitFor({ state: 'visible', timeout: 10_000 });
      await frame.evaluate(() => document.getElementById('card-score')?.scrollIntoView());
      await vs.page.waitForTimeout(600);
      await vs.screenshot('dashboard-score');
    },
  },
];
