/**
 * COCO compressed RLE, as the competition's submission masks use it:
 * runs over the mask in column-major (Fortran) order starting with a run of 0s,
 * written as pycocotools' counts string, then zlib (level 9) and base64.
 */
import { deflateSync, inflateSync } from 'node:zlib';
import { InstanceMask, emptyInstance } from '../geometry';
import { limits, raiseHint } from '../limits';

/** Run lengths of a row-major height x width binary mask, column-major order, first run = 0s. */
export function maskToRuns(mask: Uint8Array, height: number, width: number): number[] {
  if (mask.length !== height * width) {
    throw new Error(`mask has ${mask.length} pixels, expected ${height}x${width}=${height * width}`);
  }
  const runs: number[] = [];
  let current = 0, len = 0;
  for (let c = 0; c < width; c++) {
    for (let r = 0; r < height; r++) {
      const v = mask[r * width + c] ? 1 : 0;
      if (v !== current) { runs.push(len); current = v; len = 0; }
      len++;
    }
  }
  runs.push(len);
  return runs;
}

/** Run lengths (column-major, first run = 0s) of an instance placed in a height x width tile. */
export function instanceToRuns(inst: InstanceMask, height: number, width: number): number[] {
  const total = height * width;
  if (inst.area === 0) return [total];
  if (inst.x < 0 || inst.y < 0 || inst.x + inst.width > width || inst.y + inst.height > height) {
    throw new Error(`instance box (${inst.x},${inst.y},${inst.width}x${inst.height}) lies outside the ${height}x${width} tile`);
  }
  const runs: number[] = [];
  let current = 0, start = 0;
  for (let c = 0; c < inst.width; c++) {
    const colBase = (inst.x + c) * height + inst.y;
    for (let r = 0; r < inst.height; r++) {
      const v = inst.data[r * inst.width + c] ? 1 : 0;
      if (v !== current) {
        const g = colBase + r;
        runs.push(g - start);
        start = g;
        current = v;
      }
    }
    // A run of 1s at the crop's bottom edge continues only into a full-height crop's next column.
    const fullHeight = inst.y === 0 && inst.height === height;
    if (current === 1 && (!fullHeight || c === inst.width - 1)) {
      const g = colBase + inst.height;
      runs.push(g - start);
      start = g;
      current = 0;
    }
  }
  if (total > start) runs.push(total - start); // pycocotools writes no trailing empty run
  return runs;
}

/** Row-major height x width 0/1 mask from column-major runs; throws if the runs do not sum to height*width. */
export function runsToMask(runs: readonly number[], height: number, width: number): Uint8Array {
  checkRunsTotal(runs, height, width);
  const out = new Uint8Array(height * width);
  let g = 0;
  for (let i = 0; i < runs.length; i++) {
    const n = runs[i];
    if (i % 2 === 1) {
      for (let k = g; k < g + n; k++) out[(k % height) * width + Math.floor(k / height)] = 1;
    }
    g += n;
  }
  return out;
}

/** Bounding-box instance from column-major runs, without building the full mask. */
export function runsToInstance(runs: readonly number[], height: number, width: number): InstanceMask {
  checkRunsTotal(runs, height, width);
  let x0 = width, y0 = height, x1 = -1, y1 = -1, g = 0, area = 0;
  for (let i = 0; i < runs.length; i++) {
    const n = runs[i];
    if (i % 2 === 1 && n > 0) {
      const cs = Math.floor(g / height), ce = Math.floor((g + n - 1) / height);
      const rs = g % height, re = (g + n - 1) % height;
      if (cs < x0) x0 = cs;
      if (ce > x1) x1 = ce;
      if (cs === ce) {
        if (rs < y0) y0 = rs;
        if (re > y1) y1 = re;
      } else { // a run crossing a column boundary covers row height-1 of column cs and row 0 of column ce
        y0 = 0;
        y1 = height - 1;
      }
      area += n;
    }
    g += n;
  }
  if (area === 0) return emptyInstance();
  const w = x1 - x0 + 1, h = y1 - y0 + 1;
  const data = new Uint8Array(w * h);
  g = 0;
  for (let i = 0; i < runs.length; i++) {
    const n = runs[i];
    if (i % 2 === 1) {
      for (let k = g; k < g + n; k++) {
        const c = Math.floor(k / height) - x0, r = (k % height) - y0;
        data[r * w + c] = 1;
      }
    }
    g += n;
  }
  return { x: x0, y: y0, width: w, height: h, data, area };
}

function checkRunsTotal(runs: readonly number[], height: number, width: number): void {
  let total = 0;
  for (const n of runs) {
    if (!Number.isInteger(n) || n < 0) throw new Error(`RLE holds an invalid run length ${n}`);
    total += n;
  }
  if (total !== height * width) {
    throw new Error(`RLE covers ${total} pixels but the mask is ${height}x${width}=${height * width}`);
  }
}

/** pycocotools' counts string: deltas from two counts back (from the 4th on), 5-bit groups + 48. */
export function runsToCountsString(runs: readonly number[]): string {
  let s = '';
  for (let i = 0; i < runs.length; i++) {
    let x = runs[i];
    if (i > 2) x -= runs[i - 2];
    let more = true;
    while (more) {
      let c = x & 0x1f;
      x >>= 5;
      more = (c & 0x10) ? x !== -1 : x !== 0;
      if (more) c |= 0x20;
      s += String.fromCharCode(c + 48);
    }
  }
  return s;
}

/**
 * Inverse of runsToCountsString; throws on characters outside the alphabet or a truncated value.
 * With maxTotal (a mask's height*width), stops at the first run that takes the sum past it, or
 * at the (maxTotal+2)-th run, so a hostile string never builds more than maxTotal+1 runs.
 */
export function countsStringToRuns(s: string, maxTotal?: number): number[] {
  const runs: number[] = [];
  let p = 0, total = 0;
  while (p < s.length) {
    let x = 0, k = 0, more = true;
    while (more) {
      if (p >= s.length) throw new Error(`RLE counts string ends inside a value (at character ${p + 1})`);
      const c = s.charCodeAt(p) - 48;
      if (c < 0 || c > 63) throw new Error(`RLE counts string holds '${s[p]}' at character ${p + 1}, outside the 0x30-0x6f alphabet`);
      x |= (c & 0x1f) << (5 * k);
      more = (c & 0x20) !== 0;
      p++; k++;
      if (!more && (c & 0x10)) x |= -1 << (5 * k);
    }
    if (runs.length > 2) x += runs[runs.length - 2];
    if (maxTotal !== undefined) {
      total += x;
      if (x < 0) throw new Error(`RLE holds a negative run length (run ${runs.length + 1}, ending at character ${p})`);
      if (total > maxTotal || runs.length >= maxTotal + 1) {
        throw new RunsOverflowError(`RLE runs pass the ${maxTotal} pixels of the mask at run ${runs.length + 1} (character ${p} of ${s.length}); decoding stopped there`);
      }
    }
    runs.push(x);
  }
  return runs;
}

/** countsStringToRuns stopped: the runs would cover more than the mask. */
export class RunsOverflowError extends Error {}

/** Submission mask text: base64(zlib level 9(counts string)). */
export function encodeCountsForSubmission(counts: string): string {
  return deflateSync(Buffer.from(counts, 'latin1'), { level: 9 }).toString('base64');
}

/**
 * Counts string from submission mask text; throws RleDecodeError with a reason (base64, zlib, or
 * 'limit' when it would inflate past maxInflated bytes: inflation stops there, nothing larger is
 * ever allocated).
 */
export function decodeSubmissionToCounts(text: string, maxInflated = limits().maskInflatedBytes): string {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 === 1) {
    throw new RleDecodeError('base64', `'${abbreviate(text)}' is not base64 text`);
  }
  const bytes = Buffer.from(text, 'base64');
  let inflated: Buffer;
  try {
    inflated = inflateSync(bytes, { maxOutputLength: maxInflated });
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new RleDecodeError('limit', `its ${bytes.length} zlib bytes inflate past ${maxInflated} bytes (a zlib bomb?); inflation stopped there: ${raiseHint('maskInflatedBytes')}`);
    }
    throw new RleDecodeError('zlib', `base64 decodes to ${bytes.length} bytes that are not zlib data (${(e as Error).message})`);
  }
  return inflated.toString('latin1');
}

/** Which decoding stage failed. */
export type RleStage = 'base64' | 'zlib' | 'rle' | 'size' | 'limit';

/** A decoding failure that names the stage it failed in. */
export class RleDecodeError extends Error {
  constructor(readonly stage: RleStage, message: string) {
    super(message);
  }
}

/** Encodes a row-major binary mask into submission mask text. */
export function encodeMask(mask: Uint8Array, height: number, width: number): string {
  return encodeCountsForSubmission(runsToCountsString(maskToRuns(mask, height, width)));
}

/** Encodes an instance (placed in a height x width tile) into submission mask text. */
export function encodeInstance(inst: InstanceMask, height: number, width: number): string {
  return encodeCountsForSubmission(runsToCountsString(instanceToRuns(inst, height, width)));
}

/**
 * Decodes submission mask text to column-major runs checked against height*width; throws
 * RleDecodeError. Memory stays bounded: inflation stops at maxInflated bytes and the runs array
 * at height*width+1 entries.
 */
export function decodeRuns(text: string, height: number, width: number, maxInflated?: number, stats?: { inflatedBytes: number }): number[] {
  const counts = decodeSubmissionToCounts(text, maxInflated);
  if (stats) stats.inflatedBytes += counts.length;
  let runs: number[];
  try {
    runs = countsStringToRuns(counts, height * width);
  } catch (e) {
    throw new RleDecodeError(e instanceof RunsOverflowError ? 'size' : 'rle', (e as Error).message);
  }
  const total = runs.reduce((a, b) => a + b, 0);
  if (runs.some((n) => n < 0)) throw new RleDecodeError('rle', `RLE holds a negative run length`);
  if (total !== height * width) {
    throw new RleDecodeError('size', `RLE covers ${total} pixels but the row says ${height}x${width}=${height * width}`);
  }
  return runs;
}

/** Decodes submission mask text to a row-major 0/1 mask. */
export function decodeMask(text: string, height: number, width: number): Uint8Array {
  return runsToMask(decodeRuns(text, height, width), height, width);
}

/** Decodes submission mask text to a bounding-box instance. */
export function decodeInstance(text: string, height: number, width: number): InstanceMask {
  return runsToInstance(decodeRuns(text, height, width), height, width);
}

function abbreviate(s: string): string {
  return s.length > 24 ? `${s.slice(0, 20)}...` : s;
}
