/**
 * Masks as PNG files: per-class binary masks (8-bit grey) and instance label masks (8- or 16-bit grey).
 * The PNG is encoded here (zlib from Node) rather than by sharp, so the exact sample values,
 * 16-bit included, are under our control.
 */
import { deflateSync } from 'node:zlib';
import type { Annotation, ClassName } from '../types';
import { CLASS_NAMES } from '../types';
import { rasterizeClasses, rasterizeLabels, DEFAULT_TILE_SIZE } from '../geometry';

let crcTable: Int32Array | undefined;
/** CRC-32 (IEEE), as PNG chunks need. */
function crc32(buf: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c;
    }
  }
  let c = -1;
  for (let i = 0; i < buf.length; i++) c = crcTable[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** Encodes a row-major grey image (8-bit from a Uint8Array, 16-bit from a Uint16Array) as PNG. */
export function encodeGreyPng(pixels: Uint8Array | Uint16Array, width: number, height: number): Buffer {
  if (pixels.length !== width * height) throw new Error(`encodeGreyPng: ${pixels.length} pixels for a ${width}x${height} image`);
  const bits = pixels instanceof Uint16Array ? 16 : 8;
  const bpr = width * (bits / 8);
  const raw = Buffer.alloc((bpr + 1) * height);
  for (let y = 0; y < height; y++) {
    const o = y * (bpr + 1); // filter byte 0 (None), then the row
    if (bits === 8) raw.set(pixels.subarray(y * width, (y + 1) * width), o + 1);
    else for (let x = 0; x < width; x++) raw.writeUInt16BE(pixels[y * width + x], o + 1 + 2 * x); // PNG is big-endian
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = bits;
  ihdr[9] = 0; // greyscale
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 6 })),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

export interface MaskPngOptions {
  width?: number;
  height?: number;
  /** Value written for inside pixels of binary masks: 255 (viewable, default) or 1 (0/1 training masks). */
  on?: 1 | 255;
}

/** A binary 0/1 mask as an 8-bit PNG with inside = on (255 by default). */
export function binaryMaskPng(mask: Uint8Array, width: number, height: number, on: 1 | 255 = 255): Buffer {
  const px = new Uint8Array(mask.length);
  for (let i = 0; i < mask.length; i++) px[i] = mask[i] ? on : 0;
  return encodeGreyPng(px, width, height);
}

/** One binary PNG per class (classes with no annotation included, as empty masks). */
export function classMaskPngs(anns: readonly Annotation[], opts: MaskPngOptions = {}): Record<ClassName, Buffer> {
  const w = opts.width ?? DEFAULT_TILE_SIZE, h = opts.height ?? DEFAULT_TILE_SIZE;
  const masks = rasterizeClasses(anns, w, h);
  const out = {} as Record<ClassName, Buffer>;
  for (const c of CLASS_NAMES) out[c] = binaryMaskPng(masks[c], w, h, opts.on ?? 255);
  return out;
}

/**
 * Instance label PNG: 0 = background, k = the k-th annotation (1-based, later ones drawn on top).
 * 8-bit when the instances fit (<= 255) unless bits = 16 is asked for; 16-bit otherwise.
 */
export function instanceMaskPng(anns: readonly Annotation[], opts: MaskPngOptions & { bits?: 8 | 16 } = {}): { png: Buffer; bits: 8 | 16 } {
  const w = opts.width ?? DEFAULT_TILE_SIZE, h = opts.height ?? DEFAULT_TILE_SIZE;
  const labels = rasterizeLabels(anns, w, h);
  const bits: 8 | 16 = opts.bits === 16 || anns.length > 255 ? 16 : 8;
  if (opts.bits === 8 && anns.length > 255) throw new Error(`instanceMaskPng: ${anns.length} instances do not fit an 8-bit PNG; use bits: 16`);
  return { png: encodeGreyPng(bits === 16 ? labels : Uint8Array.from(labels), w, h), bits };
}
