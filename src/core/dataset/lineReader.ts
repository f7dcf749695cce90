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
  let pending: Buffer | undefined;
  let pendingOffset = 0;
  let skipFrom = -1; // file offset of the long line being skipped, -1 when none
  for await (const chunk of fr.readChunks(absPath)) {
    signal?.throwIfAborted();
    const chunkOffset = base;
    base += chunk.length;
    let buf: Buffer, bufOffset: number, start = 0;
    if (skipFrom >= 0) {
      const nl = chunk.indexOf(0x0a);
      if (nl < 0) continue;
      opts.onLongLine?.(skipFrom, chunkOffset + nl - skipFrom);
      skipFrom = -1;
      buf = chunk;
      bufOffset = chunkOffset;
      start = nl + 1;
    } else if (pending) {
      buf = Buffer.concat([pending, chunk]);
      bufOffset = pendingOffset;
    } else {
      buf = chunk;
      bufOffset = chunkOffset;
    }
    pending = undefined;
    for (;;) {
      const nl = buf.indexOf(0x0a, start);
      if (nl < 0) break;
      if (nl - start > cap) opts.onLongLine?.(bufOffset + start, nl - start);
      else onLine(buf, start, nl, bufOffset + start);
      start = nl + 1;
    }
    if (start < buf.length) {
      if (buf.length - start > cap) skipFrom = bufOffset + start;
      else {
        pending = Buffer.from(buf.subarray(start));
        pendingOffset = bufOffset + start;
      }
    }
  }
  if (skipFrom >= 0) opts.onLongLine?.(skipFrom, base - skipFrom);
  else if (pending && pending.length > 0) onLine(pending, 0, pending.length, pendingOffset);
}
