/** Lists a zip archive (a .vsix) from its central directory: name, compressed and uncompressed size. No extraction. */
import * as fs from 'node:fs';

export interface ZipEntry {
  name: string;
  compressedSize: number;
  size: number;
}

/** The entries of the zip file at file, in archive order; throws with the file name when it is not a zip. */
export function zipEntries(file: string): ZipEntry[] {
  const buf = fs.readFileSync(file);
  // End of central directory: signature 0x06054b50, at most 65535 bytes of comment after it.
  let eocd = -1;
  for (let k = buf.length - 22; k >= Math.max(0, buf.length - 22 - 65535); k--) {
    if (buf.readUInt32LE(k) === 0x06054b50) { eocd = k; break; }
  }
  if (eocd < 0) throw new Error(`${file}: not a zip archive (no end-of-central-directory record)`);
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const out: ZipEntry[] = [];
  for (let k = 0; k < count; k++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error(`${file}: central directory entry ${k} is damaged (offset ${p})`);
    const compressedSize = buf.readUInt32LE(p + 20);
    const size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    out.push({ name: buf.toString('utf8', p + 46, p + 46 + nameLen), compressedSize, size });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

/** The platforms a VSIX can target with natives (sharp's @img packages, onnxruntime-node's bin/napi-v6/<os>/<arch>). */
export const TARGETS = ['linux-x64', 'linux-arm64', 'darwin-x64', 'darwin-arm64', 'win32-x64', 'win32-arm64'] as const;

/** What the VSIX must and must not hold for target; returns one message per violation (empty = the archive is as intended). */
export function vsixViolations(names: readonly string[], target = 'linux-x64'): string[] {
  const [os, arch] = target.split('-');
  const bad: string[] = [];
  const forbidden: [RegExp, string][] = [
    [/^extension\/(src|test|bench|scripts|webview|out|cli|docs)\//, 'sources, tests or tooling'],
    [/\.map$/, 'a source map'],
    [/\.ts$/, 'a TypeScript source'],
    [/^extension\/dist\/cli\.js$/, 'the CLI (its own package: cli/)'],
    [/^extension\/node_modules\/(typescript|esbuild|@esbuild|playwright-core|mocha|@types|@vscode\/vsce|@vscode\/test-electron|chart\.js|@vscode\/webview-ui-toolkit)\//, 'a dev dependency or a library the webview bundles already hold'],
    [/^extension\/media\/screenshots\//, 'README screenshots'],
    [/^extension\/\.vscode-test\//, 'the test VS Code'],
  ];
  for (const other of TARGETS.filter((t) => t !== target)) {
    const [o, a] = other.split('-');
    forbidden.push([new RegExp(`/napi-v6/${o}/${a}/`), `onnxruntime-node's ${other} binaries`]);
    forbidden.push([new RegExp(`/@img/sharp-(libvips-)?${other}/`), `sharp's ${other} natives`]);
  }
  for (const n of names) for (const [re, what] of forbidden) if (re.test(n)) bad.push(`${n}: ${what} must not be in the ${target} VSIX`);
  // Only what the extension needs at run time: a new top-level folder (tooling, data) fails here
  // until it is added to .vscodeignore (or, if the extension loads it, to this list).
  // training/: the Python program Train Baseline Model runs (extension/training/train.py), not a source file.
  const allowed = /^(\[Content_Types\]\.xml|extension\.vsixmanifest|extension\/(package\.json|readme\.md|changelog\.md|LICENSE\.txt|dist\/.+|media\/.+|node_modules\/.+|training\/(README\.md|requirements\.txt|train\.py|ve_training\/[A-Za-z_]+\.py)))$/;
  for (const n of names) if (!allowed.test(n)) bad.push(`${n}: not a file the extension needs at run time (add it to .vscodeignore, or to the allowed list in scripts/zipEntries.ts if the extension loads it)`);
  const required = [
    'extension/package.json',
    'extension/readme.md',
    'extension/changelog.md',
    'extension/LICENSE.txt',
    'extension/dist/extension.js',
    'extension/dist/inferenceWorker.js',
    'extension/dist/galleryThumbWorker.js',
    'extension/dist/datasetIndexWorker.js',
    'extension/dist/webview/tileViewer.js',
    'extension/dist/webview/dashboard.js',
    'extension/dist/webview/gallery.js',
    'extension/media/logo.png',
    'extension/media/activity.svg',
    'extension/media/dashboard.css',
    'extension/media/model/demo-unet.onnx',
    'extension/media/model/demo-unet.onnx.json',
    'extension/media/model/MODEL_CARD.md',
    'extension/training/train.py',
    'extension/training/requirements.txt',
    `extension/node_modules/onnxruntime-node/bin/napi-v6/${os}/${arch}/onnxruntime_binding.node`,
    'extension/node_modules/onnxruntime-node/dist/index.js',
    'extension/node_modules/onnxruntime-common/package.json',
    'extension/node_modules/sharp/package.json',
  ];
  const have = new Set(names);
  for (const r of required) if (!have.has(r)) bad.push(`${r}: missing from the VSIX`);
  const natives: [RegExp, string][] = [
    [new RegExp(`^extension/node_modules/@img/sharp-${target}/lib/sharp-${target}-[\\d.]+\\.node$`), `sharp's ${target} binding`],
    [new RegExp(`^extension/node_modules/@img/sharp-(libvips-)?${target}/lib/(lib)?vips`), `sharp's libvips for ${target}`],
    [new RegExp(`^extension/node_modules/onnxruntime-node/bin/napi-v6/${os}/${arch}/(lib)?onnxruntime\\.`), `onnxruntime for ${target}`],
  ];
  for (const [re, what] of natives) if (!names.some((n) => re.test(n))) bad.push(`${what} (${re.source}) is missing from the VSIX`);
  return bad;
}
