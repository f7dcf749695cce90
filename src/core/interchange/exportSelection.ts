/** Exports a selection of tiles (masks, GeoJSON, COCO) to a folder, with progress and cancellation. */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { Annotation } from '../types';
import { CLASS_NAMES } from '../types';
import { isTileId, safeFileName } from '../text';
import { classMaskPngs, instanceMaskPng } from './maskExport';
import { annotationsToGeoJson } from './geojsonExport';
import { toCoco, type CocoTileInput } from './cocoExport';

/** What to write. */
export type ExportKind = 'class-masks' | 'instance-masks' | 'geojson' | 'coco';

/** One tile of the selection; annotations are loaded only when the tile is exported. */
export interface ExportTileRef {
  id: string;
  width?: number;
  height?: number;
  /** Offset of the tile in its whole-slide image, applied to GeoJSON coordinates when wsiCoordinates is set. */
  offset?: [number, number];
  annotations: readonly Annotation[] | (() => Promise<readonly Annotation[]>);
}

export interface ExportOptions {
  outDir: string;
  kinds: readonly ExportKind[];
  /** Called after each tile: done of total, and the tile just written. */
  onProgress?: (done: number, total: number, tileId: string) => void;
  signal?: AbortSignal;
  /** Inside value of binary class masks: 255 (default) or 1. */
  maskOn?: 1 | 255;
  /** Shift GeoJSON by each tile's offset (place annotations on the WSI). */
  wsiCoordinates?: boolean;
}

export interface ExportSummary {
  tiles: number;
  annotations: number;
  /** Paths written, relative to outDir, '/' separated. */
  files: string[];
  /** Ids that are not tile ids, and the file name each was written under (also in manifest.json). */
  renamed: { id: string; name: string }[];
}

/** The name of the export's manifest, written when some id is not a tile id. */
export const EXPORT_MANIFEST = 'manifest.json';

/**
 * Writes, per tile: masks/<class>/<name>.png, masks/instances/<name>.png, geojson/<name>.geojson;
 * and for the whole selection coco.json. <name> is the tile id, or for any other id its
 * safeFileName (listed in manifest.json beside the original), so an id never becomes a path:
 * every file lands inside outDir. Throws the signal's AbortError when cancelled (files already
 * written stay; coco.json is only written once every tile is done).
 */
export async function exportTiles(tiles: readonly ExportTileRef[], opts: ExportOptions): Promise<ExportSummary> {
  const kinds = new Set(opts.kinds);
  const files: string[] = [];
  const coco: CocoTileInput[] = [];
  const renamed: { id: string; name: string }[] = [];
  let annCount = 0;
  const root = path.resolve(opts.outDir);
  const write = async (rel: string, data: string | Buffer): Promise<void> => {
    const abs = path.join(root, ...rel.split('/'));
    // Belt and braces: names are safeFileName's, so this never fires.
    if (path.relative(root, abs).startsWith('..') || path.isAbsolute(path.relative(root, abs))) throw new Error(`export: ${rel} would be written outside ${root}; nothing was written there`);
    await fs.mkdir(path.dirname(abs), { recursive: true });
    await fs.writeFile(abs, data);
    files.push(rel);
  };
  opts.signal?.throwIfAborted();
  for (let k = 0; k < tiles.length; k++) {
    const t = tiles[k];
    const anns = typeof t.annotations === 'function' ? await t.annotations() : t.annotations;
    opts.signal?.throwIfAborted();
    annCount += anns.length;
    const size = { width: t.width ?? 512, height: t.height ?? 512 };
    const name = safeFileName(t.id);
    if (!isTileId(t.id)) renamed.push({ id: t.id, name });
    if (kinds.has('class-masks')) {
      const pngs = classMaskPngs(anns, { ...size, on: opts.maskOn });
      for (const c of CLASS_NAMES) await write(`masks/${c}/${name}.png`, pngs[c]);
    }
    if (kinds.has('instance-masks')) await write(`masks/instances/${name}.png`, instanceMaskPng(anns, size).png);
    if (kinds.has('geojson')) {
      const fc = annotationsToGeoJson(anns, { tileId: t.id, offset: opts.wsiCoordinates ? t.offset : undefined });
      await write(`geojson/${name}.geojson`, JSON.stringify(fc));
    }
    if (kinds.has('coco')) coco.push({ id: t.id, annotations: anns, ...size });
    opts.onProgress?.(k + 1, tiles.length, t.id);
  }
  if (kinds.has('coco')) await write('coco.json', JSON.stringify(toCoco(coco)));
  if (renamed.length > 0) {
    await write(EXPORT_MANIFEST, JSON.stringify({ note: 'Ids that are not 12-hex tile ids are written under a safe file name; id is the original.', renamed }, null, 2));
  }
  return { tiles: tiles.length, annotations: annCount, files, renamed };
}
