/** Streams a file as lines without decoding it whole: the one line splitter of polygons.jsonl readers. */
import type { FileReader } from './fileReader';

/** Called once per line: bytes buf[start, end) (without the '\n'), and the line's byte offset in the file. */
export type LineHandler = (buf: Buffer, start: number, end: number, offset: number) => void;

/**
 * Read `absPath` in chunks and call `onLine` for every line, the last one too when it has no '\n'.
 * Lines inside a chunk are handed over in place (one read buffer, refilled: `onLine` must not keep
 * `buf`); only a line cut by a chunk's end is copied out, joined with the next chunk's start.
 */
export async function forEachLine(fr: FileReader, absPath: string, onLine: LineHandler, signal?: AbortSignal, chunkSize?: number): Promise<void> {
  let base = 0; // byte offset of chunk[0] in the file
  let pending: Buffer | undefined; // the start of a line cut by the previous chunk's end (a copy)
  let pendingAt = 0;
  for await (const chunk of fr.readChunks(absPath, chunkSize, true)) {
    signal?.throwIfAborted();
    let start = 0;
    if (pending) {
      const nl = chunk.indexOf(0x0a);
      if (nl < 0) {
        pending = Buffer.concat([pending, chunk]); // a line longer than a chunk
        base += chunk.length;
        continue;
      }
      const line = Buffer.concat([pending, chunk.subarray(0, nl)]);
      pending = undefined;
      onLine(line, 0, line.length, pendingAt);
      start = nl + 1;
    }
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl < 0) break;
      onLine(chunk, start, nl, base + start);
      start = nl + 1;
    }
    if (start < chunk.length) {
      pending = Buffer.from(chunk.subarray(start));
      pendingAt = base + start;
    }
    base += chunk.length;
  }
  if (pending && pending.length > 0) onLine(pending, 0, pending.length, pendingAt);
}
