/**
 * The gallery webview: a virtualised grid of tile thumbnails with outline overlays. Only the cells
 * of the visible rows (plus one screen of margin) exist in the DOM; thumbnails are asked for as
 * cells come into view and kept as ImageBitmaps in a bounded LRU.
 */
import { CLASS_COLORS } from '../../src/core/palette';
import type { ClassName } from '../../src/core/types';
import { MAX_THUMBS_PER_REQUEST, unpackItems, type FromGallery, type GalleryItem, type GalleryRequest, type GallerySnapshot, type GalleryThumb, type ToGallery } from '../../src/shared/galleryProtocol';
import type { RequestEnvelope } from '../../src/shared/requestReply';

interface VsCodeApi { postMessage(m: unknown): void; getState(): unknown; setState(s: unknown): void }
declare function acquireVsCodeApi(): VsCodeApi;
const vscode = acquireVsCodeApi();
const send = (m: FromGallery) => vscode.postMessage(m);

const CSS = `
html, body { height: 100%; margin: 0; padding: 0; overflow: hidden; }
body { display: flex; flex-direction: column; color: var(--vscode-foreground); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); }
.head { padding: 4px 8px; color: var(--vscode-descriptionForeground); font-size: 11px; }
.scroller { flex: 1; overflow-y: auto; position: relative; }
.spacer { position: relative; }
.cell { position: absolute; box-sizing: border-box; padding: 3px; cursor: pointer; border-radius: 3px; }
.cell:hover, .cell:focus { background: var(--vscode-list-hoverBackground); outline: 1px solid var(--vscode-focusBorder); }
.cell canvas { display: block; }
.cell .label { font-size: 10px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; color: var(--vscode-descriptionForeground); }
`;
const style = document.createElement('style');
style.nonce = document.body.dataset.nonce ?? '';
style.textContent = CSS;
document.head.appendChild(style);

const head = document.createElement('div');
head.className = 'head';
const scroller = document.createElement('div');
scroller.className = 'scroller';
scroller.tabIndex = 0;
const spacer = document.createElement('div');
spacer.className = 'spacer';
scroller.append(spacer);
document.body.append(head, scroller);

let items: GalleryItem[] = [];
let generation = 0;
let thumbSize = 128;
const LABEL_H = 14;
const PAD = 6;
const cellW = () => thumbSize + PAD;
const cellH = () => thumbSize + PAD + LABEL_H;
const cells = new Map<number, HTMLDivElement>();
interface Thumb { bitmap?: ImageBitmap; t: GalleryThumb }
const thumbs = new Map<string, Thumb>(); // LRU: re-inserted on use
const MAX_THUMBS = 800;
/** Ids asked for (or announced by the host) and not answered yet, with when they were asked. */
const pending = new Map<string, number>();
/** This list's thumbnail traffic, for the snapshot (tests check that every asked-for id is answered once). */
const traffic = { kept: 0, asked: 0, answered: 0, unasked: 0, retried: 0 };
/** Ids the host announced with the list that were already held: their answer is expected, not a duplicate. */
const announcedHeld = new Set<string>();
/** An id unanswered this long is asked again: a safety net only (the host answers every id it is asked for). */
const RETRY_AFTER_MS = 5000;

function ask(ids: string[], retry = false): void {
  const now = performance.now();
  for (let k = 0; k < ids.length; k += MAX_THUMBS_PER_REQUEST) {
    const part = ids.slice(k, k + MAX_THUMBS_PER_REQUEST);
    for (const id of part) pending.set(id, now);
    if (retry) traffic.retried += part.length;
    else traffic.asked += part.length;
    send({ type: 'needThumbs', generation, ids: part, ...(retry ? { retry: true } : {}) });
  }
}
let screen: { first: number; count: number; t0: number; reported: boolean } | undefined;

function colour(c: ClassName): string {
  const v = getComputedStyle(document.body).getPropertyValue(`--vscode-vasculatureExplorer-${c === 'blood_vessel' ? 'bloodVessel' : c}`).trim();
  return v || CLASS_COLORS[c].hex;
}

function columns(): number {
  return Math.max(1, Math.floor(scroller.clientWidth / cellW()));
}

function drawCell(cell: HTMLDivElement, item: GalleryItem): boolean {
  const canvas = cell.querySelector('canvas')!;
  const g = canvas.getContext('2d')!;
  const th = thumbs.get(item.id);
  g.clearRect(0, 0, canvas.width, canvas.height);
  if (!th) return false;
  const css = getComputedStyle(document.body);
  if (th.bitmap) g.drawImage(th.bitmap, (thumbSize - th.t.width) / 2, (thumbSize - th.t.height) / 2);
  else {
    g.strokeStyle = css.getPropertyValue('--vscode-descriptionForeground').trim() || '#888';
    g.setLineDash([4, 4]);
    g.strokeRect(0.5, 0.5, thumbSize - 1, thumbSize - 1);
    g.setLineDash([]);
    g.fillStyle = g.strokeStyle;
    g.font = '10px sans-serif';
    g.fillText(th.t.error ? 'unreadable' : 'no image', 6, 14);
  }
  const ox = th.bitmap ? (thumbSize - th.t.width) / 2 : 0, oy = th.bitmap ? (thumbSize - th.t.height) / 2 : 0;
  g.lineWidth = 1;
  for (const o of th.t.outlines) {
    g.strokeStyle = colour(o.cls);
    g.beginPath();
    g.moveTo(ox + o.points[0], oy + o.points[1]);
    for (let k = 2; k < o.points.length; k += 2) g.lineTo(ox + o.points[k], oy + o.points[k + 1]);
    g.closePath();
    g.stroke();
  }
  cell.dataset.drawn = '1';
  return true;
}

function makeCell(i: number): HTMLDivElement {
  const item = items[i];
  const cell = document.createElement('div');
  cell.className = 'cell';
  cell.tabIndex = 0;
  cell.dataset.id = item.id;
  cell.dataset.index = String(i);
  cell.title = `${item.id}: ${item.counts[0]} vessels, ${item.counts[1]} glomeruli, ${item.counts[2]} unsure${item.hasImage ? '' : ' (no image)'}`;
  cell.setAttribute('role', 'button');
  cell.setAttribute('aria-label', `Open tile ${item.id}`);
  const canvas = document.createElement('canvas');
  canvas.width = thumbSize;
  canvas.height = thumbSize;
  const label = document.createElement('div');
  label.className = 'label';
  label.textContent = `${item.id} · ${item.counts[0]}`;
  cell.append(canvas, label);
  const cols = columns();
  cell.style.left = `${(i % cols) * cellW()}px`;
  cell.style.top = `${Math.floor(i / cols) * cellH()}px`;
  cell.style.width = `${cellW()}px`;
  return cell;
}

/** Keeps exactly the cells of the visible rows (and a margin) in the DOM; asks for missing thumbnails. */
function render(): void {
  const cols = columns();
  const rows = Math.ceil(items.length / cols);
  spacer.style.height = `${rows * cellH()}px`;
  const top = scroller.scrollTop, h = scroller.clientHeight || 400;
  const firstVisible = Math.floor(top / cellH()) * cols;
  const lastVisible = Math.min(items.length, Math.ceil((top + h) / cellH()) * cols) - 1;
  const from = Math.max(0, firstVisible - cols * Math.ceil(h / cellH()));
  const to = Math.min(items.length - 1, lastVisible + cols * Math.ceil(h / cellH()));
  for (const [i, cell] of cells) if (i < from || i > to) { cell.remove(); cells.delete(i); }
  const want: string[] = [];
  for (let i = from; i <= to; i++) {
    let cell = cells.get(i);
    if (!cell) {
      cell = makeCell(i);
      cells.set(i, cell);
      spacer.append(cell);
      drawCell(cell, items[i]);
    }
    const id = items[i].id;
    if (!thumbs.has(id) && !pending.has(id)) want.push(id);
  }
  // Visible cells first, then the margin.
  want.sort((a, b) => Number(!isVisibleId(a, firstVisible, lastVisible)) - Number(!isVisibleId(b, firstVisible, lastVisible)));
  if (want.length) ask(want);
  if (!screen || screen.first !== firstVisible) screen = { first: firstVisible, count: Math.max(0, lastVisible - firstVisible + 1), t0: performance.now(), reported: false };
  checkScreen();
}

const indexOf = new Map<string, number>();
function isVisibleId(id: string, first: number, last: number): boolean {
  const i = indexOf.get(id) ?? -1;
  return i >= first && i <= last;
}

function checkScreen(): void {
  if (!screen || screen.reported) return;
  for (let i = screen.first; i < screen.first + screen.count; i++) if (!thumbs.has(items[i].id)) return;
  screen.reported = true;
  const s = screen;
  requestAnimationFrame(() => send({ type: 'painted', generation, first: s.first, count: s.count, ms: performance.now() - s.t0 }));
}

async function receiveThumbs(gen: number, list: GalleryThumb[]): Promise<void> {
  if (gen !== generation) return;
  const made = await Promise.all(list.map(async (t) => ({ t, bitmap: t.bytes ? await createImageBitmap(new Blob([t.bytes as BlobPart], { type: t.mime ?? 'image/webp' })).catch(() => undefined) : undefined })));
  if (gen !== generation) return;
  for (const th of made) {
    if (pending.delete(th.t.id)) traffic.answered++;
    else if (!announcedHeld.delete(th.t.id)) traffic.unasked++;
    thumbs.set(th.t.id, th);
    const i = indexOf.get(th.t.id);
    const cell = i !== undefined ? cells.get(i) : undefined;
    try {
      if (cell && i !== undefined) drawCell(cell, items[i]);
    } catch (e) {
      console.error(`gallery: could not draw ${th.t.id}: ${String(e)}`);
    }
  }
  while (thumbs.size > MAX_THUMBS) {
    const [id, old] = thumbs.entries().next().value as [string, Thumb];
    old.bitmap?.close();
    thumbs.delete(id);
  }
  checkScreen();
}

function setItems(gen: number, list: GalleryItem[], filter: string, size: number, sending: readonly string[]): void {
  generation = gen;
  items = list;
  thumbSize = size;
  indexOf.clear();
  list.forEach((it, i) => indexOf.set(it.id, i));
  pending.clear();
  Object.assign(traffic, { kept: 0, asked: 0, answered: 0, unasked: 0, retried: 0 });
  // Thumbnails already held (from the previous list) are drawn as they are, not asked for again.
  for (const it of list) if (thumbs.has(it.id)) traffic.kept++;
  // The host is already building these (its guess of the first screen): they come without being asked for.
  const now = performance.now();
  announcedHeld.clear();
  for (const id of sending) {
    if (!indexOf.has(id)) continue;
    if (thumbs.has(id)) announcedHeld.add(id);
    else pending.set(id, now);
  }
  traffic.asked += pending.size;
  for (const c of cells.values()) c.remove();
  cells.clear();
  head.textContent = `${list.length.toLocaleString('en-US')} tiles${filter ? ` · ${filter}` : ''}`;
  screen = undefined;
  const saved = vscode.getState() as { scrollTop?: number } | undefined;
  scroller.scrollTop = saved?.scrollTop ?? 0;
  render();
}

function snapshot(): GallerySnapshot {
  const cols = columns();
  const first = Math.floor(scroller.scrollTop / cellH()) * cols;
  const last = Math.min(items.length, Math.ceil((scroller.scrollTop + scroller.clientHeight) / cellH()) * cols) - 1;
  let drawn = 0;
  for (const c of cells.values()) if (c.dataset.drawn) drawn++;
  return { items: items.length, cells: cells.size, drawn, firstVisible: first, lastVisible: last, thumbs: { ...traffic, outstanding: pending.size } };
}

function answer(m: RequestEnvelope<GalleryRequest>): void {
  const r = m.request;
  if (r.kind === 'scrollTo') {
    scroller.scrollTop = Math.floor(r.index / columns()) * cellH();
    render();
  } else if (r.kind === 'click') {
    const i = indexOf.get(r.id);
    if (i === undefined) {
      send({ type: 'response', inReplyTo: m.id, ok: false, error: `tile ${r.id} is not in the gallery` });
      return;
    }
    send({ type: 'open', id: r.id });
  }
  send({ type: 'response', inReplyTo: m.id, ok: true, result: snapshot() });
}

window.addEventListener('message', (e: MessageEvent<ToGallery>) => {
  const m = e.data;
  if (m.type === 'items') setItems(m.generation, unpackItems(m.items), m.filter, m.thumbSize, m.sending ?? []);
  else if (m.type === 'thumbs') void receiveThumbs(m.generation, m.thumbs);
  else if (m.type === 'request') answer(m);
});

// Safety net only: the host answers every id once, so this fires only when something is broken (or the
// host is stalled for seconds); it asks again for visible cells unanswered for RETRY_AFTER_MS, marked as a retry.
setInterval(() => {
  if (!screen || screen.reported) return;
  const now = performance.now();
  const missing: string[] = [];
  for (let i = screen.first; i < screen.first + screen.count && i < items.length; i++) {
    const id = items[i].id;
    const since = pending.get(id);
    if (!thumbs.has(id) && (since === undefined || now - since > RETRY_AFTER_MS)) missing.push(id);
  }
  if (missing.length === 0) return;
  console.warn(`gallery: asking again for ${missing.length} thumbnails unanswered for ${RETRY_AFTER_MS} ms (${missing.slice(0, 5).join(', ')})`);
  ask(missing, true);
}, 1000);

let scheduled = false;
scroller.addEventListener('scroll', () => {
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(() => {
    scheduled = false;
    vscode.setState({ scrollTop: scroller.scrollTop });
    render();
  });
});
spacer.addEventListener('click', (ev) => {
  const cell = (ev.target as HTMLElement).closest<HTMLDivElement>('.cell');
  if (cell?.dataset.id) send({ type: 'open', id: cell.dataset.id });
});
spacer.addEventListener('keydown', (ev) => {
  const cell = (ev.target as HTMLElement).closest<HTMLDivElement>('.cell');
  if (cell?.dataset.id && (ev.key === 'Enter' || ev.key === ' ')) { ev.preventDefault(); send({ type: 'open', id: cell.dataset.id }); }
});
let lastCols = 0;
new ResizeObserver(() => {
  if (columns() !== lastCols) {
    lastCols = columns();
    for (const c of cells.values()) c.remove();
    cells.clear();
  }
  render();
}).observe(scroller);
new MutationObserver(() => { for (const [i, c] of cells) drawCell(c, items[i]); }).observe(document.body, { attributes: true, attributeFilter: ['class', 'style'] });
send({ type: 'ready' });
