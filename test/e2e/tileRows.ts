/** Opening a tile from the tile browser as a person does once "Search Tiles by Id…" has narrowed it to that tile. */
import type { Locator, Page } from 'playwright-core';

/** The row of the Tiles view whose label is exactly `label`. */
export function treeRow(sidebar: Locator, page: Page, label: RegExp): Locator {
  return sidebar.locator('.monaco-list-row').filter({ has: page.locator('.label-name', { hasText: label }) }).first();
}

async function expanded(row: Locator, page: Page): Promise<void> {
  for (let t0 = Date.now(); Date.now() - t0 < 15_000; await page.waitForTimeout(200)) {
    const state = await row.getAttribute('aria-expanded').catch(() => null);
    if (state === 'true') return;
    if (state === 'false') await row.click();
  }
  throw new Error(`row ${await row.innerText().catch(() => '?')} did not expand`);
}

/**
 * Waits for the search to have narrowed the tree (its WSI and dataset rows say "1 of N tiles": clicking
 * the rows of the tree drawn before it, as the old test did, could land on rows the filter then
 * replaced), expands those two rows only if they are collapsed (a click on an expanded row collapses
 * it), then clicks the tile; if no tab for the tile shows within 15 s, clicks it again, as a person would.
 */
export async function openSearchedTile(page: Page, sidebar: Locator, id: string): Promise<void> {
  const narrowed = (label: RegExp) => sidebar.locator('.monaco-list-row').filter({ has: page.locator('.label-name', { hasText: label }) }).filter({ hasText: /1 of \d+ tiles/ }).first();
  const wsi = narrowed(/^(WSI \d+|No WSI.*)$/);
  await wsi.waitFor({ state: 'visible', timeout: 60_000 });
  await expanded(wsi, page);
  const ds = narrowed(/^(Dataset \d+|No dataset)$/);
  await ds.waitFor({ state: 'visible', timeout: 30_000 });
  await expanded(ds, page);
  const tile = treeRow(sidebar, page, new RegExp(`^${id}$`));
  const tab = page.locator('.tabs-container .tab', { hasText: id }).first();
  for (let attempt = 1; attempt <= 3; attempt++) {
    await tile.click();
    if (await tab.waitFor({ state: 'visible', timeout: 15_000 }).then(() => true, () => false)) return;
    console.log(`  no tab for ${id} 15 s after clicking its row (attempt ${attempt}); clicking it again`);
  }
  throw new Error(`clicking the row of ${id} opened no tab`);
}
