/** Loads what Predict and scoring need from an indexed dataset: a tile's pixels and its annotations. */
import * as path from 'node:path';
import { nodeFileReader, type FileReader } from '../dataset';
import { readTileAnnotations } from '../dataset';
import type { TileInput } from './pipeline';
import { decodeTile } from '../image';
import type { Annotation, DatasetIndex } from '../types';

/** The tile's annotations, or undefined when polygons.jsonl has no line for it (not annotated). */
export async function tileAnnotations(index: DatasetIndex, tileId: string, reader: FileReader = nodeFileReader): Promise<Annotation[] | undefined> {
  const t = index.tiles.get(tileId);
  if (!t || t.polygonsOffset === undefined || t.polygonsLength === undefined || !index.files.polygons) return undefined;
  return readTileAnnotations(reader, path.join(index.root, index.files.polygons), { offset: t.polygonsOffset, length: t.polygonsLength });
}

/** The WSI of a tile as a group key ('' when unknown). */
export function tileGroup(index: DatasetIndex | undefined, tileId: string): string {
  const w = index?.tiles.get(tileId)?.wsi;
  return w === undefined ? '' : String(w);
}

/** Decodes a tile of the index (RGBA) with its annotations and WSI, ready for predictTile. */
export async function loadIndexedTile(index: DatasetIndex, tileId: string, reader: FileReader = nodeFileReader): Promise<TileInput> {
  const t = index.tiles.get(tileId);
  if (!t) throw new Error(`tile ${tileId} is not in the dataset at ${index.root}`);
  if (!t.image) throw new Error(`tile ${tileId} has no image on disk (tile_meta.csv line ${t.metaLine ?? '?'}); nothing to predict on`);
  return loadImageTile(path.join(index.root, t.image), tileId, { annotations: await tileAnnotations(index, tileId, reader), group: tileGroup(index, tileId) });
}

/** Decodes any tile image file (RGBA); annotations and group when known. */
export async function loadImageTile(file: string, tileId: string, extra: { annotations?: Annotation[]; group?: string } = {}): Promise<TileInput> {
  const img = await decodeTile(file);
  return { tileId, group: extra.group ?? '', image: { width: img.width, height: img.height, channels: 4, data: img.data }, ...(extra.annotations ? { annotations: extra.annotations } : {}) };
}
