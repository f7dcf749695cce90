/** Ultralytics YOLO segmentation labels: one line per instance ring, coordinates normalised by the image size; data.yaml per fold. */
import type { Annotation, ClassName } from '../types';

const lut = new Map<number, string[]>();
/** v / size with 6 decimals (trailing zeros dropped) for the integers 0..size: real coordinates are integers, so this is a table look-up. */
function normTable(size: number): string[] {
  let t = lut.get(size);
  if (!t) lut.set(size, (t = Array.from({ length: size + 1 }, (_, v) => String(+(v / size).toFixed(6)))));
  return t;
}
const norm = (v: number, size: number, t: string[]) => (Number.isInteger(v) && v >= 0 && v <= size ? t[v] : String(+(v / size).toFixed(6)));

/** The label file text of one tile: `<class> x1 y1 x2 y2 ...` per ring (6 decimals), the closing point not repeated. */
export function yoloLabelText(instances: readonly Annotation[], classes: readonly ClassName[], width = 512, height = width): string {
  const tx = normTable(width), ty = normTable(height);
  let out = '';
  for (const a of instances) {
    const c = classes.indexOf(a.type);
    if (c < 0) throw new Error(`yoloLabelText: class ${a.type} is not one of ${classes.join(', ')}`);
    for (const ring of a.rings) {
      let n = ring.length;
      if (n > 3 && ring[0][0] === ring[n - 1][0] && ring[0][1] === ring[n - 1][1]) n--;
      let line = String(c);
      for (let k = 0; k < n; k++) line += ' ' + norm(ring[k][0], width, tx) + ' ' + norm(ring[k][1], height, ty);
      out += line + '\n';
    }
  }
  return out;
}

/** data.yaml of one fold: path, train and val image lists, nc and names (class index -> name). */
export function yoloDataYaml(root: string, train: string, val: string, classes: readonly ClassName[]): string {
  const q = (s: string) => JSON.stringify(s);
  return [
    `# Ultralytics YOLO segmentation dataset written by Vasculature Explorer`,
    `path: ${q(root)}`,
    `train: ${q(train)}`,
    `val: ${q(val)}`,
    `nc: ${classes.length}`,
    `names:`,
    ...classes.map((c, k) => `  ${k}: ${c}`),
    '',
  ].join('\n');
}
