/** Overlap measures between bounding-box-cropped instance masks. */
import { InstanceMask } from './instanceMask';

/** Number of pixels inside both masks; 0 at once when the bounding boxes do not overlap. */
export function intersectionArea(a: InstanceMask, b: InstanceMask): number {
  const x0 = Math.max(a.x, b.x), x1 = Math.min(a.x + a.width, b.x + b.width);
  if (x0 >= x1) return 0;
  const y0 = Math.max(a.y, b.y), y1 = Math.min(a.y + a.height, b.y + b.height);
  if (y0 >= y1) return 0;
  const ad = a.data, bd = b.data, aw = a.width, bw = b.width;
  let n = 0;
  for (let r = y0; r < y1; r++) {
    let ai = (r - a.y) * aw + (x0 - a.x);
    let bi = (r - b.y) * bw + (x0 - b.x);
    for (let c = x0; c < x1; c++, ai++, bi++) n += ad[ai] & bd[bi];
  }
  return n;
}

/** Intersection over union of two masks; 0 when both are empty. */
export function maskIou(a: InstanceMask, b: InstanceMask): number {
  const inter = intersectionArea(a, b);
  if (inter === 0) return 0;
  return inter / (a.area + b.area - inter);
}
