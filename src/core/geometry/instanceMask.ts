/** One binary instance stored as the crop of its bounding box, so thousands fit in memory. */

/** A binary instance mask: the bounding-box crop of a tile-sized mask. */
export interface InstanceMask {
  /** Column of the crop's upper-left pixel in the tile. */
  x: number;
  /** Row of the crop's upper-left pixel in the tile. */
  y: number;
  /** Crop width, px (0 for an empty mask). */
  width: number;
  /** Crop height, px (0 for an empty mask). */
  height: number;
  /** Row-major crop pixels, 1 = inside, 0 = outside. */
  data: Uint8Array;
  /** Number of inside pixels. */
  area: number;
}

/** The empty instance (no pixels). */
export function emptyInstance(): InstanceMask {
  return { x: 0, y: 0, width: 0, height: 0, data: new Uint8Array(0), area: 0 };
}

/** Crops a row-major height x width binary mask (any non-zero = inside) to its bounding box. */
export function instanceFromFullMask(mask: Uint8Array, height: number, width: number): InstanceMask {
  if (mask.length !== height * width) {
    throw new Error(`mask has ${mask.length} pixels, expected ${height}x${width}=${height * width}`);
  }
  let x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (let r = 0; r < height; r++) {
    const base = r * width;
    for (let c = 0; c < width; c++) {
      if (mask[base + c]) {
        if (c < x0) x0 = c;
        if (c > x1) x1 = c;
        if (r < y0) y0 = r;
        y1 = r;
      }
    }
  }
  if (x1 < 0) return emptyInstance();
  const w = x1 - x0 + 1, h = y1 - y0 + 1;
  const data = new Uint8Array(w * h);
  let area = 0;
  for (let r = 0; r < h; r++) {
    const src = (r + y0) * width + x0;
    for (let c = 0; c < w; c++) {
      if (mask[src + c]) { data[r * w + c] = 1; area++; }
    }
  }
  return { x: x0, y: y0, width: w, height: h, data, area };
}

/** Expands an instance back to a row-major height x width mask of 0/1. */
export function instanceToFullMask(inst: InstanceMask, height: number, width: number): Uint8Array {
  const out = new Uint8Array(height * width);
  for (let r = 0; r < inst.height; r++) {
    const tr = r + inst.y;
    if (tr < 0 || tr >= height) continue;
    for (let c = 0; c < inst.width; c++) {
      const tc = c + inst.x;
      if (tc >= 0 && tc < width && inst.data[r * inst.width + c]) out[tr * width + tc] = 1;
    }
  }
  return out;
}
