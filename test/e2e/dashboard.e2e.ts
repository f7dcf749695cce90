/**
 * A person opens the Dataset Overview on the real sample: every chart drawn, a WSI bar click
 * filters the tile browser, a slide-map click opens the tile; screenshots in light, dark and high
 * contrast themes are kept in test-output/screenshots/dashboard-*.png.
 */
import * as assert from 'node:assert/strict';
import type { Frame, Page } from 'playwright-core';
import { commandTitle } from './manifest';
import { findWebviewFrame, type E2eTest, type VscodeSession } from './vscodeSession';

const COMMAND = 'vasculatureExplorer.showDashboard';

async function dashboardFrame(page: Page, timeoutMs = 60_000): Promise<Frame> {
  const t0 = Date.now();
  for (;;) {
    for (const f of page.frames()) {
      if (await f.evaluate(`!!document.querySelector('#app[data-state="ready"] #chart-tilesPerWsi canvas')`).catch(() => false)) return f;
    }
    if (Date.now() - t0 > timeoutMs) throw new Error(`the Dataset Overview webview did not draw within ${timeoutMs} ms`);
    await page.waitForTimeout(250);
  }
}

interface ChartValues { labels: string[]; series: { label: string; values: number[] }[] }

async function chartValues(frame: Frame): Promise<Record<string, ChartValues>> {
  return frame.evaluate(() => {
    const out: Record<string, unknown> = {};
    document.querySelectorAll<HTMLElement>('[data-chart]').forEach((e) => { out[e.dataset.chart!] = JSON.parse(e.dataset.values!); });
    return out;
  }) as Promise<Record<string, ChartValues>>;
}

async function setTheme(vs: VscodeSession, frame: Frame, theme: string, bodyClass: string): Promise<void> {
  await vs.runCommand('Preferences: Color Theme');
  const input = vs.page.locator('.quick-input-widget input.input');
  await input.fill(theme);
  await vs.page.locator('.quick-input-list .monaco-list-row', { hasText: theme }).first().waitFor({ state: 'visible', timeout: 10_000 });
  await vs.page.keyboard.press('Enter');
  await frame.waitForFunction((c) => document.body.classList.contains(c), bodyClass, { timeout: 15_000 });
  await vs.page.waitForTimeout(800); // the redraw after the class change
}

export const tests: E2eTest[] = [
  {
    name: 'dashboard-overview',
    skipIf: () => (commandTitle(COMMAND) ? undefined : `package.json contributes no ${COMMAND}`),
    async run(vs) {
      await vs.page.setViewportSize({ width: 1500, height: 2300 });
      const sidebar = await vs.openActivityBarView('Vasculature Explorer');
      await sidebar.locator('.monaco-list-row', { hasText: /^WSI 1/ }).first().waitFor({ state: 'visible', timeout: 60_000 });
      await vs.runCommand(commandTitle(COMMAND)!);
      let frame = await dashboardFrame(vs.page);
      const values = await chartValues(frame);
      assert.deepEqual(Object.keys(values).sort(), ['areaHist', 'classByDataset', 'classByWsi', 'tilesPerWsi', 'tilesWithClass', 'vesselFraction', 'vesselsPerTile']);
      for (const [id, v] of Object.entries(values)) assert.ok(v.series.some((s) => s.values.some((x) => x > 0)), `${id} has data`);
      const total = values.tilesPerWsi.series.reduce((a, s) => a + s.values.reduce((x, y) => x + y, 0), 0);
      assert.equal(total, 7034, 'tile_meta.csv rows + the public test tile');
      await vs.page.waitForTimeout(500);
      await vs.screenshot('dashboard-dark');
      await frame.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
      await vs.page.waitForTimeout(300);
      await vs.screenshot('dashboard-dark-bottom');
      await frame.evaluate(() => window.scrollTo(0, 0));

      // Click the WSI 3 bar where it is drawn.
      const hits = JSON.parse(await frame.locator('#chart-tilesPerWsi').getAttribute('data-hits') ?? '[]') as { x: number; series: number; value: number; px: number; py: number }[];
      const x = values.tilesPerWsi.labels.indexOf('WSI 3');
      const hit = hits.filter((h) => h.x === x).sort((p, q) => q.value - p.value)[0]; // its tallest segment
      assert.ok(hit, 'the WSI 3 bar is drawn');
      await frame.locator('#chart-tilesPerWsi canvas').click({ position: { x: hit.px, y: hit.py } });
      await frame.locator('#filter-text', { hasText: 'WSI 3' }).waitFor({ timeout: 15_000 });
      const tree = sidebar.locator('.pane', { hasText: 'Tiles' }).first();
      await tree.locator('.monaco-list-row', { hasText: /^WSI 3/ }).first().waitFor({ state: 'visible', timeout: 15_000 });
      assert.equal(await tree.locator('.monaco-list-row', { hasText: /^WSI 1\b/ }).count(), 0, 'only WSI 3 is left in the tree');
      await vs.screenshot('dashboard-filtered-wsi3');
      await frame.locator('#clear-filter').click();
      await tree.locator('.monaco-list-row', { hasText: /^WSI 1/ }).first().waitFor({ state: 'visible', timeout: 15_000 });

      // Themes: light and high contrast redraw from the --vscode-* variables.
      await setTheme(vs, frame, 'Default Light Modern', 'vscode-light');
      await vs.screenshot('dashboard-light');
      await setTheme(vs, frame, 'Default High Contrast', 'vscode-high-contrast');
      await vs.screenshot('dashboard-high-contrast');
      await frame.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
      await vs.page.waitForTimeout(300);
      await vs.screenshot('dashboard-high-contrast-bottom');
      await frame.evaluate(() => window.scrollTo(0, 0));
      await setTheme(vs, frame, 'Default Dark Modern', 'vscode-dark');

      // Click a tile on the slide map: it opens.
      const target = JSON.parse(await frame.locator('#slide-map').getAttribute('data-clickable') ?? 'null') as { id: string; px: number; py: number } | null;
      assert.ok(target, 'the slide map has a tile with an image');
      await frame.locator('#slide-map canvas').hover({ position: { x: target.px, y: target.py } });
      await frame.locator('#slide-map .tooltip', { hasText: target.id }).waitFor({ state: 'visible', timeout: 10_000 });
      await vs.screenshot('dashboard-slide-map-hover');
      await frame.locator('#slide-map canvas').click({ position: { x: target.px, y: target.py } });
      await vs.page.locator('.tabs-container .tab', { hasText: target.id }).first().waitFor({ state: 'visible', timeout: 30_000 });
      // The screenshot shows the tile drawn, not the viewer still starting.
      await findWebviewFrame(vs.page, `document.body && document.body.dataset.tileId === ${JSON.stringify(target.id)} && !!document.body.dataset.drawn`, 30_000);
      await vs.page.waitForTimeout(300);
      await vs.screenshot('dashboard-opened-tile');
      frame = await dashboardFrame(vs.page).catch(() => frame);
    },
  },
];
