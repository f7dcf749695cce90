/** Builds the dataset index: tiles from tile_meta.csv, images in train/ and test/, polygons.jsonl summaries, and every problem. */
import * as path from 'node:path';
import { IMAGE_EXTENSIONS, imageId, POLYGONS_FILE, SPLITS, TILE_META_FILE, WSI_META_FILE } from './datasetLayout';
import { nodeFileReader, type FileReader } from './fileReader';
import { readPolygonsJsonl, zeroCounts } from './polygonsJsonl';
import { readWholeCapped } from './polygonCaps';
import { parseTileMeta } from './tileMetaCsv';
import type { DatasetIndex, Problem, TileRecord, WsiMeta } from '../types';
import { parseWsiMeta } from './wsiMetaCsv';

export interface IndexOptions {
  reader?: FileReader;
  /** Stops the indexing between chunks; the promise then rejects with an AbortError. */
  signal?: AbortSignal;
  /** JSON.parse every polygons.jsonl line instead of scanning the clean ones (the reference road, for tests and benches). */
  parseEveryLine?: boolean;
}

/** The public test tile: present in test/ but, as in the original download, not in tile_meta.csv. */
export const PUBLIC_TEST_TILE = '72e40acccadf';
const EXAMPLES = 5;

function newTile(id: string): TileRecord {
  return { id, counts: zeroCounts(), areas: zeroCounts() };
}

/** Index a dataset folder. Never throws for bad data: every defect becomes a located Problem. */
export async function indexDataset(root: string, options: IndexOptions = {}): Promise<DatasetIndex> {
  const fr = options.reader ?? nodeFileReader;
  const problems: Problem[] = [];
  const tiles = new Map<string, TileRecord>();
  const wsiMeta = new Map<number, WsiMeta>();
  const files: DatasetIndex['files'] = {};
  const stats = { metaRows: 0, trainImages: 0, testImages: 0, polygonLines: 0, annotatedTiles: 0 };

  const [metaStat, polyStat, wsiStat] = await Promise.all([TILE_META_FILE, POLYGONS_FILE, WSI_META_FILE].map((f) => fr.stat(path.join(root, f))));

  // tile_meta.csv: the list of tiles.
  if (metaStat && !metaStat.isDirectory) {
    files.tileMeta = TILE_META_FILE;
    const meta = parseTileMeta((await readWholeCapped(fr, path.join(root, TILE_META_FILE), TILE_META_FILE, metaStat.size, problems)) ?? '', TILE_META_FILE);
    problems.push(...meta.problems);
    stats.metaRows = meta.rows.length;
    for (const r of meta.rows) {
      const t = newTile(r.id);
      t.wsi = r.wsi;
      t.dataset = r.dataset;
      t.i = r.i;
      t.j = r.j;
      t.metaLine = r.line;
      tiles.set(r.id, t);
    }
  } else {
    problems.push({ file: TILE_META_FILE, line: 0, severity: 'warning', code: 'file-missing', message: `${TILE_META_FILE} is missing from ${root}; tiles cannot be grouped by WSI and dataset. Put the competition's tile_meta.csv here.` });
  }

  options.signal?.throwIfAborted();
  // wsi_meta.csv: demographics (optional).
  if (wsiStat && !wsiStat.isDirectory) {
    files.wsiMeta = WSI_META_FILE;
    const w = parseWsiMeta((await readWholeCapped(fr, path.join(root, WSI_META_FILE), WSI_META_FILE, wsiStat.size, problems)) ?? '', WSI_META_FILE);
    problems.push(...w.problems);
    for (const r of w.rows) wsiMeta.set(r.wsi, r);
  }

  // train/ and test/: the images.
  const orphanTrain: string[] = [];
  for (const split of SPLITS) {
    const names = (await fr.readdir(path.join(root, split))).sort();
    for (const name of names) {
      const id = imageId(name);
      if (!id) continue;
      let t = tiles.get(id);
      if (t?.image) {
        problems.push({ file: `${split}/${name}`, line: 0, severity: 'warning', code: 'duplicate-image', message: `Tile ${id} has two images (${t.image} and ${split}/${name}); the first is used. Remove one.` });
        continue;
      }
      if (!t) {
        t = newTile(id);
        tiles.set(id, t);
        if (split === 'test') {
          problems.push({ file: `${split}/${name}`, line: 0, severity: 'info', code: 'test-image-not-in-meta', message: `Test tile ${id} is not in ${TILE_META_FILE}; that is expected for the competition's test images (they have no WSI or dataset).` });
        } else {
          orphanTrain.push(`${split}/${name}`);
        }
      }
      t.image = `${split}/${name}`;
      t.split = split;
      if (split === 'train') stats.trainImages++;
      else stats.testImages++;
    }
  }
  for (const f of orphanTrain) {
    problems.push({ file: f, line: 0, severity: 'warning', code: 'image-not-in-meta', message: `Image ${f} has no row in ${TILE_META_FILE}, so its WSI and dataset are unknown. Add its row or move the image out of train/.` });
  }

  // polygons.jsonl: the annotations.
  const noImage: { id: string; line: number }[] = [];
  let areaHist: DatasetIndex['areaHist'];
  if (polyStat && !polyStat.isDirectory) {
    files.polygons = POLYGONS_FILE;
    options.signal?.throwIfAborted();
    const poly = await readPolygonsJsonl(fr, path.join(root, POLYGONS_FILE), POLYGONS_FILE, { signal: options.signal, parseEveryLine: options.parseEveryLine });
    problems.push(...poly.problems);
    areaHist = poly.areaHist;
    stats.polygonLines = poly.lineCount;
    const hasMeta = files.tileMeta !== undefined;
    for (const pl of poly.lines) {
      let t = tiles.get(pl.id);
      if (!t) {
        t = newTile(pl.id);
        tiles.set(pl.id, t);
      }
      if (hasMeta && t.metaLine === undefined && t.split !== 'test') {
        problems.push({ file: POLYGONS_FILE, line: pl.line, severity: 'warning', code: 'id-not-in-meta', message: `Tile ${pl.id} is annotated here but has no row in ${TILE_META_FILE}; it cannot be placed in a WSI or dataset. Check the id for a typo.` });
      } else if (t.dataset === 3) {
        problems.push({ file: POLYGONS_FILE, line: pl.line, severity: 'warning', code: 'dataset3-annotated', message: `Tile ${pl.id} belongs to dataset 3, which is not annotated in the competition, yet it has annotations here. Check ${TILE_META_FILE}.` });
      }
      t.polygonsLine = pl.line;
      t.polygonsOffset = pl.offset;
      t.polygonsLength = pl.length;
      t.counts = pl.counts;
      t.areas = pl.areas;
      t.polygonStats = pl.stats;
      if (t.image) stats.annotatedTiles++;
      else noImage.push({ id: pl.id, line: pl.line });
    }
  } else {
    problems.push({ file: POLYGONS_FILE, line: 0, severity: 'info', code: 'file-missing', message: `${POLYGONS_FILE} is missing from ${root}; every tile shows as not annotated.` });
  }

  // Grouped problems: a partial download is normal, so one problem each, not thousands.
  if (files.tileMeta) {
    const missing = [...tiles.values()].filter((t) => t.metaLine !== undefined && !t.image);
    if (missing.length > 0) {
      const ex = missing.slice(0, EXAMPLES).map((t) => `${t.id} (line ${t.metaLine})`).join(', ');
      problems.push({
        file: TILE_META_FILE,
        line: missing[0].metaLine ?? 0,
        severity: 'info',
        code: 'images-missing',
        count: missing.length,
        message: `${missing.length} of ${stats.metaRows} tiles in ${TILE_META_FILE} have no image in train/ (e.g. ${ex}). A partial download is normal; they are listed as "image missing" in the tile browser.`,
      });
    }
  }
  if (noImage.length > 0) {
    const ex = noImage.slice(0, EXAMPLES).map((t) => `${t.id} (line ${t.line})`).join(', ');
    problems.push({
      file: POLYGONS_FILE,
      line: noImage[0].line,
      severity: 'info',
      code: 'annotations-without-image',
      count: noImage.length,
      message: `${noImage.length} annotated tiles have no image in train/ (e.g. ${ex}); their annotations are indexed but cannot be drawn until the images are present.`,
    });
  }

  return { root, tiles, problems, wsiMeta, stats, files, ...(areaHist ? { areaHist } : {}) };
}

/** True for a file name the indexer treats as a tile image. */
export function isTileImage(name: string): boolean {
  return IMAGE_EXTENSIONS.includes(path.extname(name).toLowerCase());
}
