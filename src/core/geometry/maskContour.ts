/** Outer boundaries of a binary mask as rings (Moore-neighbour tracing), to turn RLE masks into polygons. */
import type { Ring } from '../types';
import { labelComponents } from './connectedComponents';

// Clockwise on screen (y down): E, SE, S, SW, W, NW, N, NE.
const DX = [1, 1, 0, -1, -1, -1, 0, 1];
const DY = [0, 1, 1, 1, 0, -1, -1, -1];

/**
 * One ring per 8-connected component: its outer boundary pixels in clockwise order (on screen),
 * as [x = column, y = row]. Holes are not traced. Filling a ring with the rasteriser gives back
 * the component with its holes filled.
 */
export function maskToRings(mask: Uint8Array, width: number, height: number): Ring[] {
  const { labels, count } = labelComponents(mask, height, width);
  const rings: Ring[] = [];
  const seen = new Uint8Array(count + 1);
  for (let i = 0; i < labels.length; i++) {
    const lab = labels[i];
    if (!lab || seen[lab]) continue;
    seen[lab] = 1; // i is the component's topmost-leftmost pixel: its west neighbour is outside
    const sx = i % width, sy = (i - sx) / width;
    const inside = (x: number, y: number): boolean => x >= 0 && y >= 0 && x < width && y < height && labels[y * width + x] === lab;
    const ring: Ring = [[sx, sy]];
    let x = sx, y = sy, search = 4; // start the sweep at the west neighbour (background)
    let firstMove = -1;
    for (let steps = 0; steps < 4 * labels.length; steps++) {
      let d = -1;
      for (let k = 0; k < 8; k++) {
        const c = (search + k) % 8;
        if (inside(x + DX[c], y + DY[c])) { d = c; break; }
      }
      if (d < 0) break; // a single pixel
      if (x === sx && y === sy && steps > 0 && d === firstMove) break; // back at the start, about to repeat (Jacob's criterion)
      if (firstMove < 0) firstMove = d;
      x += DX[d]; y += DY[d];
      // Next sweep starts at the background cell examined just before this pixel.
      search = d % 2 === 0 ? (d + 6) % 8 : (d + 5) % 8;
      if (x === sx && y === sy) continue; // do not repeat the start vertex
      ring.push([x, y]);
    }
    rings.push(ring);
  }
  return rings;
}
