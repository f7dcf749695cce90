/**
 * The Dataset Overview's exports and tab icon, clicked: the PNG button's save dialog offers the
 * workspace's storage (never the dataset folder), the file is written at device pixel ratio 2 on
 * the theme's background and a notification names it; the CSV goes to the folder used last; the
 * tab icon has a light and a dark variant; a chart is reached and used from the keyboard (item 9). Screenshots: dashboard-export-saved, dashboard-tab-icon-{dark,light}.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import type { Frame, Page } from 'playwright-core';
import { repoRoot, sampleDataset } from '../harness/paths';
import { commandTitle } from './manifest';
import type { E2eTest, VscodeSession } from './vscodeSession';

async function dashboardFrame(page: Page): Promise<Frame> {
  const t0 = Date.now();
  for (;;) {
    for (const f of page.frames()) if (await f.evaluate(`!!document.querySelector('#app[data-state="ready"] #chart-tilesPerWsi canvas')`).catch(() => false)) return f;
    if (Date.now() - t0 > 60_000) throw new Error('the Dataset Overview did not draw');
    await page.waitForTimeout(250);
  }
}

/** The background image of the Dataset Overview tab's icon. */
async function tabIcon(page: Page): Promise<string> {
  return page.locator('.tabs-container .tab', { hasText: 'Dataset Overview' }).first().locator('.monaco-icon-label').evaluate((e) => getComputedStyle(e, '::before').backgroundImage);
}

/** Clicks a card's export button, accepts the save dialog's default path; returns that path. */
async function exportVia(vs: VscodeSession, frame: Frame, card: string, label: string): Promise<string> {
  await frame.locator(`#card-${card} .actions vscode-button`, { hasText: new RegExp(`^\\s*${label}\\s*$`) }).first().click();
  const input = vs.page.locator('.quick-input-widget input.input');
  await input.waitFor({ state: 'visible', timeout: 15_000 });
  await vs.page.waitForTimeout(500);
  const offered = await input.inputValue();
  await input.press('Enter');
  return offered;
}

export const tests: E2eTest[] = [
  {
    name: 'dashboard-exports-and-tab-icon',
    async run(vs) {
      const sidebar = await vs.openActivityBarView('Vasculature Explorer');
      await sidebar.locator('.monaco-list-row', { hasText: /^WSI 1/ }).first().waitFor({ state: 'visible', timeout: 60_000 });
      await vs.runCommand(commandTitle('vasculatureExplorer.showDashboard')!);
      const frame = await dashboardFrame(vs.page);

      // 9. Keyboard: Tab reaches the chart, arrow keys move between bars, Enter filters the tree as a click does.
      const bars = frame.locator('#chart-tilesPerWsi canvas');
      await bars.focus();
      assert.equal(await bars.getAttribute('tabindex'), '0');
      let focused = '';
      for (let k = 0; k < 60 && !focused.startsWith('WSI 3|'); k++) {
        await vs.page.keyboard.press('ArrowRight');
        focused = await frame.locator('#chart-tilesPerWsi').getAttribute('data-focused-bar') ?? '';
      }
      assert.match(focused, /^WSI 3\|/);
      assert.match(await frame.locator('#chart-tilesPerWsi .sr-only').innerText(), /^WSI 3, /, 'the focused bar is announced');
      await vs.screenshot('dashboard-keyboard-focus');
      await vs.page.keyboard.press('Enter');
      await frame.locator('#filter-text', { hasText: 'WSI 3' }).waitFor({ timeout: 15_000 });
      await sidebar.locator('.monaco-list-row', { hasText: /^WSI 3/ }).first().waitFor({ state: 'visible', timeout: 15_000 });
      assert.equal(await sidebar.locator('.monaco-list-row', { hasText: /^WSI 1\b/ }).count(), 0, 'only WSI 3 is left in the tree');
      await frame.locator('#clear-filter').click();

      // 13. The tab icon: the light variant in the (default) light theme.
      await vs.page.waitForFunction(() => document.querySelector('.monaco-workbench')?.classList.contains('vs'), undefined, { timeout: 15_000 });
      assert.match(await tabIcon(vs.page), /activity-light\.svg/);
      await vs.page.locator('.tabs-container .tab', { hasText: 'Dataset Overview' }).first().screenshot({ path: path.join(repoRoot, 'test-output', 'screenshots', 'dashboard-tab-icon-light.png') });

      // 11. PNG: the dialog offers the workspace storage, never the dataset folder.
      const offered = await exportVia(vs, frame, 'tilesPerWsi', 'PNG');
      assert.ok(!offered.startsWith(sampleDataset), `offered ${offered}`);
      assert.match(offered, /[\\/]exports[\\/]tilesPerWsi\.png$/);
      const toast = vs.page.locator('.notifications-toasts .notification-toast', { hasText: 'Saved tilesPerWsi.png' }).first();
      await toast.waitFor({ state: 'visible', timeout: 15_000 });
      const text = await toast.innerText();
      assert.ok(text.includes(path.dirname(offered)), text);
      await vs.page.waitForTimeout(800); // the toast's fade-in
      await vs.screenshot('dashboard-export-saved');
      const file = offered.replace(/^~/, process.env.HOME ?? '~');
      assert.ok(fs.existsSync(file), file);
      fs.copyFileSync(file, path.join(repoRoot, 'test-output', 'screenshots', 'dashboard-export-tilesPerWsi.png')); // kept to look at
      const css = await frame.locator('#chart-tilesPerWsi canvas').evaluate((c) => ({ w: (c as HTMLCanvasElement).clientWidth, h: (c as HTMLCanvasElement).clientHeight }));
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const sharp = require('sharp') as typeof import('sharp');
      const img = sharp(file);
      const meta = await img.metadata();
      assert.deepEqual([meta.width, meta.height], [css.w * 2, css.h * 2], `PNG ${meta.width}x${meta.height}, canvas ${css.w}x${css.h} CSS px`);
      const { data, info } = await img.ensureAlpha().raw().toBuffer({ resolveWithObject: true });
      assert.equal(info.channels, 4);
      assert.equal(data[3], 255, 'the corner is opaque (the theme background, not transparent)');
      const bg = await frame.evaluate(() => getComputedStyle(document.body).getPropertyValue('--vscode-editor-background').trim());
      const hex = `#${[data[0], data[1], data[2]].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
      assert.equal(hex.toLowerCase(), bg.toLowerCase(), 'the corner is the editor background');
      await toast.locator('.codicon-notifications-clear, .codicon-close').first().click().catch(() => undefined);

      // CSV: the folder used last is offered.
      const csv = await exportVia(vs, frame, 'tilesPerWsi', 'CSV');
      assert.equal(path.dirname(csv), path.dirname(offered));
      await vs.page.locator('.notifications-toasts .notification-toast', { hasText: 'Saved tilesPerWsi.csv' }).first().waitFor({ state: 'visible', timeout: 15_000 });
      assert.match(fs.readFileSync(csv, 'utf8').split('\n')[0], /WSI|wsi/);

      // 13. Dark and high-contrast themes: the dark variant (the light one would vanish there).
      for (const [theme, cls, shot] of [['Default Dark Modern', 'vs-dark', 'dashboard-tab-icon-dark'], ['Default High Contrast', 'hc-black', 'dashboard-tab-icon-high-contrast']] as const) {
        await vs.runCommand('Preferences: Color Theme');
        const input = vs.page.locator('.quick-input-widget input.input');
        await input.fill(theme);
        await vs.page.locator('.quick-input-list .monaco-list-row', { hasText: theme }).first().waitFor({ state: 'visible', timeout: 10_000 });
        await vs.page.keyboard.press('Enter');
        await vs.page.waitForFunction((c) => document.querySelector('.monaco-workbench')?.classList.contains(c), cls, { timeout: 15_000 });
        await vs.page.waitForTimeout(300);
        assert.match(await tabIcon(vs.page), /activity-dark\.svg/, theme);
        await vs.page.locator('.tabs-container .tab', { hasText: 'Dataset Overview' }).first().screenshot({ path: path.join(repoRoot, 'test-output', 'screenshots', `${shot}.png`) });
      }
    },
  },
];
