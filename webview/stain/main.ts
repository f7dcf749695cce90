/**
 * The Stain panel's page: controls (space, std_hyper, distribution, seed, N, Reinhard and Macenko
 * targets), and a grid of the pictures the host computed, each drawn with the tile's overlays.
 * Measures click -> grid shown, and the message round trip as the floor beside it.
 */
import { CLASS_COLORS } from '../../src/core/palette';
import { CLASS_NAMES, type ClassName } from '../../src/core/types';
import { DEFAULT_STAIN_SETTINGS, type FromStainWebview, type StainCell, type StainRequest, type StainResultMessage, type StainSettings, type StainSnapshot, type ToStainWebview } from '../../src/shared/stainProtocol';
import type { ResponseEnvelope, RequestEnvelope } from '../../src/shared/requestReply';

interface VsCodeApi { postMessage(m: unknown): void; getState(): unknown; setState(s: unknown): void }
declare function acquireVsCodeApi(): VsCodeApi;
const vscode = acquireVsCodeApi();
const send = (m: FromStainWebview) => vscode.postMessage(m);

const CSS = `
body { margin: 0; padding: 0; color: var(--vscode-foreground); background: var(--vscode-editor-background); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); }
.controls { display: flex; flex-wrap: wrap; gap: 6px 12px; align-items: center; padding: 6px 10px; border-bottom: 1px solid var(--vscode-panel-border, transparent); }
.controls label { display: inline-flex; gap: 4px; align-items: center; }
.controls select, .controls input { color: var(--vscode-input-foreground); background: var(--vscode-input-background); border: 1px solid var(--vscode-input-border, var(--vscode-dropdown-border, transparent)); }
.controls input[type=number] { width: 5em; }
.controls input.tile { width: 9em; }
button { color: var(--vscode-button-foreground); background: var(--vscode-button-background); border: 1px solid var(--vscode-button-border, transparent); padding: 3px 10px; cursor: pointer; }
button:hover { background: var(--vscode-button-hoverBackground); }
button.secondary { color: var(--vscode-button-secondaryForeground); background: var(--vscode-button-secondaryBackground); }
.title { font-weight: 600; }
.status { padding: 4px 10px; font-size: 12px; color: var(--vscode-descriptionForeground); min-height: 16px; }
.status.error { color: var(--vscode-errorForeground); }
.grid { display: flex; flex-wrap: wrap; gap: 8px; padding: 6px 10px; }
figure { margin: 0; width: 168px; }
figure canvas { display: block; width: 168px; height: 168px; border: 1px solid var(--vscode-panel-border, transparent); }
figcaption { font-size: 11px; line-height: 1.3; margin-top: 2px; color: var(--vscode-foreground); word-break: break-word; }
figcaption .why { color: var(--vscode-editorWarning-foreground); display: block; }
.section { padding: 2px 10px; font-weight: 600; font-size: 12px; color: var(--vscode-descriptionForeground); }
`;
const style = document.createElement('style');
style.nonce = document.body.dataset.nonce ?? '';
style.textContent = CSS;
document.head.appendChild(style);

const el = <K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
};
const select = (id: string, options: [string, string][]) => {
  const s = el('select', { id });
  for (const [v, t] of options) s.appendChild(el('option', { value: v }, t));
  return s;
};

const saved = (vscode.getState() as { settings?: StainSettings; overlays?: boolean } | undefined) ?? {};
let settings: StainSettings = { ...DEFAULT_STAIN_SETTINGS, ...(saved.settings ?? {}) };
let overlays = saved.overlays !== false;

const controls = el('div', { class: 'controls' });
const title = el('span', { class: 'title' }, 'Stain');
const spaceSel = select('space', [['LAB', 'LAB'], ['HSV', 'HSV'], ['HED', 'HED'], ['Random', 'Random']]);
const stdIn = el('input', { id: 'stdHyper', type: 'number', step: '0.1', min: '-1', max: '10' });
const distSel = select('distribution', [['normal', 'normal'], ['laplace', 'laplace'], ['uniform', 'uniform']]);
const seedIn = el('input', { id: 'seed', type: 'number', step: '1', min: '0' });
const nIn = el('input', { id: 'n', type: 'number', step: '1', min: '1', max: '16' });
const reinSel = select('reinhard', [['dataset', 'dataset statistics'], ['wsi', "this tile's WSI"]]);
const reinTile = el('input', { id: 'reinhardTile', class: 'tile', placeholder: 'or target tile id' });
const macSel = select('macenko', [['reference', 'reference matrix']]);
const macTile = el('input', { id: 'macenkoTile', class: 'tile', placeholder: 'or fit on tile id' });
const overlayBox = el('input', { id: 'overlays', type: 'checkbox' });
const sampleBtn = el('button', { id: 'sample' }, 'Sample');
const exportBtn = el('button', { id: 'export', class: 'secondary' }, 'Export these tiles as PNG');
const lab = (text: string, input: HTMLElement) => {
  const l = el('label', {}, text);
  l.appendChild(input);
  return l;
};
controls.append(title, lab('space', spaceSel), lab('std_hyper', stdIn), lab('distribution', distSel), lab('seed', seedIn), lab('N', nIn), lab('Reinhard →', reinSel), reinTile, lab('Macenko →', macSel), macTile, lab('overlays', overlayBox), sampleBtn, exportBtn);
const status = el('div', { class: 'status', id: 'status' });
const normSection = el('div', { class: 'section' }, 'Normalisation');
const normGrid = el('div', { class: 'grid', id: 'norm' });
const sampleSection = el('div', { class: 'section' }, 'RandStainNA samples (what the augmentation feeds the model)');
const sampleGrid = el('div', { class: 'grid', id: 'samples' });
document.body.append(controls, status, normSection, normGrid, sampleSection, sampleGrid);

function showSettings(): void {
  spaceSel.value = settings.space;
  stdIn.value = String(settings.stdHyper);
  distSel.value = settings.distribution;
  seedIn.value = String(settings.seed);
  nIn.value = String(settings.n);
  if (settings.reinhard.startsWith('tile:')) reinTile.value = settings.reinhard.slice(5);
  else reinSel.value = settings.reinhard;
  if (settings.macenko.startsWith('tile:')) macTile.value = settings.macenko.slice(5);
  else macSel.value = settings.macenko;
  overlayBox.checked = overlays;
}

function readSettings(): StainSettings {
  const num = (i: HTMLInputElement, d: number) => (Number.isFinite(Number(i.value)) && i.value !== '' ? Number(i.value) : d);
  const rt = reinTile.value.trim(), mt = macTile.value.trim();
  return {
    space: spaceSel.value as StainSettings['space'],
    stdHyper: Math.max(-1, Math.min(10, num(stdIn, -0.3))),
    distribution: distSel.value as StainSettings['distribution'],
    seed: Math.max(0, Math.floor(num(seedIn, 0))),
    n: Math.max(1, Math.min(16, Math.floor(num(nIn, 8)))),
    reinhard: rt ? `tile:${rt}` : reinSel.value,
    macenko: mt ? `tile:${mt}` : macSel.value,
  };
}

interface Theme { cls: Record<ClassName, string> }
function readTheme(): Theme {
  const css = getComputedStyle(document.body);
  const cls = {} as Record<ClassName, string>;
  for (const c of CLASS_NAMES) cls[c] = css.getPropertyValue(`--vscode-vasculatureExplorer-${c === 'blood_vessel' ? 'bloodVessel' : c}`).trim() || CLASS_COLORS[c].hex;
  return { cls };
}
let theme = readTheme();

let last: StainResultMessage | undefined;
let tileId: string | undefined;
let statsTiles = -1;
let seq = 0;
let clickAt = 0;
let waiting = 0;
let lastShowMs: number | undefined, floorMs: number | undefined;
const drawnCells: StainSnapshot['cells'] = [];
const pings = new Map<number, (ms: number) => void>();
let pingId = 0;

function ping(): Promise<number> {
  const id = ++pingId;
  const t0 = performance.now();
  return new Promise((resolve) => {
    pings.set(id, () => resolve(performance.now() - t0));
    send({ type: 'ping', id });
  });
}

function drawCell(c: StainCell, r: StainResultMessage): { canvas: HTMLCanvasElement; ink: number; polys: number } {
  const canvas = el('canvas', { width: String(c.width), height: String(c.height) });
  const ctx = canvas.getContext('2d')!;
  const img = ctx.createImageData(c.width, c.height);
  const d = img.data;
  for (let p = 0, q = 0; q < c.rgb.length; p += 4, q += 3) {
    d[p] = c.rgb[q];
    d[p + 1] = c.rgb[q + 1];
    d[p + 2] = c.rgb[q + 2];
    d[p + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  let ink = 0;
  for (let p = 0; p < d.length; p += 4 * 97) if (d[p] < 250 || d[p + 1] < 250 || d[p + 2] < 250) ink++;
  let polys = 0;
  if (overlays) {
    const sx = c.width / r.tileWidth, sy = c.height / r.tileHeight;
    ctx.lineWidth = 1.5;
    for (const poly of r.polygons) {
      ctx.strokeStyle = theme.cls[poly.cls];
      ctx.beginPath();
      for (const ring of poly.rings) {
        for (let k = 0; k < ring.length; k += 2) {
          const x = ring[k] * sx, y = ring[k + 1] * sy;
          if (k === 0) ctx.moveTo(x, y);
          else ctx.lineTo(x, y);
        }
        ctx.closePath();
      }
      ctx.stroke();
      polys++;
    }
  }
  return { canvas, ink, polys };
}

function render(r: StainResultMessage): void {
  normGrid.replaceChildren();
  sampleGrid.replaceChildren();
  drawnCells.length = 0;
  for (const c of r.cells) {
    const { canvas, ink, polys } = drawCell(c, r);
    const fig = el('figure', { 'data-kind': c.kind });
    const cap = el('figcaption', {}, c.label);
    if (c.note) cap.appendChild(el('span', { class: 'why' }, c.note));
    fig.append(canvas, cap);
    (c.kind === 'sample' ? sampleGrid : normGrid).appendChild(fig);
    drawnCells.push({ kind: c.kind, label: c.label, applied: c.applied, ...(c.note ? { note: c.note } : {}), inkPixels: ink, overlayPolygons: polys });
  }
}

function requestGrid(): void {
  settings = readSettings();
  vscode.setState({ settings, overlays });
  seq++;
  clickAt = performance.now();
  waiting = seq;
  status.className = 'status';
  status.textContent = `computing ${settings.n} samples…`;
  send({ type: 'compute', seq, settings });
}

function onResult(r: StainResultMessage): void {
  if (r.seq !== waiting) return;
  last = r;
  render(r);
  // The frame after drawing is when the grid is on screen.
  requestAnimationFrame(() => setTimeout(async () => {
    const ms = performance.now() - clickAt;
    const floor = await ping();
    lastShowMs = ms;
    floorMs = floor;
    const samples = r.cells.filter((c) => c.kind === 'sample').length;
    const unchanged = r.cells.filter((c) => !c.applied).length;
    status.textContent = `${tileId}: ${samples} samples shown ${ms.toFixed(0)} ms after the click (host ${r.hostMs.toFixed(0)} ms${r.cached ? ', cached' : ''}; message round trip floor ${floor.toFixed(1)} ms)${unchanged ? ` · ${unchanged} picture(s) left unchanged, see their notes` : ''}`;
    // For tests and a person's devtools: what is on screen.
    document.body.dataset.tileId = r.tileId;
    document.body.dataset.seq = String(r.seq);
    document.body.dataset.samples = String(samples);
    document.body.dataset.overlays = drawnCells.map((c) => c.overlayPolygons).join(',');
    document.body.dataset.ink = drawnCells.map((c) => c.inkPixels).join(',');
    document.body.dataset.showMs = ms.toFixed(1);
    document.body.dataset.floorMs = floor.toFixed(1);
    send({ type: 'shown', seq: r.seq, ms, floorMs: floor });
  }, 0));
}

function snapshot(): StainSnapshot {
  return { ...(tileId ? { tileId } : {}), cells: [...drawnCells], settings, ...(lastShowMs !== undefined ? { lastShowMs } : {}), ...(floorMs !== undefined ? { floorMs } : {}), status: status.textContent ?? '' };
}

function answer(m: RequestEnvelope<StainRequest>): void {
  const reply = (result: unknown) => send({ type: 'response', inReplyTo: m.id, ok: true, result } as ResponseEnvelope);
  if (m.request.kind === 'snapshot') reply(snapshot());
  else if (m.request.kind === 'click') {
    (m.request.target === 'sample' ? sampleBtn : exportBtn).click();
    reply(true);
  }
}

window.addEventListener('message', (ev: MessageEvent<ToStainWebview>) => {
  const m = ev.data;
  if (m.type === 'state') {
    settings = m.settings;
    const opts: [string, string][] = [['dataset', 'dataset statistics'], ['wsi', "this tile's WSI"], ...m.wsis.map((w): [string, string] => [`wsi:${w}`, `WSI ${w}`])];
    reinSel.replaceChildren(...opts.map(([v, t]) => el('option', { value: v }, t)));
    showSettings();
    const changed = m.tile?.id !== tileId;
    tileId = m.tile?.id;
    title.textContent = tileId ? `Stain · ${tileId}${m.tile?.wsi !== undefined ? ` (WSI ${m.tile.wsi})` : ''}` : 'Stain';
    status.className = 'status';
    status.textContent = m.message ?? (tileId ? (m.statsTiles ? `dataset statistics of ${m.statsTiles} tiles` : 'dataset statistics are being computed (RandStainNA and Reinhard need them)') : 'open a tile in the tile viewer');
    const statsArrived = statsTiles === 0 && m.statsTiles > 0;
    statsTiles = m.statsTiles;
    if (tileId && (changed || !last || statsArrived)) requestGrid();
  } else if (m.type === 'result') onResult(m);
  else if (m.type === 'error') {
    if (m.seq !== waiting) return;
    status.className = 'status error';
    status.textContent = m.message;
  } else if (m.type === 'pong') pings.get(m.id)?.(0);
  else if (m.type === 'request') answer(m);
});

sampleBtn.addEventListener('click', requestGrid);
exportBtn.addEventListener('click', () => send({ type: 'export', settings: readSettings() }));
overlayBox.addEventListener('change', () => {
  overlays = overlayBox.checked;
  vscode.setState({ settings, overlays });
  if (last) render(last);
});
new MutationObserver(() => {
  theme = readTheme();
  if (last) render(last);
}).observe(document.body, { attributes: true, attributeFilter: ['class'] });
showSettings();
send({ type: 'ready' });
