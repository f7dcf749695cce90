/**
 * The tile viewer webview: draws the tile's pixels and its polygons as vectors on one canvas.
 * Per-class colours from the theme (the product's palette as fallback), fill and/or outline,
 * opacity, per-class toggles, Space held hides overlays, wheel/+/- zoom, drag pan, hover names the
 * polygon, n/p (or ]/[) for next/previous, c for the slide context. It never reads files.
 */
import { CLASS_COLORS } from '../../src/core/palette';
import { CLASS_NAMES, type ClassName } from '../../src/core/types';
import type { PredictionLayer, PredictionShape } from '../../src/core/predict';
import type { RequestEnvelope } from '../../src/shared/requestReply';
import { predictionLayerProblem, type ContextTile, type FromWebview, type NeighboursMessage, type OverlayPolygon, type PressKey, type PredictionCounts, type TilePayload, type ToWebview, type ViewerRequest, type ViewerSnapshot } from '../../src/shared/tileViewerProtocol';
import { RecentTiles } from '../../src/shared/tileViewerCache';
import { expandRgb } from '../../src/shared/tileViewerPixels';
import { VIEWER_CSS } from './style';
import { takeEarlyMessages } from '../../src/shared/earlyMessages';

const scriptAt = performance.now();

interface VsCodeApi { postMessage(m: unknown): void; getState(): unknown; setState(s: unknown): void }
declare function acquireVsCodeApi(): VsCodeApi;
const vscode = acquireVsCodeApi();
const send = (m: FromWebview) => vscode.postMessage(m);
type Mode = 'fill' | 'outline' | 'both';
/** Kept by VS Code with the webview; tileId lets the reusable panel come back on that tile after a window reload. */
interface SavedState { opacity: number; mode: Mode; visible: Record<ClassName, boolean>; context: boolean; tileId?: string }

const saved = (vscode.getState() as Partial<SavedState> | undefined) ?? {};
const state: SavedState = {
  opacity: typeof saved.opacity === 'number' ? saved.opacity : 0.35,
  mode: saved.mode === 'outline' || saved.mode === 'both' || saved.mode === 'fill' ? saved.mode : 'both',
  visible: { blood_vessel: true, glomerulus: true, unsure: true, ...(saved.visible ?? {}) },
  context: saved.context === true,
  tileId: typeof saved.tileId === 'string' ? saved.tileId : undefined,
};
const save = () => vscode.setState(state);

// ---- DOM --------------------------------------------------------------------------------------
const nonce = document.body.dataset.nonce ?? '';
const style = document.createElement('style');
style.nonce = nonce;
style.textContent = VIEWER_CSS;
document.head.appendChild(style);

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

const bar = el('div', { class: 'toolbar', role: 'toolbar' });
const prevBtn = el('button', { title: 'Previous tile in the Tiles view order (p or [)', 'aria-label': 'Previous tile' }, '‹ Prev');
const nextBtn = el('button', { title: 'Next tile in the Tiles view order (n or ])', 'aria-label': 'Next tile' }, 'Next ›');
const title = el('span', { class: 'title' });
const classBoxes = {} as Record<ClassName, HTMLInputElement>;
const classLabels = {} as Record<ClassName, HTMLLabelElement>;
const classTexts = {} as Record<ClassName, HTMLSpanElement>;
const classGroup = el('span', { class: 'group' });
for (const c of CLASS_NAMES) {
  const box = el('input', { type: 'checkbox', 'data-class': c });
  box.checked = state.visible[c];
  const label = el('label', { class: `cls cls-${c}`, title: `Show ${c.replace('_', ' ')} overlays (${CLASS_NAMES.indexOf(c) + 1})` });
  const swatch = el('span', { class: 'swatch' });
  swatch.style.background = `var(--vscode-vasculatureExplorer-${c === 'blood_vessel' ? 'bloodVessel' : c}, ${CLASS_COLORS[c].hex})`;
  classTexts[c] = el('span', { class: 'cls-text' });
  label.append(box, swatch, classTexts[c]);
  classBoxes[c] = box;
  classLabels[c] = label;
  classGroup.append(label);
  box.addEventListener('change', () => { state.visible[c] = box.checked; save(); draw(); });
}
const modeSel = el('select', { title: 'Overlay style', 'aria-label': 'Overlay style' });
for (const m of ['both', 'fill', 'outline'] as Mode[]) modeSel.append(el('option', { value: m }, m === 'both' ? 'fill + outline' : m));
modeSel.value = state.mode;
modeSel.addEventListener('change', () => { state.mode = modeSel.value as Mode; save(); draw(); });
const opacity = el('input', { type: 'range', min: '0', max: '1', step: '0.05', title: 'Fill opacity', 'aria-label': 'Fill opacity' });
opacity.value = String(state.opacity);
opacity.addEventListener('input', () => { state.opacity = Number(opacity.value); save(); draw(); });
const contextBox = el('input', { type: 'checkbox' });
contextBox.checked = state.context;
const contextLabel = el('label', { title: 'Show the neighbouring tiles of the same slide (c)' });
contextLabel.append(contextBox, document.createTextNode(' slide context'));
contextBox.addEventListener('change', () => setContext(contextBox.checked));
const fitBtn = el('button', { title: 'Fit to view (0)' }, 'Fit');
const exportSel = el('select', { title: 'Export this tile', 'aria-label': 'Export this tile' });
for (const [v, t] of [['', 'Export…'], ['class-masks', 'Masks PNG per class'], ['instance-masks', 'Instance mask PNG'], ['geojson', 'GeoJSON (QuPath)'], ['coco', 'COCO JSON']]) exportSel.append(el('option', { value: v }, t));
exportSel.addEventListener('change', () => {
  const kind = exportSel.value;
  exportSel.value = '';
  if (kind === 'class-masks' || kind === 'instance-masks' || kind === 'geojson' || kind === 'coco') send({ type: 'export', kind });
});
const predBox = el('input', { type: 'checkbox', 'data-layer': 'prediction' });
predBox.checked = true;
const predLabel = el('label', { title: 'Show the prediction layer: outlines coloured by outcome against the ground truth (v)' });
predLabel.append(predBox, document.createTextNode(' Prediction'));
predLabel.hidden = true;
predBox.addEventListener('change', () => { draw(); });
bar.append(prevBtn, nextBtn, title, classGroup, modeSel, opacity, contextLabel, predLabel, fitBtn, exportSel);
/** The prediction header: legend, AP, counts, model and provider; the scoring convention as its tooltip. */
const predHeader = el('div', { class: 'pred-header', 'aria-live': 'polite' });
predHeader.hidden = true;
const stage = el('div', { class: 'stage' });
const canvas = el('canvas', { tabindex: '0', 'aria-label': 'Tile with annotation overlays' });
stage.append(canvas);
const errorBox = el('div', { class: 'error', role: 'alert' });
const status = el('div', { class: 'status', 'aria-live': 'polite' });
const note = el('div', { class: 'note' });
document.body.append(bar, predHeader, note, stage, errorBox, status);
const ctx = canvas.getContext('2d')!;

// ---- model ------------------------------------------------------------------------------------
interface Drawable { id: string; dx: number; dy: number; width: number; height: number; image?: HTMLCanvasElement; polys: { p: OverlayPolygon; path: Path2D }[] }
let tile: (Drawable & { payload: TilePayload }) | undefined;
let neighbours: Drawable[] = [];
let errorText: string | undefined;
let hideHeld = false;
let hover: { d: Drawable; p?: OverlayPolygon } | undefined;
let view = { s: 1, ox: 0, oy: 0 };
let userMoved = false;
let lastDrawn: Record<ClassName, number> = { blood_vessel: 0, glomerulus: 0, unsure: 0 };
/** The centre tile's prediction layer and its outline paths. */
let prediction: { layer: PredictionLayer; shapes: { s: PredictionShape; path: Path2D }[] } | undefined;
let predHover: PredictionShape | undefined;
const noPrediction = (): PredictionCounts => ({ tp: 0, fp: 0, fn: 0, ignored: 0, none: 0 });
let lastPredDrawn: PredictionCounts = noPrediction();

/** Image canvases of tiles no longer kept, reused for the next kept tile: switching allocates no new backing store. */
const spareCanvases: HTMLCanvasElement[] = [];

function imageCanvas(rgba: Uint8Array, w: number, h: number, reuse?: HTMLCanvasElement): HTMLCanvasElement {
  const c = reuse ?? document.createElement('canvas');
  if (c.width !== w) c.width = w;
  if (c.height !== h) c.height = h;
  const data = new Uint8ClampedArray(rgba.buffer as ArrayBuffer, rgba.byteOffset, w * h * 4);
  c.getContext('2d')!.putImageData(new ImageData(data, w, h), 0, 0);
  return c;
}

function ringsPath(rings: number[][]): Path2D {
  const path = new Path2D();
  for (const r of rings) {
    path.moveTo(r[0], r[1]);
    for (let k = 2; k < r.length; k += 2) path.lineTo(r[k], r[k + 1]);
    path.closePath();
  }
  return path;
}

function paths(polys: OverlayPolygon[]): { p: OverlayPolygon; path: Path2D }[] {
  return polys.map((p) => ({ p, path: ringsPath(p.rings) }));
}

const IGNORED_GREY = '#8c8c8c';
/** Outline colour of an outcome: the layer's colours for TP/FP/FN, grey for ignored, the blood_vessel colour for not scored. */
function outcomeColor(o: PredictionShape['outcome']): string {
  if (!prediction) return IGNORED_GREY;
  return o === 'tp' || o === 'fp' || o === 'fn' ? prediction.layer.colors[o] : o === 'ignored' ? IGNORED_GREY : classColor('blood_vessel');
}

/** What hovering an outline says: "TP · IoU 0.72 · confidence 0.91" or "FN (missed)". */
function describeShape(s: PredictionShape): string {
  if (s.outcome === 'fn') return 'FN (missed)';
  const name = s.outcome === 'none' ? 'prediction (not scored)' : s.outcome === 'ignored' ? 'ignored (in an unsure/glomerulus region)' : s.outcome.toUpperCase();
  return `${name} · ${s.outcome === 'tp' ? '' : 'best '}IoU ${s.iou.toFixed(2)}${s.confidence !== undefined ? ` · confidence ${s.confidence.toFixed(2)}` : ''}`;
}

const predVisible = () => !!prediction && predBox.checked && !hideHeld;

function drawPrediction(fg: string): void {
  lastPredDrawn = noPrediction();
  if (!prediction || !predVisible()) return;
  // A light halo under every outline keeps the outcome colours readable on stained tissue.
  ctx.strokeStyle = '#ffffff';
  ctx.globalAlpha = 0.8;
  ctx.lineWidth = 4.5 / view.s;
  for (const { path } of prediction.shapes) ctx.stroke(path);
  ctx.globalAlpha = 1;
  ctx.lineWidth = 2.5 / view.s;
  for (const { s, path } of prediction.shapes) {
    ctx.strokeStyle = outcomeColor(s.outcome);
    ctx.setLineDash(s.outcome === 'ignored' ? [5 / view.s, 4 / view.s] : []);
    ctx.stroke(path);
    lastPredDrawn[s.outcome]++;
  }
  ctx.setLineDash([]);
  if (predHover) {
    const hp = prediction.shapes.find((x) => x.s === predHover);
    if (hp) {
      ctx.strokeStyle = fg;
      ctx.lineWidth = 4 / view.s;
      ctx.stroke(hp.path);
    }
  }
}

function fmtAp(ap: number | null): string {
  return ap === null ? 'no blood_vessel ground truth' : `AP@0.6 ${ap.toFixed(2)}`;
}

/** Shows (or hides) the header line and legend of the prediction layer. */
function renderPredHeader(): void {
  predHeader.textContent = '';
  predLabel.hidden = !prediction;
  predHeader.hidden = !prediction;
  document.body.dataset.prediction = prediction ? '1' : '';
  if (!prediction) return;
  const l = prediction.layer;
  const run = l.source === 'predict' ? `${l.label}${l.provider ? ` on ${l.provider}` : ''}${l.latencyMs !== undefined ? `, ${Math.round(l.latencyMs)} ms` : ''}` : `submission ${l.label}`;
  const text = el('span', { class: 'pred-text' }, `${fmtAp(l.ap)} · ${l.tp} TP / ${l.fp} FP / ${l.fn} FN${l.ignored ? ` / ${l.ignored} ignored` : ''} · ${run}`);
  predHeader.title = l.convention;
  predHeader.append(text);
  for (const [o, label] of [['tp', 'TP'], ['fp', 'FP'], ['fn', 'FN (missed)']] as const) {
    const sw = el('span', { class: 'swatch pred-swatch' });
    sw.style.borderColor = l.colors[o];
    predHeader.append(el('span', { class: 'pred-key' }), sw, document.createTextNode(` ${label}`));
  }
  if (l.ignored) {
    const sw = el('span', { class: 'swatch pred-swatch pred-ignored' });
    sw.style.borderColor = IGNORED_GREY;
    predHeader.append(sw, document.createTextNode(' ignored'));
  }
}

function showPrediction(tileId: string, layer: PredictionLayer | null): void {
  if (!tile || tile.id !== tileId) return;
  if (layer !== null) {
    const problem = predictionLayerProblem(layer);
    if (problem || layer.tileId !== tileId) {
      console.warn(`Tile viewer: ignored the prediction for ${tileId}: ${problem ?? 'it names another tile'}`);
      layer = null;
    }
  }
  if (layer && !prediction) predBox.checked = true; // on by default when a layer arrives
  prediction = layer ? { layer, shapes: layer.shapes.map((s) => ({ s, path: ringsPath(s.rings) })) } : undefined;
  predHover = undefined;
  renderPredHeader();
  draw();
}

/** The theme's colours, read once per theme change (reading computed style after DOM writes forces a style pass on every paint). */
interface Theme { cls: Record<ClassName, string>; bg: string; fg: string; focus: string }
function readTheme(): Theme {
  const css = getComputedStyle(document.body);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  const cls = {} as Record<ClassName, string>;
  for (const c of CLASS_NAMES) cls[c] = v(`--vscode-vasculatureExplorer-${c === 'blood_vessel' ? 'bloodVessel' : c}`, CLASS_COLORS[c].hex);
  return { cls, bg: v('--vscode-editor-background', '#1e1e1e'), fg: v('--vscode-editor-foreground', '#cccccc'), focus: v('--vscode-focusBorder', '#007fd4') };
}
let theme = readTheme();

function classColor(c: ClassName): string {
  return theme.cls[c];
}

// ---- drawing ----------------------------------------------------------------------------------
function bounds(): { x0: number; y0: number; x1: number; y1: number } {
  const b = { x0: 0, y0: 0, x1: tile?.width ?? 512, y1: tile?.height ?? 512 };
  if (state.context) for (const n of neighbours) {
    b.x0 = Math.min(b.x0, n.dx); b.y0 = Math.min(b.y0, n.dy);
    b.x1 = Math.max(b.x1, n.dx + n.width); b.y1 = Math.max(b.y1, n.dy + n.height);
  }
  return b;
}

/** Polygons drawn on the context neighbours in the last paint (snapshot). */
let lastContextDrawn = 0;

/** The stage's CSS size, read when it resizes (not on each paint: a read after DOM writes forces a layout). */
let stageSize = { w: 0, h: 0 };

function fit(): void {
  const b = bounds();
  const cw = stageSize.w, ch = stageSize.h;
  const s = Math.max(0.05, Math.min(cw / (b.x1 - b.x0), ch / (b.y1 - b.y0)) * 0.98);
  view = { s, ox: (cw - (b.x1 - b.x0) * s) / 2 - b.x0 * s, oy: (ch - (b.y1 - b.y0) * s) / 2 - b.y0 * s };
  userMoved = false;
  document.body.dataset.zoom = `${s.toFixed(4)} fit`;
}

function resize(): void {
  const dpr = window.devicePixelRatio || 1;
  stageSize = { w: stage.clientWidth, h: stage.clientHeight };
  canvas.width = Math.max(1, Math.round(stageSize.w * dpr));
  canvas.height = Math.max(1, Math.round(stageSize.h * dpr));
  canvas.style.width = `${stageSize.w}px`;
  canvas.style.height = `${stageSize.h}px`;
  if (!userMoved) fit();
}

function drawOverlays(d: Drawable, dim: number, count?: Record<ClassName, number>): void {
  if (hideHeld) return;
  const lw = 1.5 / view.s;
  for (const c of CLASS_NAMES) {
    if (!state.visible[c]) continue;
    const colour = classColor(c);
    ctx.fillStyle = colour;
    ctx.strokeStyle = colour;
    ctx.lineWidth = lw;
    for (const { p, path } of d.polys) {
      if (p.cls !== c) continue;
      if (state.mode !== 'outline') {
        ctx.globalAlpha = state.opacity * dim;
        ctx.fill(path, 'evenodd');
      }
      if (state.mode !== 'fill') {
        ctx.globalAlpha = dim;
        ctx.stroke(path);
      }
      if (count) count[c]++;
    }
  }
  ctx.globalAlpha = 1;
}

function draw(): void {
  const dpr = window.devicePixelRatio || 1;
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.fillStyle = theme.bg;
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  const drawn: Record<ClassName, number> = { blood_vessel: 0, glomerulus: 0, unsure: 0 };
  const contextCount: Record<ClassName, number> = { blood_vessel: 0, glomerulus: 0, unsure: 0 };
  let hoverOutlined = '';
  if (tile) {
    ctx.setTransform(dpr * view.s, 0, 0, dpr * view.s, dpr * view.ox, dpr * view.oy);
    ctx.imageSmoothingEnabled = view.s < 2;
    const fg = theme.fg;
    if (state.context) {
      for (const n of neighbours) {
        if (n.image) ctx.drawImage(n.image, n.dx, n.dy, n.width, n.height);
        ctx.strokeStyle = fg;
        ctx.globalAlpha = 0.5;
        ctx.lineWidth = 1 / view.s;
        ctx.setLineDash(n.image ? [] : [6 / view.s, 6 / view.s]);
        ctx.strokeRect(n.dx, n.dy, n.width, n.height);
        ctx.setLineDash([]);
        ctx.globalAlpha = 1;
        ctx.save();
        ctx.translate(n.dx, n.dy);
        drawOverlays(n, 0.7, contextCount);
        ctx.restore();
        // The label stays inside its own tile (shrunk to fit, clipped): neighbours' labels never overlap.
        const label = n.image ? n.id : `${n.id} (no image)`;
        let px = 12 / view.s;
        ctx.font = `${px}px sans-serif`;
        const room = n.width - 12 / view.s;
        const wide = ctx.measureText(label).width;
        if (wide > room) { px = Math.max(6 / view.s, (px * room) / wide); ctx.font = `${px}px sans-serif`; }
        ctx.save();
        ctx.beginPath();
        ctx.rect(n.dx, n.dy, n.width, n.height);
        ctx.clip();
        ctx.fillStyle = fg;
        ctx.fillText(label, n.dx + 6 / view.s, n.dy + 4 / view.s + px);
        ctx.restore();
      }
    }
    if (tile.image) ctx.drawImage(tile.image, 0, 0, tile.width, tile.height);
    // Under a prediction layer the annotations stay visible but step back (prediction outlines carry the outcome colours).
    drawOverlays(tile, predVisible() ? 0.55 : 1, drawn);
    drawPrediction(fg);
    if (state.context) {
      ctx.strokeStyle = theme.focus;
      ctx.lineWidth = 3 / view.s;
      ctx.strokeRect(0, 0, tile.width, tile.height);
    }
    if (hover?.p && !hideHeld && state.visible[hover.p.cls]) {
      const hp = hover.d.polys.find((x) => x.p === hover!.p);
      if (hp) {
        ctx.save();
        ctx.translate(hover.d.dx, hover.d.dy);
        ctx.strokeStyle = fg;
        ctx.lineWidth = 3 / view.s;
        ctx.stroke(hp.path);
        ctx.restore();
        hoverOutlined = `${hover.p.cls} #${hover.p.index + 1}`;
      }
    }
  }
  lastDrawn = drawn;
  lastContextDrawn = CLASS_NAMES.reduce((a, c) => a + contextCount[c], 0);
  // For tests that look like a person: the outline drawn under the pointer, and the polygons drawn on the neighbours.
  if (document.body.dataset.hoverOutline !== hoverOutlined) document.body.dataset.hoverOutline = hoverOutlined;
  if (document.body.dataset.contextDrawn !== String(lastContextDrawn)) document.body.dataset.contextDrawn = String(lastContextDrawn);
  if (!tile) lastPredDrawn = noPrediction();
  document.body.dataset.predictionDrawn = prediction ? (['tp', 'fp', 'fn', 'ignored', 'none'] as const).map((o) => lastPredDrawn[o]).join(',') : '';
  const totals: Record<ClassName, number> = { blood_vessel: 0, glomerulus: 0, unsure: 0 };
  if (tile) for (const x of tile.polys) totals[x.p.cls]++;
  for (const c of CLASS_NAMES) {
    const text = ` ${c.replace('_', ' ')} ${totals[c]}`;
    if (classTexts[c].textContent !== text) classTexts[c].textContent = text;
    if (classLabels[c].dataset.drawn !== String(drawn[c])) classLabels[c].dataset.drawn = String(drawn[c]);
  }
  document.body.dataset.drawn = CLASS_NAMES.map((c) => drawn[c]).join(',');
}

// ---- messages ---------------------------------------------------------------------------------
/** A kept tile, ready to draw: pixels already in a canvas, polygons already paths. */
interface Prepared { payload: TilePayload; image: HTMLCanvasElement; polys: { p: OverlayPolygon; path: Path2D }[] }

/** Tiles kept for an instant next/previous: the shown one and the neighbours the host pushed (bounded; the host mirrors the keys). */
const kept = new RecentTiles<Prepared>();

/** Prepares a tile (canvas + paths) and keeps it under key; an evicted tile's canvas becomes a spare unless it is on show. */
function keep(key: string, p: TilePayload): Prepared {
  const spare = spareCanvases.pop();
  const prepared = { payload: p, image: imageCanvas(p.rgba, p.pixelsWidth, p.pixelsHeight, spare), polys: paths(p.polygons) };
  for (const [, old] of kept.put(key, prepared)) if (old.image !== tile?.image && spareCanvases.length < 2) spareCanvases.push(old.image);
  return prepared;
}

/** A payload as it arrived (RGB for an opaque image) made RGBA again. */
function fromWire(t: TilePayload): TilePayload {
  if (t.channels !== 3) return t;
  const { channels: _rgb, ...rest } = t;
  return { ...rest, rgba: expandRgb(t.rgba, t.pixelsWidth * t.pixelsHeight) };
}

/** The key of the kept tile on show (undefined after an error). */
let shownKey: string | undefined;
/** Which kept tiles are the next and previous of the one shown (from the host; used only while `of` is the shown key). */
let roles: NeighboursMessage | undefined;

/** Calls back once after the frame that shows what was just drawn; a hidden webview gets no frames, so a timer stands in after 1 s. */
function afterFrame(done: () => void): void {
  let called = false;
  const once = () => { if (!called) { called = true; done(); } };
  requestAnimationFrame(() => setTimeout(once, 0));
  setTimeout(once, 1000);
}

/** The header line "id · N of M · WSI …" and Prev/Next, from the tile and its place in the order (none: the filter hides it). */
function renderTitle(p: TilePayload & { position?: number; total?: number }): void {
  const where = p.wsi !== undefined ? ` · WSI ${p.wsi} · ds ${p.dataset ?? '—'} · (${p.i}, ${p.j})` : '';
  title.textContent = `${p.id}${p.position ? ` · ${p.position} of ${p.total}` : ''}${where}`;
  prevBtn.disabled = !p.position || p.position <= 1;
  nextBtn.disabled = !p.position || p.position >= (p.total ?? 0);
}

/** Paints a prepared tile kept under key; after the frame that shows it, `onFrame` gets the polygons drawn. */
function showTile(key: string, prepared: Prepared, place: { position?: number; total?: number }, onFrame: (drawn: Record<ClassName, number>, id: string) => void): void {
  const p = { ...prepared.payload, ...place };
  shownKey = key;
  errorText = undefined;
  errorBox.textContent = '';
  errorBox.hidden = true;
  stage.hidden = false;
  const sameSize = tile && tile.width === p.width && tile.height === p.height;
  const sameTile = tile?.id === p.id;
  tile = { id: p.id, dx: 0, dy: 0, width: p.width, height: p.height, image: prepared.image, polys: prepared.polys, payload: p };
  if (neighbours.length && state.context) neighbours = []; // stale until the host sends the new context
  if (prediction && prediction.layer.tileId !== p.id) { prediction = undefined; renderPredHeader(); } // the host sends the new tile's layer next
  predHover = undefined;
  hover = undefined;
  renderTitle(p);
  title.title = p.file;
  document.body.dataset.tileId = p.id;
  if (state.tileId !== p.id) {
    state.tileId = p.id;
    save();
  }
  note.textContent = p.note ?? '';
  note.hidden = !p.note;
  // Zoom and pan belong to one tile: another tile starts fitted (the same tile re-sent keeps them).
  if (!sameSize || !userMoved || !sameTile) fit();
  draw();
  status.textContent = `${p.polygons.length} polygons${p.line ? ` · polygons.jsonl line ${p.line}` : ' · no line in polygons.jsonl'} · ${p.width}x${p.height}px`;
  const drawn = lastDrawn;
  afterFrame(() => onFrame(drawn, p.id));
}

/** Shows a tile the host sent or named; reports "painted" after its frame. `arrival` is when its message came (performance.now()) and how long it took to cross. */
function showFromHost(seq: number, key: string, prepared: Prepared, place: { position?: number; total?: number }, arrival: { t0: number; transitMs: number }, cached = false): void {
  const { t0, transitMs } = arrival;
  roles = undefined; // the host sends the new tile's neighbours after this
  showTile(key, prepared, place, (drawn, id) => send({ type: 'painted', seq, id, drawn, paintMs: performance.now() - t0, transitMs, paintedAt: performance.timeOrigin + performance.now(), ...(cached ? { cached } : {}) }));
}

/**
 * Next (+1) or previous (-1): when the webview keeps that neighbour of the shown tile it paints it
 * at once and then tells the host ('navigated'); otherwise it asks the host ('navigate').
 * `onFrame` (tests, bench) hears whether it switched by itself and ms from here to the frame.
 */
function step(dir: 1 | -1, onFrame?: (local: boolean, ms: number, drawMs?: number) => void): void {
  const t0 = performance.now();
  const role = roles && shownKey !== undefined && roles.of === shownKey ? (dir === 1 ? roles.next : roles.prev) : undefined;
  const prepared = role ? kept.get(role.key) : undefined;
  if (!role || !prepared || shownKey === undefined) {
    send({ type: 'navigate', step: dir });
    if (onFrame) afterFrame(() => onFrame(false, performance.now() - t0));
    return;
  }
  const from = shownKey;
  const nav = ++navs;
  roles = undefined; // the host sends the new tile's neighbours when it follows
  showTile(role.key, prepared, { position: role.position, total: role.total }, (drawn, id) => {
    const ms = performance.now() - t0;
    send({ type: 'painted', seq: nav, local: true, id, drawn, paintMs: ms, cached: true, paintedAt: performance.timeOrigin + performance.now() });
    onFrame?.(true, ms, drawMs);
  });
  const drawMs = performance.now() - t0;
  // Told at once (drawn, before the frame): the host hears it before any later key press.
  send({ type: 'navigated', nav, step: dir, from, key: role.key });
}
/** Switches the webview made by itself, numbered. */
let navs = 0;

/** The step of a next/previous key. */
const stepOf = (k: string): 1 | -1 | undefined => (k === 'n' || k === ']' ? 1 : k === 'p' || k === '[' ? -1 : undefined);

function showError(message: string): void {
  tile = undefined;
  shownKey = undefined;
  roles = undefined;
  neighbours = [];
  prediction = undefined;
  renderPredHeader();
  errorText = message;
  errorBox.textContent = message;
  errorBox.hidden = false;
  stage.hidden = true;
  title.textContent = 'Cannot show this image';
  document.body.dataset.tileId = '';
  draw();
}

function showContext(center: string, tiles: ContextTile[]): void {
  if (!tile || tile.id !== center) return;
  neighbours = tiles.map((n) => ({ id: n.id, dx: n.dx, dy: n.dy, width: n.width, height: n.height, image: n.rgba ? imageCanvas(n.rgba, n.width, n.height) : undefined, polys: paths(n.polygons) }));
  if (!userMoved) fit();
  draw();
}

function setContext(on: boolean): void {
  state.context = on;
  contextBox.checked = on;
  save();
  if (!on) neighbours = [];
  send({ type: 'context', on });
  if (!userMoved) fit();
  draw();
}

/** A 32x32 copy of the canvas, read back to tell painted from blank cheaply (a full getImageData stalls the frame it is measured in). */
const probe = document.createElement('canvas');
probe.width = probe.height = 32;
const probeCtx = probe.getContext('2d', { willReadFrequently: true })!;

/** Non-background pixels of the canvas scaled to 32x32 (0 = blank): the 'shown' answer's paint check. */
function inkSample(): number {
  if (!canvas.width || !canvas.height) return 0;
  probeCtx.clearRect(0, 0, 32, 32);
  probeCtx.drawImage(canvas, 0, 0, 32, 32);
  const data = probeCtx.getImageData(0, 0, 32, 32).data;
  const bg = [data[0], data[1], data[2]];
  let n = 0;
  for (let o = 0; o < data.length; o += 4) if (Math.abs(data[o] - bg[0]) + Math.abs(data[o + 1] - bg[1]) + Math.abs(data[o + 2] - bg[2]) > 24) n++;
  return n;
}

function inkPixels(): number {
  const w = canvas.width, h = canvas.height;
  if (!w || !h) return 0;
  const data = ctx.getImageData(0, 0, w, h).data;
  const bg = [data[0], data[1], data[2]];
  let n = 0;
  for (let y = 0; y < h; y += 8) for (let x = 0; x < w; x += 8) {
    const o = (y * w + x) * 4;
    if (Math.abs(data[o] - bg[0]) + Math.abs(data[o + 1] - bg[1]) + Math.abs(data[o + 2] - bg[2]) > 24) n++;
  }
  return n;
}

/** Sum of the centre tile's RGBA bytes read back from its image canvas. */
function imageSum(): number | undefined {
  const c = tile?.image;
  if (!c) return undefined;
  const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
  let sum = 0;
  for (let k = 0; k < data.length; k++) sum += data[k];
  return sum;
}

/** JS heap in use, after a full collection where the browser exposes gc (the test harness's Chromium does): what is kept, not garbage waiting for the collector. */
function retainedHeap(): number | undefined {
  (globalThis as { gc?: () => void }).gc?.();
  return (performance as Performance & { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize;
}

function snapshot(): ViewerSnapshot {
  return { tileId: tile?.id, drawn: { ...lastDrawn }, visible: { ...state.visible }, context: state.context, contextTiles: neighbours.length, contextDrawn: lastContextDrawn, error: errorText, inkPixels: inkPixels(),
    prediction: prediction ? { ...lastPredDrawn } : null, predictionVisible: predBox.checked, predictionHeader: prediction ? (predHeader.querySelector('.pred-text')?.textContent ?? '') : '', jsHeap: retainedHeap(), imageSum: imageSum() };
}

function answer(m: RequestEnvelope<ViewerRequest>): void {
  const r = m.request;
  if (r.kind === 'shown') {
    requestAnimationFrame(() => send({ type: 'response', inReplyTo: m.id, ok: true, result: { tileId: tile?.id, inkPixels: inkSample() } }));
    return;
  }
  if (r.kind === 'ping') {
    send({ type: 'response', inReplyTo: m.id, ok: true, result: { oneWayMs: Date.now() - r.sentAt } });
    return;
  }
  if (r.kind === 'press') {
    const dir = stepOf(r.key satisfies PressKey);
    if (dir) {
      step(dir, (local, ms, drawMs) => send({ type: 'response', inReplyTo: m.id, ok: true, result: { ...snapshot(), press: { local, ms, ...(drawMs !== undefined ? { drawMs } : {}) } } }));
      return;
    }
  }
  if (r.kind === 'toggleClass') {
    state.visible[r.cls] = r.visible ?? !state.visible[r.cls];
    classBoxes[r.cls].checked = state.visible[r.cls];
    save();
    draw();
  } else if (r.kind === 'setContext') {
    setContext(r.on);
  } else if (r.kind === 'togglePrediction') {
    predBox.checked = r.visible ?? !predBox.checked;
    draw();
  }
  send({ type: 'response', inReplyTo: m.id, ok: true, result: snapshot() });
}

function onMessage(e: MessageEvent<ToWebview>): void {
  const m = e.data;
  const arrival = (sentAt: number) => ({ t0: performance.now(), transitMs: Date.now() - sentAt });
  if (m.type === 'tile') {
    const at = arrival(m.sentAt);
    const t = fromWire(m.tile);
    showFromHost(m.seq, m.key, keep(m.key, t), { position: t.position, total: t.total }, at);
  } else if (m.type === 'prefetch') keep(m.key, fromWire(m.tile));
  else if (m.type === 'showCached') {
    const p = kept.get(m.key);
    if (p) showFromHost(m.seq, m.key, p, { position: m.position, total: m.total }, arrival(m.sentAt), true);
    else send({ type: 'cacheMiss', seq: m.seq, key: m.key });
  } else if (m.type === 'neighbours') {
    roles = m;
    // The order changed (re-sort, re-filter): "N of M" follows it.
    if (tile && m.of === shownKey && (tile.payload.position !== m.here?.position || tile.payload.total !== m.here?.total)) {
      tile.payload = { ...tile.payload, position: m.here?.position, total: m.here?.total };
      renderTitle(tile.payload);
    }
  }
  else if (m.type === 'dropCache') { kept.clear(); roles = undefined; }
  else if (m.type === 'error') showError(m.message);
  else if (m.type === 'context') showContext(m.center, m.tiles);
  else if (m.type === 'prediction') showPrediction(m.tileId, m.layer);
  else if (m.type === 'request') answer(m);
}
window.addEventListener('message', onMessage);

// ---- input ------------------------------------------------------------------------------------
function toTile(ev: MouseEvent): [number, number] {
  const r = canvas.getBoundingClientRect();
  return [(ev.clientX - r.left - view.ox) / view.s, (ev.clientY - r.top - view.oy) / view.s];
}

function hitTest(x: number, y: number): { d: Drawable; p?: OverlayPolygon } | undefined {
  const layers: Drawable[] = tile ? [tile, ...(state.context ? neighbours : [])] : [];
  ctx.save();
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  try {
    for (const d of layers) {
      const lx = x - d.dx, ly = y - d.dy;
      if (lx < 0 || ly < 0 || lx >= d.width || ly >= d.height) continue;
      let best: OverlayPolygon | undefined;
      if (!hideHeld) for (const { p, path } of d.polys) {
        if (!state.visible[p.cls] || lx < p.bbox[0] - 1 || lx > p.bbox[2] + 1 || ly < p.bbox[1] - 1 || ly > p.bbox[3] + 1) continue;
        if (ctx.isPointInPath(path, lx, ly, 'evenodd') && (!best || p.area < best.area)) best = p;
      }
      return { d, p: best };
    }
  } finally {
    ctx.restore();
  }
  return undefined;
}

/** The smallest prediction outline under (x, y) of the centre tile, when the layer is shown. */
function hitPrediction(x: number, y: number): PredictionShape | undefined {
  if (!prediction || !predVisible()) return undefined;
  let best: PredictionShape | undefined;
  ctx.save();
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  for (const { s, path } of prediction.shapes) {
    if (x < s.bbox[0] - 1 || x > s.bbox[2] + 1 || y < s.bbox[1] - 1 || y > s.bbox[3] + 1) continue;
    if (ctx.isPointInPath(path, x, y, 'evenodd') && (!best || s.area < best.area)) best = s;
  }
  ctx.restore();
  return best;
}

let drag: { x: number; y: number; ox: number; oy: number; moved: boolean } | undefined;
canvas.addEventListener('mousedown', (ev) => { drag = { x: ev.clientX, y: ev.clientY, ox: view.ox, oy: view.oy, moved: false }; });
window.addEventListener('mouseup', (ev) => {
  const d = drag;
  drag = undefined;
  if (d && !d.moved && ev.target === canvas) {
    const [x, y] = toTile(ev);
    const h = hitTest(x, y);
    if (h && tile && h.d !== tile) send({ type: 'openTile', id: h.d.id });
  }
});
window.addEventListener('mousemove', (ev) => {
  if (drag) {
    if (Math.abs(ev.clientX - drag.x) + Math.abs(ev.clientY - drag.y) > 3) drag.moved = true;
    view.ox = drag.ox + ev.clientX - drag.x;
    view.oy = drag.oy + ev.clientY - drag.y;
    userMoved = true;
    draw();
    return;
  }
  if (ev.target !== canvas || !tile) return;
  const [x, y] = toTile(ev);
  const h = hitTest(x, y);
  const ph = hitPrediction(x, y);
  if (h?.p !== hover?.p || h?.d !== hover?.d || ph !== predHover) {
    hover = h;
    predHover = ph;
    draw();
  }
  const p = h?.p;
  const at = `(${Math.floor(x - (h?.d.dx ?? 0))}, ${Math.floor(y - (h?.d.dy ?? 0))})`;
  if (ph) {
    status.textContent = `${describeShape(ph)} · area ${Math.round(ph.area)} px${p && h?.d === tile ? ` · ${p.cls.replace('_', ' ')} #${p.index + 1}` : ''} · at ${at}`;
  } else if (p) {
    const line = h.d === tile ? tile.payload.line : undefined;
    status.textContent = `${h.d === tile ? '' : `${h.d.id}: `}${p.cls.replace('_', ' ')} #${p.index + 1} · area ${Math.round(p.area)} px · bbox x ${p.bbox[0]}–${p.bbox[2]}, y ${p.bbox[1]}–${p.bbox[3]}${line ? ` · polygons.jsonl line ${line}, annotation ${p.index + 1}` : ''} · at ${at}`;
  } else {
    status.textContent = h && h.d !== tile ? `${h.d.id} (click to open) · at ${at}` : `at ${at}`;
  }
});

function zoomAt(factor: number, cx: number, cy: number): void {
  const s = Math.min(64, Math.max(0.05, view.s * factor));
  view.ox = cx - ((cx - view.ox) * s) / view.s;
  view.oy = cy - ((cy - view.oy) * s) / view.s;
  view.s = s;
  userMoved = true;
  document.body.dataset.zoom = s.toFixed(4);
  draw();
}
canvas.addEventListener('wheel', (ev) => {
  ev.preventDefault();
  const r = canvas.getBoundingClientRect();
  zoomAt(Math.exp(-ev.deltaY * 0.0015), ev.clientX - r.left, ev.clientY - r.top);
}, { passive: false });

window.addEventListener('keydown', (ev) => {
  if (ev.target instanceof HTMLInputElement && ev.target.type !== 'checkbox' && ev.target.type !== 'range') return;
  if (ev.target instanceof HTMLSelectElement) return;
  const k = ev.key;
  if (k === ' ') {
    ev.preventDefault();
    if (!ev.repeat && !hideHeld) { hideHeld = true; draw(); }
  } else if (stepOf(k)) step(stepOf(k)!);
  else if (k === '+' || k === '=') zoomAt(1.25, stage.clientWidth / 2, stage.clientHeight / 2);
  else if (k === '-') zoomAt(0.8, stage.clientWidth / 2, stage.clientHeight / 2);
  else if (k === '0') { fit(); draw(); }
  else if (k === 'c') setContext(!state.context);
  else if (k === 'v' && prediction) { predBox.checked = !predBox.checked; draw(); }
  else if (k === '1' || k === '2' || k === '3') {
    const c = CLASS_NAMES[Number(k) - 1];
    state.visible[c] = !state.visible[c];
    classBoxes[c].checked = state.visible[c];
    save();
    draw();
  } else return;
});
window.addEventListener('keyup', (ev) => { if (ev.key === ' ' && hideHeld) { hideHeld = false; draw(); } });
window.addEventListener('blur', () => { if (hideHeld) { hideHeld = false; draw(); } });
prevBtn.addEventListener('click', () => step(-1));
nextBtn.addEventListener('click', () => step(1));
fitBtn.addEventListener('click', () => { fit(); draw(); });

// Redraw on theme change (VS Code swaps the body's class and the --vscode-* variables).
new MutationObserver(() => { theme = readTheme(); draw(); }).observe(document.body, { attributes: true, attributeFilter: ['class', 'style'] });
new ResizeObserver(() => {
  // A hidden tab's frame shrinks to nothing, and comes back at the size it had: keep the canvas and
  // its pixels then (a resize clears the canvas, so the tab would show blank until a full redraw).
  const w = stage.clientWidth, h = stage.clientHeight, dpr = window.devicePixelRatio || 1;
  if (w === 0 || h === 0) return;
  if (w === stageSize.w && h === stageSize.h && canvas.width === Math.max(1, Math.round(w * dpr))) return;
  resize();
  draw();
}).observe(stage);
errorBox.hidden = true;
note.hidden = true;
resize();
draw();
send({ type: 'ready', timeOrigin: performance.timeOrigin, scriptAt, readyAt: performance.now() });
// Messages that came before this script ran (the host posts the first tile without waiting for
// "ready"): kept by the page's first inline script (tileViewerHtml.ts), handled now, in order.
for (const e of takeEarlyMessages<ToWebview>()) onMessage(e);
if (state.context) send({ type: 'context', on: true });
