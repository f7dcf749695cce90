/** COCO instances JSON per fold split, built from interchange's toCoco once per tile and joined as text (memory stays small). */
import * as fs from 'node:fs/promises';
import { toCoco, type CocoCategory } from '../interchange';
import type { Annotation, ClassName } from '../types';
import { COCO_CATEGORIES } from '../interchange';

/** One tile's COCO entries, serialised. */
export interface CocoTileText {
  image: string;
  annotations: string[];
}

/** The COCO image and annotation JSON of one tile, with global ids (image id, next annotation id). */
export function cocoTile(id: string, fileName: string, instances: readonly Annotation[], imageId: number, firstAnnId: number, size = 512): CocoTileText {
  const c = toCoco([{ id, annotations: instances, fileName, width: size, height: size }]);
  const img = { ...c.images[0], id: imageId };
  return {
    image: JSON.stringify(img),
    annotations: c.annotations.map((a, k) => JSON.stringify({ ...a, id: firstAnnId + k, image_id: imageId })),
  };
}

/** The categories of the classes written (the product's fixed COCO ids: blood_vessel 1, glomerulus 2, unsure 3). */
export function cocoCategories(classes: readonly ClassName[]): CocoCategory[] {
  return COCO_CATEGORIES.filter((c) => classes.includes(c.name as ClassName)).map((c) => ({ ...c }));
}

/** Writes a COCO dataset file from serialised tiles in ~1 MiB pieces (the whole text is never held at once). */
export async function writeCocoFile(file: string, tiles: readonly CocoTileText[], categories: readonly CocoCategory[], info: Record<string, unknown>): Promise<void> {
  const fh = await fs.open(file, 'w');
  try {
    let buf = '';
    const put = async (s: string) => {
      buf += s;
      if (buf.length >= 1 << 20) { await fh.write(buf); buf = ''; }
    };
    await put(`{"info":${JSON.stringify(info)},"images":[`);
    for (let k = 0; k < tiles.length; k++) await put((k ? ',' : '') + tiles[k].image);
    await put('],"annotations":[');
    let first = true, annId = 1;
    for (const t of tiles) {
      for (const a of t.annotations) {
        // The stored annotation starts with its placeholder id: the file's own id replaces it.
        await put(`${first ? '' : ','}{"id":${annId++},${a.slice(a.indexOf(',') + 1)}`);
        first = false;
      }
    }
    await put(`],"categories":${JSON.stringify(categories)}}`);
    await fh.write(buf);
  } finally {
    await fh.close();
  }
}
