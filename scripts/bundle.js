// Bundles the extension (node), the inference child (node) and each webview (browser) with esbuild.
// tsc type-checks and emits out/ for tests; dist/ is what the extension runs.
const esbuild = require('esbuild');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const watch = process.argv.includes('--watch');
const external = ['vscode', 'sharp', 'onnxruntime-node'];

const builds = [];
const node = (entry, outfile) => {
  if (fs.existsSync(path.join(root, entry))) {
    builds.push({ entryPoints: [entry], outfile, bundle: true, platform: 'node', format: 'cjs', target: 'node20', external, sourcemap: true });
  }
};
node('src/extension/extension.ts', 'dist/extension.js');
node('src/inference/worker.ts', 'dist/inferenceWorker.js');
node('src/extension/gallery/galleryThumbWorker.ts', 'dist/galleryThumbWorker.js');
node('src/cli/main.ts', 'dist/cli.js');
node('src/cli/scoreMapsMain.ts', 'dist/scoreMaps.js');
node('src/core/stain/stainStatsWorker.ts', 'dist/stainStatsWorker.js');
node('src/core/tuning/sweepWorker.ts', 'dist/tuningSweepWorker.js');
node('src/core/labels/labelsWorker.ts', 'dist/labelsWorker.js');
node('src/core/dataset/datasetIndexWorker.ts', 'dist/datasetIndexWorker.js');

// One browser bundle per webview folder that has a main.ts.
const webviewDir = path.join(root, 'webview');
if (fs.existsSync(webviewDir)) {
  for (const name of fs.readdirSync(webviewDir)) {
    const entry = path.join('webview', name, 'main.ts');
    if (fs.existsSync(path.join(root, entry))) {
      builds.push({ entryPoints: [entry], outfile: `dist/webview/${name}.js`, bundle: true, platform: 'browser', format: 'iife', target: 'es2022', sourcemap: true, minify: !watch, loader: { '.css': 'text' } });
    }
  }
}

(async () => {
  for (const b of builds) {
    const opts = { absWorkingDir: root, logLevel: 'warning', ...b };
    if (watch) {
      const ctx = await esbuild.context(opts);
      await ctx.watch();
    } else {
      await esbuild.build(opts);
    }
  }
  if (!watch) console.log(`bundled ${builds.length} entry points into dist/`);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
