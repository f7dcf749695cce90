/**
 * A person opens an annotated sample tile, runs "Vasculature: Predict" from the command palette and
 * sees the prediction as its own layer over the tile: TP / FP / FN outlines, the AP header and its
 * legend; hovering an outline names its outcome. Screenshot: test-output/screenshots/predict-overlay.png.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import type { Frame, Page } from 'playwright-core';
import { sampleDataset } from '../harness/paths';
import { commandTitle } from './manifest';
import { E2eTest } from './vscodeSession';

/** Chosen from `vasculature-explorer predict ../shared/data/hhv-sample`: demo-unet gets TP 2 FP 11 FN 6 there. */
const SHOWCASE = 'eda294658a0a';

/** Annotated sample tiles with an image, with their vessel count (read here from polygons.jsonl). */
function vesselTiles(): { id: string; vessels: number }[] {
  const images = new Set(fs.readdirSync(path.join(sampleDataset, 'train')).map((n) => n.replace(/\.tif$/, '')));
  const out: { id: string; vessels: number }[] = [];
  for (const l of fs.readFileSync(path.join(sampleDataset, 'polygons.jsonl'), 'utf8').split('\n')) {
    if (!l.trim()) continue;
    const o = JSON.parse(l) as { id: string; annotations: { type: string }[] };
    if (images.has(o.id)) out.push({ id: o.id, vessels: o.annotations.filter((a) => a.type === 'blood_vessel').length });
  }
  return out.sort((a, b) => b.vessels - a.vessels || (a.id < b.id ? -1 : 1));
}

async function findFrame(page: Page, test: string, timeoutMs: number): Promise<Frame> {
  const t0 = Date.now();
  for (;;) {
    for (const f of page.frames()) if (await f.evaluate(test).catch(() => false)) return f;
    if (Date.now() - t0 > timeoutMs) throw new Error(`no webview frame where ${test} within ${timeoutMs} ms`);
    await page.waitForTimeout(250);
  }
}

export const tests: E2eTest[] = [
  {
    name: 'predict-overlay',
    async run(vs) {
      // A tile on which the demo model has TP, FP and FN alike (the vessel count is still read here).
      const pick = vesselTiles().find((t) => t.id === SHOWCASE)!;
      assert.ok(pick && pick.vessels > 0, `${SHOWCASE} is an annotated sample tile with vessels`);
      // Quick Open the tile's .tif: train/*.tif opens in the tile viewer by default.
      await vs.page.locator('.part.editor').waitFor({ state: 'visible', timeout: 60_000 });
      await vs.page.keyboard.press('Control+P');
      const input = vs.page.locator('.quick-input-widget input.input');
      await input.waitFor({ state: 'visible', timeout: 10_000 });
      await input.fill(`${pick.id}.tif`);
      await vs.page.locator('.quick-input-list .monaco-list-row', { hasText: `${pick.id}.tif` }).first().waitFor({ state: 'visible', timeout: 30_000 });
      await vs.page.keyboard.press('Enter');
      await findFrame(vs.page, `document.body && document.body.dataset.tileId === ${JSON.stringify(pick.id)} && !!document.body.dataset.drawn`, 90_000);

      // "Vasculature: Predict" exactly (not "Predict on Tiles…"), from the palette, on the active tile.
      const title = commandTitle('vasculatureExplorer.predictTile');
      assert.equal(title, 'Vasculature: Predict');
      await vs.page.keyboard.press('F1');
      await input.waitFor({ state: 'visible', timeout: 10_000 });
      await input.fill(`>${title}`);
      const row = vs.page.locator('.quick-input-list .monaco-list-row').filter({ has: vs.page.locator('.label-name', { hasText: /^\s*Vasculature: Predict\s*$/ }) }).first();
      await row.waitFor({ state: 'visible', timeout: 30_000 });
      await row.click();

      const frame = await findFrame(vs.page, `document.body && document.body.dataset.tileId === ${JSON.stringify(pick.id)} && document.body.dataset.prediction === '1' && !!document.body.dataset.predictionDrawn`, 120_000);
      const [tp, fp, fn] = (await frame.evaluate('document.body.dataset.predictionDrawn') as string).split(',').map(Number);
      assert.equal(tp + fn, pick.vessels, `tile ${pick.id}: TP + FN outlines = its ${pick.vessels} blood_vessel annotations`);
      assert.ok(tp + fp > 0, 'the demo model finds vessels on this tile');
      const header = (await frame.locator('.pred-header .pred-text').innerText()).trim();
      assert.match(header, new RegExp(`^AP@0\\.6 \\d\\.\\d\\d · ${tp} TP / ${fp} FP / ${fn} FN`), header);
      assert.match(await frame.locator('.pred-header').getAttribute('title') ?? '', /AP@0\.6/);
      assert.ok(await frame.locator('input[data-layer="prediction"]').isChecked(), 'the Prediction layer is on by default');

      // Close the Predict notification so it does not cover the tile, then keep the picture.
      await vs.page.keyboard.press('Escape');
      await vs.page.waitForTimeout(500);
      await vs.screenshot('predict-overlay');

      // Hiding the layer leaves no prediction outline drawn.
      await frame.locator('input[data-layer="prediction"]').click();
      await frame.waitForFunction('document.body.dataset.predictionDrawn === "0,0,0,0,0"', undefined, { timeout: 10_000 });
      await vs.screenshot('predict-overlay-hidden');
    },
  },
];
