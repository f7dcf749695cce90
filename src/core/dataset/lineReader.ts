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
  /** Bytes per read (default: the reader's). */
  chunkSize?: number;
}

/**
 * Read `absPath` in chunks and call `onLine` for every line, the last one too when it has no '\n'.
 * Memory stays bounded by maxLineBytes plus one chunk: a longer line is never held whole (its
 * bytes are skipped up to the next '\n', and onLongLine hears of it). Lines inside a chunk are
 * handed over in place (one read buffer, refilled: `onLine` must not keep `buf`); only a line cut
 * by a chunk's end is copied out, joined with the next chunk's start.
 */
export async function forEachLine(fr: FileReader, absPath: string, onLine: LineHandler, signal?: AbortSignal, opts: LineOptions = {}): Promise<void> {
  const cap = opts.maxLineBytes ?? limits().polygonsLineBytes;
  let base = 0; // file offset of the next chunk's first byte
  // The start of a line cut by chunk ends: copies of its parts (<= cap in all), joined once when its end arrives.
  let pending: Buffer[] | undefined;
  let pendingLen = 0;
  let pendingOffset = 0;
  let skipFrom = -1; // file offset of the long line being skipped, -1 when none
  for await (const chunk of fr.readChunks(absPath, opts.chunkSize, true)) {
    signal?.throwIfAborted();
    const chunkOffset = base;
    base += chunk.length;
    let start = 0;
    if (skipFrom >= 0) {
      const nl = chunk.indexOf(0x0a);
      if (nl < 0) continue;
      opts.onLongLine?.(skipFrom, chunkOffset + nl - skipFrom);
      skipFrom = -1;
      start = nl + 1;
    } else if (pending) {
      const nl = chunk.indexOf(0x0a);
      const length = pendingLen + (nl < 0 ? chunk.length : nl);
      if (length > cap) {
        pending = undefined;
        if (nl < 0) {
          skipFrom = pendingOffset;
          continue;
        }
        opts.onLongLine?.(pendingOffset, length);
        start = nl + 1;
      } else if (nl < 0) {
        pending.push(Buffer.from(chunk)); // a line longer than a chunk: no re-concatenation per chunk
        pendingLen += chunk.length;
        continue;
      } else {
        const line = Buffer.concat([...pending, chunk.subarray(0, nl)]);
        pending = undefined;
        onLine(line, 0, line.length, pendingOffset);
        start = nl + 1;
      }
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
        pending = [Buffer.from(chunk.subarray(start))];
        pendingLen = chunk.length - start;
        pendingOffset = chunkOffset + start;
      }
    }
  }
  if (skipFrom >= 0) opts.onLongLine?.(skipFrom, base - skipFrom);
  else if (pending && pendingLen > 0) {
    const line = Buffer.concat(pending);
    onLine(line, 0, line.length, pendingOffset);
  }
}
