/** A person opens the sample dataset and clicks the Vasculature Explorer icon in the activity bar. */
import * as assert from 'node:assert/strict';
import { activityBarContainer } from './manifest';
import { E2eTest } from './vscodeSession';

const containerId = 'vasculatureExplorer';

export const tests: E2eTest[] = [
  {
    name: 'workbench-opens-sample-folder',
    async run(vs) {
      // The explorer shows the real sample's top-level entries.
      const explorer = await vs.openActivityBarView('Explorer');
      for (const entry of ['train', 'test', 'polygons.jsonl', 'tile_meta.csv']) {
        await explorer.locator('.monaco-list-row', { hasText: entry }).first().waitFor({ state: 'visible', timeout: 30_000 });
      }
      await vs.screenshot('workbench-opens-sample-folder');
      // The palette reaches Developer commands, and the running-extensions list shows this extension.
      await vs.runCommand('Developer: Show Running Extensions');
      await vs.page.locator('.runtime-extensions-editor .monaco-list-row', { hasText: /Vasculature Explorer|vasculature-explorer\.vasculature-explorer/ }).first()
        .waitFor({ state: 'visible', timeout: 30_000 });
      await vs.screenshot('running-extensions');
      assert.match(await vs.page.title(), /hhv-sample/);
    },
  },
  {
    name: 'activity-bar-vasculature-explorer',
    skipIf: () => (activityBarContainer(containerId) ? undefined : `package.json contributes no activity-bar container "${containerId}" yet`),
    async run(vs) {
      const title = activityBarContainer(containerId)?.title ?? 'Vasculature Explorer';
      const sidebar = await vs.openActivityBarView(title);
      // The tiles tree lists something from the real sample once the index is built.
      const rows = sidebar.locator('.monaco-list-row');
      await rows.first().waitFor({ state: 'visible', timeout: 60_000 });
      assert.ok((await rows.count()) > 0);
      await vs.screenshot('activity-bar-vasculature-explorer');
    },
  },
];
