/**
 * A routing peek at an image file's first bytes: is it plainly an 8-bit, 3-channel, single-image
 * PNG or TIFF? Then the statistics decode it straight to RGB with sharp and skip sharp's separate
 * metadata read; anything else (grey, alpha, 16-bit, pages, other formats, odd headers) goes the
 * careful way (core/image decodeTile). The decode itself is always sharp's.
 */

/** True only when the bytes say 8-bit RGB, one image, no alpha (PNG colour type 2, or TIFF 3 x 8-bit samples, one IFD). */
export function isPlain8BitRgb(b: Buffer): boolean {
  if (b.length >= 33 && b.readUInt32BE(0) === 0x89504e47 && b.toString('latin1', 12, 16) === 'IHDR') return b[24] === 8 && b[25] === 2;
  if (b.length < 16) return false;
  const le = b[0] === 0x49 && b[1] === 0x49, be = b[0] === 0x4d && b[1] === 0x4d;
  if (!le && !be) return false;
  const u16 = (o: number) => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
  const u32 = (o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  if (u16(2) !== 42) return false;
  const ifd = u32(4);
  if (ifd + 2 > b.length) return false;
  const n = u16(ifd);
  if (ifd + 2 + n * 12 + 4 > b.length) return false;
  let samples = 1, bitsOk = false, extra = false, subIfd = false;
  for (let k = 0; k < n; k++) {
    const e = ifd + 2 + k * 12, tag = u16(e), type = u16(e + 2), count = u32(e + 4);
    const short0 = type === 3 ? u16(e + 8) : type === 4 ? u32(e + 8) : -1;
    if (tag === 277) samples = short0;
    else if (tag === 258) {
      if (type !== 3) return false;
      if (count === 1) bitsOk = short0 === 8;
      else {
        const at = count * 2 <= 4 ? e + 8 : u32(e + 8);
        if (at + count * 2 > b.length) return false;
        bitsOk = true;
        for (let i = 0; i < count; i++) if (u16(at + 2 * i) !== 8) bitsOk = false;
      }
    } else if (tag === 338) extra = true;
    else if (tag === 330) subIfd = true;
  }
  // One image only: no next IFD, no sub-IFDs (pyramids).
  return samples === 3 && bitsOk && !extra && !subIfd && u32(ifd + 2 + n * 12) === 0;
}
