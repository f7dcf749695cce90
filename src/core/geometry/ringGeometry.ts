/** Plane geometry on annotation rings: area, bounding box. */
import type { Ring } from '../types';

/** Signed shoelace area of a ring (not explicitly closed). */
export function signedArea(ring: Ring): number {
  let s = 0;
  const n = ring.length;
  for (let k = 0, m = n - 1; k < n; m = k++) {
    s += ring[m][0] * ring[k][1] - ring[k][0] * ring[m][1];
  }
  return s / 2;
}

/** Area of a polygon given as rings: the first is the outline, later ones are holes (GeoJSON convention). */
export function polygonArea(rings: Ring[]): number {
  if (rings.length === 0) return 0;
  let a = Math.abs(signedArea(rings[0]));
  for (let r = 1; r < rings.length; r++) a -= Math.abs(signedArea(rings[r]));
  return Math.max(0, a);
}

export interface BBox {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

/** Bounding box of a ring (inclusive pixel coordinates). */
export function ringBBox(ring: Ring): BBox {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const [x, y] of ring) {
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  return { minX, minY, maxX, maxY };
}
