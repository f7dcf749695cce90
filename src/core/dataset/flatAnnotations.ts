/**
 * One polygons.jsonl line's annotations as flat typed arrays (class per annotation, rings per
 * annotation, points per ring), filled by the byte scanner or from a JSON.parse'd line.
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

/** Fill out from an already parsed line: annotations of a known class, rings of >= 3 finite [x, y] points, at least one such ring. */
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
