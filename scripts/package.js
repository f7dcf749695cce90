// `npm run package`: builds the platform VSIX with @vscode/vsce (default target linux-x64; pass
// another as the first argument on that platform), checks its file list (no sources, tests, maps
// or dev dependencies; the target's natives present, no other platform's) and prints its size
// and largest entries. Exits 1 when the archive is not as intended or over 30 MB.
// Run after `npm run build` (the npm script does both).
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const target = process.argv[2] || process.env.VE_VSIX_TARGET || 'linux-x64';
const maxBytes = 30 * 1024 * 1024;
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const out = path.join(root, `${pkg.name}-${pkg.version}-${target}.vsix`);
const { zipEntries, vsixViolations, TARGETS } = require(path.join(root, 'out', 'scripts', 'zipEntries.js'));
if (!TARGETS.includes(target)) {
  console.error(`package: unknown target "${target}"; one of ${TARGETS.join(', ')}`);
  process.exit(2);
}

if (!fs.existsSync(path.join(root, 'dist', 'extension.js'))) {
  console.error('package: dist/extension.js is missing; run `npm run build` first (npm run package does).');
  process.exit(1);
}
// .vscodeignore drops every onnxruntime-node binary folder but linux-x64's; for this target the
// ignore file keeps this target's folder instead (sharp's natives come per platform from npm).
const ignoreLines = fs.readFileSync(path.join(root, '.vscodeignore'), 'utf8').split('\n').filter((l) => !l.includes('onnxruntime-node/bin/napi-v6/'));
for (const other of TARGETS.filter((t) => t !== target)) ignoreLines.push(`node_modules/onnxruntime-node/bin/napi-v6/${other.replace('-', '/')}/**`);
const ignoreFile = path.join(root, 'out', `vscodeignore-${target}`);
fs.mkdirSync(path.dirname(ignoreFile), { recursive: true });
fs.writeFileSync(ignoreFile, ignoreLines.join('\n') + '\n');

const t0 = Date.now();
fs.rmSync(out, { force: true });
// vsce prompts (and waits for stdin) on some warnings; stdin is closed so it fails instead of hanging.
execFileSync(process.execPath, [require.resolve('@vscode/vsce/vsce'), 'package', '--target', target, '--ignoreFile', ignoreFile, '--out', out], {
  cwd: root, stdio: ['ignore', 'inherit', 'inherit'],
});
const entries = zipEntries(out);
const size = fs.statSync(out).size;
const mb = (n) => `${(n / 1024 / 1024).toFixed(1)} MB`;
console.log(`\npackage: ${path.relative(root, out)}: ${mb(size)} (${entries.length} files, ${mb(entries.reduce((a, e) => a + e.size, 0))} unpacked) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
console.log('package: largest entries (compressed / unpacked):');
for (const e of [...entries].sort((a, b) => b.compressedSize - a.compressedSize).slice(0, 10)) {
  console.log(`  ${mb(e.compressedSize).padStart(8)} / ${mb(e.size).padStart(8)}  ${e.name}`);
}
const bad = vsixViolations(entries.map((e) => e.name), target);
if (target === 'linux-x64' && size > maxBytes) bad.push(`the VSIX is ${mb(size)}, over the ${mb(maxBytes)} limit`);
if (bad.length) {
  console.error(`\npackage: FAILED, the archive is not as intended:\n  ${bad.join('\n  ')}`);
  process.exit(1);
}
console.log(`package: file list checked (no sources/tests/maps/dev dependencies, ${target} natives only); size ${mb(size)} <= ${mb(maxBytes)}`);
