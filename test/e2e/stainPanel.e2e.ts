/**
 * A person opens a real annotated sample tile, clicks the tile viewer's Stain icon and sees the tile
 * as it is, Reinhard- and Macenko-normalised and 8 RandStainNA samples, each with its overlays;
 * a new seed re-samples (click -> grid shown timed, the message round trip printed beside it).
 * Screenshots in the dark and light themes: test-output/screenshots/stain-panel-*.png.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import type { Frame } from 'playwright-core';
import { sampleDataset } from '../harness/paths';
import { commandTitle } from './manifest';
import { findWebviewFrame, type E2eTest, type VscodeSession } from './vscodeSession';

/** The sample tile with an image and the most blood_vessel polygons (counted here from polygons.jsonl). */
function mostAnnotated(): { id: string; polygons: number } {
  const images = new Set(fs.readdirSync(path.join(sampleDataset, 'train')).map((n) => n.replace(/\.tif$/, '')));
  let best = { id: '', polygons: -1 };
  for (const l of fs.readFileSync(path.join(sampleDataset, 'polygons.jsonl'), 'utf8').split('\n')) {
    if (!l.trim()) continue;
    const o = JSON.parse(l) as { id: string; annotations: unknown[] };
    if (images.has(o.id) && (o.annotations.length > best.polygons || (o.annotations.length === best.polygons && o.id < best.id))) best = { id: o.id, polygons: o.annotations.length };
  }
  return best;
}

async function setTheme(vs: VscodeSession, frame: Frame, theme: string, bodyClass: string): Promise<void> {
  await vs.runCommand('Preferences: Color Theme');
  await vs.page.locator('.quick-input-widget input.input').fill(theme);
  await vs.page.locator('.quick-input-list .monaco-list-row', { hasText: theme }).first().waitFor({ state: 'visible', timeout: 10_000 });
  await vs.page.keyboard.press('Enter');
  await frame.waitForFunction((c) => document.body.classList.contains(c), bodyClass, { timeout: 15_000 });
  // The workbench itself repaints too (a loaded machine takes a while).
  await vs.page.waitForFunction((light) => document.querySelector('.monaco-workbench')?.classList.contains(light ? 'vs' : 'vs-dark'), bodyClass === 'vscode-light', { timeout: 15_000 });
  await vs.page.waitForTimeout(1500);
}

const COMMAND = 'vasculatureExplorer.showStainPanel';

export const tests: E2eTest[] = [
  {
    name: 'stain-panel-samples',
    skipIf: () => (commandTitle(COMMAND) ? undefined : `package.json contributes no ${COMMAND}`),
    async run(vs) {
      await vs.page.setViewportSize({ width: 1700, height: 1250 });
      await vs.page.waitForTimeout(1000);
      const pick = mostAnnotated();
      await vs.page.locator('.statusbar-item', { hasText: /tiles/ }).first().waitFor({ state: 'visible', timeout: 90_000 });
      await vs.runCommand('Vasculature: Go to Tile…');
      await vs.page.locator('.quick-input-widget input.input').fill(pick.id);
      await vs.page.locator('.quick-input-widget .monaco-list-row', { hasText: pick.id }).first().waitFor({ state: 'visible', timeout: 30_000 });
      await vs.page.keyboard.press('Enter');
      await findWebviewFrame(vs.page, `document.body && document.body.dataset.tileId === ${JSON.stringify(pick.id)} && !!document.querySelector('.stage')`);
      await vs.runCommand('View: Close Primary Side Bar');
      // The viewer's title-bar icon opens the Stain panel on the tile shown.
      await vs.page.locator('.editor-actions .action-label[aria-label*="Show Stain Panel"]').first().click();
      const frame = await findWebviewFrame(vs.page, `document.body && document.body.dataset.samples === '8' && document.body.dataset.tileId === ${JSON.stringify(pick.id)}`, 120_000);
      const overlays = (await frame.evaluate('document.body.dataset.overlays') as string).split(',').map(Number);
      const ink = (await frame.evaluate('document.body.dataset.ink') as string).split(',').map(Number);
      assert.equal(overlays.length, 11, 'as it is + Reinhard + Macenko + 8 samples');
      assert.ok(overlays.every((n) => n === pick.polygons), `every picture carries the tile's ${pick.polygons} polygons: ${overlays.join(',')}`);
      assert.ok(ink.every((n) => n > 100), `every picture has tissue drawn: ${ink.join(',')}`);
      assert.equal(await frame.locator('#samples figure').count(), 8);
      const captions = await frame.locator('#samples figcaption').allInnerTexts();
      assert.ok(captions.every((c) => /^#\d+ LAB μ \d+\/\d+\/\d+/.test(c)), captions.join(' | '));
      assert.equal(new Set(captions).size, 8, 'eight different templates');
      assert.equal(await frame.locator('figcaption .why').count(), 0, 'no picture left unchanged');
      await vs.screenshot('stain-panel-dark');
      // A new seed: the click -> grid shown time, with the message round trip beside it.
      const before = await frame.evaluate('document.body.dataset.seq') as string;
      await frame.locator('#seed').fill('5');
      await frame.locator('#sample').click();
      await frame.waitForFunction((s) => document.body.dataset.seq !== s, before, { timeout: 30_000 });
      const showMs = Number(await frame.evaluate('document.body.dataset.showMs'));
      const floorMs = Number(await frame.evaluate('document.body.dataset.floorMs'));
      const status = await frame.locator('#status').innerText();
      console.log(`  stain panel: 8-sample grid shown ${showMs.toFixed(0)} ms after the click (target <= 300 ms; message round trip floor ${floorMs.toFixed(1)} ms) — ${status}`);
      assert.match(status, /8 samples shown \d+ ms after the click .*round trip floor/);
      const captions2 = await frame.locator('#samples figcaption').allInnerTexts();
      assert.notDeepEqual(captions2, captions, 'seed 5 draws other templates');
      await setTheme(vs, frame, 'Default Light Modern', 'vscode-light');
      await vs.screenshot('stain-panel-light');
      await setTheme(vs, frame, 'Default Dark Modern', 'vscode-dark');
      // The <= 300 ms target is a benchmark figure (printed above with its floor); here only that it was measured.
      assert.ok(showMs > 0 && floorMs > 0);
    },
  },
  {
    name: 'dashboard-stain-section',
    skipIf: () => (commandTitle(COMMAND) ? undefined : `package.json contributes no ${COMMAND}`),
    async run(vs) {
      await vs.page.setViewportSize({ width: 1500, height: 2300 });
      await vs.page.waitForTimeout(1000);
      // WSIs of the sample's tiles with an image, read here from tile_meta.csv and train/ (the test tile has none: 'none', -1).
      const images = new Set(fs.readdirSync(path.join(sampleDataset, 'train')).map((n) => n.replace(/\.tif$/, '')));
      const rows = fs.readFileSync(path.join(sampleDataset, 'tile_meta.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
      const wsis = [...new Set(rows.filter((c) => images.has(c[0])).map((c) => Number(c[1])))].sort((a, b) => a - b);
      await vs.page.locator('.statusbar-item', { hasText: /tiles/ }).first().waitFor({ state: 'visible', timeout: 90_000 });
      // The statistics come from Compute Stain Statistics… (a person picks the space; the save dialog is left with Escape).
      await vs.runCommand('Vasculature: Compute Stain Statistics…');
      await vs.page.locator('.quick-input-list .monaco-list-row', { hasText: 'LAB' }).first().waitFor({ state: 'visible', timeout: 180_000 });
      await vs.page.keyboard.press('Escape');
      await vs.runCommand('Vasculature: Show Dataset Overview');
      const frame = await findWebviewFrame(vs.page, "document.getElementById('card-stain') && !!document.getElementById('card-stain').dataset.wsis", 120_000);
      const card = frame.locator('#card-stain');
      const shown = (await card.getAttribute('data-wsis'))!.split(',').map(Number);
      assert.deepEqual(shown.filter((w) => w >= 0), wsis, 'a box per WSI of the sample');
      assert.equal(Number(await card.getAttribute('data-boxes')), 3 * shown.length, 'three channels x the WSIs');
      assert.equal(Number(await card.getAttribute('data-points')), images.size + 1, 'one scatter point per tile with an image (train + the test tile)');
      await card.scrollIntoViewIfNeeded();
      await vs.page.waitForTimeout(500);
      await vs.screenshot('dashboard-stain-section');
      // A click on WSI 2's box (the first channel) puts exactly that WSI's measured tiles in the tile browser.
      const wsi = wsis.includes(2) ? 2 : wsis[0];
      const want = rows.filter((c) => images.has(c[0]) && Number(c[1]) === wsi).length;
      const canvas = card.locator('canvas[data-channel]').first();
      const hits = JSON.parse((await canvas.getAttribute('data-hits')) ?? '[]') as { wsi: number; x: number; y: number }[];
      const hit = hits.find((t) => t.wsi === wsi);
      assert.ok(hit, `a box for WSI ${wsi} is drawn`);
      const bb = await canvas.boundingBox();
      const cw = Number(await canvas.getAttribute('width')), chh = Number(await canvas.getAttribute('height'));
      assert.ok(bb && cw > 0 && chh > 0);
      await frame.evaluate(() => document.addEventListener('click', (e) => { document.body.dataset.lastClick = `${(e.target as Element).tagName}.${(e.target as HTMLElement).dataset.channel ?? ''}@${e.clientX},${e.clientY}`; }, true));
      await canvas.click({ position: { x: (hit.x * bb.width) / cw, y: (hit.y * bb.height) / chh } });
      await frame.locator('#filter-text', { hasText: `stain: WSI ${wsi}` }).waitFor({ timeout: 30_000 }).catch(async (e: unknown) => {
        throw new Error(`${String(e)}; click seen by the page: ${await frame.evaluate(() => document.body.dataset.lastClick ?? 'none')}; filter text: ${await frame.locator('#filter-text').textContent()}`);
      });
      const sidebar = await vs.openActivityBarView('Vasculature Explorer');
      const tree = sidebar.locator('.pane', { hasText: 'Tiles' }).first();
      // The view's description: the filter and how many tiles it leaves (counted here from tile_meta.csv and train/).
      const header = tree.locator('.pane-header').first();
      await tree.locator('.pane-header', { hasText: `(${want})` }).first().waitFor({ state: 'visible', timeout: 30_000 });
      assert.ok(((await header.textContent()) ?? '').includes(`stain: WSI ${wsi} (${want} measured tiles) (${want})`), (await header.textContent()) ?? '');
      await sidebar.locator('.monaco-list-row').filter({ has: vs.page.locator('.label-name', { hasText: new RegExp(`^WSI ${wsi}$`) }) }).first().waitFor({ state: 'visible', timeout: 30_000 });
      for (const other of wsis.filter((w) => w !== wsi)) assert.equal(await sidebar.locator('.monaco-list-row').filter({ has: vs.page.locator('.label-name', { hasText: new RegExp(`^WSI ${other}$`) }) }).count(), 0, `WSI ${other} is not in the filtered tree`);
      await vs.screenshot('dashboard-stain-box-click-filtered');
    },
  },
];

