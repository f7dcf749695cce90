/**
 * Walks a TIFF's chain of image file directories (IFDs) reading only their entries, under a cap
 * on directories and on the bytes looked at, so a crafted file with 1000 levels (or a looping
 * chain) is refused in milliseconds before any decoder sees it. Classic TIFF and BigTIFF.
 */
import * as fs from 'node:fs';

/** What the chain holds, as far as it was walked. */
export interface TiffDirectories {
  /** Directories in the main chain (pages). */
  pages: number;
  /** Width and height of each page (0 when its tags are missing). */
  sizes: { width: number; height: number }[];
  /** The most SubIFDs (tag 330) any page lists. */
  maxSubIfds: number;
  /** Directory entry bytes read. */
  bytesRead: number;
}

/** The walk stopped at a cap: which one, and what was seen. */
export class TiffCapError extends Error {
  constructor(readonly cap: 'levels' | 'header', readonly seen: number, message: string) {
    super(message);
  }
}

/** Reads the IFD chain of an open TIFF file; throws TiffCapError past maxLevels directories or maxHeaderBytes bytes, Error on a malformed chain. */
export function readTiffDirectories(fd: number, maxLevels: number, maxHeaderBytes: number): TiffDirectories {
  const head = Buffer.alloc(16);
  const got = fs.readSync(fd, head, 0, 16, 0);
  if (got < 8) throw new Error('the file is shorter than a TIFF header');
  const le = head[0] === 0x49;
  const u16 = (b: Buffer, o: number) => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
  const u32 = (b: Buffer, o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const u64 = (b: Buffer, o: number) => Number(le ? b.readBigUInt64LE(o) : b.readBigUInt64BE(o));
  const magic = u16(head, 2);
  const big = magic === 43;
  if (magic !== 42 && !big) throw new Error(`TIFF magic number is ${magic}, not 42 or 43`);
  if (big && got < 16) throw new Error('the file is shorter than a BigTIFF header');
  const countSize = big ? 8 : 2, entrySize = big ? 20 : 12, offSize = big ? 8 : 4;
  let next = big ? u64(head, 8) : u32(head, 4);
  const seen = new Set<number>();
  const out: TiffDirectories = { pages: 0, sizes: [], maxSubIfds: 0, bytesRead: got };
  const size = fs.fstatSync(fd).size;
  while (next !== 0) {
    if (seen.has(next)) throw new Error(`the directory chain loops back to byte ${next}`);
    if (next + countSize > size) throw new Error(`directory ${out.pages + 1} starts at byte ${next}, past the end of the ${size}-byte file`);
    seen.add(next);
    if (out.pages >= maxLevels) throw new TiffCapError('levels', out.pages + 1, `it has more than ${maxLevels} directories (pages/levels)`);
    const cb = Buffer.alloc(countSize);
    fs.readSync(fd, cb, 0, countSize, next);
    const n = big ? u64(cb, 0) : u16(cb, 0);
    const bytes = n * entrySize + offSize;
    out.bytesRead += countSize + bytes;
    if (out.bytesRead > maxHeaderBytes) throw new TiffCapError('header', out.bytesRead, `its directories hold more than ${maxHeaderBytes} bytes of entries (directory ${out.pages + 1} lists ${n} entries)`);
    const eb = Buffer.alloc(bytes);
    const r = fs.readSync(fd, eb, 0, bytes, next + countSize);
    if (r < bytes) throw new Error(`directory ${out.pages + 1} at byte ${next} is cut short`);
    let width = 0, height = 0;
    for (let k = 0; k < n; k++) {
      const o = k * entrySize;
      const tag = u16(eb, o), type = u16(eb, o + 2);
      const count = big ? u64(eb, o + 4) : u32(eb, o + 4);
      const vo = o + (big ? 12 : 8);
      const value = type === 3 ? u16(eb, vo) : type === 4 ? u32(eb, vo) : type === 16 ? u64(eb, vo) : 0;
      if (tag === 256) width = value;
      else if (tag === 257) height = value;
      else if (tag === 330 && count > out.maxSubIfds) out.maxSubIfds = count;
    }
    out.sizes.push({ width, height });
    out.pages++;
    next = big ? u64(eb, n * entrySize) : u32(eb, n * entrySize);
  }
  return out;
}
