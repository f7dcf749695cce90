/**
 * The "Stain" card: per colour space, a box per WSI of the per-tile channel means (one small chart
 * per channel) so a person sees which slides differ and by how much; click a box -> that WSI's
 * tiles in the tile browser. A haematoxylin-vs-eosin scatter of every tile, coloured by WSI;
 * click a point -> the tile opens. Canvas drawing; colours from the --vscode-* theme.
 */
import type { DashboardStain, StainSpace } from '../../src/core/stain/index.js';

export const NO_STAIN_TEXT = 'No stain statistics yet. Run "Vasculature: Compute Stain Statistics…" (or open the Stain panel from the tile viewer) to see each slide\'s colour spread here.';

/** Okabe-Ito colours per WSI (colour-blind safe), cycling. */
const WSI_COLOURS = ['#e69f00', '#56b4e9', '#009e73', '#f0e442', '#0072b2', '#d55e00', '#cc79a7', '#999999', '#000000'];

function h(tag: string, cls?: string, text?: string): HTMLElement {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

export interface StainSection {
  readonly card: HTMLElement;
  update(stain: DashboardStain | undefined): void;
  redraw(): void;
  snapshot(): { wsis: number[]; spaces: string[]; points: number; boxesDrawn: number } | undefined;
}

interface Hit { x0: number; x1: number; y0: number; y1: number; wsi: number }

/** Build the card; select posts a tile-browser selection, open opens a tile. */
export function stainSection(select: (ids: string[], label: string) => void, open: (id: string) => void): StainSection {
  const card = h('section', 'card wide');
  card.id = 'card-stain';
  const head = h('div', 'card-head');
  const actions = h('div', 'actions');
  head.append(h('h2', undefined, 'Stain: colour per slide'), actions);
  const body = h('div', 'body');
  card.append(head, h('p', 'hint', 'Per WSI, the spread of the per-tile channel means (box: quartiles, whiskers: min-max). Slides whose boxes sit apart are stained differently: a model trained on one may fail on the other. Click a box for its tiles; click a scatter point to open the tile.'), body);
  let stain: DashboardStain | undefined;
  let space: StainSpace = 'LAB';
  let boxesDrawn = 0;
  const spaceSel = document.createElement('select');
  spaceSel.id = 'stain-space';
  spaceSel.addEventListener('change', () => {
    space = spaceSel.value as StainSpace;
    draw();
  });
  actions.append(spaceSel);
  const boxes = h('div', 'stain-boxes');
  boxes.style.display = 'flex';
  boxes.style.flexWrap = 'wrap';
  boxes.style.gap = '12px';
  const scatterBox = h('div', 'stain-scatter');
  const info = h('p', 'muted');

  const colour = (wsi: number, k: number) => (wsi < 0 ? '#888888' : WSI_COLOURS[k % WSI_COLOURS.length]);
  const themeFg = () => getComputedStyle(document.body).getPropertyValue('--vscode-foreground').trim() || '#888';

  function channelChart(ch: number): HTMLCanvasElement {
    const sp = stain!.spaces[space]!;
    const c = document.createElement('canvas');
    const W = 300, H = 200, padL = 42, padB = 28, padT = 18;
    c.width = W;
    c.height = H;
    c.dataset.channel = sp.channels[ch];
    const ctx = c.getContext('2d')!;
    const fg = themeFg();
    const all = sp.wsis.flatMap((w) => [w.channels[ch][0], w.channels[ch][4]]);
    let lo = Math.min(...all), hi = Math.max(...all);
    if (hi === lo) (lo -= 1), (hi += 1);
    const y = (v: number) => padT + (H - padT - padB) * (1 - (v - lo) / (hi - lo));
    ctx.fillStyle = fg;
    ctx.strokeStyle = fg;
    ctx.font = '11px sans-serif';
    ctx.fillText(`${space} ${sp.channels[ch]} (per-tile mean)`, padL, 12);
    for (let k = 0; k <= 4; k++) {
      const v = lo + ((hi - lo) * k) / 4;
      ctx.fillText(space === 'HED' ? v.toFixed(3) : v.toFixed(1), 2, y(v) + 4);
    }
    const n = sp.wsis.length, slot = (W - padL - 8) / n;
    const hits: Hit[] = [];
    sp.wsis.forEach((w, k) => {
      const [mn, q1, md, q3, mx] = w.channels[ch];
      const cx = padL + slot * (k + 0.5), bw = Math.min(36, slot * 0.6);
      ctx.strokeStyle = fg;
      ctx.beginPath();
      ctx.moveTo(cx, y(mn));
      ctx.lineTo(cx, y(q1));
      ctx.moveTo(cx, y(q3));
      ctx.lineTo(cx, y(mx));
      ctx.moveTo(cx - bw / 4, y(mn));
      ctx.lineTo(cx + bw / 4, y(mn));
      ctx.moveTo(cx - bw / 4, y(mx));
      ctx.lineTo(cx + bw / 4, y(mx));
      ctx.stroke();
      ctx.fillStyle = colour(w.wsi, k);
      ctx.fillRect(cx - bw / 2, y(q3), bw, Math.max(1, y(q1) - y(q3)));
      ctx.strokeRect(cx - bw / 2, y(q3), bw, Math.max(1, y(q1) - y(q3)));
      ctx.beginPath();
      ctx.moveTo(cx - bw / 2, y(md));
      ctx.lineTo(cx + bw / 2, y(md));
      ctx.stroke();
      ctx.fillStyle = fg;
      ctx.fillText(w.wsi < 0 ? 'none' : `WSI ${w.wsi}`, cx - 18, H - 14);
      ctx.fillText(`${w.tiles}`, cx - 8, H - 2);
      hits.push({ x0: cx - slot / 2, x1: cx + slot / 2, y0: 0, y1: H, wsi: w.wsi });
      boxesDrawn++;
    });
    // Where each WSI's box is, in canvas pixels (for tests that click a box as a person does).
    c.dataset.hits = JSON.stringify(hits.map((t) => ({ wsi: t.wsi, x: (t.x0 + t.x1) / 2, y: H / 2 })));
    c.style.cursor = 'pointer';
    c.addEventListener('click', (ev) => {
      const r = c.getBoundingClientRect();
      const x = ((ev.clientX - r.left) / r.width) * W;
      const hit = hits.find((t) => x >= t.x0 && x < t.x1);
      const w = hit && sp.wsis.find((q) => q.wsi === hit.wsi);
      if (w) select(w.ids, `stain: WSI ${w.wsi < 0 ? 'none' : w.wsi} (${w.tiles} measured tiles)`);
    });
    return c;
  }

  function scatter(): HTMLCanvasElement {
    const pts = stain!.scatter;
    const c = document.createElement('canvas');
    const W = 620, H = 300, pad = 44;
    c.width = W;
    c.height = H;
    c.id = 'stain-scatter';
    const ctx = c.getContext('2d')!;
    const fg = themeFg();
    const xs = pts.map((p) => p.h), ys = pts.map((p) => p.e);
    const x0 = Math.min(...xs), x1 = Math.max(...xs) || x0 + 1, y0 = Math.min(...ys), y1 = Math.max(...ys) || y0 + 1;
    const px = (v: number) => pad + ((W - pad - 10) * (v - x0)) / (x1 - x0 || 1);
    const py = (v: number) => H - pad + (-(H - pad - 14) * (v - y0)) / (y1 - y0 || 1);
    ctx.fillStyle = fg;
    ctx.font = '11px sans-serif';
    ctx.fillText('HED: eosin mean (y) vs haematoxylin mean (x), one dot per tile', pad, 11);
    ctx.fillText(x0.toFixed(3), pad, H - pad + 14);
    ctx.fillText(x1.toFixed(3), W - 46, H - pad + 14);
    ctx.fillText(y1.toFixed(3), 2, 22);
    ctx.fillText(y0.toFixed(3), 2, H - pad);
    const wsis = [...new Set(pts.map((p) => p.wsi))].sort((a, b) => a - b);
    for (const p of pts) {
      ctx.fillStyle = colour(p.wsi, wsis.indexOf(p.wsi));
      ctx.beginPath();
      ctx.arc(px(p.h), py(p.e), 3, 0, Math.PI * 2);
      ctx.fill();
    }
    wsis.forEach((w, k) => {
      ctx.fillStyle = colour(w, k);
      ctx.fillRect(pad + k * 70, H - 16, 10, 10);
      ctx.fillStyle = fg;
      ctx.fillText(w < 0 ? 'none' : `WSI ${w}`, pad + 14 + k * 70, H - 7);
    });
    c.style.cursor = 'pointer';
    c.addEventListener('click', (ev) => {
      const r = c.getBoundingClientRect();
      const x = ((ev.clientX - r.left) / r.width) * W, y = ((ev.clientY - r.top) / r.height) * H;
      let best: string | undefined, bd = 64;
      for (const p of pts) {
        const d = (px(p.h) - x) ** 2 + (py(p.e) - y) ** 2;
        if (d < bd) (bd = d), (best = p.id);
      }
      if (best) open(best);
    });
    return c;
  }

  function draw(): void {
    boxesDrawn = 0;
    if (!stain || !stain.tiles) {
      const empty = h('p', 'muted', NO_STAIN_TEXT);
      empty.id = 'stain-empty';
      body.replaceChildren(empty);
      return;
    }
    boxes.replaceChildren(channelChart(0), channelChart(1), channelChart(2));
    scatterBox.replaceChildren(...(stain.scatter.length ? [scatter()] : []));
    info.textContent = `${stain.tiles} tiles measured${stain.skipped ? `, ${stain.skipped} skipped: ${stain.skipReasons.map((r) => `${r.tiles} × ${r.reason}`).join('; ')}` : ''}.`;
    body.replaceChildren(boxes, scatterBox, info);
    card.dataset.wsis = (stain.spaces[space]?.wsis ?? []).map((w) => w.wsi).join(',');
    card.dataset.boxes = String(boxesDrawn);
    card.dataset.points = String(stain.scatter.length);
  }

  return {
    card,
    update(s) {
      stain = s;
      const spaces = s ? (Object.keys(s.spaces) as StainSpace[]) : [];
      spaceSel.replaceChildren(...spaces.map((k) => {
        const o = document.createElement('option');
        o.value = k;
        o.textContent = k;
        return o;
      }));
      if (!spaces.includes(space) && spaces.length) space = spaces[0];
      spaceSel.value = space;
      draw();
    },
    redraw: draw,
    snapshot: () => (stain && stain.tiles ? { wsis: stain.spaces[space]?.wsis.map((w) => w.wsi) ?? [], spaces: Object.keys(stain.spaces), points: stain.scatter.length, boxesDrawn } : undefined),
  };
}
