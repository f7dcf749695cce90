/**
 * Issue 12 items 9 and 10, as a user acts in the Dataset Overview: Tab onto a chart's legend entry
 * and Enter/Space toggles its series; every button has a screen-reader name; Tab walks the sections
 * in reading order; the slide map fills the width, zooms with the wheel and the +/- buttons, pans,
 * follows the tree's filter (right-click a WSI row → Filter to This WSI: that WSI's tiles highlighted),
 * arrow keys move between tiles and Enter opens one, and a click opens a tile in the tile viewer.
 * Screenshots: dashboard-legend-toggled, dashboard-slide-map-filtered, dashboard-slide-map-zoomed,
 * dashboard-slide-map-high-contrast.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import type { Frame, Locator, Page } from 'playwright-core';
import { sampleDataset } from '../harness/paths';
import { commandTitle } from './manifest';
import { findWebviewFrame, type E2eTest, type VscodeSession } from './vscodeSession';

async function openOverview(vs: VscodeSession): Promise<{ sidebar: Locator; frame: Frame }> {
  const sidebar = await vs.openActivityBarView('Vasculature Explorer');
  await sidebar.locator('.monaco-list-row', { hasText: /^WSI 1/ }).first().waitFor({ state: 'visible', timeout: 60_000 });
  await vs.runCommand(commandTitle('vasculatureExplorer.showDashboard')!);
  const frame = await findWebviewFrame(vs.page, `!!document.querySelector('#app[data-state="ready"] #chart-tilesPerWsi canvas') && !!document.querySelector('#slide-map canvas')`);
  return { sidebar, frame };
}

/** Non-transparent pixels of a canvas (every 4th sampled), measured in the page: what is drawn. */
const ink = (frame: Frame, selector: string) => frame.locator(selector).evaluate((c) => {
  const cv = c as HTMLCanvasElement;
  const d = cv.getContext('2d')!.getImageData(0, 0, cv.width, cv.height).data;
  let n = 0;
  for (let p = 3; p < d.length; p += 16) if (d[p] > 0) n++;
  return n;
});

/** What has keyboard focus in the webview: the element's tag, id, series and its section. */
const focused = (frame: Frame) => frame.evaluate(() => {
  const a = document.activeElement as HTMLElement | null;
  if (!a || a === document.body) return undefined;
  const all = [...document.querySelectorAll('#app section')];
  const sec = a.closest('section');
  return { tag: a.tagName.toLowerCase(), id: a.id, series: a.dataset.series, pressed: a.getAttribute('aria-pressed'), section: sec ? sec.id || `section${all.indexOf(sec)}` : a.closest('header') ? 'header' : '' };
});

const slideZoom = async (frame: Frame) => Number(await frame.locator('#slide-map').getAttribute('data-zoom'));

/** The tile count of WSI `wsi` in the sample's tile_meta.csv, counted here from the file. */
function tilesOfWsi(wsi: number): number {
  return fs.readFileSync(path.join(sampleDataset, 'tile_meta.csv'), 'utf8').split('\n').slice(1).filter((l) => l.split(',')[1] === String(wsi)).length;
}

/** Right-clicks row and clicks the menu item `label` (again when the first click did not close the menu). */
async function contextMenu(page: Page, row: Locator, label: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await row.click({ button: 'right' });
    const item = page.locator('.monaco-menu .action-item .action-label', { hasText: new RegExp(`^${label}$`) }).first();
    await item.waitFor({ state: 'visible', timeout: 10_000 });
    await page.waitForTimeout(300);
    await item.click();
    const closed = await page.locator('.monaco-menu').first().waitFor({ state: 'hidden', timeout: 3_000 }).then(() => true, () => false);
    if (closed) return;
    await page.keyboard.press('Escape');
    if (attempt === 3) throw new Error(`the context menu item "${label}" did not run`);
  }
}

/** Waits until the slide map's attribute `name` is `want`; fails naming the value it had. */
async function mapAttr(frame: Frame, name: string, want: string, timeoutMs = 10_000): Promise<void> {
  const t0 = Date.now();
  let last: string | null = null;
  while (Date.now() - t0 < timeoutMs) {
    last = await frame.locator('#slide-map').getAttribute(name);
    if (last === want) return;
    await frame.page().waitForTimeout(200);
  }
  throw new Error(`slide map ${name}: ${last}, want ${want}`);
}

const rowOf = (sidebar: Locator, page: Page, label: string | RegExp) => sidebar.locator('.monaco-list-row').filter({ has: page.locator('.label-name', { hasText: label }) }).first();

export const tests: E2eTest[] = [
  {
    name: 'dashboard-legend-keyboard-names-focus-order',
    async run(vs) {
      const { page } = vs;
      const { frame } = await openOverview(vs);

      // A legend entry: Tab from the chart reaches it, Enter hides the series, Space shows it again.
      const chart = '#chart-classByDataset';
      await frame.locator(`${chart} canvas`).focus();
      await page.keyboard.press('Tab');
      const f = await focused(frame);
      assert.equal(f?.tag, 'button', JSON.stringify(f));
      assert.equal(f?.series, '0', 'the first legend entry follows its chart in the Tab order');
      assert.equal(f?.pressed, 'true');
      const label = (await frame.locator(`${chart} .legend-item[data-series="0"]`).innerText()).trim();
      const before = await ink(frame, `${chart} canvas`);
      await page.keyboard.press('Enter');
      await frame.locator(`${chart} .legend-item[data-series="0"][aria-pressed="false"]`).waitFor({ timeout: 5_000 });
      assert.deepEqual(JSON.parse((await frame.locator(chart).getAttribute('data-hidden-series'))!), [label]);
      const hidden = await ink(frame, `${chart} canvas`);
      assert.ok(hidden < before * 0.9, `hiding "${label}" removed its bars: ink ${before} -> ${hidden}`);
      assert.match((await frame.locator(`${chart} .legend-item[data-series="0"]`).getAttribute('aria-label'))!, /hidden/);
      await vs.screenshot('dashboard-legend-toggled');
      await page.keyboard.press('Space');
      await frame.locator(`${chart} .legend-item[data-series="0"][aria-pressed="true"]`).waitFor({ timeout: 5_000 });
      assert.equal(await frame.locator(chart).getAttribute('data-hidden-series'), '[]');
      assert.equal(await ink(frame, `${chart} canvas`), before, 'shown again: drawn as before');

      // Every button has a name a screen reader says.
      const unnamed = await frame.evaluate(() => [...document.querySelectorAll('button, vscode-button, [role="button"]')]
        .filter((b) => !(b.getAttribute('aria-label')?.trim() || b.textContent?.trim() || b.getAttribute('title')?.trim()))
        .map((b) => `${b.tagName.toLowerCase()}#${b.id} in ${b.closest('section')?.id}`));
      assert.deepEqual(unnamed, []);
      // A bare "PNG" / "CSV" says nothing out of context: each export button names what it saves.
      const exportNames = await frame.locator('.actions vscode-button').evaluateAll((bs) => bs.map((b) => (b.getAttribute('aria-label') || b.textContent || '').trim()));
      assert.ok(exportNames.length >= 8, exportNames.join(' | '));
      assert.deepEqual(exportNames.filter((n) => /^(PNG|CSV)/.test(n)), [], exportNames.join(' | '));

      // Tab from the title walks the sections in reading order (document order), each section once.
      await frame.locator('#app h1').click();
      const sections: string[] = [];
      const stops: string[] = [];
      for (let k = 0; k < 400; k++) {
        await page.keyboard.press('Tab');
        const at = await focused(frame);
        if (!at) break; // focus left the webview: the end of the page
        stops.push(`${at.section}:${at.tag}${at.id ? '#' + at.id : ''}`);
        if (sections[sections.length - 1] !== at.section) sections.push(at.section);
      }
      const order = await frame.evaluate(() => ['header', ...[...document.querySelectorAll('#app section')].map((s, k) => s.id || `section${k}`)]);
      assert.equal(new Set(sections).size, sections.length, `no section is visited twice: ${sections.join(' > ')}`);
      const idx = sections.map((s) => order.indexOf(s));
      assert.ok(idx.every((v, k) => v >= 0 && (k === 0 || v > idx[k - 1])), `sections in reading order: ${sections.join(' > ')}`);
      for (const must of ['card-tilesPerWsi', 'card-classByDataset', 'card-slideMap', 'card-quality']) assert.ok(sections.includes(must), `${must} reached by Tab: ${sections.join(' > ')}`);
      assert.ok(stops.includes('card-slideMap:canvas'), 'the slide map is a Tab stop');
      assert.ok(stops.includes('card-slideMap:button#slide-zoom-in'), 'the zoom buttons are Tab stops');
    },
  },
  {
    name: 'dashboard-slide-map-zoom-filter-open',
    async run(vs) {
      const { page } = vs;
      const { sidebar, frame } = await openOverview(vs);
      const map = frame.locator('#slide-map');
      const canvas = map.locator('canvas');
      await map.scrollIntoViewIfNeeded();

      // Fills the card's width.
      const widths = await frame.evaluate(() => ({ map: (document.querySelector('#slide-map canvas') as HTMLElement).clientWidth, card: (document.querySelector('#card-slideMap .body') as HTMLElement).clientWidth }));
      assert.ok(widths.map >= widths.card - 2, JSON.stringify(widths));

      // Filter in the tree, as a user: right-click the WSI 2 row → Filter to This WSI.
      const wsi2 = rowOf(sidebar, page, /^WSI 2$/);
      await wsi2.waitFor({ state: 'visible', timeout: 10_000 });
      await contextMenu(page, wsi2, 'Filter to This WSI');
      const want = tilesOfWsi(2);
      await page.waitForFunction((n) => [...document.querySelectorAll('.part.sidebar .pane-header')].some((h) => h.textContent?.includes(`(${n})`)), want, { timeout: 15_000 });
      await frame.locator('#filter-text', { hasText: 'WSI 2' }).waitFor({ timeout: 15_000 });
      // The map follows: it shows WSI 2 (the WSI shown before had none of the filter's tiles), its tiles highlighted.
      await mapAttr(frame, 'data-wsi', '2');
      await mapAttr(frame, 'data-highlighted', String(want));
      assert.equal(Number(await map.getAttribute('data-tiles')), want, 'every tile of WSI 2 is on the map');
      await vs.screenshot('dashboard-slide-map-filtered');

      // A narrower filter on the same WSI: only those tiles are highlighted, the rest dimmed.
      const ds = rowOf(sidebar, page, /^Dataset 2$/);
      await wsi2.click();
      await ds.waitFor({ state: 'visible', timeout: 10_000 });
      await contextMenu(page, ds, 'Filter to This Dataset');
      const inDs = fs.readFileSync(path.join(sampleDataset, 'tile_meta.csv'), 'utf8').split('\n').slice(1).filter((l) => { const c = l.split(','); return c[1] === '2' && c[2] === '2'; }).length;
      await frame.locator('#filter-text', { hasText: /ds 2/ }).waitFor({ timeout: 15_000 });
      await mapAttr(frame, 'data-highlighted', String(inDs));
      assert.ok(inDs > 0 && inDs < want, `dataset 2 of WSI 2: ${inDs} of ${want}`);

      // The wheel zooms around the pointer; + zooms by 1.5; drag pans; Fit goes back.
      assert.equal(await slideZoom(frame), 1);
      const box = (await canvas.boundingBox())!;
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.wheel(0, -400);
      await frame.waitForFunction(() => Number(document.querySelector('#slide-map')?.getAttribute('data-zoom')) > 1.5, undefined, { timeout: 5_000 });
      const wheeled = await slideZoom(frame);
      await frame.locator('#slide-zoom-in').click();
      const plus = await slideZoom(frame);
      assert.ok(Math.abs(plus - wheeled * 1.5) < 0.01, `+ multiplies the zoom by 1.5: ${wheeled} -> ${plus}`);
      assert.equal((await frame.locator('#slide-zoom').innerText()).trim(), `${Math.round(plus * 100)} %`);
      const inkZoomed = await ink(frame, '#slide-map canvas');
      await vs.screenshot('dashboard-slide-map-zoomed');
      const before = await map.getAttribute('data-clickable');
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width / 2 + 120, box.y + box.height / 2 + 60, { steps: 6 });
      await page.mouse.up();
      assert.notEqual(await map.getAttribute('data-clickable'), before, 'the drag moved the tiles');
      await frame.locator('#slide-zoom-out').click();
      assert.ok(Math.abs((await slideZoom(frame)) - plus / 1.5) < 0.01);
      await frame.locator('#slide-zoom-reset').click();
      assert.equal(await slideZoom(frame), 1);
      assert.ok(inkZoomed > 0);

      // Keyboard: + zooms, 0 resets, arrows move between tiles, Enter opens the focused tile.
      await canvas.focus();
      const first = await map.getAttribute('data-focused-tile');
      assert.ok(first, 'focus lands on a tile');
      await page.keyboard.press('+');
      assert.ok(Math.abs((await slideZoom(frame)) - 1.5) < 0.01, 'the + key zooms');
      await page.keyboard.press('0');
      assert.equal(await slideZoom(frame), 1);
      await page.keyboard.press('ArrowRight');
      const second = await map.getAttribute('data-focused-tile');
      assert.ok(second && second !== first, `ArrowRight moved the focus: ${first} -> ${second}`);
      assert.match(await map.locator('.sr-only').innerText(), new RegExp(`^${second}`), 'the focused tile is announced');

      // A click on a highlighted tile opens it in the tile viewer.
      const c = JSON.parse((await map.getAttribute('data-clickable'))!) as { id: string; px: number; py: number };
      await canvas.click({ position: { x: c.px, y: c.py } });
      await findWebviewFrame(page, `document.body && document.body.dataset.tileId === ${JSON.stringify(c.id)} && document.body.dataset.drawn !== undefined`, 60_000);
      assert.equal(await page.locator('.tabs-container .tab.active', { hasText: c.id }).count(), 1, `the viewer tab of ${c.id} is active`);
      await vs.runCommand(commandTitle('vasculatureExplorer.clearFilter')!);
    },
  },
  {
    name: 'dashboard-slide-map-high-contrast-focus',
    async run(vs) {
      const { page } = vs;
      const { frame } = await openOverview(vs);
      await vs.runCommand('Preferences: Color Theme');
      const input = page.locator('.quick-input-widget input.input');
      await input.fill('Default High Contrast');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Default High Contrast' }).first().waitFor({ state: 'visible', timeout: 10_000 });
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => document.querySelector('.monaco-workbench')?.classList.contains('hc-black'), undefined, { timeout: 15_000 });
      await frame.waitForFunction(() => document.body.classList.contains('vscode-high-contrast'), undefined, { timeout: 15_000 });
      // Keyboard focus (Tab from the zoom-out button) shows an outline on the zoom buttons and the legend entries.
      await frame.locator('#slide-map').scrollIntoViewIfNeeded();
      await frame.locator('#slide-zoom-out').focus();
      await page.keyboard.press('Tab');
      await page.keyboard.press('Shift+Tab');
      const outline = await frame.evaluate(() => { const s = getComputedStyle(document.activeElement!); return { id: document.activeElement!.id, style: s.outlineStyle, width: parseFloat(s.outlineWidth), color: s.outlineColor }; });
      assert.equal(outline.id, 'slide-zoom-out');
      assert.ok(outline.style === 'solid' && outline.width >= 2, `a 2px focus outline in high contrast: ${JSON.stringify(outline)}`);
      // Tab on to the map itself (after +, Fit).
      const stops: string[] = [];
      for (let k = 0; k < 8 && stops[stops.length - 1] !== 'canvas'; k++) {
        await page.keyboard.press('Tab');
        const now = await focused(frame);
        stops.push(now?.tag === 'canvas' ? 'canvas' : now?.id || String(now?.tag));
      }
      assert.deepEqual(stops, ['slide-zoom-in', 'slide-zoom-reset', 'canvas'], 'zoom-out, +, Fit, then the map');
      const ring = await frame.evaluate(() => { const s = getComputedStyle(document.activeElement!); return { style: s.outlineStyle, width: parseFloat(s.outlineWidth) }; });
      assert.ok(ring.style === 'solid' && ring.width >= 2, `the map's focus outline in high contrast: ${JSON.stringify(ring)}`);
      await vs.screenshot('dashboard-slide-map-high-contrast');
    },
  },
];
