/**
 * Issue 12 item 7 in the tile viewer, with keys and the pointer as a person uses them: zoom (+)
 * does not carry over to the next tile (n); "N of M" follows a re-filter of the Tiles view; a class
 * hidden with its key (1) is no longer outlined under the pointer; the slide context (c) draws the
 * neighbours' polygons and keeps each label inside its tile. Screenshot: viewer-slide-context.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import type { Frame } from 'playwright-core';
import { sampleDataset } from '../harness/paths';
import { commandTitle } from './manifest';
import { findWebviewFrame, type E2eTest } from './vscodeSession';

/** A tile with an image and a vessel, one of whose slide neighbours (same WSI, |di|, |dj| < 1024) has polygons; read here from the files. */
function tileWithAnnotatedNeighbour(): string {
  const meta = fs.readFileSync(path.join(sampleDataset, 'tile_meta.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
  const images = new Set(fs.readdirSync(path.join(sampleDataset, 'train')).map((f) => f.replace(/\.tif$/, '')));
  const vessels = new Map<string, number>();
  for (const l of fs.readFileSync(path.join(sampleDataset, 'polygons.jsonl'), 'utf8').split('\n')) {
    if (!l.trim()) continue;
    const o = JSON.parse(l) as { id: string; annotations: { type: string }[] };
    vessels.set(o.id, o.annotations.filter((a) => a.type === 'blood_vessel').length);
  }
  for (const [id, wsi, , i, j] of meta) {
    if (!images.has(id) || !(vessels.get(id)! > 0)) continue;
    const near = meta.some(([n, w, , a, b]) => n !== id && w === wsi && vessels.has(n) && Math.abs(Number(a) - Number(i)) < 1024 && Math.abs(Number(b) - Number(j)) < 1024);
    if (near) return id;
  }
  throw new Error('no tile with an annotated neighbour in the sample');
}

const data = (f: Frame, key: string) => f.evaluate((k) => document.body.dataset[k] ?? '', key);

export const tests: E2eTest[] = [
  {
    name: 'viewer-state-follows-tile-and-order',
    async run(vs) {
      const { page } = vs;
      const id = tileWithAnnotatedNeighbour();
      const sidebar = await vs.openActivityBarView('Vasculature Explorer');
      await sidebar.locator('.monaco-list-row', { hasText: /^WSI 1/ }).first().waitFor({ state: 'visible', timeout: 60_000 });
      await vs.runCommand(commandTitle('vasculatureExplorer.goToTile')!);
      const input = page.locator('.quick-input-widget input.input');
      await input.fill(id);
      await page.locator('.quick-input-list .monaco-list-row', { hasText: id }).first().waitFor({ state: 'visible', timeout: 10_000 });
      await input.press('Enter');
      const frame = await findWebviewFrame(page, `document.body && document.body.dataset.tileId === ${JSON.stringify(id)} && !!document.body.dataset.drawn`, 60_000);
      const canvas = frame.locator('canvas[aria-label^="Tile"]');
      await canvas.click({ position: { x: 5, y: 5 } });
      const fitted = await data(frame, 'zoom');
      assert.match(fitted, / fit$/);

      // Zoom in with +, then n: the next tile starts fitted.
      await page.keyboard.press('+');
      await page.keyboard.press('+');
      const zoomed = await data(frame, 'zoom');
      assert.ok(!zoomed.endsWith('fit') && Number(zoomed) > Number(fitted.split(' ')[0]) * 1.5, `${fitted} -> ${zoomed}`);
      await page.keyboard.press('n');
      await frame.waitForFunction((was) => document.body.dataset.tileId !== was && !!document.body.dataset.drawn, id, { timeout: 30_000 });
      assert.equal(await data(frame, 'zoom'), fitted, 'the next tile is fitted, not zoomed like the last');
      await page.keyboard.press('p');
      await frame.waitForFunction((want) => document.body.dataset.tileId === want, id, { timeout: 30_000 });

      // "N of M" follows a re-filter of the Tiles view (here: a search for the tile's own id).
      const header = frame.locator('.title');
      assert.match(await header.innerText(), new RegExp(`^${id} · \\d+ of 127 `));
      await vs.runCommand(commandTitle('vasculatureExplorer.searchTiles')!);
      await input.fill(id);
      await input.press('Enter');
      await frame.waitForFunction((want) => (document.querySelector('.title')?.textContent ?? '').startsWith(want), `${id} · 1 of 1 `, { timeout: 15_000 });
      await vs.runCommand(commandTitle('vasculatureExplorer.clearFilter')!);
      await frame.waitForFunction((want) => new RegExp(want).test(document.querySelector('.title')?.textContent ?? ''), `^${id} · \\d+ of 127 `, { timeout: 15_000 });

      // Hover a blood vessel: outlined; hide the class (1): no outline under the pointer.
      const box = (await canvas.boundingBox())!;
      let found = '';
      for (let gy = 0.1; gy < 0.95 && !found; gy += 0.05) {
        for (let gx = 0.1; gx < 0.95 && !found; gx += 0.05) {
          await page.mouse.move(box.x + box.width * gx, box.y + box.height * gy);
          const h = await data(frame, 'hoverOutline');
          if (h.startsWith('blood_vessel')) found = h;
        }
      }
      assert.ok(found, 'a blood vessel outline under the pointer somewhere on the tile');
      await page.keyboard.press('1');
      await frame.waitForFunction(() => document.body.dataset.hoverOutline === '', undefined, { timeout: 5_000 });
      await page.keyboard.press('1');

      // Slide context: neighbours with their polygons, labels inside their tiles.
      await page.mouse.move(box.x + 5, box.y + 5);
      await page.keyboard.press('c');
      await frame.waitForFunction(() => Number(document.body.dataset.contextDrawn) > 0, undefined, { timeout: 30_000 });
      await page.waitForTimeout(400);
      await vs.screenshot('viewer-slide-context');
      await page.keyboard.press('c');
    },
  },
];
