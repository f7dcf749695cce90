/** The VSIX checks: zipEntries lists an archive as Python's zipfile wrote it, and vsixViolations flags what must not ship per target. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TARGETS, vsixViolations, zipEntries } from '../../scripts/zipEntries';
import { runPython } from './support/runPython';
import { tempDir } from './helpers/paths';

test('zipEntries lists names and sizes exactly as Python zipfile wrote them (comment skipped)', () => {
  const file = path.join(tempDir('vex-zip-'), 'x.vsix');
  const files: Record<string, string> = { 'extension/package.json': '{}', 'extension/dist/extension.js': 'x'.repeat(5000), 'extension/naïve/é.txt': 'unicode name', '[Content_Types].xml': '<a/>' };
  const ref = runPython<{ name: string; compressedSize: number; size: number }[]>('zip_ref.py', { path: file, files });
  assert.deepEqual(zipEntries(file), ref);
  assert.ok(ref[1].compressedSize < ref[1].size, 'deflated');
});

test('zipEntries says which file is not a zip', () => {
  const file = path.join(tempDir('vex-zip-'), 'not.vsix');
  fs.writeFileSync(file, 'plain text, no central directory'.repeat(3));
  assert.throws(() => zipEntries(file), /not\.vsix: not a zip archive/);
});

/** The file list a good VSIX for target holds. */
function goodList(target: string): string[] {
  const [os, arch] = target.split('-');
  return ['[Content_Types].xml', 'extension.vsixmanifest', 'extension/package.json', 'extension/readme.md', 'extension/changelog.md', 'extension/LICENSE.txt',
    ...['extension', 'inferenceWorker', 'galleryThumbWorker', 'datasetIndexWorker', 'webview/tileViewer', 'webview/dashboard', 'webview/gallery'].map((n) => `extension/dist/${n}.js`),
    'extension/media/logo.png', 'extension/media/activity.svg', 'extension/media/dashboard.css',
    'extension/media/model/demo-unet.onnx', 'extension/media/model/demo-unet.onnx.json', 'extension/media/model/MODEL_CARD.md',
    'extension/training/train.py', 'extension/training/requirements.txt', 'extension/training/ve_training/unet.py',
    `extension/node_modules/onnxruntime-node/bin/napi-v6/${os}/${arch}/onnxruntime_binding.node`,
    `extension/node_modules/onnxruntime-node/bin/napi-v6/${os}/${arch}/${os === 'win32' ? 'onnxruntime.dll' : os === 'darwin' ? 'libonnxruntime.1.30.0.dylib' : 'libonnxruntime.so.1'}`,
    'extension/node_modules/onnxruntime-node/dist/index.js', 'extension/node_modules/onnxruntime-common/package.json', 'extension/node_modules/sharp/package.json',
    `extension/node_modules/@img/sharp-${target}/lib/sharp-${target}-0.35.5.node`,
    os === 'win32' ? `extension/node_modules/@img/sharp-${target}/lib/libvips-42.dll` : `extension/node_modules/@img/sharp-libvips-${target}/lib/libvips-cpp.so.8.18.7`,
  ];
}

test('a complete list passes for every target', () => {
  for (const t of TARGETS) assert.deepEqual(vsixViolations(goodList(t), t), [], t);
});

test('sources, maps, TypeScript, dev dependencies, the CLI and screenshots are flagged', () => {
  const extra = ['extension/src/extension/extension.ts', 'extension/test/unit/a.test.js', 'extension/dist/extension.js.map',
    'extension/node_modules/typescript/lib/tsc.js', 'extension/node_modules/playwright-core/index.js', 'extension/dist/cli.js', 'extension/media/screenshots/a.png'];
  const bad = vsixViolations([...goodList('linux-x64'), ...extra], 'linux-x64');
  for (const e of extra) assert.ok(bad.some((b) => b.startsWith(`${e}:`)), `${e} flagged: ${bad.join('\n')}`);
});

test('a file outside dist/, media/ and node_modules/ (new tooling, data) is flagged', () => {
  const bad = vsixViolations([...goodList('linux-x64'), 'extension/python/train.py', 'extension/.eslintrc.json'], 'linux-x64');
  assert.deepEqual(bad.map((b) => b.split(':')[0]), ['extension/python/train.py', 'extension/.eslintrc.json']);
});

test("another platform's natives are flagged and the target's own missing ones are named", () => {
  const list = [...goodList('linux-x64'), 'extension/node_modules/onnxruntime-node/bin/napi-v6/darwin/arm64/onnxruntime_binding.node', 'extension/node_modules/@img/sharp-win32-x64/lib/libvips-42.dll'];
  const bad = vsixViolations(list, 'linux-x64');
  assert.equal(bad.length, 2, bad.join('\n'));
  // The linux-x64 list packaged as darwin-arm64 (a cross-build): the linux natives are wrong, the darwin ones missing.
  const cross = vsixViolations(goodList('linux-x64'), 'darwin-arm64');
  assert.ok(cross.some((b) => /sharp's linux-x64 natives/.test(b)) && cross.some((b) => /onnxruntime-node's linux-x64 binaries/.test(b)), cross.join('\n'));
  assert.ok(cross.some((b) => /darwin\/arm64\/onnxruntime_binding\.node: missing/.test(b)));
  assert.ok(cross.some((b) => /sharp's darwin-arm64 binding/.test(b)));
});
