/**
 * A person opens real sample tiles in the tile viewer: from the Tiles tree, from the Explorer and
 * from the Gallery; sees every polygon drawn, hides a class, and the screenshots are kept.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import type { Frame, Page } from 'playwright-core';
import { sampleDataset } from '../harness/paths';
import { findWebviewFrame, type E2eTest } from './vscodeSession';
import { openSearchedTile } from './tileRows';

type Counts = [number, number, number];

/** Class counts per tile from polygons.jsonl, read here (blood_vessel, glomerulus, unsure). */
function polygonCounts(): Map<string, Counts> {
  const m = new Map<string, Counts>();
  for (const l of fs.readFileSync(path.join(sampleDataset, 'polygons.jsonl'), 'utf8').split('\n')) {
    if (!l.trim()) continue;
    const o = JSON.parse(l) as { id: string; annotations: { type: string }[] };
    const c: Counts = [0, 0, 0];
    for (const a of o.annotations) c[['blood_vessel', 'glomerulus', 'unsure'].indexOf(a.type)]++;
    m.set(o.id, c);
  }
  return m;
}

/** Sample tiles with an image and a polygons line, most vessels first. */
function annotatedImages(): { id: string; counts: Counts }[] {
  const counts = polygonCounts();
  return fs.readdirSync(path.join(sampleDataset, 'train')).map((n) => n.replace(/\.tif$/, '')).filter((id) => counts.has(id))
    .map((id) => ({ id, counts: counts.get(id)! })).sort((a, b) => b.counts[0] - a.counts[0] || (a.id < b.id ? -1 : 1));
}

/** Waits for the viewer to show tile id and returns what it drew per class. */
async function viewerShows(page: Page, id: string): Promise<{ frame: Frame; drawn: Counts }> {
  const frame = await findWebviewFrame(page, `document.body && document.body.dataset.tileId === ${JSON.stringify(id)}`);
  const drawn = (await frame.evaluate('document.body.dataset.drawn') as string).split(',').map(Number) as Counts;
  return { frame, drawn };
}

export const tests: E2eTest[] = [
  {
    name: 'tile-viewer-from-tree',
    async run(vs) {
      const pick = annotatedImages()[0];
      const sidebar = await vs.openActivityBarView('Vasculature Explorer');
      await sidebar.locator('.monaco-list-row').first().waitFor({ state: 'visible', timeout: 60_000 });
      await vs.runCommand('Vasculature: Search Tiles by Id…');
      await vs.page.locator('.quick-input-widget input.input').fill(pick.id);
      await vs.page.keyboard.press('Enter');
      // One tile is left: expand its WSI and dataset rows, then click it.
      await openSearchedTile(vs.page, sidebar, pick.id);
      const { frame, drawn } = await viewerShows(vs.page, pick.id);
      assert.deepEqual(drawn, pick.counts, `tile ${pick.id}: drawn per class vs polygons.jsonl`);
      await vs.page.waitForTimeout(300);
      await vs.screenshot('tile-viewer-from-tree');
      // Hiding blood vessels through the toolbar checkbox leaves none drawn.
      await frame.locator('input[data-class="blood_vessel"]').click();
      await frame.waitForFunction('document.body.dataset.drawn.startsWith("0,")', undefined, { timeout: 10_000 });
      await vs.screenshot('tile-viewer-vessels-hidden');
      await frame.locator('input[data-class="blood_vessel"]').click();
      await frame.waitForFunction(`document.body.dataset.drawn === ${JSON.stringify(pick.counts.join(','))}`, undefined, { timeout: 10_000 });
      // Slide context: the neighbours of the same WSI around it.
      await frame.locator('canvas').click({ position: { x: 5, y: 5 } });
      await vs.page.keyboard.press('c');
      await vs.page.waitForTimeout(1500);
      await vs.screenshot('tile-viewer-slide-context');
    },
  },
  {
    name: 'tile-viewer-reused-by-go-to-tile',
    async run(vs) {
      // Go to Tile twice: the second tile shows in the same viewer (its preview tab and webview are re-used).
      const [a, b] = annotatedImages();
      await vs.page.locator('.statusbar-item', { hasText: /tiles/ }).first().waitFor({ state: 'visible', timeout: 90_000 });
      const goTo = async (id: string) => {
        await vs.runCommand('Vasculature: Go to Tile…');
        await vs.page.locator('.quick-input-widget input.input').fill(id);
        await vs.page.locator('.quick-input-widget .monaco-list-row', { hasText: id }).first().waitFor({ state: 'visible', timeout: 30_000 });
        await vs.page.keyboard.press('Enter');
      };
      await goTo(a.id);
      const first = await viewerShows(vs.page, a.id);
      assert.deepEqual(first.drawn, a.counts);
      await vs.page.waitForTimeout(500);
      await goTo(b.id);
      const second = await viewerShows(vs.page, b.id);
      assert.deepEqual(second.drawn, b.counts);
      assert.equal(second.frame, first.frame, 'the same webview frame shows the second tile');
      assert.equal(await vs.page.locator('.tabs-container .tab', { hasText: /\.tif/ }).count(), 1, 'one tile editor tab');
      const shown = await second.frame.evaluate('document.querySelector(".title").textContent') as string;
      assert.ok(shown.startsWith(b.id), `the viewer's title names ${b.id}: ${shown}`);
      // The tab a person reads names the tile shown, not the first one opened.
      const activeTab = vs.page.locator('.tabs-container .tab.active');
      await vs.page.waitForFunction((want) => document.querySelector('.tabs-container .tab.active')?.textContent?.includes(want), `${b.id}.tif`, { timeout: 10_000 });
      assert.ok(!(await activeTab.innerText()).includes(a.id), 'the tab no longer names the first tile');
      await vs.screenshot('tile-viewer-reused');
      // Next Tile from the palette (offered while the panel is the active editor): the tab follows.
      await vs.runCommand('Vasculature: Next Tile');
      const next = await findWebviewFrame(vs.page, `document.body && document.body.dataset.tileId && document.body.dataset.tileId !== ${JSON.stringify(b.id)}`);
      const nextId = await next.evaluate('document.body.dataset.tileId') as string;
      await vs.page.waitForFunction((want) => document.querySelector('.tabs-container .tab.active')?.textContent?.includes(want), `${nextId}.tif`, { timeout: 10_000 });
      // The tile browser follows the panel (after the tile is painted): the row of the tile shown is selected.
      await vs.page.locator('.part.sidebar .monaco-list-row.selected', { hasText: nextId }).first().waitFor({ state: 'visible', timeout: 15_000 });
      await vs.screenshot('tile-viewer-reused-next');
    },
  },
  {
    name: 'tile-viewer-restored-after-reload',
    async run(vs) {
      // The reusable panel comes back after a window reload, on the tile it showed, with every polygon drawn.
      const pick = annotatedImages()[2];
      await vs.page.locator('.statusbar-item', { hasText: /tiles/ }).first().waitFor({ state: 'visible', timeout: 90_000 });
      await vs.runCommand('Vasculature: Go to Tile…');
      await vs.page.locator('.quick-input-widget input.input').fill(pick.id);
      await vs.page.locator('.quick-input-widget .monaco-list-row', { hasText: pick.id }).first().waitFor({ state: 'visible', timeout: 30_000 });
      await vs.page.keyboard.press('Enter');
      const before = await viewerShows(vs.page, pick.id);
      assert.deepEqual(before.drawn, pick.counts);
      await vs.page.waitForTimeout(1000);
      // "Developer: Reload Window", as a person does: the workbench saves its editors before it reloads
      // (a bare page reload may not get the save to storage done: it once came back with no editor).
      const reloaded = vs.page.waitForEvent('framenavigated', { predicate: (f) => f === vs.page.mainFrame(), timeout: 60_000 });
      await vs.runCommand('Developer: Reload Window');
      await reloaded;
      await vs.page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: 60_000 });
      const after = await viewerShows(vs.page, pick.id);
      assert.deepEqual(after.drawn, pick.counts, `tile ${pick.id} after the reload: drawn per class vs polygons.jsonl`);
      await vs.page.waitForFunction((want) => document.querySelector('.tabs-container .tab.active')?.textContent?.includes(want), `${pick.id}.tif`, { timeout: 10_000 });
      assert.equal(await vs.page.locator('.tabs-container .tab', { hasText: /\.tif/ }).count(), 1, 'one tile viewer tab after the reload');
      // The screenshot once the window has settled: the tile browser follows the restored panel.
      await vs.page.locator('.part.sidebar .monaco-list-row.selected', { hasText: pick.id }).first().waitFor({ state: 'visible', timeout: 30_000 });
      await vs.screenshot('tile-viewer-restored-after-reload');
    },
  },
  {
    name: 'tile-viewer-from-explorer',
    async run(vs) {
      const counts = polygonCounts();
      // Wait until the extension host has scanned and started the extension (its status bar entry shows
      // the indexed tiles): a file opened before that gets the text editor, as in any VS Code.
      await vs.page.locator('.statusbar-item', { hasText: /tiles/ }).first().waitFor({ state: 'visible', timeout: 90_000 });
      const explorer = await vs.openActivityBarView('Explorer');
      await explorer.locator('.monaco-list-row', { hasText: /^\s*train\s*$/ }).first().click();
      // The first .tif row the Explorer shows (its own sort order), whichever it is.
      const row = explorer.locator('.monaco-list-row', { hasText: /^\s*[0-9a-f]{12}\.tif\s*$/ }).first();
      await row.waitFor({ state: 'visible', timeout: 30_000 });
      const file = (await row.innerText()).trim();
      assert.ok(fs.existsSync(path.join(sampleDataset, 'train', file)), `${file} is a sample tile`);
      await row.click();
      const id = file.replace(/\.tif$/, '');
      const { drawn } = await viewerShows(vs.page, id);
      assert.deepEqual(drawn, counts.get(id) ?? [0, 0, 0]);
      await vs.screenshot('tile-viewer-from-explorer');
    },
  },
  {
    name: 'gallery-opens-tile',
    async run(vs) {
      const sidebar = await vs.openActivityBarView('Vasculature Explorer');
      const header = sidebar.locator('.pane-header', { hasText: 'Gallery' }).first();
      await header.waitFor({ state: 'visible', timeout: 60_000 });
      if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
      // The shared filter's search on the first 4 characters of an annotated tile's id: the gallery follows it.
      const pick = annotatedImages()[1];
      await vs.runCommand('Vasculature: Search Tiles by Id…');
      await vs.page.locator('.quick-input-widget input.input').fill(pick.id.slice(0, 4));
      await vs.page.keyboard.press('Enter');
      const gallery = await findWebviewFrame(vs.page, `!!document.querySelector('.cell[data-id=${JSON.stringify(pick.id)}][data-drawn]')`);
      await vs.page.waitForTimeout(500);
      await vs.screenshot('gallery');
      await gallery.locator(`.cell[data-id="${pick.id}"]`).click();
      const { drawn } = await viewerShows(vs.page, pick.id);
      assert.deepEqual(drawn, pick.counts);
      await vs.screenshot('gallery-opened-tile');
    },
  },
];
