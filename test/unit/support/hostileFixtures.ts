/**
 * Hostile inputs generated on demand (never committed): zlib-bomb submissions, a huge random
 * ring, a TIFF with a thousand levels, a polygons.jsonl with one giant line. Shared by the unit
 * tests and the 'hostile' bench section.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { deflateSync } from 'node:zlib';
import type { Ring } from '../../../src/core/types/types';
import { seededRandom } from './seededRandom';

/** The real sample dataset (read-only). */
export const SAMPLE_DIR = path.resolve(__dirname, '..', '..', '..', '..', '..', 'shared', 'data', 'hhv-sample');

/** A ring of n random vertices in the 512x512 tile: every row crosses ~n/3 edges (the 80,000-vertex case). */
export function randomRing(n: number, seed: number): Ring {
  const rand = seededRandom(seed);
  const ring: Ring = [];
  for (let k = 0; k < n; k++) ring.push([Math.floor(rand() * 512), Math.floor(rand() * 512)]);
  return ring;
}

/** A submission mask token that is valid base64 + zlib and inflates to `inflatedBytes` of '0' characters. */
export function bombToken(inflatedBytes: number): string {
  return deflateSync(Buffer.alloc(inflatedBytes, 0x30), { level: 9 }).toString('base64');
}

/** A hex tile id from a number. */
export function hexId(k: number): string {
  return k.toString(16).padStart(12, '0');
}

/**
 * A submission.csv of about `fileBytes` whose masks each inflate to `perMask` bytes (2.8 MB file
 * at 64 MiB per mask: ~40 masks, ~2.7 GB inflated), plus one honest row at the end.
 */
export function bombSubmission(fileBytes: number, perMask: number, honestRow?: string): string {
  const tok = bombToken(perMask);
  const lines = ['id,height,width,prediction_string'];
  let size = lines[0].length;
  for (let k = 0; size < fileBytes; k++) {
    const line = `${hexId(k + 1)},512,512,0 0.9 ${tok} 0 0.8 ${tok}`;
    lines.push(line);
    size += line.length + 1;
  }
  if (honestRow) lines.push(honestRow);
  return lines.join('\n') + '\n';
}

/** The 204 KB crash case: one mask that inflates to 150 MiB of counts text ('1' = runs of 1). */
export function crashCaseSubmission(): string {
  const tok = deflateSync(Buffer.alloc(150 << 20, 0x31), { level: 9 }).toString('base64');
  return `id,height,width,prediction_string\n${hexId(1)},512,512,0 1.0 ${tok}\n`;
}

/**
 * A classic little-endian TIFF with `levels` pages, page k being (size0 - step*k) px square,
 * 8-bit grey, one strip each pointing at a few real bytes (the pixels are not there: only the
 * directories matter). The file: 1000 levels at 30000x30000.
 */
export function pyramidTiff(levels: number, size0: number): Buffer {
  const entries = 9, ifdBytes = 2 + entries * 12 + 4;
  const dataAt = 8;
  const buf = Buffer.alloc(8 + 16 + levels * ifdBytes);
  buf.write('II', 0, 'ascii');
  buf.writeUInt16LE(42, 2);
  const first = 8 + 16;
  buf.writeUInt32LE(first, 4);
  const step = Math.max(1, Math.floor((size0 - 1) / levels));
  for (let k = 0; k < levels; k++) {
    const at = first + k * ifdBytes;
    const side = Math.max(1, size0 - step * k);
    buf.writeUInt16LE(entries, at);
    const tag = (i: number, t: number, type: number, value: number) => {
      const o = at + 2 + i * 12;
      buf.writeUInt16LE(t, o); buf.writeUInt16LE(type, o + 2); buf.writeUInt32LE(1, o + 4);
      if (type === 3) buf.writeUInt16LE(value, o + 8); else buf.writeUInt32LE(value, o + 8);
    };
    tag(0, 256, 4, side); tag(1, 257, 4, side); tag(2, 258, 3, 8); tag(3, 259, 3, 1); tag(4, 262, 3, 1);
    tag(5, 273, 4, dataAt); tag(6, 277, 3, 1); tag(7, 278, 4, side); tag(8, 279, 4, 16);
    buf.writeUInt32LE(k + 1 < levels ? at + ifdBytes : 0, at + 2 + entries * 12);
  }
  return buf;
}

/**
 * Writes a copy of the sample's polygons.jsonl with one extra line of `lineBytes` bytes (one tile
 * whose single polygon has that many bytes of points) inserted after line `after`; streamed, so
 * a 200 MB line never sits in memory. Returns the inserted line's 1-based number.
 */
export function writeLongLinePolygons(file: string, lineBytes: number, after = 3): number {
  const lines = fs.readFileSync(path.join(SAMPLE_DIR, 'polygons.jsonl'), 'utf8').split('\n').filter((l) => l.trim());
  const fd = fs.openSync(file, 'w');
  try {
    for (let k = 0; k < lines.length; k++) {
      if (k === after) {
        const head = `{"id": "${hexId(0xdead)}", "annotations": [{"type": "blood_vessel", "coordinates": [[`;
        fs.writeSync(fd, head);
        const pt = '[100, 200], ';
        const block = pt.repeat(Math.floor((1 << 20) / pt.length));
        let left = lineBytes - head.length - 20;
        while (left > block.length) { fs.writeSync(fd, block); left -= block.length; }
        fs.writeSync(fd, pt.repeat(Math.max(0, Math.floor(left / pt.length))) + '[100, 200]]]}]}\n');
      }
      fs.writeSync(fd, lines[k] + '\n');
    }
  } finally {
    fs.closeSync(fd);
  }
  return after + 1;
}
