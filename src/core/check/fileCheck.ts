/** Checks one file of any kind users bring (submission, COCO, tile_meta, wsi_meta, polygons.jsonl, a tile image) with located problems. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { crossCheckCocoFileNames } from '../interchange';
import { parseCoco } from '../interchange';
import { parseCsv } from '../text';
import { indexDataset } from '../dataset';
import { isDatasetFolder } from '../dataset';
import { nodeFileReader } from '../dataset';
import { readPolygonsJsonl, readTileAnnotations } from '../dataset';
import { parseSubmissionCsv } from '../metric';
import { limits, raiseHint } from '../limits';
import { parseTileMeta } from '../dataset';
import { decodeTile, TileImageError } from '../image';
import type { Annotation, Problem } from '../types';
import { parseWsiMeta } from '../dataset';

export type CheckedKind = 'submission' | 'coco' | 'tile_meta' | 'wsi_meta' | 'polygons' | 'tile_image_stats' | 'image' | 'unknown';

export interface FileCheckResult {
  kind: CheckedKind;
  /** A one-line summary of what was read. */
  summary: string;
  problems: Problem[];
}

/** Which kind of CSV a header line names. */
export function csvKind(header: string[]): CheckedKind {
  const h = header.map((s) => s.trim().toLowerCase());
  if (h.includes('prediction_string')) return 'submission';
  if (h.includes('source_wsi') && h.includes('dataset')) return 'tile_meta';
  if (h.includes('source_wsi') && (h.includes('age') || h.includes('bmi'))) return 'wsi_meta';
  if (h.includes('img_id') && (h.includes('img_mean') || h.includes('img_shape'))) return 'tile_image_stats';
  return 'unknown';
}

/** The dataset folder to cross-check against: the given one, else the file's own folder when it is one. */
async function datasetFor(file: string, dataset?: string): Promise<string | undefined> {
  if (dataset) return dataset;
  const dir = path.dirname(file);
  return (await isDatasetFolder(nodeFileReader, dir)) ? dir : undefined;
}

/** Check one file; never throws for bad content. `dataset` is a dataset folder to cross-check ids and polygons against. */
export async function checkFile(absPath: string, opts: { dataset?: string } = {}): Promise<FileCheckResult> {
  const name = path.basename(absPath);
  const ext = path.extname(name).toLowerCase();
  const rel = name;
  if (['.tif', '.tiff', '.png', '.jpg', '.jpeg'].includes(ext)) {
    try {
      const t = await decodeTile(absPath);
      const problems: Problem[] = [];
      if (t.width !== 512 || t.height !== 512) problems.push({ file: rel, line: 0, severity: 'warning', code: 'tile-size', message: `${name} is ${t.width}x${t.height}; competition tiles are 512x512. Polygons and masks assume 512x512.` });
      return { kind: 'image', summary: `${name}: ${t.width}x${t.height} image`, problems };
    } catch (e) {
      const msg = e instanceof TileImageError || e instanceof Error ? e.message : String(e);
      return { kind: 'image', summary: `${name}: unreadable image`, problems: [{ file: rel, line: 0, severity: 'error', code: 'image-unreadable', message: msg }] };
    }
  }
  if (ext === '.jsonl') { // streamed line by line, never read whole
    const r = await readPolygonsJsonl(nodeFileReader, absPath, rel);
    return { kind: 'polygons', summary: `${name}: ${r.lineCount} lines, ${r.lines.length} usable`, problems: r.problems };
  }
  // Files read whole (CSV, COCO JSON) share the submission file cap.
  const size = (await fs.promises.stat(absPath)).size;
  if (size > limits().submissionFileBytes) {
    return { kind: 'unknown', summary: `${name}: not read (${size} bytes)`, problems: [{ file: rel, line: 0, severity: 'error', code: 'file-too-large', message: `${name} is ${size} bytes; it was not read: ${raiseHint('submissionFileBytes')}.` }] };
  }
  const text = await fs.promises.readFile(absPath, 'utf8');
  if (ext === '.csv') {
    const first = parseCsv(text.split(/\r?\n/, 1)[0] ?? '')[0]?.fields ?? [];
    const kind = csvKind(first);
    const root = await datasetFor(absPath, opts.dataset);
    switch (kind) {
      case 'submission': {
        const index = root ? await indexDataset(root) : undefined;
        const r = parseSubmissionCsv(text, { file: rel, knownIds: index ? new Set(index.tiles.keys()) : undefined });
        const preds = r.rows.reduce((a, row) => a + row.predictions.length, 0);
        return { kind, summary: `${name}: submission with ${r.rows.length} rows, ${preds} decoded predictions`, problems: r.problems };
      }
      case 'tile_meta': {
        const r = parseTileMeta(text, rel);
        return { kind, summary: `${name}: tile_meta with ${r.rows.length} tiles`, problems: r.problems };
      }
      case 'wsi_meta': {
        const r = parseWsiMeta(text, rel);
        return { kind, summary: `${name}: wsi_meta with ${r.rows.length} WSIs`, problems: r.problems };
      }
      case 'tile_image_stats': {
        const rows = parseCsv(text).length - 1;
        return { kind, summary: `${name}: per-tile image statistics, ${rows} rows`, problems: [{ file: rel, line: 1, severity: 'info', code: 'not-a-competition-file', message: `${name} is a per-tile image statistics table (${first.join(',')}), not a competition file; Vasculature Explorer computes what it needs from the images. Name it anything but tile_meta.csv.` }] };
      }
      default:
        return { kind, summary: `${name}: unrecognised CSV`, problems: [{ file: rel, line: 1, severity: 'error', code: 'header', message: `${name} has columns "${first.join(',')}", which match no known file: submission.csv (id,height,width,prediction_string), tile_meta.csv (id,source_wsi,dataset,i,j) or wsi_meta.csv (source_wsi,age,sex,race,height,weight,bmi).` }] };
    }
  }
  if (ext === '.json') {
    const coco = parseCoco(text, rel);
    const problems = [...coco.problems];
    const root = await datasetFor(absPath, opts.dataset);
    let summary = `${name}: COCO with ${coco.images.length} images, ${coco.stats.annotations} annotations`;
    if (root) {
      const index = await indexDataset(root);
      const ref = new Map<string, Annotation[]>();
      const lines = new Map<string, number>();
      const poly = path.join(root, 'polygons.jsonl');
      for (const t of index.tiles.values()) {
        if (t.polygonsOffset === undefined || t.polygonsLength === undefined) continue;
        ref.set(t.id, await readTileAnnotations(nodeFileReader, poly, { offset: t.polygonsOffset, length: t.polygonsLength }));
        if (t.polygonsLine !== undefined) lines.set(t.id, t.polygonsLine);
      }
      const cc = crossCheckCocoFileNames(coco, ref, { referenceFile: 'polygons.jsonl', referenceLines: lines });
      problems.push(...cc.problems);
      summary += `; ${cc.checked} images cross-checked against ${root}/polygons.jsonl, ${cc.mismatches.length} file_name mismatches`;
    }
    return { kind: 'coco', summary, problems };
  }
  return { kind: 'unknown', summary: `${name}: not a file kind Vasculature Explorer checks`, problems: [{ file: rel, line: 0, severity: 'error', code: 'unknown-file', message: `${name} is not a submission/tile_meta/wsi_meta CSV, a polygons .jsonl, a COCO .json or a tile image.` }] };
}
