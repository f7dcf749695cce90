/**
 * Colour statistics over a dataset's tiles: decode each image with sharp (core/image), measure it,
 * and keep a stated reason for every tile that gives none. Decodes run a few at a time (sharp works
 * on libuv's pool) while the colour maths of finished ones runs here, so the maths hides behind the
 * decode. Cancellable; progress per tile.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Sharp, SharpOptions } from 'sharp';
import { isPlain8BitRgb } from './headerPeek';
import { decodeTile } from '../image';
import type { TileRecord } from '../types';
import { STAIN_SPACES, tileStainStats, type StainSpace, type TileStainStats } from './tileStats';

export interface DatasetStatsOptions {
  spaces?: readonly StainSpace[];
  /** Decodes in flight at once (default 4). */
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
  /** Stop early: tiles not yet measured are left out and `cancelled` is set. */
  isCancelled?: () => boolean;
}

/** The measured tiles (in the order given) and whether the run stopped early. */
export interface DatasetStats {
  tiles: TileStainStats[];
  cancelled: boolean;
  seconds: number;
}

type SharpFactory = (input?: string | Buffer, options?: SharpOptions) => Sharp;
let sharpModule: SharpFactory | undefined;
/** sharp on first use (as core/image does), so importing this file stays cheap. */
function sharpLib(): SharpFactory {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  if (!sharpModule) sharpModule = require('sharp') as SharpFactory;
  return sharpModule;
}

/** Measures one tile's image; a missing or unreadable image becomes a skip naming the file. */
export async function measureTile(root: string, t: TileRecord, spaces: readonly StainSpace[]): Promise<TileStainStats> {
  const base = { id: t.id, ...(t.wsi !== undefined ? { wsi: t.wsi } : {}), ...(t.dataset !== undefined ? { dataset: t.dataset } : {}) };
  if (!t.image) return { ...base, tissue: 0, skipped: 'no image on disk' };
  const file = path.join(root, t.image);
  try {
    // The common case (8-bit RGB, as the file's header says) in one sharp call on the bytes;
    // anything else through decodeTile, which knows grey, alpha, 16-bit and pyramids and says what it did.
    const bytes = await fs.promises.readFile(file).catch(() => undefined);
    const fast = bytes && isPlain8BitRgb(bytes) ? await sharpLib()(bytes, { failOn: 'warning' }).raw().toBuffer({ resolveWithObject: true }).catch(() => undefined) : undefined;
    if (fast && fast.info.channels === 3 && fast.info.size === fast.info.width * fast.info.height * 3) {
      const data = new Uint8Array(fast.data.buffer, fast.data.byteOffset, fast.data.byteLength);
      return tileStainStats(t, { width: fast.info.width, height: fast.info.height, channels: 3, data }, spaces, { channels: 3, depth: 'uchar' });
    }
    const d = await decodeTile(file);
    return tileStainStats(t, d, spaces, { channels: d.info.channels, depth: d.info.depth });
  } catch (e) {
    return { ...base, tissue: 0, skipped: e instanceof Error ? e.message : String(e) };
  }
}

/** Measures the tiles, `concurrency` decodes at a time. */
export async function computeDatasetStats(root: string, tiles: readonly TileRecord[], opts: DatasetStatsOptions = {}): Promise<DatasetStats> {
  const t0 = performance.now();
  const spaces = opts.spaces ?? STAIN_SPACES;
  const out: (TileStainStats | undefined)[] = new Array(tiles.length);
  let next = 0, done = 0, cancelled = false;
  const worker = async () => {
    while (next < tiles.length) {
      if (opts.isCancelled?.()) {
        cancelled = true;
        return;
      }
      const k = next++;
      out[k] = await measureTile(root, tiles[k], spaces);
      done++;
      opts.onProgress?.(done, tiles.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 4) }, worker));
  return { tiles: out.filter((x): x is TileStainStats => x !== undefined), cancelled, seconds: (performance.now() - t0) / 1000 };
}
