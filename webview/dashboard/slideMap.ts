/**
 * The slide map: every tile of one WSI drawn at its true (i, j) pixel offset, filling the card's
 * width; wheel, +/- buttons and keys zoom, drag and Shift+arrows pan; the tiles in the shared tile
 * filter are highlighted and the rest dimmed; arrows move between tiles, Enter (or a click) opens one.
 */
import type { SlideMapWsi } from '../../src/core/types/index.js';
import { inkInside } from './barChart.js';
import { cssVar, resolveColor, themeBasics, withAlpha } from './theme.js';

export type ColorBy = 'vessels' | 'dataset';
const TILE = 512;
const STATES = ['annotated', 'not annotated', 'image missing'];
export const MIN_ZOOM = 1;
export const MAX_ZOOM = 32;

/** Zoom and pan of the map (kept across redraws of the same WSI): screen = base * zoom + (tx, ty). */
export interface SlideView { wsi: number; zoom: number; tx: number; ty: number; focus: number }

export interface DrawnSlideMap {
  snapshot(): { wsi: number; tiles: number; inkPixels: number; zoom: number; highlighted: number; focused?: string };
  /** Click tile k (index into the WSI's arrays) as a person would. */
  click(k: number): void;
  /** The same map drawn into a new canvas at device pixel ratio dpr (PNG export). */
  paint(dpr: number): HTMLCanvasElement;
  /** Multiply the zoom by f around the map's centre (the +/- buttons). */
  zoomBy(f: number): void;
  /** Back to the whole WSI. */
  resetView(): void;
  /** Highlight these tile ids (the shared filter; undefined: no filter, nothing dimmed). */
  setHighlight(ids: ReadonlySet<string> | undefined): void;
  destroy(): void;
}

export interface SlideMapOptions {
  /** The view to start from (the same WSI's last one) and where changes are written. */
  view: SlideView;
  highlight?: ReadonlySet<string>;
  /** After every zoom/pan (the zoom level label). */
  onView?: (v: SlideView) => void;
}

/** Draw one WSI's tiles into host; tooltip is a positioned element whose text is set with textContent. */
export function drawSlideMap(host: HTMLElement, m: SlideMapWsi, colorBy: ColorBy, tooltip: HTMLElement, onOpen: (id: string) => void, opts: SlideMapOptions = { view: { wsi: m.wsi, zoom: 1, tx: 0, ty: 0, focus: -1 } }): DrawnSlideMap {
  const t = themeBasics();
  const view = opts.view;
  let highlight = opts.highlight;
  const canvas = document.createElement('canvas');
  canvas.setAttribute('role', 'application');
  canvas.setAttribute('aria-roledescription', 'slide map');
  canvas.setAttribute('aria-label', `Slide map of WSI ${m.wsi}: ${m.ids.length} tiles at their pixel offsets. Arrow keys move between tiles, Enter opens the focused tile; plus and minus zoom, 0 resets, Shift+arrows pan. Mouse: wheel zooms, drag pans, click opens a tile.`);
  canvas.tabIndex = 0;
  const live = document.createElement('span');
  live.className = 'sr-only';
  live.setAttribute('aria-live', 'polite');
  host.replaceChildren(canvas, tooltip, live);
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
  /** A tile's rectangle on screen (CSS px), zoom and pan applied. */
  const rect = (k: number) => {
    const z = view.zoom;
    return { x: (ox + (m.i[k] - minI) * scale) * z + view.tx, y: (oy + (m.j[k] - minJ) * scale) * z + view.ty, s: TILE * scale * z };
  };
  const vessel = resolveColor('class:blood_vessel');
  const outline = t.highContrast && t.border ? t.border : withAlpha(t.fg, 0.35);
  const marked = cssVar('--vscode-charts-orange', '#d18616');
  const focusColor = t.highContrast ? cssVar('--vscode-contrastActiveBorder', cssVar('--vscode-focusBorder', '#f38518')) : cssVar('--vscode-focusBorder', '#007fd4');
  let keyboardFocus = false;
  const inFilter = (k: number) => !highlight || highlight.has(m.ids[k]);
  const highlighted = () => (highlight ? m.ids.reduce((n, id) => n + (highlight!.has(id) ? 1 : 0), 0) : 0);
  /** Draws the map into target at device pixel ratio dpr (the screen's, or the export's). */
  const paint = (target: HTMLCanvasElement, dpr: number): HTMLCanvasElement => {
    target.width = Math.round(w * dpr);
    target.height = Math.round(h * dpr);
    const ctx = target.getContext('2d')!;
    ctx.scale(dpr, dpr);
    // Semi-transparent fills: overlapping tiles (WSI 2) stay visible as darker overlaps. Outside the filter: dimmed.
    for (let k = 0; k < m.ids.length; k++) {
      const r = rect(k);
      if (r.x > w || r.y > h || r.x + r.s < 0 || r.y + r.s < 0) continue;
      ctx.globalAlpha = inFilter(k) ? 1 : 0.18;
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
    ctx.globalAlpha = 1;
    // The filtered tiles' outlines on top, so a neighbour drawn later does not hide them.
    if (highlight) {
      ctx.strokeStyle = marked;
      ctx.lineWidth = 1.5;
      for (let k = 0; k < m.ids.length; k++) if (inFilter(k)) { const r = rect(k); ctx.strokeRect(r.x + 0.75, r.y + 0.75, Math.max(1, r.s - 1.5), Math.max(1, r.s - 1.5)); }
    }
    if (keyboardFocus && view.focus >= 0 && view.focus < m.ids.length && target === canvas) {
      const r = rect(view.focus);
      ctx.strokeStyle = focusColor;
      ctx.lineWidth = 2.5;
      ctx.strokeRect(r.x - 1.5, r.y - 1.5, r.s + 3, r.s + 3);
    }
    return target;
  };
  const publish = () => {
    host.dataset.zoom = view.zoom.toFixed(3);
    host.dataset.highlighted = String(highlighted());
    host.classList.toggle('zoomed', view.zoom > MIN_ZOOM + 1e-6);
    opts.onView?.(view);
  };
  const redraw = () => {
    paint(canvas, window.devicePixelRatio || 1);
    publish();
  };
  /** Keep the content on screen: no pan past the map's edges. */
  const clampPan = () => {
    const z = view.zoom;
    view.tx = Math.min(0, Math.max(w - w * z, view.tx));
    view.ty = Math.min(0, Math.max(h - h * z, view.ty));
  };
  /** Zoom to z around the screen point (cx, cy). */
  const zoomAt = (z: number, cx: number, cy: number) => {
    const nz = Math.max(MIN_ZOOM, Math.min(MAX_ZOOM, z));
    view.tx = cx - ((cx - view.tx) * nz) / view.zoom;
    view.ty = cy - ((cy - view.ty) * nz) / view.zoom;
    view.zoom = nz;
    clampPan();
    redraw();
  };
  const panBy = (dx: number, dy: number) => {
    view.tx += dx;
    view.ty += dy;
    clampPan();
    redraw();
  };
  if (view.wsi !== m.wsi || !(view.zoom >= MIN_ZOOM)) Object.assign(view, { wsi: m.wsi, zoom: 1, tx: 0, ty: 0, focus: -1 });
  clampPan();
  redraw();
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
  const describe = (k: number) => `${m.ids[k]} · (${m.i[k]}, ${m.j[k]}) · dataset ${m.dataset[k] < 0 ? '–' : m.dataset[k]} · ${m.vessels[k]} blood vessels · ${STATES[m.state[k]]}${highlight ? (highlight.has(m.ids[k]) ? ' · in the filter' : ' · outside the filter') : ''}`;
  let drag: { x: number; y: number; tx: number; ty: number; moved: boolean } | undefined;
  canvas.addEventListener('mousedown', (e) => {
    if (e.button !== 0) return;
    const p = pos(e);
    drag = { x: p.x, y: p.y, tx: view.tx, ty: view.ty, moved: false };
  });
  canvas.addEventListener('mousemove', (e) => {
    const p = pos(e);
    if (drag && (e.buttons & 1)) {
      if (Math.abs(p.x - drag.x) + Math.abs(p.y - drag.y) > 3) drag.moved = true;
      if (drag.moved && view.zoom > MIN_ZOOM) {
        view.tx = drag.tx + (p.x - drag.x);
        view.ty = drag.ty + (p.y - drag.y);
        clampPan();
        redraw();
        tooltip.hidden = true;
        return;
      }
    }
    const k = at(p.x, p.y);
    if (k < 0) {
      tooltip.hidden = true;
      canvas.style.cursor = '';
      return;
    }
    canvas.style.cursor = 'pointer';
    tooltip.hidden = false;
    tooltip.textContent = describe(k);
    tooltip.style.left = `${Math.min(p.x + 12, w - 260)}px`;
    tooltip.style.top = `${Math.min(p.y + 12, h - 40)}px`;
  });
  canvas.addEventListener('mouseleave', () => { tooltip.hidden = true; });
  canvas.addEventListener('click', (e) => {
    const wasDrag = drag?.moved;
    drag = undefined;
    if (wasDrag) return;
    const p = pos(e);
    const k = at(p.x, p.y);
    if (k >= 0) onOpen(m.ids[k]);
  });
  canvas.addEventListener('wheel', (e) => {
    e.preventDefault();
    const p = pos(e);
    zoomAt(view.zoom * Math.exp(-e.deltaY * 0.0015), p.x, p.y);
  }, { passive: false });
  // Keyboard: tiles in reading order (rows of j, then i); arrows move to the nearest tile that way.
  const reading = m.ids.map((_id, k) => k).sort((a, b) => m.j[a] - m.j[b] || m.i[a] - m.i[b]);
  const nearest = (from: number, dx: number, dy: number) => {
    let best = -1, bestScore = Infinity;
    for (let k = 0; k < m.ids.length; k++) {
      if (k === from) continue;
      const ex = m.i[k] - m.i[from], ey = m.j[k] - m.j[from];
      const along = ex * dx + ey * dy, across = Math.abs(ex * dy - ey * dx);
      if (along <= 0 || across > along * 2) continue;
      const sc = along + 2 * across;
      if (sc < bestScore) { bestScore = sc; best = k; }
    }
    return best;
  };
  const focusTile = (k: number) => {
    if (k < 0) return;
    view.focus = k;
    // Zoomed in: pan so the focused tile is on screen.
    const r = rect(k);
    if (r.x < 0 || r.y < 0 || r.x + r.s > w || r.y + r.s > h) {
      view.tx += w / 2 - (r.x + r.s / 2);
      view.ty += h / 2 - (r.y + r.s / 2);
      clampPan();
    }
    redraw();
    live.textContent = describe(k);
    host.dataset.focusedTile = m.ids[k];
  };
  canvas.addEventListener('focus', () => { keyboardFocus = true; if (view.focus < 0 && reading.length) focusTile(reading[0]); else redraw(); });
  canvas.addEventListener('blur', () => { keyboardFocus = false; redraw(); });
  const DIRS: Record<string, [number, number]> = { ArrowRight: [1, 0], ArrowLeft: [-1, 0], ArrowDown: [0, 1], ArrowUp: [0, -1] };
  canvas.addEventListener('keydown', (e) => {
    const d = DIRS[e.key];
    const step = 60;
    if (d && e.shiftKey) panBy(-d[0] * step, -d[1] * step);
    else if (d) focusTile(view.focus < 0 ? reading[0] : nearest(view.focus, d[0], d[1]));
    else if (e.key === '+' || e.key === '=') zoomAt(view.zoom * 1.5, w / 2, h / 2);
    else if (e.key === '-' || e.key === '_') zoomAt(view.zoom / 1.5, w / 2, h / 2);
    else if (e.key === '0') zoomAt(1, w / 2, h / 2);
    else if (e.key === 'Home' && reading.length) focusTile(reading[0]);
    else if (e.key === 'End' && reading.length) focusTile(reading[reading.length - 1]);
    else if ((e.key === 'Enter' || e.key === ' ') && view.focus >= 0) onOpen(m.ids[view.focus]);
    else return;
    e.preventDefault();
  });
  // A clickable tile with an image, for tests that click like a person (recomputed as the view changes).
  const clickable = () => {
    const candidates = m.state.map((s, k) => k).filter((k) => m.state[k] !== 2 && inFilter(k));
    for (const k of candidates) {
      const r = rect(k);
      if (r.x < 0 || r.y < 0 || r.x + r.s > w || r.y + r.s > h) continue;
      for (const f of [0.5, 0.25, 0.75, 0.1, 0.9]) {
        for (const g of [0.5, 0.25, 0.75, 0.1, 0.9]) {
          if (at(r.x + r.s * f, r.y + r.s * g) === k) return { id: m.ids[k], px: Math.round((r.x + r.s * f) * 10) / 10, py: Math.round((r.y + r.s * g) * 10) / 10 };
        }
      }
    }
    return undefined;
  };
  const publishClickable = () => {
    const c = clickable();
    if (c) host.dataset.clickable = JSON.stringify(c);
    else delete host.dataset.clickable;
  };
  const prevOnView = opts.onView;
  opts.onView = (v) => { publishClickable(); prevOnView?.(v); };
  publishClickable();
  host.dataset.wsi = String(m.wsi);
  host.dataset.tiles = String(m.ids.length);
  return {
    snapshot: () => ({ wsi: m.wsi, tiles: m.ids.length, inkPixels: inkInside(canvas), zoom: view.zoom, highlighted: highlighted(), ...(view.focus >= 0 ? { focused: m.ids[view.focus] } : {}) }),
    click: (k) => { if (k >= 0 && k < m.ids.length) onOpen(m.ids[k]); },
    paint: (dpr) => paint(document.createElement('canvas'), dpr),
    zoomBy: (f) => zoomAt(view.zoom * f, w / 2, h / 2),
    resetView: () => zoomAt(1, w / 2, h / 2),
    setHighlight: (ids) => { highlight = ids; redraw(); },
    destroy: () => canvas.remove(),
  };
}
