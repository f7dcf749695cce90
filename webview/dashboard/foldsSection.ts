/** The "Validation folds" card: tiles, instances per class and vessel-area distribution per fold, by dataset and WSI, leaks, and the slide map coloured by fold. Text only via textContent. */
import type { FoldsOverview } from '../../src/core/folds/index.js';
import type { BarChart, ChartId, ColorRef } from '../../src/core/types/index.js';
import { button, dataGrid, dropdown } from '../toolkit/index.js';
import { drawBarChart, inkInside, type DrawnBarChart } from './barChart.js';
import { cssVar, themeBasics, withAlpha } from './theme.js';

const TILE = 512;
// The same order as theme.ts's dataset colours (dataset:1..6), so a fold has one colour in the charts and on the map.
const FOLD_VARS: [string, string][] = [['--vscode-charts-blue', '#3794ff'], ['--vscode-charts-purple', '#b180d7'], ['--vscode-charts-green', '#89d185'], ['--vscode-charts-orange', '#d18616'], ['--vscode-charts-red', '#f14c4c'], ['--vscode-charts-yellow', '#cca700']];
const CLASSES = ['blood_vessel', 'glomerulus', 'unsure'] as const;

function h(tag: string, cls?: string, text?: string): HTMLElement {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** The colour of fold f (-1: always train, muted). */
function foldColor(f: number): string {
  if (f < 0) return withAlpha(themeBasics().fg, 0.25);
  const [v, fb] = FOLD_VARS[f % FOLD_VARS.length];
  const c = cssVar(v, fb);
  return f < FOLD_VARS.length ? c : withAlpha(c, 0.55);
}

export interface FoldsSection {
  readonly card: HTMLElement;
  update(folds: FoldsOverview | undefined): void;
  redraw(): void;
  snapshot(): { headline: string; rows: string[][]; charts: number; slideInk: number };
}

/** The card; onPrepare runs Prepare Training Data…, onTrain Train Baseline Model…. */
export function foldsSection(onPrepare: () => void, onTrain: () => void): FoldsSection {
  const card = h('section', 'card wide');
  card.id = 'card-folds';
  const head = h('div', 'card-head');
  const actions = h('div', 'actions');
  const prep = button('Prepare Training Data…', onPrepare, { title: 'Write masks, YOLO and COCO labels and these folds to a folder' });
  prep.id = 'folds-prepare';
  const train = button('Train Baseline Model…', onTrain, { title: 'Train a U-Net on a labels folder (Python + PyTorch), validated on one of its folds' });
  train.id = 'folds-train';
  actions.append(prep, train);
  head.append(h('h2', undefined, 'Validation folds'), actions);
  const hint = h('p', 'hint', '');
  const body = h('div', 'body');
  card.append(head, hint, body);
  let data: FoldsOverview | undefined;
  let wsi: number | undefined;
  const charts: DrawnBarChart[] = [];
  let slideCanvas: HTMLCanvasElement | undefined;
  let rows: string[][] = [];

  const spec = (id: string, title: string, xTitle: string, yTitle: string, labels: string[], series: { label: string; values: number[]; color: ColorRef; stack?: string }[], distribution = false): BarChart =>
    ({ id: id as ChartId, title, xTitle, yTitle, labels, keys: labels.map((_, k) => k), series: series.map((s) => ({ ...s, shade: 1 })), distribution, clickHint: '' });

  const drawSlide = (box: HTMLElement) => {
    if (!data) return;
    const s = data.slides.find((x) => x.wsi === wsi) ?? data.slides[0];
    if (!s) return;
    const canvas = document.createElement('canvas');
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', `Slide map of WSI ${s.wsi} coloured by fold`);
    box.replaceChildren(canvas);
    const w = box.clientWidth || 600, hh = box.clientHeight || 360, dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(w * dpr); canvas.height = Math.round(hh * dpr);
    canvas.style.width = `${w}px`; canvas.style.height = `${hh}px`;
    const ctx = canvas.getContext('2d')!;
    ctx.scale(dpr, dpr);
    let minI = Infinity, minJ = Infinity, maxI = -Infinity, maxJ = -Infinity;
    for (let k = 0; k < s.ids.length; k++) { minI = Math.min(minI, s.i[k]); maxI = Math.max(maxI, s.i[k] + TILE); minJ = Math.min(minJ, s.j[k]); maxJ = Math.max(maxJ, s.j[k] + TILE); }
    const pad = 8, scale = Math.min((w - 2 * pad) / Math.max(1, maxI - minI), (hh - 2 * pad) / Math.max(1, maxJ - minJ));
    const ox = pad + (w - 2 * pad - (maxI - minI) * scale) / 2, oy = pad + (hh - 2 * pad - (maxJ - minJ) * scale) / 2;
    const at = new Map<string, { x: number; y: number }>();
    for (let k = 0; k < s.ids.length; k++) {
      const x = ox + (s.i[k] - minI) * scale, y = oy + (s.j[k] - minJ) * scale;
      at.set(s.ids[k], { x, y });
      ctx.fillStyle = withAlpha(foldColor(s.fold[k]), 0.8);
      ctx.fillRect(x, y, TILE * scale, TILE * scale);
    }
    // Leaking pairs: both tiles outlined in the error colour.
    ctx.strokeStyle = cssVar('--vscode-errorForeground', '#f14c4c');
    ctx.lineWidth = 2;
    for (const l of data.leaks) {
      if (l.wsi !== s.wsi) continue;
      for (const id of [l.a, l.b]) { const p = at.get(id); if (p) ctx.strokeRect(p.x + 1, p.y + 1, TILE * scale - 2, TILE * scale - 2); }
    }
    slideCanvas = canvas;
  };

  const draw = () => {
    for (const c of charts.splice(0)) c.destroy();
    if (!data) return;
    const d = data;
    const names = d.perFold.map((f) => f.name);
    const boxes = body.querySelectorAll<HTMLElement>('.folds-chart');
    const specs = [
      spec('foldsTiles', 'Tiles per fold', 'fold', 'tiles', names, ['1', '2'].map((ds) => ({ label: `dataset ${ds}`, values: d.perFold.map((f) => f.byDataset[ds] ?? 0), color: `dataset:${ds}` as ColorRef, stack: 'tiles' }))),
      spec('foldsInstances', 'Instances per class per fold', 'fold', 'instances', names, CLASSES.filter((c) => d.perFold.some((f) => (f.instances[c] ?? 0) > 0)).map((c) => ({ label: c, values: d.perFold.map((f) => f.instances[c] ?? 0), color: `class:${c}` as ColorRef }))),
      spec('foldsVesselArea', 'Vessel-area fraction per tile, by fold (% of the fold\'s tiles)', 'vessel area per tile', 'tiles', d.areaBins, d.perFold.map((f, k) => ({ label: f.name, values: f.vesselArea, color: `dataset:${(k % FOLD_VARS.length) + 1}` as ColorRef })), true),
    ];
    specs.forEach((sp, k) => {
      const box = boxes[k];
      if (!box) return;
      const c = drawBarChart(box, sp, true, () => undefined);
      // Keep these out of the overview's own [data-chart] list.
      delete box.dataset.chart;
      box.dataset.foldsChart = sp.id;
      charts.push(c);
    });
    const sb = body.querySelector<HTMLElement>('#folds-slide');
    if (sb) drawSlide(sb);
  };

  const update = (f: FoldsOverview | undefined) => {
    data = f;
    if (!f) {
      hint.textContent = 'No folds: the dataset has fewer than 2 annotated tiles of datasets 1-2.';
      body.replaceChildren();
      rows = [];
      return;
    }
    hint.textContent = `Folds of ${f.source}: ${f.description}.`;
    const total = f.perFold.reduce((s, x) => s + x.tiles, 0);
    const headline = h('p', f.leaks.length ? 'totals leak' : 'totals', `${f.names.length} folds · ${total} tiles · leakage check: ${f.leaks.length} of ${f.overlappingPairs} overlapping tile pairs lie in different folds${f.leaks.length ? ' (validation pixels seen in training: use a scheme grouped by WSI or by position)' : ''}`);
    headline.id = 'folds-headline';
    const cls = CLASSES.filter((c) => f.perFold.some((x) => (x.instances[c] ?? 0) > 0));
    rows = f.perFold.map((x) => [x.name, String(x.tiles), String(x.byDataset['1'] ?? 0), String(x.byDataset['2'] ?? 0), ...cls.map((c) => String(x.instances[c] ?? 0)), Object.entries(x.byWsi).map(([w, n]) => `${w}: ${n}`).join(', ')]);
    const grid = dataGrid(['fold', 'tiles', 'dataset 1', 'dataset 2', ...cls, 'tiles by WSI'], rows, 'Tiles and instances per fold');
    grid.id = 'folds-table';
    const chartsRow = h('div', 'grid');
    for (let k = 0; k < 3; k++) { const b = h('div', 'chart-box folds-chart'); chartsRow.append(b); }
    const ctl = h('div', 'controls');
    ctl.append(h('span', 'label', 'Slide map by fold, WSI'), dropdown(f.slides.map((s) => ({ value: String(s.wsi), label: `WSI ${s.wsi}` })), String(wsi ?? f.slides[0]?.wsi ?? ''), (v) => { wsi = Number(v); const sb = body.querySelector<HTMLElement>('#folds-slide'); if (sb) drawSlide(sb); }, 'WSI of the fold map'));
    const legend = h('div', 'controls');
    f.names.forEach((n, k) => { const sw = h('span', 'swatch'); sw.style.background = foldColor(k); legend.append(sw, h('span', undefined, n)); });
    if (f.perFold.some((x) => x.fold < 0)) { const sw = h('span', 'swatch'); sw.style.background = foldColor(-1); legend.append(sw, h('span', undefined, 'always train')); }
    const slide = h('div', 'slide-map folds-slide');
    slide.id = 'folds-slide';
    body.replaceChildren(headline, grid, chartsRow, ctl, legend, slide);
    draw();
  };

  return {
    card,
    update,
    redraw: draw,
    snapshot: () => ({ headline: body.querySelector('#folds-headline')?.textContent ?? hint.textContent ?? '', rows, charts: charts.length, slideInk: slideCanvas ? inkInside(slideCanvas) : 0 }),
  };
}
