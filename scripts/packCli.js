// `npm run package:cli`: the CLI as its own npm package. Stages cli/package.json (version and the
// sharp / onnxruntime-node ranges taken from the root package.json), bin/, the bundled CLI and
// every worker it may start (dist/*.js but the extension's own), the demo model, README and
// LICENSE into out/cli-package/, then
// `npm pack`s it into vasculature-explorer-cli-<version>.tgz at the repository root (or the
// folder given as the first argument). Prints the tarball's path. Run after `npm run build`.
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const dest = path.resolve(process.argv[2] || root);
const stage = path.join(root, 'out', 'cli-package');
const rootPkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'cli', 'package.json'), 'utf8'));
pkg.version = rootPkg.version;
for (const dep of Object.keys(pkg.dependencies)) {
  if (!rootPkg.dependencies[dep]) throw new Error(`cli/package.json depends on ${dep}, which the root package.json does not`);
  pkg.dependencies[dep] = rootPkg.dependencies[dep];
}
for (const f of ['dist/cli.js', 'dist/inferenceWorker.js', 'bin/vasculature-explorer.js']) {
  if (!fs.existsSync(path.join(root, f))) {
    console.error(`package:cli: ${f} is missing; run \`npm run build\` first (npm run package:cli does).`);
    process.exit(1);
  }
}
fs.rmSync(stage, { recursive: true, force: true });
const copy = (from, to = from) => {
  fs.mkdirSync(path.dirname(path.join(stage, to)), { recursive: true });
  fs.copyFileSync(path.join(root, from), path.join(stage, to));
};
// The CLI and the workers its commands start beside it (inference, tuning sweep, stain stats...);
// the extension's bundle and its gallery worker stay out.
const EXTENSION_ONLY = new Set(['extension.js', 'galleryThumbWorker.js']);
for (const f of fs.readdirSync(path.join(root, 'dist')).filter((n) => n.endsWith('.js') && !EXTENSION_ONLY.has(n))) copy(path.join('dist', f));
copy('bin/vasculature-explorer.js');
fs.chmodSync(path.join(stage, 'bin/vasculature-explorer.js'), 0o755);
for (const f of fs.readdirSync(path.join(root, 'media', 'model'))) copy(path.join('media', 'model', f));
// `train` runs training/train.py (Python files only).
for (const f of ['train.py', 'README.md', 'requirements.txt', ...fs.readdirSync(path.join(root, 'training', 've_training')).filter((n) => n.endsWith('.py')).map((n) => `ve_training/${n}`)]) copy(path.join('training', f));
copy('cli/README.md', 'README.md');
copy('LICENSE');
fs.writeFileSync(path.join(stage, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
fs.mkdirSync(dest, { recursive: true });
const out = execFileSync('npm', ['pack', '--silent', '--pack-destination', dest], { cwd: stage, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' } });
const file = path.join(dest, out.trim().split('\n').pop());
console.log(`package:cli: ${path.relative(process.cwd(), file) || file} (${(fs.statSync(file).size / 1024 / 1024).toFixed(1)} MB)`);
