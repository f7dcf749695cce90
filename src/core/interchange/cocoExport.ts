/** Annotations as COCO JSON: images, categories, polygon annotations with shoelace area and bbox. */
import type { Annotation, ClassName, Ring } from '../types';
import { CLASS_NAMES } from '../types';

export interface CocoImage {
  id: number;
  file_name: string;
  width: number;
  height: number;
}

export interface CocoCategory {
  id: number;
  name: string;
  supercategory?: string;
}

/** COCO compressed or uncompressed RLE (column-major runs). */
export interface CocoRle {
  size: [number, number];
  counts: string | number[];
}

export interface CocoAnnotation {
  id: number;
  image_id: number;
  category_id: number;
  /** Polygons as flat [x1, y1, x2, y2, ...] lists, or RLE. */
  segmentation: number[][] | CocoRle;
  area: number;
  /** [x, y, width, height] of the polygon's extent: width = max x - min x. */
  bbox: [number, number, number, number];
  iscrowd: 0 | 1;
}

export interface CocoDataset {
  info?: Record<string, unknown>;
  images: CocoImage[];
  annotations: CocoAnnotation[];
  categories: CocoCategory[];
}

/** One tile to export. */
export interface CocoTileInput {
  id: string;
  annotations: readonly Annotation[];
  width?: number;
  height?: number;
  /** Defaults to '<id>.tif'. */
  fileName?: string;
}

/** The product's fixed category ids: blood_vessel 1, glomerulus 2, unsure 3. */
export const COCO_CATEGORIES: readonly CocoCategory[] = CLASS_NAMES.map((name, k) => ({ id: k + 1, name, supercategory: 'kidney' }));

/** Absolute shoelace area of a ring (not explicitly closed). */
export function shoelaceArea(ring: Ring): number {
  let s = 0;
  for (let k = 0, m = ring.length - 1; k < ring.length; m = k++) s += ring[m][0] * ring[k][1] - ring[k][0] * ring[m][1];
  return Math.abs(s) / 2;
}

/** The ring as COCO's flat [x1, y1, ...], closed like the real Kaggle/Detectron2 exports (first point repeated). */
export function ringToCocoPolygon(ring: Ring): number[] {
  const out: number[] = [];
  for (const [x, y] of ring) out.push(x, y);
  if (ring.length > 0) {
    const [fx, fy] = ring[0], [lx, ly] = ring[ring.length - 1];
    if (fx !== lx || fy !== ly) out.push(fx, fy);
  }
  return out;
}

/** COCO dataset of the given tiles; image ids are 1-based in input order. */
export function toCoco(tiles: readonly CocoTileInput[], info: Record<string, unknown> = {}): CocoDataset {
  const catId = new Map<ClassName, number>(COCO_CATEGORIES.map((c) => [c.name as ClassName, c.id]));
  const images: CocoImage[] = [];
  const annotations: CocoAnnotation[] = [];
  tiles.forEach((t, k) => {
    const imageId = k + 1;
    images.push({ id: imageId, file_name: t.fileName ?? `${t.id}.tif`, width: t.width ?? 512, height: t.height ?? 512 });
    for (const a of t.annotations) {
      const rings = a.rings.filter((r) => r.length >= 3);
      if (rings.length === 0) continue;
      let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
      for (const r of rings) for (const [x, y] of r) {
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        if (y > maxY) maxY = y;
      }
      annotations.push({
        id: annotations.length + 1,
        image_id: imageId,
        category_id: catId.get(a.type) ?? 3,
        segmentation: rings.map(ringToCocoPolygon),
        // Rings of one annotation are separate parts in COCO (no holes), so their areas add up.
        area: rings.reduce((s, r) => s + shoelaceArea(r), 0),
        bbox: [minX, minY, maxX - minX, maxY - minY],
        iscrowd: 0,
      });
    }
  });
  return { info: { description: 'Exported by Vasculature Explorer', date_created: new Date().toISOString(), ...info }, images, annotations, categories: COCO_CATEGORIES.map((c) => ({ ...c })) };
}
