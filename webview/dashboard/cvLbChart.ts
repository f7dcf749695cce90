/** The CV vs leaderboard scatter of the submissions log (chart.js): local AP on x, public and private LB on y, each with its least-squares line. */
import { Chart, Legend, LinearScale, LineController, LineElement, PointElement, ScatterController, Tooltip } from 'chart.js';
import type { SubmissionsView } from '../../src/shared/tuningView.js';
import { inkInside } from './barChart.js';
import { cssVar, themeBasics } from './theme.js';

Chart.register(ScatterController, LineController, LineElement, PointElement, LinearScale, Tooltip, Legend);

export interface DrawnCvLbChart {
  readonly canvas: HTMLCanvasElement;
  inkPixels(): number;
  destroy(): void;
}

/** Draws the scatter into host. */
export function drawCvLbChart(host: HTMLElement, s: SubmissionsView): DrawnCvLbChart {
  const t = themeBasics();
  const pub = cssVar('--vscode-charts-blue', '#3794ff'), priv = cssVar('--vscode-charts-orange', '#d18616');
  const canvas = document.createElement('canvas');
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', `Local AP against public (${s.public.points.length}) and private (${s.private.points.length}) leaderboard scores`);
  host.replaceChildren(canvas);
  const xs = [...s.public.points, ...s.private.points].map((p) => p.x);
  const x0 = Math.min(...xs), x1 = Math.max(...xs);
  const line = (b: SubmissionsView['public']) => (b.fit && xs.length ? [{ x: x0, y: b.fit.slope * x0 + b.fit.intercept }, { x: x1, y: b.fit.slope * x1 + b.fit.intercept }] : []);
  const chart = new Chart(canvas, {
    type: 'scatter',
    data: {
      datasets: [
        { label: 'public LB', data: s.public.points.map((p) => ({ x: p.x, y: p.y })), backgroundColor: pub, borderColor: pub, pointRadius: 5 },
        { label: 'private LB', data: s.private.points.map((p) => ({ x: p.x, y: p.y })), backgroundColor: priv, borderColor: priv, pointRadius: 5, pointStyle: 'triangle' },
        { type: 'line', label: 'public fit', data: line(s.public), borderColor: pub, borderDash: [4, 3], pointRadius: 0, borderWidth: 1.5 },
        { type: 'line', label: 'private fit', data: line(s.private), borderColor: priv, borderDash: [4, 3], pointRadius: 0, borderWidth: 1.5 },
      ],
    },
    options: {
      animation: false, responsive: true, maintainAspectRatio: false, color: t.fg,
      font: { family: t.font, size: t.fontSize - 1 },
      plugins: { legend: { position: 'bottom', labels: { color: t.fg, boxWidth: 12 } } },
      scales: {
        x: { type: 'linear', ticks: { color: t.fg }, grid: { color: t.grid }, title: { display: true, text: 'local AP@0.6 (CV)', color: t.muted } },
        y: { type: 'linear', ticks: { color: t.fg }, grid: { color: t.grid }, title: { display: true, text: 'leaderboard score', color: t.muted } },
      },
    },
  });
  return { canvas, inkPixels: () => inkInside(canvas, chart.chartArea), destroy: () => chart.destroy() };
}
