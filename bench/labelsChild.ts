/**
 * Child process of the labels bench: one clean measurement per process, peak memory from the kernel.
 * Usage: node out/bench/labelsChild.js floor|floorWrite|labels <root> <out>; prints one JSON line.
 * floorWrite: the floor, and each PNG written to out/masks/<id>.png and the tile's image linked (the files' own cost, for reference).
 * The index is built first and not timed in both modes (in the extension it is already there;
 * the CLI builds it: its time is reported beside). floor: the same blood_vessel masks (same tiles, same polygons, read and parsed beforehand, untimed)
 * rasterised and PNG-encoded with sharp, nothing written. labels: the whole run: masks (one class, value 1) + YOLO + COCO for 5 folds + folds/manifest, images linked.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { indexDataset } from '../src/core/dataset/datasetIndex';
import { DEFAULT_LABEL_OPTIONS } from '../src/core/labels/labelOptions';
import { classMask } from '../src/core/labels/labelRaster';
import { greyPng } from '../src/core/labels/pngEncode';
import { prepareLabels, selectTiles } from '../src/core/labels/prepareLabels';
import { tileLabels } from '../src/core/labels/tileLabels';

export interface LabelsChildResult {
  ms: number;
  cpuMs: number;
  /** Peak resident memory of the process (VmHWM), bytes. */
  peakBytes: number;
  tiles: number;
  masks: number;
  /** PNG bytes encoded (floor) or files written (labels). */
  outputs: number;
  /** labels: the untimed indexing before the run (in the extension the index is already there). */
  indexMs?: number;
}

function peakBytes(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : process.memoryUsage().rss;
}

async function main(): Promise<void> {
  const [mode, root, out] = process.argv.slice(2);
  const opts = DEFAULT_LABEL_OPTIONS;
  let result: LabelsChildResult;
  if (mode === 'floor' || mode === 'floorWrite') {
    const write = mode === 'floorWrite';
    if (write) { fs.rmSync(out, { recursive: true, force: true }); fs.mkdirSync(path.join(out, 'masks'), { recursive: true }); fs.mkdirSync(path.join(out, 'images')); }
    const index = await indexDataset(root);
    const { tiles } = selectTiles(index, opts);
    const text = fs.readFileSync(path.join(root, 'polygons.jsonl'));
    const anns = tiles.map((t) => tileLabels((JSON.parse(text.toString('utf8', t.polygonsOffset!, t.polygonsOffset! + t.polygonsLength!)) as { annotations: unknown[] }).annotations, { classes: ['blood_vessel'], unsure: 'drop', dedupe: false }).instances);
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    let next = 0, bytes = 0;
    // The same concurrency as the export: 8 tiles in flight on sharp's thread pool.
    await Promise.all(Array.from({ length: 8 }, async () => {
      while (next < anns.length) {
        const k = next++;
        const png = await greyPng(classMask(anns[k], 'blood_vessel', 1), 512);
        bytes += png.length;
        if (write) {
          fs.writeFileSync(path.join(out, 'masks', `${tiles[k].id}.png`), png);
          fs.symlinkSync(path.join(root, tiles[k].image!), path.join(out, 'images', `${tiles[k].id}.tif`));
        }
      }
    }));
    const c = process.cpuUsage(c0);
    result = { ms: performance.now() - t0, cpuMs: (c.user + c.system) / 1000, peakBytes: peakBytes(), tiles: anns.length, masks: anns.length, outputs: bytes };
  } else {
    fs.rmSync(out, { recursive: true, force: true });
    const i0 = performance.now();
    const index = await indexDataset(root);
    const indexMs = performance.now() - i0;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const r = await prepareLabels({ root, out, options: opts, index });
    const c = process.cpuUsage(c0);
    const masks = fs.readdirSync(path.join(out, 'masks', 'blood_vessel')).length;
    result = { ms: performance.now() - t0, cpuMs: (c.user + c.system) / 1000, peakBytes: peakBytes(), tiles: r.manifest.counts.tiles, masks, outputs: r.manifest.counts.files, indexMs };
  }
  console.log(JSON.stringify(result));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : String(e));
  process.exit(1);
});
