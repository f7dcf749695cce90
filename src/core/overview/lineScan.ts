/**
 * Reads the annotations of one polygons.jsonl line into flat typed arrays for the Dataset
 * Overview's polygon pass, without JSON.parse for lines of the usual shape
 * ({"id": "...", "annotations": [{"type": "...", "coordinates": [[[x, y], ...]]}]} with integer
 * coordinates, any whitespace and key order). Any other line goes through JSON.parse and the
 * same filter, so both roads keep exactly the annotations and rings the pass always kept: a known
 * class, rings of >= 3 points whose x and y are finite numbers, at least one such ring.
 */
import { CLASS_NAMES } from '../types';

/** The kept annotations of one line (buffers sized for the largest real lines, so they rarely grow): annotation a has rings ringStart[annRing[a]] .. ; ring r has points ptStart[r] .. ptStart[r + 1]. */
export class FlatAnnotations {
  nAnn = 0;
  nRing = 0;
  nPt = 0;
  /** Class of each annotation: an index into CLASS_NAMES. */
  cls = new Uint8Array(512);
  /** First ring of each annotation; annRing[nAnn] = nRing. */
  annRing = new Int32Array(513);
  /** First point of each ring; ptStart[nRing] = nPt. */
  ptStart = new Int32Array(2049);
  xs = new Float64Array(1 << 15);
  ys = new Float64Array(1 << 15);

  /** Forget the previous line. */
  reset(): void {
    this.nAnn = 0;
    this.nRing = 0;
    this.nPt = 0;
    this.annRing[0] = 0;
    this.ptStart[0] = 0;
  }

  /** Append a point to the ring being built. */
  point(x: number, y: number): void {
    if (this.nPt === this.xs.length) {
      this.xs = grow(this.xs, this.nPt * 2);
      this.ys = grow(this.ys, this.nPt * 2);
    }
    this.xs[this.nPt] = x;
    this.ys[this.nPt++] = y;
  }

  /** Close the ring being built: kept with >= 3 points, else its points are dropped. */
  endRing(): void {
    if (this.nPt - this.ptStart[this.nRing] < 3) {
      this.nPt = this.ptStart[this.nRing];
      return;
    }
    if (this.nRing + 2 > this.ptStart.length) this.ptStart = grow(this.ptStart, this.ptStart.length * 2);
    this.ptStart[++this.nRing] = this.nPt;
  }

  /** Drop the ring being built. */
  dropRing(): void {
    this.nPt = this.ptStart[this.nRing];
  }

  /** Close the annotation being built: kept with a class and >= 1 ring, else its rings are dropped. */
  endAnnotation(cls: number): void {
    const first = this.annRing[this.nAnn];
    if (cls < 0 || this.nRing === first) {
      this.nRing = first;
      this.nPt = this.ptStart[first];
      return;
    }
    if (this.nAnn + 2 > this.annRing.length) {
      this.annRing = grow(this.annRing, this.annRing.length * 2);
      this.cls = grow(this.cls, this.annRing.length);
    }
    this.cls[this.nAnn] = cls;
    this.annRing[++this.nAnn] = this.nRing;
  }
}

function grow<T extends Float64Array | Int32Array | Uint8Array>(a: T, n: number): T {
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a);
  return b;
}

const CLASS_INDEX = new Map<string, number>(CLASS_NAMES.map((c, k) => [c, k]));
const CLASS_BYTES = CLASS_NAMES.map((c) => Buffer.from(c, 'latin1'));
const K_ANN = Buffer.from('annotations'), K_TYPE = Buffer.from('type'), K_COORDS = Buffer.from('coordinates');

/** Fill out from an already parsed line (the slow road): the same filter as the fast one. */
export function flattenParsed(obj: unknown, out: FlatAnnotations): void {
  out.reset();
  const anns = obj !== null && typeof obj === 'object' ? (obj as { annotations?: unknown }).annotations : undefined;
  if (!Array.isArray(anns)) return;
  for (const a of anns as { type?: unknown; coordinates?: unknown }[]) {
    if (!a || typeof a !== 'object' || typeof a.type !== 'string') continue;
    const cls = CLASS_INDEX.get(a.type);
    if (cls === undefined || !Array.isArray(a.coordinates)) continue;
    for (const r of a.coordinates as unknown[]) {
      if (!Array.isArray(r) || r.length < 3) continue;
      let ok = true;
      for (const p of r as unknown[]) {
        if (!Array.isArray(p)) { ok = false; break; }
        const x: unknown = p[0], y: unknown = p[1];
        if (typeof x !== 'number' || typeof y !== 'number' || !Number.isFinite(x) || !Number.isFinite(y)) { ok = false; break; }
        out.point(x, y);
      }
      if (ok) out.endRing();
      else out.dropRing();
    }
    out.endAnnotation(cls);
  }
}

/**
 * Fill out from the line's bytes buf[start, end) when it has the usual shape; false (out in an
 * unspecified state) when it does not, and the caller should JSON.parse it and call flattenParsed.
 * Small functions over (buf, index) that return the next index or -1: quick for V8 to compile.
 */
export function scanLine(buf: Buffer, start: number, end: number, out: FlatAnnotations): boolean {
  out.reset();
  let i = start;
  if (end - i >= 3 && buf[i] === 0xef && buf[i + 1] === 0xbb && buf[i + 2] === 0xbf) i += 3;
  i = skipWs(buf, i, end);
  if (i >= end || buf[i] !== 0x7b) return false;
  i = skipWs(buf, i + 1, end);
  if (i < end && buf[i] === 0x7d) return skipWs(buf, i + 1, end) === end;
  let id = false, anns = false;
  for (;;) {
    const k = i + 1;
    i = scanString(buf, i, end);
    if (i < 0) return false;
    const key = i - 1 - k === 2 && buf[k] === 0x69 && buf[k + 1] === 0x64 ? 1 : isWord(buf, k, i - 1, K_ANN) ? 2 : 0;
    i = skipWs(buf, i, end);
    if (i >= end || buf[i] !== 0x3a) return false;
    i = skipWs(buf, i + 1, end);
    if (key === 1 && !id) {
      id = true;
      i = scanString(buf, i, end);
    } else if (key === 2 && !anns) {
      anns = true;
      i = scanAnnotations(buf, i, end, out);
    } else return false; // another key, or one repeated
    if (i < 0) return false;
    i = skipWs(buf, i, end);
    const c = i < end ? buf[i] : -1;
    i = skipWs(buf, i + 1, end);
    if (c === 0x7d) return i === end;
    if (c !== 0x2c) return false;
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
    i = skipWs(buf, i + 1, end);
    if (c === 0x5d) return i;
    if (c !== 0x2c) return -1;
  }
}

/** One annotation object at buf[i] with the keys "type" and "coordinates" (each at most once, any order). */
function scanAnnotation(buf: Buffer, i: number, end: number, out: FlatAnnotations): number {
  if (i >= end || buf[i] !== 0x7b) return -1;
  i = skipWs(buf, i + 1, end);
  let cls = -2, coords = false; // cls -2: no "type" yet, -1: not a known class
  if (i < end && buf[i] === 0x7d) i++;
  else {
    for (;;) {
      const k = i + 1;
      i = scanString(buf, i, end);
      if (i < 0) return -1;
      const key = isWord(buf, k, i - 1, K_TYPE) ? 1 : isWord(buf, k, i - 1, K_COORDS) ? 2 : 0;
      i = skipWs(buf, i, end);
      if (i >= end || buf[i] !== 0x3a) return -1;
      i = skipWs(buf, i + 1, end);
      if (key === 1 && cls === -2) {
        const v = i + 1;
        i = scanString(buf, i, end);
        if (i < 0) return -1;
        cls = -1;
        for (let c = 0; c < CLASS_BYTES.length; c++) if (isWord(buf, v, i - 1, CLASS_BYTES[c])) cls = c;
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
  }
  out.endAnnotation(cls < 0 ? -1 : cls);
  return i;
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

/**
 * The coordinates value at buf[i] ('[' expected): rings of [x, y] integer points (at most 15
 * digits, exact as doubles) go to out (rings of < 3 points are dropped there). Returns the index
 * after its ']', or -1 when the value has any other shape. One function, locals only: the hot loop.
 */
function scanRings(buf: Buffer, i: number, end: number, out: FlatAnnotations): number {
  if (i >= end || buf[i] !== 0x5b) return -1;
  i = skipWs(buf, i + 1, end);
  if (i < end && buf[i] === 0x5d) return i + 1;
  for (;;) {
    // One ring.
    if (i >= end || buf[i] !== 0x5b) return -1;
    i = skipWs(buf, i + 1, end);
    if (i < end && buf[i] === 0x5d) i++;
    else {
      for (;;) {
        // One point: '[' int ',' int ']'.
        if (i >= end || buf[i] !== 0x5b) return -1;
        i++;
        let x = 0;
        for (let comp = 0; comp < 2; comp++) {
          let c = i < end ? buf[i] : -1;
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
          if (c !== (comp === 0 ? 0x2c : 0x5d)) {
            i = skipWs(buf, i, end);
            c = i < end ? buf[i] : -1;
            if (c !== (comp === 0 ? 0x2c : 0x5d)) return -1;
          }
          i++;
          if (comp === 0) x = v;
          else out.point(x, v);
        }
        // ',' or ']' after the point.
        let c = i < end ? buf[i] : -1;
        if (c !== 0x2c && c !== 0x5d) { i = skipWs(buf, i, end); c = i < end ? buf[i] : -1; }
        i++;
        if (c === 0x5d) break;
        if (c !== 0x2c) return -1;
        i = skipWs(buf, i, end);
      }
    }
    out.endRing();
    i = skipWs(buf, i, end);
    const c = i < end ? buf[i] : -1;
    i++;
    if (c === 0x5d) return i;
    if (c !== 0x2c) return -1;
    i = skipWs(buf, i, end);
  }
}
