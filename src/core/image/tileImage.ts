/**
 * Decode a tile image (TIFF, PNG, JPEG, ...) into RGBA bytes for a canvas, with sharp.
 *
 * Copes with odd inputs: any size, grayscale, alpha, 16-bit (scaled with round(v / 257), not
 * truncated), 32-bit int/float grey (stretched min..max), and big tiled/pyramidal TIFFs, where it reads one pyramid level or one region and
 * never the whole image. Every failure is a TileImageError that names the file.
 */
import * as fs from 'node:fs';
import type { Sharp, SharpOptions } from 'sharp';
import { limits, raiseHint } from '../limits';
import { readTiffDirectories, TiffCapError } from './tiffDirectories';

/** Why a tile could not be decoded. */
export type TileImageErrorCode = 'not-found' | 'unsupported-format' | 'corrupt' | 'too-large' | 'bad-region' | 'limit';

/** A decoding failure a person can act on: which file, what is wrong, what to do. */
export class TileImageError extends Error {
  constructor(
    readonly file: string,
    readonly code: TileImageErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'TileImageError';
  }
}

/** One resolution level of an image: level 0 is full size. */
export interface ImageLevel {
  index: number;
  width: number;
  height: number;
  /** Which TIFF page or sub-IFD holds it (undefined for level 0 of a single-page file). */
  page?: number;
  subifd?: number;
}

/** What an image holds, read from its header only. */
export interface TileImageInfo {
  file: string;
  /** sharp's format name: 'tiff', 'png', 'jpeg', ... */
  format: string;
  width: number;
  height: number;
  /** Channels stored in the file (1 grey, 2 grey+alpha, 3 RGB, 4 RGBA/CMYK). */
  channels: number;
  /** Sample type: 'uchar' (8-bit), 'ushort' (16-bit), 'float', ... */
  depth: string;
  hasAlpha: boolean;
  space?: string;
  /** Resolution levels, largest first; one entry for an ordinary image. */
  levels: ImageLevel[];
}

/** A pixel rectangle. */
export interface Region {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** RGBA pixels ready for ImageData. */
export interface RgbaImage {
  width: number;
  height: number;
  channels: 4;
  /** Row-major RGBA, width * height * 4 bytes. */
  data: Uint8Array;
}

/** A decoded picture and where it came from. */
export interface DecodedTile extends RgbaImage {
  file: string;
  info: TileImageInfo;
  /** Index into info.levels that was read. */
  level: number;
  /** Output pixels per full-resolution pixel (1 at level 0, 0.25 at a 4x smaller level). */
  scale: number;
  /** The full-resolution rectangle the output covers. */
  region: Region;
}

export interface DecodeOptions {
  /** Full-resolution rectangle to read (default: the whole image). */
  region?: Region;
  /** Longest side wanted: the smallest pyramid level that still gives at least this many px is read. */
  maxSize?: number;
  /** Refuse to decode more pixels than this in one go (default 4096 x 4096). */
  maxPixels?: number;
}

export const DEFAULT_MAX_PIXELS = 4096 * 4096;
/** The imagePixels cap in force (DEFAULT_MAX_PIXELS unless raised). */
const maxPixelsCap = (): number => limits().imagePixels;

type SharpFactory = (input?: string | Buffer, options?: SharpOptions) => Sharp;
let sharpModule: SharpFactory | undefined;
/** sharp is loaded on first use, so that activation stays cheap. */
function sharpLib(): SharpFactory {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  if (!sharpModule) sharpModule = require('sharp') as SharpFactory;
  return sharpModule;
}

/** The image format a file's first bytes announce, if any. */
export function sniffFormat(head: Uint8Array): 'tiff' | 'png' | 'jpeg' | undefined {
  // TIFF (42) and BigTIFF (43), either byte order: a BigTIFF must meet the directory caps too.
  if (head.length >= 4 && ((head[0] === 0x49 && head[1] === 0x49 && (head[2] === 0x2a || head[2] === 0x2b)) || (head[0] === 0x4d && head[1] === 0x4d && (head[3] === 0x2a || head[3] === 0x2b)))) return 'tiff';
  if (head.length >= 4 && head[0] === 0x89 && head[1] === 0x50 && head[2] === 0x4e && head[3] === 0x47) return 'png';
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpeg';
  return undefined;
}

function readHead(file: string): Uint8Array {
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const b = Buffer.alloc(8);
      const n = fs.readSync(fd, b, 0, 8, 0);
      return b.subarray(0, n);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return new Uint8Array(0);
  }
}

/** Maps a sharp/libvips/fs error to a TileImageError naming the file and what to do. */
export function toTileImageError(file: string, err: unknown): TileImageError {
  if (err instanceof TileImageError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  const first = msg.split('\n').find((l) => l.trim()) ?? msg;
  if (/ENOENT|Input file is missing/i.test(msg)) {
    return new TileImageError(file, 'not-found', `${file}: image file not found. Check that the file exists and the dataset folder is complete.`);
  }
  if (/unsupported image format/i.test(msg)) {
    // A TIFF cut short loses the directory at its end and no longer parses: the magic bytes tell.
    const announced = sniffFormat(readHead(file));
    if (announced) {
      return new TileImageError(file, 'corrupt', `${file}: starts like a ${announced.toUpperCase()} file but cannot be read; it looks truncated or corrupt. Re-download or re-export this file.`);
    }
    return new TileImageError(file, 'unsupported-format', `${file}: not a readable image (unknown or unsupported format). Convert it to TIFF or PNG, or remove it from the dataset folder.`);
  }
  if (/pixel limit/i.test(msg)) {
    return new TileImageError(file, 'too-large', `${file}: image too large to decode whole (${first}). Open a region or a pyramid level instead.`);
  }
  return new TileImageError(file, 'corrupt', `${file}: cannot decode the image, it looks truncated or corrupt (${first.trim()}). Re-download or re-export this file.`);
}

/**
 * A TIFF's directory chain walked under the tiffLevels and tiffHeaderBytes caps before any decoder
 * opens it: refuses (TileImageError 'limit') a file with too many pages, sub-IFDs or directory
 * bytes. Other formats and files that are not readable TIFFs pass (sharp reports those).
 */
export function checkTiffCaps(file: string): void {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return; // sharp names the missing file
  }
  try {
    const head = Buffer.alloc(4);
    if (fs.readSync(fd, head, 0, 4, 0) < 4 || sniffFormat(head) !== 'tiff') return;
    const cap = limits();
    let dirs;
    try {
      dirs = readTiffDirectories(fd, cap.tiffLevels, cap.tiffHeaderBytes);
    } catch (e) {
      if (e instanceof TiffCapError) {
        const which = e.cap === 'levels' ? 'tiffLevels' : 'tiffHeaderBytes';
        throw new TileImageError(file, 'limit', `${file}: refused, ${e.message}; only the first directories were read: ${raiseHint(which)}.`);
      }
      return; // a malformed chain: sharp's own error says more
    }
    if (dirs.maxSubIfds > cap.tiffLevels) {
      throw new TileImageError(file, 'limit', `${file}: refused, a page lists ${dirs.maxSubIfds} sub-IFDs (pyramid levels): ${raiseHint('tiffLevels')}.`);
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Reads the header of an image: size, channels, bit depth and its pyramid levels. */
export async function readTileInfo(file: string): Promise<TileImageInfo> {
  checkTiffCaps(file);
  const sharp = sharpLib();
  try {
    const m = await sharp(file, { limitInputPixels: false }).metadata();
    if (!m.width || !m.height || !m.format) throw new Error('no image size in the header');
    const levels: ImageLevel[] = [{ index: 0, width: m.width, height: m.height }];
    const sub = (m as { subifds?: number }).subifds ?? 0;
    const pages = m.pages ?? 1;
    // Pyramid levels: sub-IFDs (OME-TIFF style) or further pages that shrink with the same aspect ratio.
    const candidates: { page?: number; subifd?: number }[] = [];
    if (sub > 0) for (let s = 0; s < sub; s++) candidates.push({ subifd: s });
    else if (m.format === 'tiff' && pages > 1) for (let p = 1; p < pages; p++) candidates.push({ page: p });
    for (const c of candidates) {
      const lm = await sharp(file, { limitInputPixels: false, ...c }).metadata();
      const prev = levels[levels.length - 1];
      if (!lm.width || !lm.height || lm.width >= prev.width || lm.height >= prev.height) break;
      if (Math.abs(lm.width / lm.height - m.width / m.height) * Math.min(lm.width, lm.height) > 2) break;
      levels.push({ index: levels.length, width: lm.width, height: lm.height, ...c });
    }
    return {
      file,
      format: m.format,
      width: m.width,
      height: m.height,
      channels: m.channels ?? 3,
      depth: m.depth ?? 'uchar',
      hasAlpha: m.hasAlpha ?? false,
      space: m.space,
      levels,
    };
  } catch (e) {
    throw toTileImageError(file, e);
  }
}

/** Index of the smallest level whose copy of region is still at least maxSize px on its longest side. */
export function chooseLevel(levels: readonly ImageLevel[], region: Region, maxSize: number | undefined): number {
  if (!maxSize || levels.length < 2) return 0;
  const full = levels[0];
  const longest = Math.max(region.width, region.height);
  let pick = 0;
  for (let k = 1; k < levels.length; k++) {
    const s = levels[k].width / full.width;
    if (longest * s >= maxSize) pick = k;
    else break;
  }
  return pick;
}

let scale16: Uint8Array | undefined;
/** 16-bit -> 8-bit lookup: round(v / 257), so 0 -> 0, 32896 -> 128, 65535 -> 255. */
function scale16Table(): Uint8Array {
  if (!scale16) {
    scale16 = new Uint8Array(65536);
    for (let v = 0; v < 65536; v++) scale16[v] = Math.round(v / 257);
  }
  return scale16;
}

/** Expands 1-4 channel samples (already 8-bit values via map) into RGBA. */
function toRgba(src: ArrayLike<number>, pixels: number, channels: number, map?: Uint8Array): Uint8Array {
  const out = new Uint8Array(pixels * 4);
  const m = map ?? null;
  for (let p = 0, s = 0, o = 0; p < pixels; p++, s += channels, o += 4) {
    const v0 = m ? m[src[s]] : src[s];
    if (channels <= 2) {
      out[o] = out[o + 1] = out[o + 2] = v0;
      out[o + 3] = channels === 2 ? (m ? m[src[s + 1]] : src[s + 1]) : 255;
    } else {
      out[o] = v0;
      out[o + 1] = m ? m[src[s + 1]] : src[s + 1];
      out[o + 2] = m ? m[src[s + 2]] : src[s + 2];
      out[o + 3] = channels >= 4 ? (m ? m[src[s + 3]] : src[s + 3]) : 255;
    }
  }
  return out;
}

/**
 * Decodes an image (or a region of it, at the pyramid level that fits maxSize) into RGBA bytes.
 * Throws TileImageError for a missing, unsupported, corrupt or too-large input.
 */
export async function decodeTile(file: string, opts: DecodeOptions = {}): Promise<DecodedTile> {
  const info = await readTileInfo(file);
  const region = opts.region ?? { left: 0, top: 0, width: info.width, height: info.height };
  const { left, top, width, height } = region;
  if (![left, top, width, height].every(Number.isInteger) || left < 0 || top < 0 || width <= 0 || height <= 0 || left + width > info.width || top + height > info.height) {
    throw new TileImageError(file, 'bad-region', `${file}: region ${width}x${height} at (${left}, ${top}) lies outside the ${info.width}x${info.height} image. Request a rectangle inside the image.`);
  }
  const level = chooseLevel(info.levels, region, opts.maxSize);
  const lv = info.levels[level];
  const scale = lv.width / info.width;
  const sx = lv.width / info.width, sy = lv.height / info.height;
  const l0 = Math.floor(left * sx), t0 = Math.floor(top * sy);
  const lr: Region = {
    left: l0,
    top: t0,
    width: Math.max(1, Math.min(lv.width, Math.ceil((left + width) * sx)) - l0),
    height: Math.max(1, Math.min(lv.height, Math.ceil((top + height) * sy)) - t0),
  };
  const maxPixels = opts.maxPixels ?? maxPixelsCap();
  if (lr.width * lr.height > maxPixels) {
    throw new TileImageError(
      file,
      'too-large',
      `${file}: decoding ${lr.width}x${lr.height} px (level ${level} of ${info.levels.length}) exceeds the ${maxPixels} px limit. Request a smaller region or a smaller maxSize${info.levels.length < 2 ? ', or save the image as a pyramidal TIFF' : ''}${opts.maxPixels === undefined ? `; ${raiseHint('imagePixels')}` : ''}.`,
    );
  }
  const whole = lr.left === 0 && lr.top === 0 && lr.width === lv.width && lr.height === lv.height;
  const partial = !whole || level > 0;
  const sharp = sharpLib();
  try {
    // Lifting sharp's input-pixel limit is safe only because we read a region or a smaller level.
    let img = sharp(file, { failOn: 'warning', limitInputPixels: partial ? false : undefined, page: lv.page, subifd: lv.subifd });
    if (!whole) img = img.extract(lr);
    let data: Uint8Array;
    let outW: number, outH: number;
    if (info.depth === 'ushort') {
      const grey = info.channels <= 2 && info.space !== 'srgb' && info.space !== 'rgb16';
      const r = await img.toColourspace(grey ? 'grey16' : 'rgb16').raw({ depth: 'ushort' }).toBuffer({ resolveWithObject: true });
      const buf = r.data.byteOffset % 2 === 0 ? r.data : Buffer.from(r.data);
      const samples = new Uint16Array(buf.buffer, buf.byteOffset, buf.byteLength >> 1);
      outW = r.info.width; outH = r.info.height;
      data = toRgba(samples, outW * outH, r.info.channels, scale16Table());
    } else if (info.depth !== 'uchar' && info.channels === 1) {
      // 32-bit int or float grey (e.g. a probability map): stretch its own min..max to 0..255.
      const r = await img.toColourspace('b-w').raw({ depth: 'float' }).toBuffer({ resolveWithObject: true });
      const buf = r.data.byteOffset % 4 === 0 ? r.data : Buffer.from(r.data);
      const v = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength >> 2);
      let lo = Infinity, hi = -Infinity;
      for (let i = 0; i < v.length; i++) if (Number.isFinite(v[i])) { if (v[i] < lo) lo = v[i]; if (v[i] > hi) hi = v[i]; }
      const k = hi > lo ? 255 / (hi - lo) : 0;
      const grey = new Uint8Array(v.length);
      for (let i = 0; i < v.length; i++) grey[i] = Number.isFinite(v[i]) ? Math.round((v[i] - lo) * k) : 0;
      outW = r.info.width; outH = r.info.height;
      data = toRgba(grey, outW * outH, 1);
    } else {
      // 8-bit, and best effort for other depths with colour: sharp's own conversion to 8-bit sRGB.
      const r = await img.toColourspace('srgb').ensureAlpha().raw().toBuffer({ resolveWithObject: true });
      outW = r.info.width; outH = r.info.height;
      data = r.info.channels === 4 ? new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength) : toRgba(r.data, outW * outH, r.info.channels);
    }
    return { file, info, level, scale, region: { left, top, width, height }, width: outW, height: outH, channels: 4, data };
  } catch (e) {
    throw toTileImageError(file, e);
  }
}

/** Output formats for thumbnails. */
export type ThumbnailFormat = 'jpeg' | 'webp' | 'png';

/** A thumbnail of at most size x size px (aspect kept), encoded as JPEG, WebP or PNG. */
export async function renderThumbnail(file: string, size: number, format: ThumbnailFormat = 'webp'): Promise<Buffer> {
  const t = await decodeTile(file, { maxSize: size });
  try {
    const img = sharpLib()(Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength), { raw: { width: t.width, height: t.height, channels: 4 } })
      .resize(size, size, { fit: 'inside', withoutEnlargement: true });
    if (format === 'jpeg') return await img.flatten({ background: '#ffffff' }).jpeg({ quality: 80 }).toBuffer();
    if (format === 'png') return await img.png().toBuffer();
    return await img.webp({ quality: 80 }).toBuffer();
  } catch (e) {
    throw toTileImageError(file, e);
  }
}
