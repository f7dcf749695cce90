/** One dashboard bar chart drawn with chart.js: theme colours at draw time, counts or shares, clicks reported as (bar, series). */
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';
import type { BarChart } from '../../src/core/types/index.js';
import type { ChartSnapshot } from '../../src/shared/dashboardProtocol.js';
import { resolveColor, themeBasics, withAlpha } from './theme.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend);

/** Resizes chart.js made (each one redraws its chart), for the 'shown' answer: does a tab shown again redraw? */
export const chartResizes = { count: 0 };

export interface DrawnBarChart {
  readonly spec: BarChart;
  readonly canvas: HTMLCanvasElement;
  /** The values as shown (counts, or % of each series when share is on). */
  readonly shown: { label: string; values: number[] }[];
  snapshot(): ChartSnapshot;
  destroy(): void;
}

/** Values as counts, or each series as % of its own total. */
export function shownValues(spec: BarChart, share: boolean): { label: string; values: number[] }[] {
  return spec.series.map((s) => {
    const total = s.values.reduce((a, b) => a + b, 0);
    return { label: s.label, values: share && spec.distribution ? s.values.map((v) => (total ? Math.round((1000 * v) / total) / 10 : 0)) : [...s.values] };
  });
}

/** Count of non-transparent pixels inside the plot area, sampled every 3rd pixel (0 = nothing drawn). */
export function inkInside(canvas: HTMLCanvasElement, area?: { left: number; top: number; right: number; bottom: number }): number {
  const ctx = canvas.getContext('2d');
  if (!ctx || canvas.width === 0 || canvas.height === 0) return 0;
  const r = canvas.width / (canvas.clientWidth || canvas.width);
  const x0 = Math.floor((area?.left ?? 0) * r), y0 = Math.floor((area?.top ?? 0) * r);
  const x1 = Math.ceil((area?.right ?? canvas.clientWidth) * r), y1 = Math.ceil((area?.bottom ?? canvas.clientHeight) * r);
  if (x1 <= x0 || y1 <= y0) return 0;
  const img = ctx.getImageData(x0, y0, x1 - x0, y1 - y0).data;
  let n = 0;
  for (let p = 3; p < img.length; p += 12) if (img[p] > 0) n++;
  return n;
}

/** Draw spec into host (a sized container). */
export function drawBarChart(host: HTMLElement, spec: BarChart, share: boolean, onPick: (x: number, series: number) => void): DrawnBarChart {
  const t = themeBasics();
  const canvas = document.createElement('canvas');
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', `${spec.title}. ${spec.clickHint} Keyboard: arrow keys move between bars, Enter does what a click does.`);
  // Reached with Tab; the bar with keyboard focus is announced here (screen readers) and shown as the chart's tooltip.
  canvas.tabIndex = 0;
  const live = document.createElement('span');
  live.className = 'sr-only';
  live.setAttribute('aria-live', 'polite');
  // The canvas in its own box (chart.js sizes to its parent), then an HTML legend: each entry a real
  // button (Tab reaches it, Enter/Space toggle the series like a click on chart.js's legend).
  const plot = document.createElement('div');
  plot.className = 'chart-plot';
  plot.append(canvas);
  const legendBox = document.createElement('div');
  legendBox.className = 'chart-legend';
  legendBox.setAttribute('role', 'group');
  legendBox.setAttribute('aria-label', `Series of ${spec.title}`);
  host.replaceChildren(plot, legendBox, live);
  const shown = shownValues(spec, share);
  const pct = share && spec.distribution;
  const chart = new Chart(canvas, {
    type: 'bar',
    data: {
      labels: spec.labels,
      datasets: spec.series.map((s, k) => {
        const c = resolveColor(s.color);
        return {
          label: s.label,
          data: shown[k].values,
          stack: s.stack ?? `s${k}`,
          backgroundColor: s.shade >= 1 ? c : withAlpha(c, s.shade),
          borderColor: t.highContrast && t.border ? t.border : c,
          borderWidth: s.shade < 1 || t.highContrast ? 1 : 0,
        };
      }),
    },
    options: {
      animation: false,
      responsive: true,
      onResize: () => { chartResizes.count++; },
      maintainAspectRatio: false,
      color: t.fg,
      font: { family: t.font, size: t.fontSize - 1 },
      interaction: { mode: 'nearest', intersect: true },
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: { footer: () => spec.clickHint } },
      },
      scales: {
        x: { stacked: spec.series.some((s) => s.stack), ticks: { color: t.fg, autoSkip: true, maxRotation: 60 }, grid: { color: t.grid }, title: { display: true, text: spec.xTitle, color: t.muted } },
        y: { stacked: spec.series.some((s) => s.stack), beginAtZero: true, ticks: { color: t.fg, ...(pct ? {} : { precision: 0 }) }, grid: { color: t.grid }, title: { display: true, text: pct ? `% of ${spec.yTitle}` : spec.yTitle, color: t.muted } },
      },
      onClick: (_e, elements) => {
        const hit = elements[0];
        if (hit) onPick(hit.index, hit.datasetIndex);
      },
      onHover: (e, elements) => {
        const target = e.native?.target as HTMLElement | undefined;
        if (target) target.style.cursor = elements.length ? 'pointer' : 'default';
      },
    },
  });
  // Where each non-empty bar is drawn (CSS px in the canvas), for tests that click like a person.
  const hits: { x: number; series: number; value: number; px: number; py: number }[] = [];
  chart.data.datasets.forEach((_d, si) => {
    chart.getDatasetMeta(si).data.forEach((bar, x) => {
      const v = shown[si].values[x];
      if (!v || hits.length >= 400) return;
      const p = bar.getProps(['x', 'y', 'base'], true) as { x: number; y: number; base: number };
      hits.push({ x, series: si, value: v, px: Math.round(p.x), py: Math.round((p.y + p.base) / 2) });
    });
  });
  // The legend: one toggle button per series (aria-pressed = shown).
  const hiddenSeries = () => spec.series.filter((_s, k) => !chart.isDatasetVisible(k)).map((s) => s.label);
  spec.series.forEach((s, k) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'legend-item';
    b.dataset.series = String(k);
    const sw = document.createElement('span');
    sw.className = 'swatch';
    const c = resolveColor(s.color);
    sw.style.background = s.shade >= 1 ? c : withAlpha(c, s.shade);
    sw.style.border = `1px solid ${c}`;
    const name = document.createElement('span');
    name.textContent = s.label;
    b.append(sw, name);
    const sync = () => {
      const on = chart.isDatasetVisible(k);
      b.setAttribute('aria-pressed', String(on));
      b.setAttribute('aria-label', `${s.label}: ${on ? 'shown' : 'hidden'} in ${spec.title}. Press to ${on ? 'hide' : 'show'} this series.`);
      b.classList.toggle('off', !on);
    };
    sync();
    b.addEventListener('click', () => {
      chart.setDatasetVisibility(k, !chart.isDatasetVisible(k));
      chart.update();
      sync();
      host.dataset.hiddenSeries = JSON.stringify(hiddenSeries());
      live.textContent = `${s.label} ${chart.isDatasetVisible(k) ? 'shown' : 'hidden'}.`;
      order = barOrder();
      at = -1;
    });
    legendBox.append(b);
  });
  host.dataset.hiddenSeries = '[]';
  // Keyboard: the non-empty bars of the shown series in reading order (category, then series); Enter/Space picks like a click.
  const barOrder = () => {
    const o: { x: number; series: number }[] = [];
    spec.labels.forEach((_l, x) => shown.forEach((sr, si) => { if (sr.values[x] && chart.isDatasetVisible(si)) o.push({ x, series: si }); }));
    return o;
  };
  let order = barOrder();
  let at = -1;
  const focusBar = (k: number) => {
    at = Math.max(0, Math.min(order.length - 1, k));
    const b = order[at];
    const el = chart.getDatasetMeta(b.series).data[b.x];
    const active = [{ datasetIndex: b.series, index: b.x }];
    chart.setActiveElements(active);
    chart.tooltip?.setActiveElements(active, { x: el?.x ?? 0, y: el?.y ?? 0 });
    chart.update();
    live.textContent = `${spec.labels[b.x]}, ${shown[b.series].label}: ${shown[b.series].values[b.x]}${pct ? ' %' : ''}. ${spec.clickHint}`;
    host.dataset.focusedBar = `${spec.labels[b.x]}|${shown[b.series].label}`;
  };
  canvas.addEventListener('keydown', (e) => {
    if (order.length === 0) return;
    const k = e.key;
    if (k === 'ArrowRight' || k === 'ArrowDown') focusBar(at + 1);
    else if (k === 'ArrowLeft' || k === 'ArrowUp') focusBar(at < 0 ? 0 : at - 1);
    else if (k === 'Home') focusBar(0);
    else if (k === 'End') focusBar(order.length - 1);
    else if ((k === 'Enter' || k === ' ') && at >= 0) onPick(order[at].x, order[at].series);
    else return;
    e.preventDefault();
  });
  canvas.addEventListener('blur', () => { chart.setActiveElements([]); chart.tooltip?.setActiveElements([], { x: 0, y: 0 }); chart.update(); });
  host.dataset.chart = spec.id;
  host.dataset.values = JSON.stringify({ labels: spec.labels, series: shown });
  host.dataset.hits = JSON.stringify(hits);
  return {
    spec,
    canvas,
    shown,
    snapshot: () => ({ id: spec.id, labels: spec.labels, series: shown, width: canvas.clientWidth, height: canvas.clientHeight, inkPixels: inkInside(canvas, chart.chartArea), yTicks: chart.scales.y.ticks.map((k) => String(k.label)), hiddenSeries: hiddenSeries() }),
    destroy: () => chart.destroy(),
  };
}
