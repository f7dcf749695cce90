/**
 * A person runs "Vasculature: Train Baseline Model…" from the palette, picks a labels folder in
 * the folder dialog and fold 0, watches the progress notification (device, epoch, step, loss),
 * then clicks its Cancel button: a "Training cancelled" message, and no model in the model folder.
 * Screenshots: test-output/screenshots/train-progress.png, train-cancelled.png.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { repoRoot, sampleDataset } from '../harness/paths';
import { commandTitle } from './manifest';
import { E2eTest, findWebviewFrame } from './vscodeSession';

const NAME = 'train-baseline';

export const tests: E2eTest[] = [
  {
    name: NAME,
    skipIf: () => (commandTitle('vasculatureExplorer.trainBaseline') ? undefined : 'Train Baseline Model is not contributed'),
    async run(vs) {
      const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 've-train-e2e-'));
      try {
        const labels = path.join(tmp, 'labels');
        execFileSync('/usr/bin/python3', [path.join(repoRoot, 'test', 'unit', 'py', 'make_labels_folder.py')], { input: JSON.stringify({ dataset: sampleDataset, out: labels }) });
        // Default settings (3 epochs x 50 steps): long enough to watch and cancel; /usr/bin/python3 is found by the PATH-then-/usr/bin search.
        const title = commandTitle('vasculatureExplorer.trainBaseline')!;
        assert.equal(title, 'Vasculature: Train Baseline Model…');
        await vs.runCommand(title);
        // The folder dialog (VS Code's simple file dialog in the browser): type the path, accept.
        const input = vs.page.locator('.quick-input-widget input.input');
        await input.waitFor({ state: 'visible', timeout: 20_000 });
        await input.fill(labels + '/');
        await vs.page.waitForTimeout(800);
        const foldRow = vs.page.locator('.quick-input-list .monaco-list-row', { hasText: 'fold 0' }).first();
        for (let k = 0; k < 4 && !(await foldRow.isVisible()); k++) {
          await vs.page.keyboard.press('Enter');
          await foldRow.waitFor({ state: 'visible', timeout: 4_000 }).catch(() => undefined);
        }
        await foldRow.click();

        const toast = vs.page.locator('.notification-toast', { hasText: 'Training baseline model' }).first();
        await toast.waitFor({ state: 'visible', timeout: 60_000 });
        await toast.locator('.notification-list-item-message', { hasText: /cpu .* · epoch 1 step \d+\/50 · loss \d\.\d{3}/ }).waitFor({ state: 'visible', timeout: 120_000 });
        const text = await toast.innerText();
        assert.match(text, /Training baseline model/);
        await vs.screenshot('train-progress');

        await toast.hover();
        await toast.locator('.monaco-button', { hasText: 'Cancel' }).click();
        const cancelled = vs.page.locator('.notification-toast', { hasText: 'Training cancelled: no model was written' }).first();
        await cancelled.waitFor({ state: 'visible', timeout: 60_000 });
        await vs.screenshot('train-cancelled');
        const out = `${labels}-model`;
        assert.ok(!fs.existsSync(path.join(out, 'baseline-unet.onnx')), 'no model after cancel');
        assert.deepEqual(fs.existsSync(out) ? fs.readdirSync(out) : [], [], 'nothing left in the model folder');
      } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
      }
    },
  },
  {
    name: 'train-baseline-from-overview',
    skipIf: () => (commandTitle('vasculatureExplorer.trainBaseline') ? undefined : 'Train Baseline Model is not contributed'),
    async run(vs) {
      // The Dataset Overview's Validation folds card has the button beside Prepare Training Data….
      await vs.runCommand(commandTitle('vasculatureExplorer.showDashboard')!);
      const frame = await findWebviewFrame(vs.page, `!!document.querySelector('#app[data-state="ready"] #folds-train')`);
      const button = frame.locator('#folds-train');
      assert.match(await button.innerText(), /Train Baseline Model/);
      await button.click();
      // The command starts: its first question is the labels folder (VS Code's folder dialog).
      const title = vs.page.locator('.quick-input-widget .quick-input-title', { hasText: 'Labels folder (output of Prepare Training Data)' });
      await title.waitFor({ state: 'visible', timeout: 20_000 });
      await vs.screenshot('train-baseline-from-overview');
      await vs.page.keyboard.press('Escape');
      await title.waitFor({ state: 'hidden', timeout: 10_000 });
      assert.equal(await vs.page.locator('.notification-toast', { hasText: 'Training baseline model' }).count(), 0, 'no run starts when the dialog is dismissed');
    },
  },
];
