/**
 * The pixel arrays of one tile's labels, drawn with geometry's fillRing (Pillow's ImageDraw.polygon
 * rule, pixel for pixel): binary class masks, the class-index label map and the 16-bit instance map.
 */
import { fillRing } from '../geometry';
import type { Annotation, ClassName } from '../types';

/** The value of ignore pixels in the label map (mmsegmentation's ignore_index). */
export const LABEL_IGNORE = 255;

/** Binary mask of the instances of one class: inside = value (drawn into `into`, cleared first, when given). */
export function classMask(instances: readonly Annotation[], cls: ClassName, value: number, size = 512, into?: Uint8Array): Uint8Array {
  const m = into ? into.fill(0) : new Uint8Array(size * size);
  for (const a of instances) if (a.type === cls) for (const r of a.rings) fillRing(m, size, size, r, value);
  return m;
}

/** Binary mask of a list of polygons (the ignore region): inside = value. */
export function unionMask(polys: readonly Annotation[], value: number, size = 512): Uint8Array {
  const m = new Uint8Array(size * size);
  for (const a of polys) for (const r of a.rings) fillRing(m, size, size, r, value);
  return m;
}

/**
 * Class-index label map: 0 background, k + 1 for classes[k]. Where classes overlap the class
 * listed first wins (drawn last); ignore polygons are 255 under every class.
 */
export function labelMap(instances: readonly Annotation[], classes: readonly ClassName[], ignore: readonly Annotation[] = [], size = 512): Uint8Array {
  const m = new Uint8Array(size * size);
  for (const a of ignore) for (const r of a.rings) fillRing(m, size, size, r, LABEL_IGNORE);
  for (let k = classes.length - 1; k >= 0; k--) {
    for (const a of instances) if (a.type === classes[k]) for (const r of a.rings) fillRing(m, size, size, r, k + 1);
  }
  return m;
}

/** Instance map (16-bit): instance k (0-based, file order) has id k + 1; a later instance covers an earlier one where they overlap. */
export function instanceMap(instances: readonly Annotation[], size = 512): Uint16Array {
  if (instances.length > 0xffff) throw new Error(`${instances.length} instances do not fit a 16-bit instance PNG (max 65535).`);
  const m = new Uint16Array(size * size);
  instances.forEach((a, k) => { for (const r of a.rings) fillRing(m, size, size, r, k + 1); });
  return m;
}
