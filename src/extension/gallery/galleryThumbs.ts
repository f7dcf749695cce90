/** One gallery cell's data without VS Code (the bench runs it in plain Node): a cached thumbnail plus outlines scaled to it. */
import * as path from 'node:path';
import { nodeFileReader } from '../../core/dataset';
import { readTileAnnotations } from '../../core/dataset';
import type { ThumbnailCache } from '../../core/image';
import type { DatasetIndex, TileRecord } from '../../core/types';
import type { GalleryThumb } from '../../shared/galleryProtocol';

/** What building one cell needs, as plain data (it crosses to the thumbnail worker thread). */
export interface ThumbJob {
  id: string;
  /** Absolute image path; absent when the tile has no image. */
  image?: string;
  /** The tile's line in polygons.jsonl; absent when it has none. */
  polygons?: { file: string; offset: number; length: number };
}

/** The job for one tile of an index. */
export function thumbJob(index: DatasetIndex, t: TileRecord): ThumbJob {
  const polygons = index.files.polygons && t.polygonsOffset !== undefined && t.polygonsLength !== undefined
    ? { file: path.join(index.root, index.files.polygons), offset: t.polygonsOffset, length: t.polygonsLength }
    : undefined;
  return { id: t.id, image: t.image ? path.join(index.root, t.image) : undefined, polygons };
}

/** Most points kept per outline: thumbnails are small, rings are dense (one point per boundary pixel). */
const MAX_POINTS = 48;

/** Every k-th point of a ring, scaled, as flat [x0, y0, ...]. */
export function decimateRing(ring: readonly (readonly number[])[], scale: number, maxPoints = MAX_POINTS): number[] {
  const step = Math.max(1, Math.ceil(ring.length / maxPoints));
  const out: number[] = [];
  for (let k = 0; k < ring.length; k += step) out.push(Math.round(ring[k][0] * scale * 10) / 10, Math.round(ring[k][1] * scale * 10) / 10);
  return out;
}

/** Reads a WebP/PNG/JPEG thumbnail's size from its header (VP8/VP8L/VP8X, IHDR, SOF), without decoding. */
export function encodedSize(b: Uint8Array): { width: number; height: number } | undefined {
  const u16le = (o: number) => b[o] | (b[o + 1] << 8);
  if (b.length > 30 && b[0] === 0x52 && b[8] === 0x57) { // RIFF....WEBP
    const fourcc = String.fromCharCode(b[12], b[13], b[14], b[15]);
    if (fourcc === 'VP8 ') return { width: u16le(26) & 0x3fff, height: u16le(28) & 0x3fff };
    if (fourcc === 'VP8L') {
      const v = b[21] | (b[22] << 8) | (b[23] << 16) | (b[24] << 24);
      return { width: (v & 0x3fff) + 1, height: ((v >>> 14) & 0x3fff) + 1 };
    }
    if (fourcc === 'VP8X') return { width: 1 + (b[24] | (b[25] << 8) | (b[26] << 16)), height: 1 + (b[27] | (b[28] << 8) | (b[29] << 16)) };
  }
  if (b.length > 24 && b[0] === 0x89 && b[1] === 0x50) return { width: (b[16] << 24 | b[17] << 16 | b[18] << 8 | b[19]) >>> 0, height: (b[20] << 24 | b[21] << 16 | b[22] << 8 | b[23]) >>> 0 };
  return undefined;
}

/** The thumbnail and scaled outlines of one tile; a tile without image (or that fails) gets outlines only. */
export async function buildThumb(job: ThumbJob, cache: ThumbnailCache, size: number): Promise<GalleryThumb> {
  const anns = job.polygons ? await readTileAnnotations(nodeFileReader, job.polygons.file, job.polygons).catch(() => []) : [];
  let bytes: Uint8Array | undefined, width = size, height = size, error: string | undefined;
  let scale = size / 512;
  if (job.image) {
    try {
      const th = await cache.get(job.image, size, 'webp');
      // A copy with its own ArrayBuffer: small Buffers share Node's 8 KiB pool, and postMessage
      // would otherwise carry (or choke on) views of one shared pool buffer.
      bytes = new Uint8Array(th.data);
      const dim = encodedSize(bytes);
      if (dim) {
        // Thumbnails keep the aspect ratio: the scale is the longest side over the tile's (512 for the competition's tiles).
        const full = Math.max(dim.width, dim.height) < size ? Math.max(dim.width, dim.height) : 512;
        scale = Math.max(dim.width, dim.height) / full;
        width = dim.width;
        height = dim.height;
      }
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
  }
  const outlines = anns.map((a) => ({ cls: a.type, points: decimateRing(a.rings[0], scale) }));
  return { id: job.id, bytes, mime: bytes ? 'image/webp' : undefined, width, height, outlines, error };
}
