/** The precision-recall chart of a batch score (chart.js line chart): interpolated precision as the line, raw precision faint behind it, colours from the theme. */
import { Chart, LinearScale, LineController, LineElement, PointElement, Tooltip, Legend } from 'chart.js';
import type { PrPoint } from '../../src/core/metric/index.js';
import { inkInside } from './barChart.js';
import { cssVar, themeBasics, withAlpha } from './theme.js';

Chart.register(LineController, LineElement, PointElement, LinearScale, Tooltip, Legend);

export interface DrawnPrChart {
  readonly canvas: HTMLCanvasElement;
  snapshot(): { recall: number[]; interpolatedPrecision: number[]; precision: number[]; width: number; height: number; inkPixels: number };
  destroy(): void;
}

/** Draw the curve (rank order) into host; x recall 0..1, y precision 0..1. */
export function drawPrChart(host: HTMLElement, curve: readonly PrPoint[], ap: number | undefined): DrawnPrChart {
  const t = themeBasics();
  const line = cssVar('--vscode-charts-blue', '#3794ff');
  const raw = cssVar('--vscode-charts-orange', '#d18616');
  const canvas = document.createElement('canvas');
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', `Precision-recall curve, ${curve.length} points${ap === undefined ? '' : `, AP ${ap.toFixed(3)}`}`);
  host.replaceChildren(canvas);
  const interp = curve.map((p) => ({ x: p.recall, y: p.interpolatedPrecision }));
  const prec = curve.map((p) => ({ x: p.recall, y: p.precision }));
  const chart = new Chart(canvas, {
    type: 'line',
    data: {
      datasets: [
        { label: 'interpolated precision', data: interp, borderColor: line, backgroundColor: line, borderWidth: t.highContrast ? 3 : 2, pointRadius: 0, stepped: false, order: 0 },
        { label: 'precision (raw)', data: prec, borderColor: withAlpha(raw, t.highContrast ? 0.8 : 0.45), backgroundColor: withAlpha(raw, 0.45), borderWidth: 1, pointRadius: 0, order: 1 },
      ],
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      parsing: false,
      color: t.fg,
      font: { family: t.font, size: t.fontSize - 1 },
      interaction: { mode: 'nearest', intersect: false, axis: 'x' },
      plugins: {
        legend: { position: 'bottom', labels: { color: t.fg, boxWidth: 12, font: { family: t.font, size: t.fontSize - 2 } } },
        tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${(c.parsed.y ?? 0).toFixed(3)} at recall ${(c.parsed.x ?? 0).toFixed(3)}` } },
      },
      scales: {
        x: { type: 'linear', min: 0, max: 1, ticks: { color: t.fg, stepSize: 0.1 }, grid: { color: t.grid }, title: { display: true, text: 'recall', color: t.muted } },
        y: { type: 'linear', min: 0, max: 1, ticks: { color: t.fg, stepSize: 0.1 }, grid: { color: t.grid }, title: { display: true, text: 'precision', color: t.muted } },
      },
    },
  });
  return {
    canvas,
    snapshot: () => ({
      recall: interp.map((p) => p.x),
      interpolatedPrecision: interp.map((p) => p.y),
      precision: prec.map((p) => p.y),
      width: canvas.clientWidth,
      height: canvas.clientHeight,
      inkPixels: inkInside(canvas, chart.chartArea),
    }),
    destroy: () => chart.destroy(),
  };
}
