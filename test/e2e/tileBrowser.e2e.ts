/** A person browses tiles in the sidebar: search, expand WSI and dataset, click a tile, see the Problems; the palette lists the commands. */
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { sampleDataset } from '../harness/paths';
import { commandTitle, contributes } from './manifest';
import { findWebviewFrame, type E2eTest } from './vscodeSession';

/** An annotated WSI 1 / dataset 1 tile that has an image, chosen from the files (not from the extension). */
function annotatedTile(): { id: string; vessels: number } {
  const meta = new Map(fs.readFileSync(path.join(sampleDataset, 'tile_meta.csv'), 'utf8').trim().split('\n').slice(1).map((l) => {
    const [id, wsi, ds] = l.split(',');
    return [id, `${Number(wsi)}/${Number(ds)}`] as const;
  }));
  const images = new Set(fs.readdirSync(path.join(sampleDataset, 'train')).map((f) => f.replace(/\.tif$/, '')));
  for (const line of fs.readFileSync(path.join(sampleDataset, 'polygons.jsonl'), 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const o = JSON.parse(line) as { id: string; annotations: { type: string }[] };
    if (images.has(o.id) && meta.get(o.id) === '1/1') return { id: o.id, vessels: o.annotations.filter((a) => a.type === 'blood_vessel').length };
  }
  throw new Error('no annotated WSI 1 dataset 1 tile with an image in the sample');
}

export const tests: E2eTest[] = [
  {
    name: 'tile-browser-click-through',
    async run(vs) {
      const tile = annotatedTile();
      const sidebar = await vs.openActivityBarView('Vasculature Explorer');
      const rows = sidebar.locator('.monaco-list-row');
      const row = (label: string | RegExp) => rows.filter({ has: vs.page.locator('.label-name', { hasText: label }) }).first();
      await row(/^WSI 1$/).waitFor({ state: 'visible', timeout: 60_000 });
      // Narrow the tree to the tile through the palette's search command, as a person would.
      await vs.runCommand(commandTitle('vasculatureExplorer.searchTiles')!);
      const input = vs.page.locator('.quick-input-widget input.input');
      await input.fill(tile.id);
      await input.press('Enter');
      await vs.page.waitForTimeout(500);
      assert.match(await sidebar.locator('.pane-header', { hasText: /Tiles/ }).first().innerText(), new RegExp(tile.id), 'the view title shows the filter');
      await row(/^WSI 1$/).click();
      await row(/^Dataset 1$/).waitFor({ state: 'visible', timeout: 10_000 });
      assert.match(await row(/^Dataset 1$/).locator('.label-description').innerText(), /^1 of 270 tiles/);
      await row(/^Dataset 1$/).click();
      const tileRow = row(new RegExp(`^${tile.id}$`));
      await tileRow.waitFor({ state: 'visible', timeout: 10_000 });
      assert.match(await tileRow.locator('.label-description').innerText(), new RegExp(`^${tile.vessels} vessels`));
      await tileRow.click();
      // The tile opens in an editor tab named after its file.
      await vs.page.locator('.tabs-container .tab', { hasText: `${tile.id}.tif` }).first().waitFor({ state: 'visible', timeout: 30_000 });
      // A person looks at the tile before going on (the viewer takes focus once it has loaded).
      await findWebviewFrame(vs.page, `document.body && document.body.dataset.tileId === ${JSON.stringify(tile.id)}`, 30_000);
      // The Problems panel holds the grouped partial-download finding on tile_meta.csv.
      await vs.runCommand('View: Focus Problems');
      const problems = vs.page.locator('.markers-panel');
      await problems.locator('.monaco-list-row', { hasText: /6907 of 7033 tiles/ }).first().waitFor({ state: 'visible', timeout: 30_000 });
      await vs.page.waitForTimeout(800);
      await vs.screenshot('tile-browser');
      await vs.runCommand(commandTitle('vasculatureExplorer.clearFilter')!);
      await vs.page.waitForFunction(() => /^507 tiles/.test(
        [...document.querySelectorAll('.part.sidebar .monaco-list-row')].find((r) => r.querySelector('.label-name')?.textContent === 'WSI 1')?.querySelector('.label-description')?.textContent ?? ''), undefined, { timeout: 10_000 });
    },
  },
  {
    name: 'palette-lists-every-command',
    async run(vs) {
      const hidden = new Set((contributes() as { menus?: { commandPalette?: { command: string; when?: string }[] } } & ReturnType<typeof contributes>).menus?.commandPalette?.filter((m) => m.when !== undefined).map((m) => m.command));
      const titles = (contributes().commands ?? []).filter((c) => !hidden.has(c.command)).map((c) => commandTitle(c.command)!);
      assert.ok(titles.length >= 8, `${titles.length} commands`);
      await vs.openActivityBarView('Vasculature Explorer');
      const input = vs.page.locator('.quick-input-widget input.input');
      await vs.page.keyboard.press('F1');
      await input.waitFor({ state: 'visible' });
      const missing: string[] = [];
      for (const t of titles) {
        await input.fill(`>${t}`);
        const ok = await vs.page.locator('.quick-input-list .monaco-list-row', { hasText: t }).first().waitFor({ state: 'visible', timeout: 15_000 }).then(() => true, () => false);
        if (!ok) missing.push(t);
      }
      await input.fill('>Vasculature');
      await vs.page.waitForTimeout(500);
      await vs.screenshot('palette-commands');
      await vs.page.keyboard.press('Escape');
      assert.deepEqual(missing, []);
    },
  },
];
