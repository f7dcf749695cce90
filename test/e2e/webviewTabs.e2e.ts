/**
 * Issue 12, item 6: a person switches from the Dataset Overview or the tile viewer to another
 * editor and clicks the webview's tab again. The webview comes back as it was, the same document
 * (retainContextWhenHidden), painted at once, not blank while a new webview starts. Screenshots
 * in test-output/screenshots/webview-tab-*.png.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { sampleDataset } from '../harness/paths';
import { commandTitle } from './manifest';
import { findWebviewFrame, type E2eTest, type VscodeSession } from './vscodeSession';
import { openSearchedTile } from './tileRows';

const DASHBOARD = 'vasculatureExplorer.showDashboard';
/** Generous for an e2e run on a shared machine; the bench holds the 100 ms target. A new webview takes over 1.2 s here. */
const SHOWN_WITHIN_MS = 800;

/** Opens tile_meta.csv through Quick Open, in front of the webview's tab (same editor group). */
async function openOtherEditor(vs: VscodeSession): Promise<void> {
  await vs.page.keyboard.press('Control+P');
  const input = vs.page.locator('.quick-input-widget input.input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill('tile_meta.csv');
  await vs.page.locator('.quick-input-list .monaco-list-row', { hasText: 'tile_meta.csv' }).first().waitFor({ state: 'visible', timeout: 10_000 });
  await vs.page.keyboard.press('Enter');
  await vs.page.locator('.tabs-container .tab.active', { hasText: 'tile_meta.csv' }).waitFor({ state: 'visible', timeout: 15_000 });
}

/** The webview's outer frame element (the one VS Code hides and shows) is visible. */
async function frameVisible(frame: Frame): Promise<boolean> {
  const outer = frame.parentFrame();
  const el = outer && outer !== frame.page().mainFrame() ? await outer.frameElement() : await frame.frameElement();
  return el.isVisible();
}

/**
 * Marks the webview's document, hides its tab behind another editor, clicks the tab: ms from the
 * click until the frame is visible again with the mark (the same document) and `painted` true.
 */
async function tabShownAgain(vs: VscodeSession, frame: Frame, tabText: string, painted: string): Promise<number> {
  await frame.evaluate('window.__veSameDocument = true');
  await openOtherEditor(vs);
  await vs.page.waitForTimeout(600);
  assert.equal(await frameVisible(frame), false, 'the webview is hidden behind the other editor');
  const t0 = Date.now();
  await vs.page.locator('.tabs-container .tab', { hasText: tabText }).first().click();
  for (;;) {
    const ok = await frame.evaluate(`window.__veSameDocument === true && (${painted})`).catch(() => false);
    if (ok && (await frameVisible(frame))) return Date.now() - t0;
    if (Date.now() - t0 > 20_000) throw new Error(`the ${tabText} tab, clicked again, showed no painted webview (the same document) within 20 s`);
    await vs.page.waitForTimeout(10);
  }
}

async function dashboardFrame(page: Page): Promise<Frame> {
  return findWebviewFrame(page, `!!document.querySelector('#app[data-state="ready"] #chart-tilesPerWsi canvas')`);
}

export const tests: E2eTest[] = [
  {
    name: 'webview-tab-dashboard',
    skipIf: () => (commandTitle(DASHBOARD) ? undefined : `package.json contributes no ${DASHBOARD}`),
    async run(vs) {
      const sidebar = await vs.openActivityBarView('Vasculature Explorer');
      await sidebar.locator('.monaco-list-row', { hasText: /^WSI 1/ }).first().waitFor({ state: 'visible', timeout: 60_000 });
      await vs.runCommand(commandTitle(DASHBOARD)!);
      const frame = await dashboardFrame(vs.page);
      const charts = `document.querySelectorAll('[data-chart] canvas').length === 7`;
      const ms = await tabShownAgain(vs, frame, 'Dataset Overview', charts);
      console.log(`  the Dataset Overview tab showed again, painted, in ${ms} ms`);
      assert.ok(ms <= SHOWN_WITHIN_MS, `the Dataset Overview tab took ${ms} ms to show again (a new webview takes over 1.2 s)`);
      await vs.page.waitForTimeout(200);
      await vs.screenshot('webview-tab-dashboard-shown-again');
    },
  },
  {
    name: 'webview-tab-dashboard-restored-after-reload',
    skipIf: () => (commandTitle(DASHBOARD) ? undefined : `package.json contributes no ${DASHBOARD}`),
    async run(vs) {
      const sidebar = await vs.openActivityBarView('Vasculature Explorer');
      await sidebar.locator('.monaco-list-row', { hasText: /^WSI 1/ }).first().waitFor({ state: 'visible', timeout: 60_000 });
      await vs.runCommand(commandTitle(DASHBOARD)!);
      await dashboardFrame(vs.page);
      await vs.page.waitForTimeout(1000);
      // "Developer: Reload Window", as a person does: the Dataset Overview tab comes back (its serializer) and draws again.
      const reloaded = vs.page.waitForEvent('framenavigated', { predicate: (f) => f === vs.page.mainFrame(), timeout: 60_000 });
      await vs.runCommand('Developer: Reload Window');
      await reloaded;
      await vs.page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: 60_000 });
      const frame = await dashboardFrame(vs.page);
      assert.equal(await frame.evaluate(`document.querySelectorAll('[data-chart] canvas').length`), 7, 'every chart drawn after the reload');
      assert.equal(await vs.page.locator('.tabs-container .tab', { hasText: 'Dataset Overview' }).count(), 1, 'one Dataset Overview tab after the reload');
      await vs.screenshot('webview-tab-dashboard-restored-after-reload');
    },
  },
  {
    name: 'webview-tab-viewer',
    async run(vs) {
      // An annotated tile, so that its polygons are drawn too.
      const annotated = new Set(fs.readFileSync(path.join(sampleDataset, 'polygons.jsonl'), 'utf8').split('\n').filter((l) => l.trim()).map((l) => (JSON.parse(l) as { id: string }).id));
      const id = fs.readdirSync(path.join(sampleDataset, 'train')).sort().map((n) => n.replace(/\.tif$/, '')).find((t) => annotated.has(t))!;
      const sidebar = await vs.openActivityBarView('Vasculature Explorer');
      await sidebar.locator('.monaco-list-row').first().waitFor({ state: 'visible', timeout: 60_000 });
      await vs.runCommand('Vasculature: Search Tiles by Id…');
      await vs.page.locator('.quick-input-widget input.input').fill(id);
      await vs.page.keyboard.press('Enter');
      await openSearchedTile(vs.page, sidebar, id);
      const frame = await findWebviewFrame(vs.page, `document.body && document.body.dataset.tileId === ${JSON.stringify(id)} && document.body.dataset.drawn !== undefined`);
      const drawn = await frame.evaluate('document.body.dataset.drawn') as string;
      assert.ok(drawn.split(',').some((n) => Number(n) > 0), `tile ${id} shows its polygons (${drawn})`);
      const ms = await tabShownAgain(vs, frame, id, `document.body.dataset.tileId === ${JSON.stringify(id)} && document.body.dataset.drawn === ${JSON.stringify(drawn)}`);
      console.log(`  the tile viewer tab showed again, painted, in ${ms} ms`);
      assert.ok(ms <= SHOWN_WITHIN_MS, `the tile viewer tab took ${ms} ms to show again (a new webview takes over 1.2 s)`);
      await vs.page.waitForTimeout(200);
      await vs.screenshot('webview-tab-viewer-shown-again');
    },
  },
];
