/**
 * Caches per-tile colour statistics beside the dataset index, keyed the same way (the size and
 * mtime of every index input, core/dataset/indexCache.ts); entries are per tile (id, image path,
 * spaces), so any subset of already-measured tiles is served from one file read, and only new
 * tiles are measured. Binary numbers behind a JSON header (see the layout below).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as crypto from 'node:crypto';
import { inputSignature, type InputSignature } from '../dataset';
import type { TileRecord } from '../types';
import type { ChannelStats, StainSpace, TileStainStats } from './tileStats';

/** Bump when the statistics or their shape change. */
export const STAIN_CACHE_VERSION = 2;

/** One tile's statistics and the image path they were measured from. */
export interface CachedTile {
  image: string;
  stats: TileStainStats;
}

/**
 * The file: 4 bytes (little-endian header length), the header as JSON (ids, images, wsi, dataset,
 * tissue, skip reasons and notes, columnar), padding to 8 bytes, then 18 float64 per tile (LAB,
 * HSV, HED: mean x3, std x3; NaN where a space was not measured). The numbers are read as one
 * Float64Array instead of parsed from text, which is what keeps the warm read short.
 */
interface StainCacheHeader {
  version: number;
  root: string;
  signature: InputSignature;
  ids: string[];
  images: string[];
  wsi: (number | null)[];
  dataset: (number | null)[];
  tissue: number[];
  skipped: Record<number, string>;
  notes: Record<number, string>;
}

const PER_TILE = 18;
const SPACE_ORDER: readonly StainSpace[] = ['LAB', 'HSV', 'HED'];

/** The cache file for a dataset root (one per root, beside index-<hash>.json). */
export function stainCacheFileFor(storageDir: string, root: string): string {
  const h = crypto.createHash('sha1').update(path.resolve(root)).digest('hex').slice(0, 16);
  return path.join(storageDir, `stain-${h}.bin`);
}

/** Reads the header and the numbers of a cache file, or undefined when it is missing or malformed. */
function readCacheFile(buf: Buffer): { h: StainCacheHeader; nums: Float64Array } | undefined {
  if (buf.length < 4) return undefined;
  const hl = buf.readUInt32LE(0);
  if (4 + hl > buf.length) return undefined;
  const h = JSON.parse(buf.toString('utf8', 4, 4 + hl)) as StainCacheHeader;
  const off = (4 + hl + 7) & ~7;
  const count = h.ids?.length ?? 0;
  if (buf.length < off + count * PER_TILE * 8) return undefined;
  const start = buf.byteOffset + off;
  // Node's pooled buffers may start unaligned: copy only then.
  const nums = start % 8 === 0 ? new Float64Array(buf.buffer, start, count * PER_TILE) : new Float64Array(buf.buffer.slice(start, start + count * PER_TILE * 8));
  return { h, nums };
}

/** The cached tiles (by id, with the image path and spaces they were measured from) when the inputs are unchanged; else an empty map. */
export async function loadStainCache(storageDir: string, root: string): Promise<Map<string, CachedTile>> {
  let f: ReturnType<typeof readCacheFile>;
  try {
    const [buf, sig] = await Promise.all([fs.promises.readFile(stainCacheFileFor(storageDir, root)), inputSignature(root)]);
    f = readCacheFile(buf);
    if (!f) return new Map();
    const c = f.h;
    if (c.version !== STAIN_CACHE_VERSION || c.root !== path.resolve(root)) return new Map();
    const keys = new Set([...Object.keys(sig), ...Object.keys(c.signature)]);
    for (const k of keys) if (JSON.stringify(sig[k] ?? null) !== JSON.stringify(c.signature[k] ?? null)) return new Map();
  } catch {
    return new Map();
  }
  const { h, nums } = f;
  const out = new Map<string, CachedTile>();
  for (let i = 0; i < h.ids.length; i++) {
    const st: TileStainStats = { id: h.ids[i], tissue: h.tissue[i] };
    if (h.wsi[i] !== null) st.wsi = h.wsi[i]!;
    if (h.dataset[i] !== null) st.dataset = h.dataset[i]!;
    const skip = h.skipped[i], note = h.notes[i];
    if (skip !== undefined) st.skipped = skip;
    else {
      const spaces: Partial<Record<StainSpace, ChannelStats>> = {};
      for (let s = 0; s < 3; s++) {
        const o = i * PER_TILE + s * 6;
        if (!Number.isNaN(nums[o])) spaces[SPACE_ORDER[s]] = { mean: [nums[o], nums[o + 1], nums[o + 2]], std: [nums[o + 3], nums[o + 4], nums[o + 5]] };
      }
      st.spaces = spaces;
    }
    if (note !== undefined) st.note = note;
    out.set(st.id, { image: h.images[i], stats: st });
  }
  return out;
}

/** A cache entry is usable for a tile when it was measured from the same image path in every wanted space (or skipped). */
export function cacheHit(e: CachedTile | undefined, t: TileRecord, spaces: readonly StainSpace[]): boolean {
  if (!e || e.image !== (t.image ?? '')) return false;
  return !!e.stats.skipped || spaces.every((s) => e.stats.spaces?.[s]);
}

/** Writes the entries with the signature taken before measuring (edits during the run invalidate it). */
export async function saveStainCache(storageDir: string, root: string, entries: Iterable<CachedTile>, signature: InputSignature): Promise<void> {
  await fs.promises.mkdir(storageDir, { recursive: true });
  const list = [...entries];
  const h: StainCacheHeader = { version: STAIN_CACHE_VERSION, root: path.resolve(root), signature, ids: [], images: [], wsi: [], dataset: [], tissue: [], skipped: {}, notes: {} };
  const nums = new Float64Array(list.length * PER_TILE).fill(NaN);
  list.forEach((e, i) => {
    const t = e.stats;
    h.ids.push(t.id);
    h.images.push(e.image);
    h.wsi.push(t.wsi ?? null);
    h.dataset.push(t.dataset ?? null);
    h.tissue.push(t.tissue);
    if (t.skipped !== undefined) h.skipped[i] = t.skipped;
    if (t.note !== undefined) h.notes[i] = t.note;
    SPACE_ORDER.forEach((s, k) => {
      const c = t.spaces?.[s];
      if (c) nums.set([...c.mean, ...c.std], i * PER_TILE + k * 6);
    });
  });
  const head = Buffer.from(JSON.stringify(h), 'utf8');
  const off = (4 + head.length + 7) & ~7;
  const buf = Buffer.alloc(off + nums.byteLength);
  buf.writeUInt32LE(head.length, 0);
  head.copy(buf, 4);
  Buffer.from(nums.buffer, nums.byteOffset, nums.byteLength).copy(buf, off);
  const file = stainCacheFileFor(storageDir, root);
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.promises.writeFile(tmp, buf);
  await fs.promises.rename(tmp, file);
}
