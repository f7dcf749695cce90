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
  const parent: number[] = [0];
  const find = (x: number): number => {
    while (parent[x] !== x) { parent[x] = parent[parent[x]]; x = parent[x]; }
    return x;
  };
  const union = (a: number, b: number): number => {
    const ra = find(a), rb = find(b);
    if (ra === rb) return ra;
    if (ra < rb) { parent[rb] = ra; return ra; }
    parent[ra] = rb;
    return rb;
  };
  const diag = connectivity === 8;
  for (let r = 0; r < height; r++) {
    const row = r * width, up = row - width;
    for (let c = 0; c < width; c++) {
      const i = row + c;
      if (!mask[i]) continue;
      let l = 0;
      const take = (j: number): void => {
        const lj = labels[j];
        if (lj) l = l ? union(l, lj) : lj;
      };
      if (c > 0) take(i - 1);
      if (r > 0) {
        take(up + c);
        if (diag) {
          if (c > 0) take(up + c - 1);
          if (c + 1 < width) take(up + c + 1);
        }
      }
      if (!l) { l = parent.length; parent.push(l); }
      labels[i] = l;
    }
  }
  // Second pass: compact roots to 1..count in order of first appearance.
  const remap = new Int32Array(parent.length);
  let count = 0;
  for (let i = 0; i < n; i++) {
    const l = labels[i];
    if (!l) continue;
    const root = find(l);
    if (!remap[root]) remap[root] = ++count;
    labels[i] = remap[root];
  }
  return { labels, count };
}
