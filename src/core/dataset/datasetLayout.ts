/** Recognises the competition's folder layout. */
import * as path from 'node:path';
import type { FileReader } from './fileReader';

export const POLYGONS_FILE = 'polygons.jsonl';
export const TILE_META_FILE = 'tile_meta.csv';
export const WSI_META_FILE = 'wsi_meta.csv';
export const IMAGE_EXTENSIONS = ['.tif', '.tiff', '.png'];
export const SPLITS = ['train', 'test'] as const;

/** True when the folder holds polygons.jsonl or tile_meta.csv (the marks of the competition layout). */
export async function isDatasetFolder(fr: FileReader, folder: string): Promise<boolean> {
  for (const f of [POLYGONS_FILE, TILE_META_FILE]) {
    const s = await fr.stat(path.join(folder, f));
    if (s && !s.isDirectory) return true;
  }
  return false;
}

/** Find dataset folders at `folder` or up to `depth` levels below it (skipping node_modules and dot folders). */
export async function findDatasetFolders(fr: FileReader, folder: string, depth = 2): Promise<string[]> {
  if (await isDatasetFolder(fr, folder)) return [folder];
  if (depth <= 0) return [];
  const out: string[] = [];
  for (const name of (await fr.readdir(folder)).sort()) {
    if (name.startsWith('.') || name === 'node_modules' || SPLITS.includes(name as 'train')) continue;
    const sub = path.join(folder, name);
    const s = await fr.stat(sub);
    if (s?.isDirectory) out.push(...(await findDatasetFolders(fr, sub, depth - 1)));
  }
  return out;
}

/** The tile id of an image file name, or undefined when it is not an image. */
export function imageId(name: string): string | undefined {
  const ext = path.extname(name).toLowerCase();
  return IMAGE_EXTENSIONS.includes(ext) ? name.slice(0, -ext.length) : undefined;
}
