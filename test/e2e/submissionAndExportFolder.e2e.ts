/**
 * Two issue 12 buttons, clicked as a user does: the batch Predict summary's "Open submission.csv"
 * (right-click a dataset row → Predict; the summary's button opens the file in an editor with one row
 * per predicted tile), and the Dataset Overview's export folder: a folder picked in the save dialog is
 * offered again after "Developer: Reload Window" (kept in the workspace's state, not the session).
 * Screenshots: batch-submission-opened, export-folder-after-reload.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Frame, Locator, Page } from 'playwright-core';
import { sampleDataset } from '../harness/paths';
import { commandTitle } from './manifest';
import { findWebviewFrame, type E2eTest, type VscodeSession } from './vscodeSession';

const rowOf = (sidebar: Locator, page: Page, label: string | RegExp) => sidebar.locator('.monaco-list-row').filter({ has: page.locator('.label-name', { hasText: label }) }).first();

/** Images of WSI `wsi`, dataset `ds` in the sample, counted here from tile_meta.csv and train/. */
function imagesOf(wsi: number, ds: number): number {
  const images = new Set(fs.readdirSync(path.join(sampleDataset, 'train')).map((f) => f.replace(/\.tif$/, '')));
  return fs.readFileSync(path.join(sampleDataset, 'tile_meta.csv'), 'utf8').split('\n').slice(1).filter((l) => { const c = l.split(','); return c[1] === String(wsi) && c[2] === String(ds) && images.has(c[0]); }).length;
}

async function overviewFrame(vs: VscodeSession): Promise<Frame> {
  await vs.runCommand(commandTitle('vasculatureExplorer.showDashboard')!);
  return findWebviewFrame(vs.page, `!!document.querySelector('#app[data-state="ready"] #chart-tilesPerWsi canvas')`);
}

/** Clicks the tilesPerWsi card's CSV button; returns the save dialog's input (visible, holding the offered path). */
async function csvDialog(vs: VscodeSession, frame: Frame): Promise<Locator> {
  await frame.locator('#card-tilesPerWsi .actions vscode-button', { hasText: /^\s*CSV\s*$/ }).first().click();
  const input = vs.page.locator('.quick-input-widget input.input');
  await input.waitFor({ state: 'visible', timeout: 15_000 });
  await vs.page.waitForTimeout(500);
  return input;
}

export const tests: E2eTest[] = [
  {
    name: 'batch-predict-open-submission',
    async run(vs) {
      const { page } = vs;
      const sidebar = await vs.openActivityBarView('Vasculature Explorer');
      const wsi2 = rowOf(sidebar, page, /^WSI 2$/);
      await wsi2.waitFor({ state: 'visible', timeout: 60_000 });
      await wsi2.click();
      const ds1 = rowOf(sidebar, page, /^Dataset 1$/);
      await ds1.waitFor({ state: 'visible', timeout: 15_000 });
      await ds1.click({ button: 'right' });
      const item = page.locator('.monaco-menu .action-item .action-label', { hasText: /^Predict$/ }).first();
      await item.waitFor({ state: 'visible', timeout: 10_000 });
      await page.waitForTimeout(300);
      await item.click();
      const n = imagesOf(2, 1);
      const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'Predict WSI 2 · dataset 1:' }).first();
      await toast.waitFor({ state: 'visible', timeout: 240_000 });
      assert.match(await toast.innerText(), new RegExp(`${n} of ${n} tiles`));
      await toast.hover();
      await toast.locator('.monaco-button', { hasText: 'Open submission.csv' }).click();
      // The file opens in an editor: its tab is active, and it holds the header and one row per tile.
      await page.locator('.tabs-container .tab.active', { hasText: 'submission.csv' }).waitFor({ state: 'visible', timeout: 15_000 });
      const editor = page.locator('.editor-group-container.active .monaco-editor .view-lines').first();
      await editor.waitFor({ state: 'visible', timeout: 10_000 });
      await page.waitForTimeout(500);
      const lines = (await editor.locator('.view-line').allInnerTexts()).map((l) => l.replace(/\u00a0/g, ' ').trim()).filter(Boolean);
      assert.match(lines[0], /^id,/, lines.join('\n'));
      assert.equal(lines.length, n + 1, `header + ${n} tiles: ${lines.length} lines`);
      for (const l of lines.slice(1)) assert.match(l, /^[0-9a-f]{12},/);
      await vs.screenshot('batch-submission-opened');
    },
  },
  {
    name: 'export-folder-survives-reload',
    async run(vs) {
      const { page } = vs;
      const sidebar = await vs.openActivityBarView('Vasculature Explorer');
      await sidebar.locator('.monaco-list-row', { hasText: /^WSI 1/ }).first().waitFor({ state: 'visible', timeout: 60_000 });
      let frame = await overviewFrame(vs);
      // A folder of the user's choosing (not the default the dialog offers).
      const chosen = fs.mkdtempSync(path.join(os.tmpdir(), 've-e2e-exports-'));
      try {
        let input = await csvDialog(vs, frame);
        const offered = await input.inputValue();
        assert.ok(!offered.startsWith(chosen), offered);
        await input.fill(path.join(chosen, 'tilesPerWsi.csv'));
        // The simple dialog updates its list as the path is typed; OK once it has settled.
        await page.waitForTimeout(800);
        await page.locator('.quick-input-widget .monaco-button', { hasText: /^OK$/ }).first().click();
        await page.locator('.notifications-toasts .notification-toast', { hasText: 'Saved tilesPerWsi.csv' }).first().waitFor({ state: 'visible', timeout: 15_000 });
        assert.ok(fs.existsSync(path.join(chosen, 'tilesPerWsi.csv')));

        // Reload the window: the extension host starts again, its session state is gone.
        const reloaded = page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame(), timeout: 60_000 });
        await vs.runCommand('Developer: Reload Window');
        await reloaded;
        await page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: 60_000 });
        const sb = await vs.openActivityBarView('Vasculature Explorer');
        await sb.locator('.monaco-list-row', { hasText: /^WSI 1/ }).first().waitFor({ state: 'visible', timeout: 60_000 });
        frame = await overviewFrame(vs);
        input = await csvDialog(vs, frame);
        const again = await input.inputValue();
        await vs.screenshot('export-folder-after-reload');
        assert.equal(path.dirname(again.replace(/^~/, os.homedir())), chosen, `after the reload the dialog offers the folder used last: ${again}`);
        await page.keyboard.press('Escape');
      } finally {
        fs.rmSync(chosen, { recursive: true, force: true });
      }
    },
  },
];
