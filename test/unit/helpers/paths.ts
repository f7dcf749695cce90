/** Paths the unit tests share: the repo root and ../shared beside it. */
import * as path from 'node:path';
import * as fs from 'node:fs';
import * as os from 'node:os';

/** The repository root (tests run from out/test/unit/...). */
export const REPO_ROOT = (() => {
  let d = __dirname;
  while (!fs.existsSync(path.join(d, 'package.json'))) d = path.dirname(d);
  return d;
})();
export const SHARED = path.resolve(REPO_ROOT, '..', 'shared');
export const SAMPLE = path.join(SHARED, 'data', 'hhv-sample');
export const VARIANTS = path.join(SHARED, 'data', 'variants');
export const BAD_INPUTS = path.join(SHARED, 'data', 'bad-inputs');
/** Debian's python3, which has numpy, Pillow, OpenCV and torch (the first python3 on PATH may not). */
export const PYTHON = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

/** A fresh temporary folder. */
export function tempDir(prefix = 'vex-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Copy a dataset folder's csv/jsonl files and link its images into a writable temp copy. */
export function copyDataset(src: string = SAMPLE): string {
  const dst = tempDir('vex-ds-');
  for (const f of ['tile_meta.csv', 'wsi_meta.csv', 'polygons.jsonl']) {
    if (fs.existsSync(path.join(src, f))) fs.copyFileSync(path.join(src, f), path.join(dst, f));
  }
  for (const split of ['train', 'test']) {
    const s = path.join(src, split);
    if (!fs.existsSync(s)) continue;
    fs.mkdirSync(path.join(dst, split));
    for (const n of fs.readdirSync(s)) fs.symlinkSync(path.join(s, n), path.join(dst, split, n));
  }
  return dst;
}
