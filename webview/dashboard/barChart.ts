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
  canvas.setAttribute('aria-label', `${spec.title}. ${spec.clickHint}`);
  host.replaceChildren(canvas);
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
        legend: { position: 'bottom', labels: { color: t.fg, boxWidth: 12, font: { family: t.font, size: t.fontSize - 2 } } },
        tooltip: { callbacks: { footer: () => spec.clickHint } },
      },
      scales: {
        x: { stacked: spec.series.some((s) => s.stack), ticks: { color: t.fg, autoSkip: true, maxRotation: 60 }, grid: { color: t.grid }, title: { display: true, text: spec.xTitle, color: t.muted } },
        y: { stacked: spec.series.some((s) => s.stack), beginAtZero: true, ticks: { color: t.fg }, grid: { color: t.grid }, title: { display: true, text: pct ? `% of ${spec.yTitle}` : spec.yTitle, color: t.muted } },
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
  host.dataset.chart = spec.id;
  host.dataset.values = JSON.stringify({ labels: spec.labels, series: shown });
  host.dataset.hits = JSON.stringify(hits);
  return {
    spec,
    canvas,
    shown,
    snapshot: () => ({ id: spec.id, labels: spec.labels, series: shown, width: canvas.clientWidth, height: canvas.clientHeight, inkPixels: inkInside(canvas, chart.chartArea) }),
    destroy: () => chart.destroy(),
  };
}
