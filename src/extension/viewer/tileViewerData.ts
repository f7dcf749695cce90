/**
 * What the tile viewer shows, built without VS Code (so the bench runs it in plain Node): a tile's
 * pixels decoded with sharp plus its polygons as vectors, an LRU of prepared tiles for prefetch,
 * and the slide-context neighbours of a tile.
 */
import * as path from 'node:path';
import { nodeFileReader } from '../../core/dataset';
import { polygonArea } from '../../core/geometry';
import { readTileAnnotations } from '../../core/dataset';
import { decodeTile, readTileInfo, TileImageError, type DecodedTile } from '../../core/image';
import type { Annotation, DatasetIndex, TileRecord } from '../../core/types';
import type { ContextTile, OverlayPolygon, TilePayload } from '../../shared/tileViewerProtocol';

/** Longest side decoded for display: a bigger image is read from a pyramid level or as a region. */
export const VIEW_MAX_SIZE = 2048;

/** Annotations as flat rings with area, bbox and their index in the line. */
export function toOverlay(anns: readonly Annotation[]): OverlayPolygon[] {
  return anns.map((a, k) => {
    let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    const rings = a.rings.map((r) => {
      const flat = new Array<number>(r.length * 2);
      for (let p = 0; p < r.length; p++) {
        const x = r[p][0], y = r[p][1];
        flat[2 * p] = x;
        flat[2 * p + 1] = y;
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        if (y > maxY) maxY = y;
      }
      return flat;
    });
    return { cls: a.type, rings, area: a.area ?? polygonArea(a.rings), bbox: [minX, minY, maxX, maxY], index: a.index ?? k };
  });
}

/** The annotations of a tile from polygons.jsonl, or [] when it has no line. */
export async function tileAnnotations(index: DatasetIndex | undefined, t: TileRecord | undefined): Promise<Annotation[]> {
  if (!index?.files.polygons || !t || t.polygonsOffset === undefined || t.polygonsLength === undefined) return [];
  return readTileAnnotations(nodeFileReader, path.join(index.root, index.files.polygons), { offset: t.polygonsOffset, length: t.polygonsLength });
}

/** Decodes an image for display: whole, a pyramid level, or (for a huge flat image) its top-left region. */
async function decodeForView(file: string): Promise<{ tile: DecodedTile; note?: string }> {
  try {
    const tile = await decodeTile(file, { maxSize: VIEW_MAX_SIZE });
    const note = tile.level > 0 ? `Showing pyramid level ${tile.level} (${tile.width}x${tile.height}) of a ${tile.info.width}x${tile.info.height} image.` : undefined;
    return { tile, note };
  } catch (e) {
    if (!(e instanceof TileImageError) || e.code !== 'too-large') throw e;
    const info = await readTileInfo(file);
    const region = { left: 0, top: 0, width: Math.min(info.width, VIEW_MAX_SIZE), height: Math.min(info.height, VIEW_MAX_SIZE) };
    const tile = await decodeTile(file, { region });
    return { tile, note: `The ${info.width}x${info.height} image has no pyramid levels: showing its top-left ${region.width}x${region.height} region only.` };
  }
}

/** Decodes one tile and reads its polygons; throws TileImageError when the image cannot be shown. */
export async function loadTilePayload(file: string, index?: DatasetIndex, t?: TileRecord): Promise<TilePayload> {
  const t0 = performance.now();
  const [{ tile, note }, anns] = await Promise.all([decodeForView(file), tileAnnotations(index, t)]);
  const rel = index && !path.relative(index.root, file).startsWith('..') ? path.relative(index.root, file).split(path.sep).join('/') : file;
  return {
    id: t?.id ?? path.basename(file).replace(/\.[^.]+$/, ''),
    file: rel,
    // Polygons are in full-resolution pixels of the region shown; a level's pixels are stretched to it.
    width: tile.region.width,
    height: tile.region.height,
    pixelsWidth: tile.width,
    pixelsHeight: tile.height,
    rgba: tile.data,
    polygons: toOverlay(anns),
    line: t?.polygonsLine,
    wsi: t?.wsi,
    dataset: t?.dataset,
    i: t?.i,
    j: t?.j,
    note: note ?? (index && t ? undefined : 'This image is not a tile of the open dataset: no annotations to show.'),
    loadMs: performance.now() - t0,
  };
}

/** A small LRU of prepared tiles by file, with in-flight loads shared (prefetch and show use the same promise). */
export class TilePayloadCache {
  private readonly entries = new Map<string, Promise<TilePayload>>();

  constructor(private readonly capacity = 8) {}

  /** The payload for key, loading it on a miss; a failed load is not kept. */
  get(key: string, load: () => Promise<TilePayload>): Promise<TilePayload> {
    let p = this.entries.get(key);
    if (p) {
      this.entries.delete(key);
      this.entries.set(key, p);
      return p;
    }
    p = load();
    this.entries.set(key, p);
    p.catch(() => this.entries.delete(key));
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
    return p;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  clear(): void {
    this.entries.clear();
  }
}

/** Tiles of the same WSI whose rectangle lies within `reach` px of the centre tile's rectangle (overlaps included). */
export function contextNeighbours(index: DatasetIndex, center: TileRecord, reach = 512, size = 512): TileRecord[] {
  if (center.wsi === undefined || center.i === undefined || center.j === undefined) return [];
  const out: TileRecord[] = [];
  for (const t of index.tiles.values()) {
    if (t === center || t.wsi !== center.wsi || t.i === undefined || t.j === undefined) continue;
    if (Math.abs(t.i - center.i) < size + reach && Math.abs(t.j - center.j) < size + reach) out.push(t);
  }
  return out;
}

/** The slide-context payload: each neighbour's offset, pixels when its image exists, and polygons. */
export async function loadContext(index: DatasetIndex, center: TileRecord, cache: TilePayloadCache, reach = 512): Promise<ContextTile[]> {
  const near = contextNeighbours(index, center, reach);
  return Promise.all(near.map(async (t): Promise<ContextTile> => {
    const dx = t.i! - center.i!, dy = t.j! - center.j!;
    if (t.image) {
      const file = path.join(index.root, t.image);
      try {
        const p = await cache.get(file, () => loadTilePayload(file, index, t));
        return { id: t.id, dx, dy, width: p.width, height: p.height, rgba: p.pixelsWidth === p.width ? p.rgba : undefined, polygons: p.polygons };
      } catch {
        // An unreadable neighbour is drawn as an empty frame; the centre tile is what matters.
      }
    }
    return { id: t.id, dx, dy, width: 512, height: 512, polygons: toOverlay(await tileAnnotations(index, t).catch(() => [])) };
  }));
}
