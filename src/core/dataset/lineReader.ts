/** Streams a file as lines without decoding it whole: the one line splitter of polygons.jsonl readers. */
import type { FileReader } from './fileReader';

/** Called once per line: bytes buf[start, end) (without the '\n'), and the line's byte offset in the file. */
export type LineHandler = (buf: Buffer, start: number, end: number, offset: number) => void;

/** Read `absPath` in chunks and call `onLine` for every line, the last one too when it has no '\n'. */
export async function forEachLine(fr: FileReader, absPath: string, onLine: LineHandler, signal?: AbortSignal): Promise<void> {
  let offset = 0; // byte offset of the start of `pending`
  let pending: Buffer | undefined;
  for await (const chunk of fr.readChunks(absPath)) {
    signal?.throwIfAborted();
    const buf = pending ? Buffer.concat([pending, chunk]) : chunk;
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(0x0a, start);
      if (nl < 0) break;
      onLine(buf, start, nl, offset + start);
      start = nl + 1;
    }
    offset += start;
    pending = start < buf.length ? Buffer.from(buf.subarray(start)) : undefined;
  }
  if (pending && pending.length > 0) onLine(pending, 0, pending.length, offset);
}
