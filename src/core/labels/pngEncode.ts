/** Grey PNG encoding with sharp (loaded on first use): 8-bit from a Uint8Array, 16-bit from a Uint16Array. */
import type { Sharp, SharpOptions } from 'sharp';

type SharpFactory = (input?: string | Buffer | Uint8Array | Uint16Array, options?: SharpOptions) => Sharp;
let sharpMod: SharpFactory | undefined;
/** sharp is loaded on first use, so activation stays cheap. */
function sharp(): SharpFactory {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (sharpMod ??= require('sharp') as SharpFactory);
}

/** A width x height single-channel PNG of the pixels (8- or 16-bit by the array type). */
export function greyPng(pixels: Uint8Array | Uint16Array, width: number, height = width): Promise<Buffer> {
  if (pixels.length !== width * height) throw new Error(`greyPng: ${pixels.length} pixels for a ${width}x${height} image`);
  return sharp()(pixels, { raw: { width, height, channels: 1 } }).toColourspace(pixels instanceof Uint16Array ? 'grey16' : 'b-w').png().toBuffer();
}

/** An RGB PNG of raw interleaved pixels. */
export function rgbPng(rgb: Uint8Array, width: number, height: number): Promise<Buffer> {
  return sharp()(rgb, { raw: { width, height, channels: 3 } }).png().toBuffer();
}

/** Decode an image file to raw RGB (alpha removed, grey expanded). */
export async function decodeRgb(file: string): Promise<{ data: Uint8Array; width: number; height: number }> {
  const { data, info } = await sharp()(file).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`${file}: decoded to ${info.channels} channels, expected RGB`);
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
}
