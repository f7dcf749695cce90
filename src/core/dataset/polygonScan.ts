/**
 * The byte-level scanner of polygons.jsonl: reads a line of the clean shape straight from its bytes
 * (no JSON.parse, no strings but the id): {"id": "<ascii>", "annotations": [{"type": "<known
 * class>", "coordinates": [[[x, y], ...], ...]}, ...]} with integer coordinates, every ring of
 * >= 3 points, any whitespace and key order, no other keys. Any other line (one that would yield
 * a Problem other than the geometric ones, or that JSON would read differently) is handed back
 * (undefined) so the caller JSON.parses it and produces the exact error and column.
 */
import { CLASS_NAMES } from '../types';
import type { FlatAnnotations } from './flatAnnotations';

const CLASS_BYTES = CLASS_NAMES.map((c) => Buffer.from(c, 'latin1'));
const K_ANN = Buffer.from('annotations'), K_TYPE = Buffer.from('type'), K_COORDS = Buffer.from('coordinates');

/** The line buf[start, end) into out when it has the clean shape: its tile id; undefined (out unspecified) otherwise. */
export function scanPolygonLine(buf: Buffer, start: number, end: number, out: FlatAnnotations): string | undefined {
  out.reset();
  let i = skipWs(buf, start, end);
  if (i >= end || buf[i] !== 0x7b) return undefined;
  i = skipWs(buf, i + 1, end);
  let idFrom = -1, idTo = -1, anns = false;
  for (;;) {
    const k = i + 1;
    i = scanString(buf, i, end);
    if (i < 0) return undefined;
    const key = i - 1 - k === 2 && buf[k] === 0x69 && buf[k + 1] === 0x64 ? 1 : isWord(buf, k, i - 1, K_ANN) ? 2 : 0;
    i = skipWs(buf, i, end);
    if (i >= end || buf[i] !== 0x3a) return undefined;
    i = skipWs(buf, i + 1, end);
    if (key === 1 && idFrom < 0) {
      idFrom = i + 1;
      i = scanAsciiString(buf, i, end);
      idTo = i - 1;
      if (i < 0 || idTo === idFrom) return undefined; // escapes, non-ASCII or an empty id: JSON.parse and the checks say what
    } else if (key === 2 && !anns) {
      anns = true;
      i = scanAnnotations(buf, i, end, out);
    } else return undefined; // another key, or one repeated
    if (i < 0) return undefined;
    i = skipWs(buf, i, end);
    const c = i < end ? buf[i] : -1;
    i = skipWs(buf, i + 1, end);
    if (c === 0x7d) {
      if (i !== end || idFrom < 0 || !anns) return undefined;
      return buf.toString('latin1', idFrom, idTo);
    }
    if (c !== 0x2c) return undefined;
  }
}

/** buf[from, to) holds exactly word's bytes. */
function isWord(buf: Buffer, from: number, to: number, word: Buffer): boolean {
  if (to - from !== word.length) return false;
  for (let k = 0; k < word.length; k++) if (buf[from + k] !== word[k]) return false;
  return true;
}

/** The string at buf[i] ('"' expected), without escapes or control bytes: the index after its closing quote, or -1. */
function scanString(buf: Buffer, i: number, end: number): number {
  if (i >= end || buf[i] !== 0x22) return -1;
  for (i++; i < end; i++) {
    const c = buf[i];
    if (c === 0x22) return i + 1;
    if (c === 0x5c || c < 0x20) return -1;
  }
  return -1;
}

/** As scanString, and every byte printable ASCII. */
function scanAsciiString(buf: Buffer, i: number, end: number): number {
  if (i >= end || buf[i] !== 0x22) return -1;
  for (i++; i < end; i++) {
    const c = buf[i];
    if (c === 0x22) return i + 1;
    if (c === 0x5c || c < 0x20 || c > 0x7e) return -1;
  }
  return -1;
}

/** Index of the first byte at or after i that is not JSON whitespace (end when none). */
function skipWs(buf: Buffer, i: number, end: number): number {
  while (i < end) {
    const c = buf[i];
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return i;
    i++;
  }
  return end;
}

/** The annotations list at buf[i]: each annotation into out; the index after its ']', or -1. */
function scanAnnotations(buf: Buffer, i: number, end: number, out: FlatAnnotations): number {
  if (i >= end || buf[i] !== 0x5b) return -1;
  i = skipWs(buf, i + 1, end);
  if (i < end && buf[i] === 0x5d) return i + 1;
  for (;;) {
    i = scanAnnotation(buf, i, end, out);
    if (i < 0) return -1;
    i = skipWs(buf, i, end);
    const c = i < end ? buf[i] : -1;
    i++;
    if (c === 0x5d) return i;
    if (c !== 0x2c) return -1;
    i = skipWs(buf, i, end);
  }
}

/** One annotation object at buf[i]: exactly the keys "type" (a known class) and "coordinates", in any order. */
function scanAnnotation(buf: Buffer, i: number, end: number, out: FlatAnnotations): number {
  if (i >= end || buf[i] !== 0x7b) return -1;
  i = skipWs(buf, i + 1, end);
  let cls = -1, coords = false;
  for (;;) {
    const k = i + 1;
    i = scanString(buf, i, end);
    if (i < 0) return -1;
    const key = isWord(buf, k, i - 1, K_TYPE) ? 1 : isWord(buf, k, i - 1, K_COORDS) ? 2 : 0;
    i = skipWs(buf, i, end);
    if (i >= end || buf[i] !== 0x3a) return -1;
    i = skipWs(buf, i + 1, end);
    if (key === 1 && cls < 0) {
      const v = i + 1;
      i = scanString(buf, i, end);
      if (i < 0) return -1;
      for (let c = 0; c < CLASS_BYTES.length; c++) if (isWord(buf, v, i - 1, CLASS_BYTES[c])) cls = c;
      if (cls < 0) return -1; // an unknown type: the checks report it
    } else if (key === 2 && !coords) {
      coords = true;
      i = scanRings(buf, i, end, out);
      if (i < 0) return -1;
    } else return -1; // another key, or one repeated
    i = skipWs(buf, i, end);
    const c = i < end ? buf[i] : -1;
    i++;
    if (c === 0x7d) break;
    if (c !== 0x2c) return -1;
    i = skipWs(buf, i, end);
  }
  if (cls < 0 || !coords) return -1;
  out.endAnnotation(cls);
  return i;
}

/**
 * The coordinates value at buf[i] ('[' expected): a non-empty list of rings of >= 3 [x, y]
 * integer points (at most 15 digits: exact as doubles) into out. Returns the index after its ']',
 * or -1 for any other shape. One function, locals only: the hot loop.
 */
function scanRings(buf: Buffer, i: number, end: number, out: FlatAnnotations): number {
  if (i >= end || buf[i] !== 0x5b) return -1;
  i = skipWs(buf, i + 1, end);
  for (;;) {
    // One ring.
    if (i >= end || buf[i] !== 0x5b) return -1;
    i++;
    const first = out.nPt;
    for (;;) {
      // One point: '[' int ',' int ']'.
      let c = i < end ? buf[i] : -1;
      if (c !== 0x5b) { i = skipWs(buf, i, end); c = i < end ? buf[i] : -1; if (c !== 0x5b) return -1; }
      i++;
      let x = 0;
      for (let comp = 0; comp < 2; comp++) {
        c = i < end ? buf[i] : -1;
        if (c !== 0x2d && (c < 0x30 || c > 0x39)) { i = skipWs(buf, i, end); c = i < end ? buf[i] : -1; }
        const neg = c === 0x2d;
        if (neg) i++;
        const from = i;
        let v = 0;
        for (; i < end; i++) {
          const d = buf[i] - 0x30;
          if (d < 0 || d > 9) break;
          v = v * 10 + d;
        }
        const n = i - from;
        if (n === 0 || n > 15 || (n > 1 && buf[from] === 0x30)) return -1;
        c = i < end ? buf[i] : -1;
        if (c === 0x2e || c === 0x65 || c === 0x45) return -1; // a fraction or an exponent: JSON.parse reads those
        if (neg) v = -v;
        const want = comp === 0 ? 0x2c : 0x5d;
        if (c !== want) {
          i = skipWs(buf, i, end);
          c = i < end ? buf[i] : -1;
          if (c !== want) return -1;
        }
        i++;
        if (comp === 0) x = v;
        else out.point(x, v);
      }
      // ',' or ']' after the point.
      c = i < end ? buf[i] : -1;
      if (c !== 0x2c && c !== 0x5d) { i = skipWs(buf, i, end); c = i < end ? buf[i] : -1; }
      i++;
      if (c === 0x5d) break;
      if (c !== 0x2c) return -1;
    }
    if (out.nPt - first < 3) return -1; // a short ring: the checks report it
    out.endRing();
    i = skipWs(buf, i, end);
    const c = i < end ? buf[i] : -1;
    i++;
    if (c === 0x5d) return i;
    if (c !== 0x2c) return -1;
    i = skipWs(buf, i, end);
  }
}
