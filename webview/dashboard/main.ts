/** Dataset Overview webview: draws the host's chart data, reports clicks, redraws on theme change. Dataset strings only ever go in via textContent. */
import type { BarChart, DashboardData, QualityKey } from '../../src/core/types/index.js';
import type { DashboardSnapshot, FromWebview, ToWebview, WebviewRequest } from '../../src/shared/dashboardProtocol.js';
import { badge, button, checkbox, dataGrid, dropdown, link, registerToolkit } from '../toolkit/index.js';
import { chartResizes, drawBarChart, type DrawnBarChart } from './barChart.js';
import { scoreSection } from './scoreSection.js';
import { stainSection } from './stainSection.js';
import { foldsSection } from './foldsSection.js';
import { drawSlideMap, type ColorBy, type DrawnSlideMap, type SlideView } from './slideMap.js';
import { cssVar, themeKind } from './theme.js';
import { Chart } from 'chart.js';
import { tuningSection } from './tuningSection.js';

interface VsCodeApi { postMessage(msg: FromWebview): void; getState(): unknown; setState(s: unknown): void }
declare function acquireVsCodeApi(): VsCodeApi;

interface UiState { share: boolean; wsi?: number; colorBy: ColorBy }

const vscode = acquireVsCodeApi();
const saved = vscode.getState() as Partial<UiState> | undefined;
const ui: UiState = { share: saved?.share === true, wsi: typeof saved?.wsi === 'number' ? saved.wsi : undefined, colorBy: saved?.colorBy === 'dataset' ? 'dataset' : 'vessels' };
const post = (m: FromWebview) => vscode.postMessage(m);
const saveState = () => vscode.setState(ui);

let data: DashboardData | undefined;
let filterText = '';
const charts = new Map<string, DrawnBarChart>();
let slide: DrawnSlideMap | undefined;
/** The slide map's zoom/pan (kept while the same WSI is shown) and the shared filter's tile ids (undefined: no filter). */
const slideView: SlideView = { wsi: -1, zoom: 1, tx: 0, ty: 0, focus: -1 };
let filterIds: Set<string> | undefined;
let wsiDropdown: (HTMLElement & { value?: string }) | undefined;
const app = document.getElementById('app')!;

function h(tag: string, cls?: string, text?: string): HTMLElement {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** Exported PNGs are drawn at this device pixel ratio, whatever the screen's. */
const EXPORT_DPR = 2;

/**
 * Saves a chart as PNG at EXPORT_DPR on the theme's editor background: a chart.js chart is drawn
 * again at that ratio (then back), the slide map through its own paint at that ratio.
 */
function exportPng(name: string, canvas: HTMLCanvasElement | undefined, paint?: (dpr: number) => HTMLCanvasElement): void {
  if (!canvas && !paint) return;
  const chart = canvas ? Chart.getChart(canvas) : undefined;
  const before = chart?.options.devicePixelRatio;
  let src = canvas;
  if (paint) src = paint(EXPORT_DPR);
  else if (chart) {
    chart.options.devicePixelRatio = EXPORT_DPR;
    chart.resize();
  }
  const c = document.createElement('canvas');
  c.width = src!.width;
  c.height = src!.height;
  const ctx = c.getContext('2d')!;
  // The panel's body is transparent: the editor background is the colour a person sees behind the chart.
  ctx.fillStyle = cssVar('--vscode-editor-background', document.body.classList.contains('vscode-light') ? '#ffffff' : '#1e1e1e');
  ctx.fillRect(0, 0, c.width, c.height);
  ctx.drawImage(src!, 0, 0);
  if (chart) {
    chart.options.devicePixelRatio = before;
    chart.resize();
  }
  post({ type: 'exportPng', chart: name, dataUrl: c.toDataURL('image/png') });
}

const score = scoreSection(exportPng, (table) => post({ type: 'exportCsv', table }));
score.update(undefined);
const stain = stainSection((ids, label) => post({ type: 'stainSelect', ids, label }), (id) => post({ type: 'openTile', id }));
stain.update(undefined);
const tuning = tuningSection((type, index) => post({ type, index }), () => post({ type: 'runTuning' }));
tuning.update(undefined);
const folds = foldsSection(() => post({ type: 'prepareTrainingData' }), () => post({ type: 'trainBaseline' }));

function card(id: string, title: string, hint: string, wide = false): { card: HTMLElement; body: HTMLElement; actions: HTMLElement } {
  const c = h('section', wide ? 'card wide' : 'card');
  c.id = `card-${id}`;
  const head = h('div', 'card-head');
  head.append(h('h2', undefined, title));
  const actions = h('div', 'actions');
  head.append(actions);
  c.append(head, h('p', 'hint', hint));
  const body = h('div', 'body');
  c.append(body);
  return { card: c, body, actions };
}

function pickBar(spec: BarChart, x: number, series?: number): void {
  post({ type: 'select', chart: spec.id, x, ...(series !== undefined ? { series } : {}) });
}

function drawCharts(): void {
  if (!data) return;
  for (const spec of data.charts) {
    const box = document.getElementById(`chart-${spec.id}`);
    if (!box) continue;
    charts.get(spec.id)?.destroy();
    charts.set(spec.id, drawBarChart(box, spec, ui.share, (x, s) => pickBar(spec, x, s)));
  }
  drawSlide();
}

function drawSlide(): void {
  if (!data) return;
  const box = document.getElementById('slide-map');
  const m = data.slideMap.find((s) => s.wsi === ui.wsi) ?? data.slideMap[0];
  slide?.destroy();
  slide = undefined;
  if (!box || !m) return;
  const tip = h('div', 'tooltip');
  tip.hidden = true;
  slide = drawSlideMap(box, m, ui.colorBy, tip, (id) => post({ type: 'openTile', id }), { view: slideView, highlight: filterIds, onView: showZoom });
}

/** The zoom level label beside the slide map's +/- buttons. */
function showZoom(v: SlideView): void {
  const z = document.getElementById('slide-zoom');
  if (z) z.textContent = `${Math.round(v.zoom * 100)} %`;
}

/** A new shared filter: highlight its tiles; when the WSI shown has none of them, show the WSI with the most. */
function applyFilterToSlide(ids: string[] | undefined): void {
  filterIds = ids ? new Set(ids) : undefined;
  if (!data) return;
  const shown = data.slideMap.find((s) => s.wsi === ui.wsi);
  if (filterIds && shown && !shown.ids.some((id) => filterIds!.has(id))) {
    let best = shown, most = 0;
    for (const s of data.slideMap) {
      const n = s.ids.reduce((a, id) => a + (filterIds!.has(id) ? 1 : 0), 0);
      if (n > most) { most = n; best = s; }
    }
    if (best !== shown) {
      ui.wsi = best.wsi;
      saveState();
      if (wsiDropdown) wsiDropdown.value = String(best.wsi);
      drawSlide();
      return;
    }
  }
  slide?.setHighlight(filterIds);
}

/** A small native button with a screen-reader name (the slide map's zoom controls). */
function iconButton(text: string, label: string, onClick: () => void, id: string): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.id = id;
  b.textContent = text;
  b.title = label;
  b.setAttribute('aria-label', label);
  b.addEventListener('click', onClick);
  return b;
}

/** Gives an export button the name a screen reader says (its visible text is only "PNG"/"CSV"). */
function named<T extends HTMLElement>(e: T, label: string): T {
  e.setAttribute('aria-label', label);
  if (!e.title) e.title = label;
  return e;
}

function renderFilter(): void {
  const bar = document.getElementById('filter-text');
  if (bar) bar.textContent = filterText ? `Tile filter: ${filterText}` : 'Tile filter: none (click a bar, bin or tile to filter the tile browser)';
  document.getElementById('clear-filter')?.toggleAttribute('disabled', !filterText);
}

function render(): void {
  if (!data) return;
  const d = data;
  for (const c of charts.values()) c.destroy();
  charts.clear();
  const root = h('div', 'dashboard');
  const head = h('header');
  head.append(h('h1', undefined, `Dataset Overview: ${d.name}`));
  const tot = d.totals;
  head.append(h('p', 'totals', `${tot.tiles.toLocaleString('en-US')} tiles in ${tot.wsis} WSIs · ${tot.annotated} annotated · ${tot.notAnnotated} not annotated · ${tot.imageMissing} image missing · ${tot.polygons.toLocaleString('en-US')} polygons`));
  const fbar = h('div', 'filterbar');
  const ftext = h('span', 'filter-text');
  ftext.id = 'filter-text';
  const clear = named(button('Clear filter', () => post({ type: 'clearFilter' }), { appearance: 'secondary' }), 'Clear the tile filter');
  clear.id = 'clear-filter';
  fbar.append(ftext, clear, checkbox('Distributions as share (%)', ui.share, (v) => { ui.share = v; saveState(); drawCharts(); }));
  head.append(fbar);
  root.append(head);

  const grid = h('div', 'grid');
  grid.append(score.card);
  grid.append(stain.card);
  grid.append(tuning.card);
  grid.append(folds.card);
  for (const spec of d.charts) {
    const c = card(spec.id, spec.title, spec.clickHint);
    c.actions.append(
      named(button('PNG', () => exportPng(spec.id, charts.get(spec.id)?.canvas), { appearance: 'secondary', title: `Save "${spec.title}" as PNG` }), `Save "${spec.title}" as PNG`),
      named(button('CSV', () => post({ type: 'exportCsv', table: spec.id }), { appearance: 'secondary', title: `Save the data of "${spec.title}" as CSV` }), `Save the data of "${spec.title}" as CSV`),
    );
    const box = h('div', 'chart-box');
    box.id = `chart-${spec.id}`;
    c.body.append(box);
    grid.append(c.card);
  }

  // Slide map.
  const sm = card('slideMap', 'Slide map', 'Every tile at its (i, j) pixel offset in the WSI; overlapping tiles show darker, tiles in the tile filter are outlined and the rest dimmed. Hover for the tile, click to open it; wheel or +/- zoom, drag pans. Keyboard: arrows move between tiles, Enter opens, + / - / 0 zoom, Shift+arrows pan.', true);
  if (ui.wsi === undefined || !d.slideMap.some((m) => m.wsi === ui.wsi)) ui.wsi = (d.slideMap.find((m) => m.state.some((s) => s === 0)) ?? d.slideMap[0])?.wsi;
  const controls = h('div', 'controls');
  controls.append(
    h('span', 'label', 'WSI'),
    (wsiDropdown = dropdown(d.slideMap.map((m) => ({ value: String(m.wsi), label: `WSI ${m.wsi} (${m.ids.length} tiles)` })), String(ui.wsi ?? ''), (v) => { ui.wsi = Number(v); saveState(); drawSlide(); }, 'WSI')),
    h('span', 'label', 'Colour by'),
    dropdown([{ value: 'vessels', label: 'blood vessel count' }, { value: 'dataset', label: 'dataset' }], ui.colorBy, (v) => { ui.colorBy = v === 'dataset' ? 'dataset' : 'vessels'; saveState(); drawSlide(); }, 'Colour by'),
  );
  const zoom = h('div', 'zoom-controls');
  zoom.setAttribute('role', 'group');
  zoom.setAttribute('aria-label', 'Slide map zoom');
  const level = h('span', 'zoom-level', '100 %');
  level.id = 'slide-zoom';
  level.setAttribute('aria-live', 'polite');
  zoom.append(
    iconButton('−', 'Zoom out of the slide map', () => slide?.zoomBy(1 / 1.5), 'slide-zoom-out'),
    level,
    iconButton('+', 'Zoom into the slide map', () => slide?.zoomBy(1.5), 'slide-zoom-in'),
    iconButton('Fit', 'Show the whole WSI', () => slide?.resetView(), 'slide-zoom-reset'),
  );
  controls.append(zoom);
  sm.actions.append(
    named(button('PNG', () => exportPng('slideMap', undefined, slide ? (dpr) => slide!.paint(dpr) : undefined), { appearance: 'secondary' }), 'Save the slide map as PNG'),
    named(button('CSV', () => post({ type: 'exportCsv', table: 'slideMap' }), { appearance: 'secondary' }), 'Save the slide map data as CSV'),
  );
  const legend = h('p', 'hint', 'Vessel colouring: darker = more blood vessels; grey = not annotated; outline only = image missing.');
  const mapBox = h('div', 'slide-map');
  mapBox.id = 'slide-map';
  sm.body.append(controls, legend, mapBox);
  grid.append(sm.card);

  // WSI metadata.
  const meta = card('wsiMeta', 'WSI metadata', 'From wsi_meta.csv; a WSI without a row there shows "missing" (no demographics).', true);
  meta.actions.append(named(button('CSV', () => post({ type: 'exportCsv', table: 'wsiMeta' }), { appearance: 'secondary' }), 'Save the WSI metadata as CSV'));
  const fmt = (v: number | string | undefined) => (v === undefined ? '–' : String(v));
  const rows = d.wsiMeta.map((r) => [String(r.wsi), String(r.tiles), r.hasRow ? 'yes' : 'missing', fmt(r.age), fmt(r.sex), fmt(r.race), fmt(r.height), fmt(r.weight), fmt(r.bmi)]);
  const g = dataGrid(['WSI', 'tiles', 'wsi_meta.csv row', 'age', 'sex', 'race', 'height', 'weight', 'BMI'], rows, 'WSI metadata');
  g.id = 'wsi-meta';
  g.dataset.rows = JSON.stringify(rows);
  meta.body.append(g);
  grid.append(meta.card);

  // Data quality.
  const q = card('quality', 'Data quality', 'Problems by kind (click: Problems panel) and polygon checks (click: filter the tiles).', true);
  q.actions.append(named(button('CSV', () => post({ type: 'exportCsv', table: 'quality' }), { appearance: 'secondary' }), 'Save the data quality table as CSV'));
  const list = h('ul', 'quality');
  list.id = 'quality-list';
  const qualityRows: string[] = [];
  for (const p of d.problems) {
    const li = h('li', `sev-${p.severity}`);
    li.append(h('span', 'sev', p.severity), link(p.code, () => post({ type: 'openProblems', code: p.code }), p.example), badge(String(p.cases)));
    if (p.cases !== p.problems) li.append(h('span', 'muted', `${p.problems} finding${p.problems === 1 ? '' : 's'}`));
    list.append(li);
    qualityRows.push(`${p.severity} ${p.code} ${p.cases}`);
  }
  if (d.problems.length === 0) list.append(h('li', 'muted', 'No problems found in the data.'));
  for (const item of d.quality) {
    const li = h('li', 'check');
    const text = `${item.label}: ${item.key === 'noVessel' ? `${item.tiles} tiles` : `${item.polygons} polygons in ${item.tiles} tiles`}`;
    li.append(item.tiles > 0 ? link(text, () => post({ type: 'selectQuality', key: item.key as QualityKey }), 'Show these tiles in the tile browser') : h('span', 'muted', text));
    list.append(li);
    qualityRows.push(`${item.key} ${item.polygons} ${item.tiles}`);
  }
  list.dataset.rows = JSON.stringify(qualityRows);
  q.body.append(list);
  grid.append(q.card);

  root.append(grid);
  app.replaceChildren(root);
  app.dataset.state = 'ready';
  renderFilter();
  drawCharts();
  score.redraw();
  folds.redraw();
}

/** JS heap in use (Chromium's performance.memory; no forced collection: snapshots are also polled). */
function retainedHeap(): number | undefined {
  return (performance as Performance & { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize;
}

/** Names this document: a tab shown again answers with it when VS Code kept the webview (retainContextWhenHidden). */
const DOCUMENT_ID = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;

function snapshot(): DashboardSnapshot {
  return {
    charts: [...charts.values()].map((c) => c.snapshot()),
    slideMap: slide?.snapshot() ?? { wsi: -1, tiles: 0, inkPixels: 0 },
    wsiRows: JSON.parse(document.getElementById('wsi-meta')?.dataset.rows ?? '[]') as string[][],
    qualityRows: JSON.parse(document.getElementById('quality-list')?.dataset.rows ?? '[]') as string[],
    theme: themeKind(),
    score: score.snapshot(),
    ...(stain.snapshot() ? { stain: stain.snapshot() } : {}),
    tuning: tuning.snapshot(),
    folds: folds.snapshot(),
    // VS Code itself injects <script id="_vscodeApiScript"> (acquireVsCodeApi); anything else is foreign.
    foreignElements: Array.from(document.querySelectorAll('img, iframe, object, embed, script:not([nonce]), *')).filter((e) => /^(IMG|IFRAME|OBJECT|EMBED)$/.test(e.tagName) || (e.tagName === 'SCRIPT' && !e.hasAttribute('nonce') && e.id !== '_vscodeApiScript') || Array.from(e.attributes).some((x) => x.name.toLowerCase().startsWith('on'))).map((e) => `${e.tagName.toLowerCase()}[${Array.from(e.attributes).map((x) => x.name).join(',')}]`),
    jsHeap: retainedHeap(),
  };
}

function answer(id: number, req: WebviewRequest): void {
  const reply = (ok: boolean, result?: unknown, error?: string) => post({ type: 'response', inReplyTo: id, ok, ...(result !== undefined ? { result } : {}), ...(error ? { error } : {}) });
  if (req.kind === 'snapshot') return reply(true, snapshot());
  if (req.kind === 'shown') {
    // After a frame: this document (not a new one that has to draw again) and its charts, which keep their pixels.
    requestAnimationFrame(() => reply(true, { doc: DOCUMENT_ID, charts: charts.size, state: app.dataset.state, resizes: chartResizes.count }));
    return;
  }
  if (req.kind === 'click') {
    const spec = data?.charts.find((c) => c.id === req.chart);
    if (!spec) return reply(false, undefined, `no chart ${req.chart}`);
    pickBar(spec, req.x, req.series);
    return reply(true, true);
  }
  if (req.kind === 'clickSlideMap') {
    if (!slide) return reply(false, undefined, 'no slide map drawn');
    slide.click(req.index);
    return reply(true, true);
  }
  if (req.kind === 'tuningOrder') return tuning.pickOrder(req.order) ? reply(true, true) : reply(false, undefined, 'no ranking dropdown drawn');
  if (req.kind === 'tuningCell') return tuning.click(req.index, req.action) ? reply(true, true) : reply(false, undefined, `no heatmap cell ${req.index}`);
  reply(false, undefined, 'unknown request');
}

window.addEventListener('message', (e: MessageEvent<ToWebview>) => {
  const m = e.data;
  if (!m || typeof m !== 'object') return;
  if (m.type === 'data') {
    const t0 = performance.now();
    data = m.data;
    render();
    post({ type: 'rendered', charts: charts.size, ms: performance.now() - t0 });
  } else if (m.type === 'score') {
    score.update(m.score, m.rejected);
  } else if (m.type === 'stain') {
    stain.update(m.stain);
  } else if (m.type === 'tuning') {
    tuning.update(m.view, m.submissions);
  } else if (m.type === 'folds') {
    folds.update(m.folds);
  } else if (m.type === 'filter') {
    filterText = m.description;
    renderFilter();
    applyFilterToSlide(m.ids);
  } else if (m.type === 'request') {
    answer(m.id, m.request);
  }
});

// Theme change: VS Code swaps body's class (vscode-light / vscode-dark / vscode-high-contrast).
let lastTheme = themeKind();
new MutationObserver(() => {
  const k = themeKind();
  if (k === lastTheme) return;
  lastTheme = k;
  drawCharts();
  score.redraw();
  stain.redraw();
  tuning.redraw();
  folds.redraw();
}).observe(document.body, { attributes: true, attributeFilter: ['class'] });

let resizeTimer: ReturnType<typeof setTimeout> | undefined;
window.addEventListener('resize', () => {
  if (resizeTimer) clearTimeout(resizeTimer);
  resizeTimer = setTimeout(drawSlide, 150);
});

registerToolkit();
post({ type: 'ready' });
