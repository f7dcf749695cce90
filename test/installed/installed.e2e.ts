/**
 * The extension as a user gets it: the VSIX installed by `code-server --install-extension` into a
 * fresh extensions folder (runInstalled.ts sets VE_E2E_INSTALLED_EXTENSIONS_DIR), no development
 * path. On the real sample: the natives load from the installed folder (not the repository), the
 * tile browser shows the counts, a tile opens with its polygons drawn, Predict with the bundled
 * model draws its overlay, the dashboard draws. Screenshots: test-output/screenshots/installed-*.png.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { mappedFiles } from '../harness/processFiles';
import { repoRoot, sampleDataset } from '../harness/paths';
import { findWebviewFrame, type E2eTest, type VscodeSession } from '../e2e/vscodeSession';
import { openSearchedTile } from '../e2e/tileRows';

type Counts = [number, number, number];

/** Per-class polygon counts of the sample tiles that have an image, most vessels first (read here from the files). */
function annotatedImages(): { id: string; counts: Counts }[] {
  const images = new Set(fs.readdirSync(path.join(sampleDataset, 'train')).map((n) => n.replace(/\.tif$/, '')));
  const out: { id: string; counts: Counts }[] = [];
  for (const l of fs.readFileSync(path.join(sampleDataset, 'polygons.jsonl'), 'utf8').split('\n')) {
    if (!l.trim()) continue;
    const o = JSON.parse(l) as { id: string; annotations: { type: string }[] };
    const c: Counts = [0, 0, 0];
    for (const a of o.annotations) c[['blood_vessel', 'glomerulus', 'unsure'].indexOf(a.type)]++;
    if (images.has(o.id)) out.push({ id: o.id, counts: c });
  }
  return out.sort((a, b) => b.counts[0] - a.counts[0] || (a.id < b.id ? -1 : 1));
}

/** tile_meta.csv rows of source_wsi 1, counted here. */
function wsi1Tiles(): number {
  return fs.readFileSync(path.join(sampleDataset, 'tile_meta.csv'), 'utf8').trim().split('\n').slice(1).filter((l) => Number(l.split(',')[1]) === 1).length;
}

/** The extension folder code-server installed the VSIX into. */
function installedFolder(vs: VscodeSession): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { publisher: string; name: string; version: string };
  const prefix = `${pkg.publisher}.${pkg.name}-${pkg.version}`;
  const name = fs.readdirSync(vs.extensionsDir).find((d) => d.startsWith(prefix));
  assert.ok(name, `no ${prefix}* in ${vs.extensionsDir}`);
  return path.join(vs.extensionsDir, name);
}

/** Where this VS Code's processes loaded a native from: every copy must be under the installed folder, none from the repository. */
function assertNativeFrom(vs: VscodeSession, re: RegExp, what: string, folder: string): string[] {
  const files = mappedFiles(vs.server.pid, re).map((m) => m.file);
  assert.ok(files.length > 0, `${what}: no process of this VS Code (pgid ${vs.server.pid}) has it mapped`);
  for (const f of files) {
    assert.ok(f.startsWith(folder + path.sep), `${what} was loaded from ${f}, not from the installed extension ${folder}`);
    assert.ok(!f.startsWith(path.join(repoRoot, 'node_modules')), `${what} came from the repository: ${f}`);
  }
  return files;
}

export const tests: E2eTest[] = [
  {
    name: 'installed-vsix-every-feature',
    async run(vs) {
      assert.ok(vs.installed, 'run through runInstalled.ts (VE_E2E_INSTALLED_EXTENSIONS_DIR), so the extension is the installed VSIX');
      const folder = installedFolder(vs);
      assert.ok(!folder.startsWith(repoRoot + path.sep), `the extension is installed outside the repository: ${folder}`);
      for (const f of ['package.json', 'dist/extension.js', 'media/model/demo-unet.onnx']) assert.ok(fs.existsSync(path.join(folder, f)), `${f} installed`);
      assert.equal(fs.existsSync(path.join(folder, 'src')), false, 'no sources installed');

      // Tile browser: the counts.
      const sidebar = await vs.openActivityBarView('Vasculature Explorer');
      const rows = sidebar.locator('.monaco-list-row');
      const wsi1 = rows.filter({ has: vs.page.locator('.label-name', { hasText: /^WSI 1$/ }) }).first();
      await wsi1.waitFor({ state: 'visible', timeout: 90_000 });
      assert.match(await wsi1.locator('.label-description').innerText(), new RegExp(`^${wsi1Tiles()} tiles\\b`));
      await vs.page.waitForTimeout(500);
      await vs.screenshot('installed-tile-browser');

      // Tile viewer: a tile from the tree, every polygon drawn.
      const pick = annotatedImages()[0];
      await vs.runCommand('Vasculature: Search Tiles by Id…');
      await vs.page.locator('.quick-input-widget input.input').fill(pick.id);
      await vs.page.keyboard.press('Enter');
      await openSearchedTile(vs.page, sidebar, pick.id);
      const viewer = await findWebviewFrame(vs.page, `document.body && document.body.dataset.tileId === ${JSON.stringify(pick.id)} && !!document.body.dataset.drawn`, 90_000);
      const drawn = (await viewer.evaluate('document.body.dataset.drawn') as string).split(',').map(Number);
      assert.deepEqual(drawn, pick.counts, `tile ${pick.id}: drawn per class vs polygons.jsonl`);
      await vs.page.waitForTimeout(300);
      await vs.screenshot('installed-tile-viewer');
      // sharp decoded that tile in the extension host: from the installed folder.
      assertNativeFrom(vs, /sharp-linux-x64-[\d.]+\.node$/, "sharp's native binding", folder);
      assertNativeFrom(vs, /libvips-cpp\.so/, 'libvips', folder);

      // Predict with the bundled model, from the palette on the active tile.
      await vs.page.keyboard.press('F1');
      const input = vs.page.locator('.quick-input-widget input.input');
      await input.waitFor({ state: 'visible', timeout: 10_000 });
      await input.fill('>Vasculature: Predict');
      await vs.page.locator('.quick-input-list .monaco-list-row').filter({ has: vs.page.locator('.label-name', { hasText: /^\s*Vasculature: Predict\s*$/ }) }).first().click({ timeout: 30_000 });
      const pred = await findWebviewFrame(vs.page, `document.body && document.body.dataset.tileId === ${JSON.stringify(pick.id)} && document.body.dataset.prediction === '1' && !!document.body.dataset.predictionDrawn`, 120_000);
      const [tp, fp, fn] = (await pred.evaluate('document.body.dataset.predictionDrawn') as string).split(',').map(Number);
      assert.equal(tp + fn, pick.counts[0], 'TP + FN = the tile\'s blood_vessel annotations');
      assert.ok(tp + fp > 0, 'the bundled demo model finds vessels');
      assert.match((await pred.locator('.pred-header .pred-text').innerText()).trim(), new RegExp(`^AP@0\\.6 \\d\\.\\d\\d · ${tp} TP / ${fp} FP / ${fn} FN`));
      await vs.page.keyboard.press('Escape');
      await vs.page.waitForTimeout(500);
      await vs.screenshot('installed-predict-overlay');
      // The inference child process ran onnxruntime from the installed folder.
      assertNativeFrom(vs, /onnxruntime_binding\.node$/, "onnxruntime-node's binding", folder);
      assertNativeFrom(vs, /libonnxruntime\.so/, 'libonnxruntime', folder);

      // Dashboard: every chart has data; tiles per WSI adds up to tile_meta.csv + the public test tile.
      await vs.runCommand('Vasculature: Show Dataset Overview');
      const dash = await findWebviewFrame(vs.page, `!!document.querySelector('#app[data-state="ready"] #chart-tilesPerWsi canvas')`, 60_000);
      const values = await dash.evaluate(() => {
        const out: Record<string, { series: { values: number[] }[] }> = {};
        document.querySelectorAll<HTMLElement>('[data-chart]').forEach((e) => { out[e.dataset.chart!] = JSON.parse(e.dataset.values!); });
        return out;
      });
      assert.ok(Object.keys(values).length >= 7, Object.keys(values).join(','));
      for (const [id, v] of Object.entries(values)) assert.ok(v.series.some((s) => s.values.some((x) => x > 0)), `${id} has data`);
      assert.equal(values.tilesPerWsi.series.reduce((a, s) => a + s.values.reduce((x, y) => x + y, 0), 0), 7034);
      await vs.page.waitForTimeout(500);
      await vs.screenshot('installed-dashboard');

      // The Extensions view lists it as installed (what a user checks first).
      const extensions = await vs.openActivityBarView('Extensions');
      await extensions.locator('.monaco-list-row', { hasText: 'Vasculature Explorer' }).first().waitFor({ state: 'visible', timeout: 30_000 });
      await vs.page.waitForTimeout(500);
      await vs.screenshot('installed-extensions-view');
      assert.deepEqual(vs.blocked.filter((u) => !/127\.0\.0\.1:9\//.test(u)), [], 'nothing tried to leave the machine');
    },
  },
];
