/** Streams a file as lines without decoding it whole: the one line splitter of polygons.jsonl readers. */
import { limits } from '../limits';
import type { FileReader } from './fileReader';

/** Called once per line: bytes buf[start, end) (without the '\n'), and the line's byte offset in the file. */
export type LineHandler = (buf: Buffer, start: number, end: number, offset: number) => void;

export interface LineOptions {
  /** Lines longer than this many bytes are skipped unread (default: the polygonsLineBytes cap). */
  maxLineBytes?: number;
  /** Called in line order, instead of the handler, for each line over maxLineBytes: its offset and length. */
  onLongLine?: (offset: number, length: number) => void;
}

/**
 * Read `absPath` in chunks and call `onLine` for every line, the last one too when it has no '\n'.
 * Memory stays bounded by maxLineBytes plus one chunk: a longer line is never held whole (its
 * bytes are skipped up to the next '\n', and onLongLine hears of it).
 */
export async function forEachLine(fr: FileReader, absPath: string, onLine: LineHandler, signal?: AbortSignal, opts: LineOptions = {}): Promise<void> {
  const cap = opts.maxLineBytes ?? limits().polygonsLineBytes;
  let base = 0; // file offset of the next chunk's first byte
  // The start of a line that crosses chunks, kept as the chunks' parts (joined once, when its end arrives).
  let parts: Buffer[] = [];
  let partsLen = 0;
  let partsOffset = 0;
  let skipFrom = -1; // file offset of the long line being skipped, -1 when none
  for await (const chunk of fr.readChunks(absPath)) {
    signal?.throwIfAborted();
    const chunkOffset = base;
    base += chunk.length;
    let start = 0;
    if (skipFrom >= 0 || parts.length > 0) {
      const nl = chunk.indexOf(0x0a);
      if (nl < 0) {
        if (skipFrom < 0) {
          if (partsLen + chunk.length > cap) {
            skipFrom = partsOffset;
            parts = [];
            partsLen = 0;
          } else {
            parts.push(chunk);
            partsLen += chunk.length;
          }
        }
        continue;
      }
      if (skipFrom >= 0) opts.onLongLine?.(skipFrom, chunkOffset + nl - skipFrom);
      else if (partsLen + nl > cap) opts.onLongLine?.(partsOffset, partsLen + nl);
      else {
        const line = Buffer.concat([...parts, chunk.subarray(0, nl)]);
        onLine(line, 0, line.length, partsOffset);
      }
      skipFrom = -1;
      parts = [];
      partsLen = 0;
      start = nl + 1;
    }
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl < 0) break;
      if (nl - start > cap) opts.onLongLine?.(chunkOffset + start, nl - start);
      else onLine(chunk, start, nl, chunkOffset + start);
      start = nl + 1;
    }
    if (start < chunk.length) {
      if (chunk.length - start > cap) skipFrom = chunkOffset + start;
      else {
        parts = [chunk.subarray(start)];
        partsLen = chunk.length - start;
        partsOffset = chunkOffset + start;
      }
    }
  }
  if (skipFrom >= 0) opts.onLongLine?.(skipFrom, base - skipFrom);
  else if (partsLen > 0) {
    const line = Buffer.concat(parts);
    onLine(line, 0, line.length, partsOffset);
  }
}
