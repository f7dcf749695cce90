/** Writes a synthetic dataset folder in the competition's layout (train/, test/, polygons.jsonl, tile_meta.csv, wsi_meta.csv). */
import * as fs from 'fs';
import * as path from 'path';
import sharp from 'sharp';
import { createRng } from './prng';
import { makeTilePolygons, planAnnotations, polygonsLine, SyntheticPolygon } from './syntheticAnnotations';
import { planTiles, REAL_TILE_COUNT, TEST_TILE_ID } from './syntheticPlan';
import { drawPolygons, renderTexture, RgbTile, shiftedCopy } from './tileTexture';

/** Bump when the output for the same parameters changes, so old folders get regenerated. */
export const GENERATOR_VERSION = 1;
/** The marker file that records the parameters of a finished generation. */
export const MARKER_FILE = '.synthetic.json';

export type ImageMode = 'render' | 'link' | 'none';

export interface SyntheticOptions {
  /** Output folder (created). */
  out: string;
  /** Number of tiles in tile_meta.csv; default 7033, the real count. */
  tiles?: number;
  seed?: number;
  images?: ImageMode;
  /**
   * Pool size: textures rendered once, and as many finished images. 'render' draws each annotated
   * tile (and the test tile) onto a shifted pool texture with its own polygons and hardlinks the
   * unannotated tiles to pool images; 'link' hardlinks every tile to a pool image.
   */
  poolSize?: number;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

export interface SyntheticResult {
  /** True when the folder already held this exact generation (nothing was written). */
  upToDate: boolean;
  seconds: number;
  tiles: number;
  polygonLines: number;
  polygons: number;
  images: number;
}

interface Marker {
  generator: number;
  tiles: number;
  seed: number;
  images: ImageMode;
  poolSize: number;
  polygonLines?: number;
  polygons?: number;
  imagesWritten?: number;
  seconds?: number;
}

const OWNED = ['train', 'test', '.pool', 'polygons.jsonl', 'tile_meta.csv', 'wsi_meta.csv', MARKER_FILE];
const RAW = { raw: { width: 512, height: 512, channels: 3 as const } };

function readMarker(out: string): Marker | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(out, MARKER_FILE), 'utf8')) as Marker;
  } catch {
    return undefined;
  }
}

/** Removes what an earlier generation wrote; refuses a folder that holds anything else. */
function clearOutput(out: string): void {
  if (!fs.existsSync(out)) return;
  const foreign = fs.readdirSync(out).filter((n) => !OWNED.includes(n));
  if (foreign.length > 0) {
    throw new Error(
      `${out} holds files the synthetic generator did not write (${foreign.slice(0, 5).join(', ')}); ` +
        'choose an empty or new folder for --out.',
    );
  }
  for (const n of OWNED) fs.rmSync(path.join(out, n), { recursive: true, force: true });
}

async function writeTiff(px: RgbTile, file: string): Promise<void> {
  await sharp(px, RAW).tiff({ compression: 'lzw' }).toFile(file);
}

/** Demographics-like rows for WSIs 1-4 (invented values, same columns as the real file). */
function wsiMetaCsv(seed: number): string {
  const rng = createRng(seed, 'wsi-meta');
  const rows = ['source_wsi,age,sex,race,height,weight,bmi'];
  for (let w = 1; w <= 4; w++) {
    const height = rng.range(150, 190);
    const weight = rng.range(50, 130);
    const bmi = weight / (height / 100) ** 2;
    rows.push([w, 45 + rng.int(35), rng.next() < 0.5 ? 'F' : 'M', rng.next() < 0.7 ? 'W' : 'B', height.toFixed(1), weight.toFixed(1), bmi.toFixed(1)].join(','));
  }
  return rows.join('\n') + '\n';
}

/** Runs async jobs with at most `limit` in flight. */
function jobQueue(limit: number): { add(job: () => Promise<void>): Promise<void>; drain(): Promise<void> } {
  const running = new Set<Promise<void>>();
  return {
    async add(job) {
      while (running.size >= limit) await Promise.race(running);
      const p = job().finally(() => running.delete(p));
      running.add(p);
    },
    async drain() {
      await Promise.all(running);
    },
  };
}

/** Generates the dataset; a folder that already holds the same parameters is left as is (upToDate). */
export async function writeSyntheticDataset(options: SyntheticOptions): Promise<SyntheticResult> {
  const t0 = Date.now();
  const tiles = options.tiles ?? REAL_TILE_COUNT;
  const seed = options.seed ?? 1;
  const images = options.images ?? 'render';
  const poolSize = options.poolSize ?? 64;
  const log = options.log ?? (() => undefined);
  if (!Number.isInteger(tiles) || tiles < 20) throw new Error(`--tiles must be an integer >= 20 (got ${tiles}).`);
  const out = path.resolve(options.out);
  const wanted: Marker = { generator: GENERATOR_VERSION, tiles, seed, images, poolSize };
  const old = readMarker(out);
  if (old && (['generator', 'tiles', 'seed', 'images', 'poolSize'] as const).every((k) => old[k] === wanted[k])) {
    log(`${out} already holds this synthetic set (${tiles} tiles, seed ${seed}, images ${images}); nothing to do.`);
    return { upToDate: true, seconds: (Date.now() - t0) / 1000, tiles, polygonLines: old.polygonLines ?? 0, polygons: old.polygons ?? 0, images: old.imagesWritten ?? 0 };
  }
  clearOutput(out);
  fs.mkdirSync(out, { recursive: true });

  const plan = planTiles(tiles, seed);
  const annotations = planAnnotations(plan, seed);
  const rng = createRng(seed, 'images');
  let pool: RgbTile[] = [];
  const poolFiles: string[] = [];
  if (images !== 'none') {
    fs.mkdirSync(path.join(out, 'train'));
    fs.mkdirSync(path.join(out, 'test'));
    for (let k = 0; k < poolSize; k++) pool.push(renderTexture(seed, k));
    log(`rendered ${poolSize} pool textures in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    // The pool of finished images: every tile in 'link' mode, and the unannotated (dataset 3)
    // tiles in 'render' mode, are hardlinks to one of these (encoding each of 7033 tiles costs
    // ~30 ms of CPU each: 5400 hardlinks instead save ~3 of ~4 minutes on 2 cores).
    fs.mkdirSync(path.join(out, '.pool'));
    for (let k = 0; k < poolSize; k++) {
      const px = shiftedCopy(pool[k], 0, 0);
      const fake = { blood_vessel: rng.int(10), glomerulus: rng.next() < 0.08 ? 1 : 0, unsure: 0, duplicates: 0 };
      drawPolygons(px, makeTilePolygons(`pool-${k}`, fake, seed), rng);
      const f = path.join(out, '.pool', `pool_${String(k).padStart(3, '0')}.tif`);
      await writeTiff(px, f);
      poolFiles.push(f);
    }
    if (images === 'link') pool = [];
  }

  const queue = jobQueue(4);
  const imageFor = async (polygons: readonly SyntheticPolygon[], file: string): Promise<void> => {
    if (images === 'link' || (images === 'render' && polygons.length === 0)) {
      fs.linkSync(poolFiles[rng.int(poolFiles.length)], file);
    } else if (images === 'render') {
      const px = shiftedCopy(pool[rng.int(pool.length)], rng.int(512), rng.int(512));
      drawPolygons(px, polygons, rng);
      await queue.add(() => writeTiff(px, file));
    }
  };

  const jsonl = fs.openSync(path.join(out, 'polygons.jsonl'), 'w');
  const meta: string[] = ['id,source_wsi,dataset,i,j'];
  const pad = (v: number): string => String(v).padStart(5, '0');
  let buffered: string[] = [];
  let polygonLines = 0;
  let polygons = 0;
  let imagesWritten = 0;
  let nextReport = 0;
  for (let k = 0; k < plan.length; k++) {
    const t = plan[k];
    meta.push(`${t.id},${t.wsi},${t.dataset},${pad(t.i)},${pad(t.j)}`);
    const a = annotations.get(t.id);
    const polys = a ? makeTilePolygons(t.id, a, seed) : [];
    if (a) {
      buffered.push(polygonsLine(t.id, polys));
      polygonLines++;
      polygons += polys.length;
      if (buffered.length >= 256) {
        fs.writeSync(jsonl, buffered.join('\n') + '\n');
        buffered = [];
      }
    }
    if (images !== 'none') {
      await imageFor(polys, path.join(out, 'train', `${t.id}.tif`));
      imagesWritten++;
    }
    if (k >= nextReport) {
      log(`tiles ${k}/${plan.length} (${Math.round((100 * k) / plan.length)}%), ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      nextReport += Math.max(1, Math.round(plan.length / 10));
    }
  }
  if (buffered.length > 0) fs.writeSync(jsonl, buffered.join('\n') + '\n');
  fs.closeSync(jsonl);
  if (images !== 'none') {
    // The test tile gets its own image, with unlabelled vessels drawn.
    const fake = { blood_vessel: 8, glomerulus: 0, unsure: 0, duplicates: 0 };
    const testFile = path.join(out, 'test', `${TEST_TILE_ID}.tif`);
    if (images === 'render') await imageFor(makeTilePolygons(TEST_TILE_ID, fake, seed), testFile);
    else await imageFor([], testFile);
    imagesWritten++;
  }
  await queue.drain();
  fs.writeFileSync(path.join(out, 'tile_meta.csv'), meta.join('\n') + '\n');
  fs.writeFileSync(path.join(out, 'wsi_meta.csv'), wsiMetaCsv(seed));
  const seconds = (Date.now() - t0) / 1000;
  const done: Marker = { ...wanted, polygonLines, polygons, imagesWritten, seconds };
  fs.writeFileSync(path.join(out, MARKER_FILE), JSON.stringify(done, null, 1) + '\n');
  log(`wrote ${tiles} tiles, ${polygonLines} polygon lines, ${polygons} polygons, ${imagesWritten} images to ${out} in ${seconds.toFixed(1)} s`);
  return { upToDate: false, seconds, tiles, polygonLines, polygons, images: imagesWritten };
}
