/** Connected-component labelling of a binary map (two-pass union-find). */

/** 8 = pixels touching at a corner are connected (the default, as OpenCV and skimage); 4 = edges only. */
export type Connectivity = 4 | 8;

export interface ComponentLabels {
  /** Per pixel (row-major): 0 = background, 1..count = component, numbered in raster order of first pixel. */
  labels: Int32Array;
  count: number;
}

/** Labels the non-zero pixels of a row-major height x width map. */
export function labelComponents(mask: Uint8Array, height: number, width: number, connectivity: Connectivity = 8): ComponentLabels {
  const n = height * width;
  if (mask.length !== n) throw new Error(`mask has ${mask.length} pixels, expected ${height}x${width}=${n}`);
  const labels = new Int32Array(n);
  const parent = new Int32Array((n >> 1) + 2); // provisional labels never exceed ceil(n/2)
  let next = 1;
  const diag = connectivity === 8;
  for (let r = 0; r < height; r++) {
    const row = r * width, up = row - width;
    for (let c = 0; c < width; c++) {
      const i = row + c;
      if (!mask[i]) continue;
      // b = up, a = up-left, d = left, e = up-right. With 8-connectivity a set b already joins a, d and e.
      const b = r > 0 ? labels[up + c] : 0;
      const d = c > 0 ? labels[i - 1] : 0;
      let l: number;
      if (diag) {
        if (b) {
          l = b;
        } else {
          const a = r > 0 && c > 0 ? labels[up + c - 1] : 0;
          const e = r > 0 && c + 1 < width ? labels[up + c + 1] : 0;
          const left = a || d;
          l = left && e ? union(parent, left, e) : left || e;
        }
      } else {
        l = b && d ? union(parent, b, d) : b || d;
      }
      if (!l) { l = next++; parent[l] = l; }
      labels[i] = l;
    }
  }
  // Roots are the smallest label of each set and labels were made in raster order, so numbering
  // roots in increasing order numbers components by their first pixel; parent[l] <= l flattens in one sweep.
  let count = 0;
  for (let l = 1; l < next; l++) parent[l] = parent[l] === l ? ++count : parent[parent[l]];
  for (let i = 0; i < n; i++) {
    const l = labels[i];
    if (l) labels[i] = parent[l];
  }
  return { labels, count };
}

function find(parent: Int32Array, x: number): number {
  while (parent[x] !== x) {
    parent[x] = parent[parent[x]];
    x = parent[x];
  }
  return x;
}

/** Joins two sets; the smaller root wins, so roots keep raster order. */
function union(parent: Int32Array, a: number, b: number): number {
  const ra = find(parent, a), rb = find(parent, b);
  if (ra === rb) return ra;
  if (ra < rb) { parent[rb] = ra; return ra; }
  parent[ra] = rb;
  return rb;
}
