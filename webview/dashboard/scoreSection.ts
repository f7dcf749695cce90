/** The "Prediction score" card: AP headline with its convention, the PR chart and the per-WSI table of the last batch Predict or opened submission. Text only via textContent. */
import { apCell, SCORE_WSI_HEAD, scoreWsiRows, type DashboardScore } from '../../src/shared/scoreTable.js';
import type { RejectedScore, ScoreSnapshot } from '../../src/shared/dashboardProtocol.js';
import { button, dataGrid } from '../toolkit/index.js';
import { drawPrChart, type DrawnPrChart } from './prChart.js';

export const NO_SCORE_TEXT = 'No batch scored yet. Run "Vasculature: Predict on Tiles…" (batch Predict) or "Vasculature: Open and Score submission.csv…" to see AP@0.6, the precision-recall curve and one row per WSI here.';

function h(tag: string, cls?: string, text?: string): HTMLElement {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** The AP headline of a score. */
export function scoreHeadline(s: DashboardScore): string {
  const what = s.source === 'predict' ? `model ${s.label} on ${s.scope}` : `submission ${s.label} (${s.scope})`;
  return `AP@0.6 ${apCell(s.ap)} · ${s.tiles} tiles (${s.annotatedTiles} annotated) · TP ${s.tp} · FP ${s.fp} · FN ${s.fn} · ${s.numGt} ground-truth vessels — ${what}`;
}

export interface ScoreSection {
  readonly card: HTMLElement;
  /** Show a score (undefined: the how-to text) and a refused submission's errors beside it; redraws the chart. */
  update(score: DashboardScore | undefined, rejected?: RejectedScore): void;
  /** Redraw the chart (theme change). */
  redraw(): void;
  snapshot(): ScoreSnapshot;
}

/** Build the card; exportPng and exportCsv are the dashboard's own export paths. */
export function scoreSection(exportPng: (name: string, canvas: HTMLCanvasElement | undefined) => void, exportCsv: (table: string) => void): ScoreSection {
  const card = h('section', 'card wide');
  card.id = 'card-score';
  const head = h('div', 'card-head');
  const actions = h('div', 'actions');
  head.append(h('h2', undefined, 'Prediction score'), actions);
  const body = h('div', 'body');
  card.append(head, h('p', 'hint', 'The competition metric of the last batch Predict or opened submission: one ranking of every prediction by confidence over all its tiles.'), body);
  let score: DashboardScore | undefined;
  let chart: DrawnPrChart | undefined;

  const draw = () => {
    chart?.destroy();
    chart = undefined;
    const box = body.querySelector<HTMLElement>('#chart-prCurve');
    if (score && box) chart = drawPrChart(box, score.curve, score.ap);
  };

  /** The refused submission's box: what was not scored, its first errors with their lines, and that the score shown is the last good one. */
  const rejectedBox = (r: RejectedScore | undefined, hasScore: boolean): HTMLElement[] => {
    if (!r) return [];
    const box = h('div', 'rejected');
    box.id = 'score-rejected';
    box.setAttribute('role', 'alert');
    box.append(h('p', undefined, `${r.label} was not scored: ${r.errors} error${r.errors === 1 ? '' : 's'} (each at its line in the Problems panel). ${hasScore ? 'The score shown is the last good one.' : 'No good score yet.'}`));
    const list = h('ul');
    for (const e of r.first) list.append(h('li', undefined, `line ${e.line}: ${e.message}`));
    box.append(list);
    return [box];
  };

  const update = (s: DashboardScore | undefined, rejected?: RejectedScore) => {
    score = s;
    chart?.destroy();
    chart = undefined;
    actions.replaceChildren();
    if (!s) {
      const empty = h('p', 'muted', NO_SCORE_TEXT);
      empty.id = 'score-empty';
      body.replaceChildren(...rejectedBox(rejected, false), empty);
      return;
    }
    actions.append(
      button('PNG', () => exportPng('prCurve', chart?.canvas), { appearance: 'secondary', title: 'Save the precision-recall chart as PNG' }),
      button('CSV', () => exportCsv('prCurve'), { appearance: 'secondary', title: 'Save the precision-recall points as CSV' }),
      button('CSV per WSI', () => exportCsv('scoreWsi'), { appearance: 'secondary', title: 'Save the per-WSI table as CSV' }),
    );
    // Screen readers say the title, not a bare "PNG" / "CSV".
    for (const b of Array.from(actions.children)) if ((b as HTMLElement).title && !b.getAttribute('aria-label')) b.setAttribute('aria-label', (b as HTMLElement).title);
    const headline = h('p', 'totals', scoreHeadline(s));
    headline.id = 'score-headline';
    const conv = h('p', 'hint', `Convention: ${s.convention}.${s.curvePoints > s.curve.length ? ` Curve drawn from ${s.curve.length} of ${s.curvePoints} ranked predictions.` : ''}`);
    conv.id = 'score-convention';
    const box = h('div', 'chart-box');
    box.id = 'chart-prCurve';
    const rows = scoreWsiRows(s);
    const g = dataGrid(SCORE_WSI_HEAD, rows, 'Score per WSI');
    g.id = 'score-wsi';
    body.replaceChildren(...rejectedBox(rejected, true), headline, conv, box, g);
    draw();
  };

  return {
    card,
    update,
    redraw: draw,
    snapshot: () => {
      const grid = body.querySelector('#score-wsi');
      const rows = grid ? Array.from(grid.querySelectorAll('vscode-data-grid-row:not([row-type="header"])')).map((r) => Array.from(r.querySelectorAll('vscode-data-grid-cell')).map((c) => c.textContent ?? '')) : [];
      return {
        ...(score ? { score } : {}),
        headline: body.querySelector('#score-headline')?.textContent ?? body.querySelector('#score-empty')?.textContent ?? '',
        convention: body.querySelector('#score-convention')?.textContent ?? '',
        ...(chart ? { chart: chart.snapshot() } : {}),
        wsiRows: rows,
        rejected: body.querySelector('#score-rejected')?.textContent ?? '',
      };
    },
  };
}
