/**
 * A person prepares training data on the real sample: runs "Vasculature: Prepare Training Data…"
 * from the palette, sets the output folder and formats in the form, clicks Prepare, sees the
 * progress notification and the summary, then finds the folds in the Dataset Overview.
 * Screenshots: test-output/screenshots/labels-form.png, labels-done.png, labels-folds.png.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { commandTitle } from './manifest';
import { findWebviewFrame, type E2eTest } from './vscodeSession';

const COMMAND = 'vasculatureExplorer.prepareTrainingData';

export const tests: E2eTest[] = [
  {
    name: 'labels-prepare-training-data',
    skipIf: () => (commandTitle(COMMAND) ? undefined : `package.json contributes no ${COMMAND}`),
    async run(vs) {
      const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 've-labels-e2e-')), 'training');
      try {
        await vs.page.setViewportSize({ width: 1400, height: 1300 });
        await vs.page.evaluate(() => window.dispatchEvent(new Event('resize')));
        const sidebar = await vs.openActivityBarView('Vasculature Explorer');
        await sidebar.locator('.monaco-list-row', { hasText: /^WSI 1/ }).first().waitFor({ state: 'visible', timeout: 60_000 });
        await vs.runCommand(commandTitle(COMMAND)!);
        const form = await findWebviewFrame(vs.page, `!!document.querySelector('#app[data-state="ready"] #prepare')`);
        // The output folder: type it into the toolkit text field as a person would.
        const field = form.locator('#out-folder input');
        await field.fill(out);
        // Re-encoded PNG images and every format: a run long enough for the progress notification to be seen.
        await form.locator('vscode-checkbox', { hasText: 'class-index label PNG' }).click();
        await form.locator('vscode-checkbox', { hasText: 'instance-id PNG (16-bit)' }).click();
        await form.locator('vscode-dropdown[aria-label="Images"]').click();
        await form.locator('vscode-option', { hasText: 're-encode as PNG' }).click();
        await vs.page.waitForTimeout(300);
        await vs.screenshot('labels-form');
        await form.locator('#prepare').click();
        const toasts = vs.page.locator('.notifications-toasts');
        await toasts.locator('.notification-list-item', { hasText: 'Preparing training data' }).first().waitFor({ state: 'visible', timeout: 20_000 });
        await toasts.locator('.notification-list-item', { hasText: /Wrote \d+ files to/ }).first().waitFor({ state: 'visible', timeout: 120_000 });
        await form.locator('#status', { hasText: /^Wrote \d+ files/ }).waitFor({ timeout: 10_000 });
        await vs.screenshot('labels-done');
        for (const d of ['masks/blood_vessel', 'masks/label', 'masks/instance', 'labels', 'images']) assert.equal(fs.readdirSync(path.join(out, d)).length, 27, d);
        assert.ok(fs.readdirSync(path.join(out, 'images')).every((n) => n.endsWith('.png')), 'images re-encoded as PNG');
        const m = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8')) as { complete: boolean; counts: { tiles: number } };
        assert.equal(m.complete, true);
        assert.equal(m.counts.tiles, 27);

        // The Dataset Overview's folds section, reached from the palette.
        await vs.runCommand(commandTitle('vasculatureExplorer.showDashboard')!);
        const dash = await findWebviewFrame(vs.page, `!!document.querySelector('#app[data-state="ready"] #card-folds #folds-headline')`);
        await dash.locator('#card-folds').scrollIntoViewIfNeeded();
        await dash.locator('#folds-headline', { hasText: /^5 folds · 27 tiles/ }).waitFor({ timeout: 20_000 });
        await dash.locator('#card-folds .card-head').evaluate((e) => e.scrollIntoView({ block: 'start' }));
        await vs.page.waitForTimeout(800);
        await vs.screenshot('labels-folds');
        await dash.locator('#folds-slide').evaluate((e) => e.scrollIntoView({ block: 'end' }));
        await vs.page.waitForTimeout(500);
        await vs.screenshot('labels-folds-map');
      } finally {
        fs.rmSync(path.dirname(out), { recursive: true, force: true });
      }
    },
  },
];
