/** The slide map: every tile of one WSI drawn at its true (i, j) pixel offset; hover names the tile, click opens it. */
import type { SlideMapWsi } from '../../src/core/types/index.js';
import { inkInside } from './barChart.js';
import { resolveColor, themeBasics, withAlpha } from './theme.js';

export type ColorBy = 'vessels' | 'dataset';
const TILE = 512;
const STATES = ['annotated', 'not annotated', 'image missing'];

export interface DrawnSlideMap {
  snapshot(): { wsi: number; tiles: number; inkPixels: number };
  /** Click tile k (index into the WSI's arrays) as a person would. */
  click(k: number): void;
  /** The same map drawn into a new canvas at device pixel ratio dpr (PNG export). */
  paint(dpr: number): HTMLCanvasElement;
  destroy(): void;
}

/** Draw one WSI's tiles into host; tooltip is a positioned element whose text is set with textContent. */
export function drawSlideMap(host: HTMLElement, m: SlideMapWsi, colorBy: ColorBy, tooltip: HTMLElement, onOpen: (id: string) => void): DrawnSlideMap {
  const t = themeBasics();
  const canvas = document.createElement('canvas');
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', `Slide map of WSI ${m.wsi}: ${m.ids.length} tiles at their pixel offsets. Click a tile to open it.`);
  host.replaceChildren(canvas, tooltip);
  const w = host.clientWidth || 600, h = host.clientHeight || 420;
  canvas.style.width = `${w}px`;
  canvas.style.height = `${h}px`;
  let minI = Infinity, minJ = Infinity, maxI = -Infinity, maxJ = -Infinity, maxV = 0;
  for (let k = 0; k < m.ids.length; k++) {
    minI = Math.min(minI, m.i[k]); maxI = Math.max(maxI, m.i[k] + TILE);
    minJ = Math.min(minJ, m.j[k]); maxJ = Math.max(maxJ, m.j[k] + TILE);
    maxV = Math.max(maxV, m.vessels[k]);
  }
  const pad = 8;
  const scale = Math.min((w - 2 * pad) / Math.max(1, maxI - minI), (h - 2 * pad) / Math.max(1, maxJ - minJ));
  const ox = pad + (w - 2 * pad - (maxI - minI) * scale) / 2, oy = pad + (h - 2 * pad - (maxJ - minJ) * scale) / 2;
  const rect = (k: number) => ({ x: ox + (m.i[k] - minI) * scale, y: oy + (m.j[k] - minJ) * scale, s: TILE * scale });
  const vessel = resolveColor('class:blood_vessel');
  const outline = t.highContrast && t.border ? t.border : withAlpha(t.fg, 0.35);
  /** Draws the map into target at device pixel ratio dpr (the screen's, or the export's). */
  const paint = (target: HTMLCanvasElement, dpr: number): HTMLCanvasElement => {
  target.width = Math.round(w * dpr);
  target.height = Math.round(h * dpr);
  const ctx = target.getContext('2d')!;
  ctx.scale(dpr, dpr);
  // Semi-transparent fills: overlapping tiles (WSI 2) stay visible as darker overlaps.
  for (let k = 0; k < m.ids.length; k++) {
    const r = rect(k);
    let fill: string | undefined;
    if (m.state[k] === 2) fill = undefined;
    else if (colorBy === 'dataset') fill = withAlpha(resolveColor(`dataset:${m.dataset[k] < 0 ? 'none' : m.dataset[k]}`), 0.75);
    else if (m.state[k] === 0) fill = withAlpha(vessel, 0.2 + 0.8 * Math.sqrt(m.vessels[k] / Math.max(1, maxV)));
    else fill = withAlpha(t.fg, 0.12);
    if (fill) {
      ctx.fillStyle = fill;
      ctx.fillRect(r.x, r.y, r.s, r.s);
    }
    ctx.strokeStyle = outline;
    ctx.lineWidth = 0.5;
    ctx.strokeRect(r.x, r.y, r.s, r.s);
  }
  return target;
  };
  paint(canvas, window.devicePixelRatio || 1);
  // The tile under a point: the last drawn wins, as on screen.
  const at = (x: number, y: number) => {
    for (let k = m.ids.length - 1; k >= 0; k--) {
      const r = rect(k);
      if (x >= r.x && x < r.x + r.s && y >= r.y && y < r.y + r.s) return k;
    }
    return -1;
  };
  const pos = (e: MouseEvent) => {
    const b = canvas.getBoundingClientRect();
    return { x: e.clientX - b.left, y: e.clientY - b.top };
  };
  canvas.addEventListener('mousemove', (e) => {
    const p = pos(e);
    const k = at(p.x, p.y);
    if (k < 0) {
      tooltip.hidden = true;
      canvas.style.cursor = 'default';
      return;
    }
    canvas.style.cursor = 'pointer';
    tooltip.hidden = false;
    tooltip.textContent = `${m.ids[k]} · (${m.i[k]}, ${m.j[k]}) · dataset ${m.dataset[k] < 0 ? '–' : m.dataset[k]} · ${m.vessels[k]} blood vessels · ${STATES[m.state[k]]}`;
    tooltip.style.left = `${Math.min(p.x + 12, w - 260)}px`;
    tooltip.style.top = `${p.y + 12}px`;
  });
  canvas.addEventListener('mouseleave', () => { tooltip.hidden = true; });
  canvas.addEventListener('click', (e) => {
    const p = pos(e);
    const k = at(p.x, p.y);
    if (k >= 0) onOpen(m.ids[k]);
  });
  // A clickable tile with an image, for tests that click like a person.
  const firstWithImage = m.state.findIndex((s) => s !== 2);
  if (firstWithImage >= 0) {
    const r = rect(firstWithImage);
    // A point of the tile that no later tile covers.
    let px = r.x + r.s / 2, py = r.y + r.s / 2, found = false;
    for (const f of [0.5, 0.25, 0.75, 0.1, 0.9]) {
      for (const g of [0.5, 0.25, 0.75, 0.1, 0.9]) {
        if (at(r.x + r.s * f, r.y + r.s * g) === firstWithImage) { px = r.x + r.s * f; py = r.y + r.s * g; found = true; break; }
      }
      if (found) break;
    }
    host.dataset.clickable = JSON.stringify({ id: m.ids[firstWithImage], px: Math.round(px * 10) / 10, py: Math.round(py * 10) / 10 });
  } else delete host.dataset.clickable;
  host.dataset.wsi = String(m.wsi);
  host.dataset.tiles = String(m.ids.length);
  return {
    snapshot: () => ({ wsi: m.wsi, tiles: m.ids.length, inkPixels: inkInside(canvas) }),
    click: (k) => { if (k >= 0 && k < m.ids.length) onOpen(m.ids[k]); },
    paint: (dpr) => paint(document.createElement('canvas'), dpr),
    destroy: () => canvas.remove(),
  };
}
