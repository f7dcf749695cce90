/**
 * The "Post-processing sweep" card: a heatmap of AP@0.6 over two chosen parameters (the others
 * fixed at the best cell's values), the per-WSI and per-fold AP and the PR curve of the selected
 * cell, the fold spread of every cell in a ranking by mean or worst-fold AP, the warning when the
 * two bests differ; Apply (to the Predict settings) and Copy CLI flags. Text only via textContent.
 */
import type { SubmissionsView, TuningCellView, TuningParam, TuningSnapshot, TuningView } from '../../src/shared/tuningView.js';
import { drawCvLbChart, type DrawnCvLbChart } from './cvLbChart.js';
import { button, dataGrid, dropdown } from '../toolkit/index.js';
import { drawPrChart, type DrawnPrChart } from './prChart.js';
import { cssVar, withAlpha } from './theme.js';

export const NO_TUNING_TEXT = 'No sweep yet. Run "Vasculature: Tune Post-processing…" to score every threshold / dilation / minimum-area / TTA combination with AP@0.6 from cached model outputs, per WSI and per fold.';

const PARAMS: { key: TuningParam; label: string }[] = [
  { key: 'threshold', label: 'threshold' }, { key: 'dilation', label: 'dilation' }, { key: 'minArea', label: 'min area' }, { key: 'tta', label: 'TTA' }, { key: 'glomerulus', label: 'glomerulus' },
];

function h(tag: string, cls?: string, text?: string): HTMLElement {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

const f3 = (v: number | null | undefined) => (v === null || v === undefined ? '—' : v.toFixed(3));
const label = (c: TuningCellView) => `t ${c.params.threshold} · dil ${c.params.dilation} · min ${c.params.minArea} · tta ${c.params.tta} · glom ${c.params.glomerulus}`;

export interface TuningSection {
  readonly card: HTMLElement;
  update(view: TuningView | undefined, submissions?: SubmissionsView): void;
  redraw(): void;
  /** Clicks a cell (as the person would), then its Apply / Copy button. */
  click(index: number, action: 'select' | 'apply' | 'copy'): boolean;
  /** Picks a ranking in the "rank by" dropdown (as the person would). */
  pickOrder(order: 'mean' | 'worst'): boolean;
  snapshot(): TuningSnapshot;
}

/** Build the card; act posts Apply / Copy for a cell to the host. */
export function tuningSection(act: (type: 'tuningApply' | 'tuningCopy', index: number) => void, runSweep?: () => void): TuningSection {
  const card = h('section', 'card wide');
  card.id = 'card-tuning';
  const head = h('div', 'card-head');
  const actions = h('div', 'actions');
  head.append(h('h2', undefined, 'Post-processing sweep'), actions);
  const body = h('div', 'body');
  card.append(head, h('p', 'hint', 'Every combination of the grid scored with AP@0.6 from cached model outputs. Pick the cell that holds on every slide and fold, not only the best mean.'), body);
  let view: TuningView | undefined;
  let x: TuningParam = 'threshold', y: TuningParam = 'dilation';
  let order: 'mean' | 'worst' = 'worst';
  let selected: number | undefined;
  let chart: DrawnPrChart | undefined;
  let subs: SubmissionsView | undefined;
  let cvChart: DrawnCvLbChart | undefined;
  const subsBox = h('div', 'tuning-submissions');
  subsBox.id = 'tuning-submissions';
  card.append(subsBox);
  const fitText = (name: string, b: SubmissionsView['public']) => `${name}: ${b.points.length} point(s)${b.fit ? `, LB = ${b.fit.slope.toFixed(2)} x CV ${b.fit.intercept >= 0 ? '+' : '-'} ${Math.abs(b.fit.intercept).toFixed(3)}, r = ${b.fit.r.toFixed(2)}` : ''}`;
  const renderSubs = () => {
    cvChart?.destroy();
    cvChart = undefined;
    if (!subs) { subsBox.replaceChildren(); return; }
    const parts: HTMLElement[] = [h('h3', undefined, 'Local CV vs leaderboard (submissions log)')];
    if (subs.error) parts.push(h('p', 'tuning-warning', subs.error));
    const line = h('p', 'totals', `${subs.count} submission(s) in ${subs.file}. ${fitText('public', subs.public)}; ${fitText('private', subs.private)}.`);
    line.id = 'tuning-cvlb-fit';
    parts.push(line, h('p', 'hint', 'Every exported or scored submission.csv is recorded; type the scores Kaggle gave with "Vasculature: Record Leaderboard Score…".'));
    const box = h('div', 'chart-box');
    box.id = 'tuning-cvlb';
    parts.push(box);
    subsBox.replaceChildren(...parts);
    if (subs.public.points.length + subs.private.points.length > 0) cvChart = drawCvLbChart(box, subs);
  };
  const cellButtons = new Map<number, HTMLElement>();
  let orderDropdown: HTMLElement | undefined;

  const bestIndex = () => (view ? (order === 'mean' ? view.best.byMean : view.best.byWorstFold) : 0);
  const key = (c: TuningCellView, p: TuningParam) => String(c.params[p]);
  const ranked = () => {
    if (!view) return [];
    const v = (n: number | null) => (n === null ? -Infinity : n);
    return [...view.cells].sort((a, b) => (order === 'mean' ? v(b.spread.mean) - v(a.spread.mean) || v(b.ap) - v(a.ap) : v(b.spread.min) - v(a.spread.min) || v(b.spread.mean) - v(a.spread.mean)) || a.index - b.index);
  };

  const drawCurve = () => {
    chart?.destroy();
    chart = undefined;
    const box = body.querySelector<HTMLElement>('#tuning-pr');
    const c = view && selected !== undefined ? view.cells[selected] : undefined;
    if (box && c) chart = drawPrChart(box, c.curve.map((p) => ({ recall: p.recall, precision: p.precision, interpolatedPrecision: p.precision, confidence: p.confidence })), c.ap ?? undefined);
  };

  const detail = (host: HTMLElement) => {
    const c = view && selected !== undefined ? view.cells[selected] : undefined;
    if (!view || !c) return;
    const t = h('p', 'totals', `${label(c)} — AP@0.6 ${f3(c.ap)} · TP ${c.tp} · FP ${c.fp} · FN ${c.fn} · ${view.groups} min ${f3(c.spread.min)} / mean ${f3(c.spread.mean)} / max ${f3(c.spread.max)}`);
    t.id = 'tuning-selected';
    const apply = button('Apply to Predict settings', () => act('tuningApply', c.index), { title: 'Write these values to the workspace Predict settings (Undo offered)' });
    apply.id = 'tuning-apply';
    const copy = button('Copy CLI flags', () => act('tuningCopy', c.index), { appearance: 'secondary', title: c.cliFlags });
    copy.id = 'tuning-copy';
    const btns = h('div', 'actions');
    btns.append(apply, copy);
    const wsi = dataGrid(['WSI', 'AP@0.6'], Object.entries(c.perWsi).map(([k, v]) => [k || '—', f3(v)]), 'AP per WSI of the selected cell');
    wsi.id = 'tuning-wsi';
    const parts: HTMLElement[] = [t, btns, wsi];
    if (Object.keys(c.perFold).length) {
      const fold = dataGrid(['fold', 'AP@0.6'], Object.entries(c.perFold).map(([k, v]) => [k, f3(v)]), 'AP per fold of the selected cell');
      fold.id = 'tuning-folds';
      parts.push(fold);
    }
    const pr = h('div', 'chart-box');
    pr.id = 'tuning-pr';
    parts.push(pr);
    host.replaceChildren(...parts);
    drawCurve();
  };

  const render = () => {
    chart?.destroy();
    chart = undefined;
    cellButtons.clear();
    actions.replaceChildren();
    if (runSweep) {
      const run = button('Tune Post-processing…', runSweep, { appearance: view ? 'secondary' : 'primary', title: 'Run a sweep: the model once per tile (cached), then every grid cell scored' });
      run.id = 'tuning-run';
      actions.append(run);
    }
    if (!view) {
      const empty = h('p', 'muted', NO_TUNING_TEXT);
      empty.id = 'tuning-empty';
      body.replaceChildren(empty);
      return;
    }
    const v = view;
    const varying = PARAMS.filter((p) => v.grid[p.key].length > 1);
    const choices = (varying.length ? varying : PARAMS).map((p) => ({ value: p.key, label: p.label }));
    if (!choices.some((c) => c.value === x)) x = choices[0].value;
    if (y === x || !choices.some((c) => c.value === y)) y = (choices.find((c) => c.value !== x) ?? choices[0]).value;
    const controls = h('div', 'controls');
    controls.append(
      h('span', 'label', 'columns'), dropdown(choices, x, (val) => { x = val as TuningParam; render(); }, 'Heatmap columns'),
      h('span', 'label', 'rows'), dropdown(choices, y, (val) => { y = val as TuningParam; render(); }, 'Heatmap rows'),
      h('span', 'label', 'rank by'), orderDropdown = dropdown([{ value: 'worst', label: `worst ${v.groups} AP` }, { value: 'mean', label: `mean ${v.groups} AP` }], order, (val) => { order = val as 'mean' | 'worst'; render(); }, 'Ranking'),
    );
    const summary = h('p', 'totals', `${v.model} (${v.outputKind}) · ${v.tiles} tiles · ${v.cells.length} cells · cache ${(v.cacheBytes / 1048576).toFixed(1)} MB${v.leftOut ? ` · ${v.leftOut} tiles left out` : ''}`);
    summary.id = 'tuning-summary';
    const parts: HTMLElement[] = [summary, h('p', 'hint', `Convention: ${v.convention}.`), controls];
    for (const r of v.leftOutReasons) parts.push(h('p', 'hint tuning-note', r));
    if (v.best.warning) {
      const w = h('p', 'tuning-warning', `⚠ ${v.best.warning}`);
      w.id = 'tuning-warning';
      parts.push(w);
    }
    // Heatmap: x values across, y values down, the other parameters at the best cell's.
    const best = v.cells[bestIndex()];
    const xs = x === y ? [v.grid[x]].flat().map(String) : v.grid[x].map(String), ys = x === y ? [''] : v.grid[y].map(String);
    const fixed = PARAMS.filter((p) => p.key !== x && p.key !== y);
    const pick = (xv: string, yv: string) => v.cells.find((c) => key(c, x) === xv && (x === y || key(c, y) === yv) && fixed.every((p) => key(c, p.key) === key(best, p.key)));
    const aps = v.cells.map((c) => c.ap ?? 0);
    const lo = Math.min(...aps), hi = Math.max(...aps);
    const blue = cssVar('--vscode-charts-blue', '#3794ff');
    const table = h('table', 'tuning-heatmap');
    table.id = 'tuning-heatmap';
    table.setAttribute('aria-label', `AP@0.6 by ${x} (columns) and ${y} (rows); ${fixed.map((p) => `${p.label} ${key(best, p.key)}`).join(', ')}`);
    const hr = h('tr');
    hr.append(h('th', undefined, x === y ? '' : `${y} \\ ${x}`), ...xs.map((xv) => h('th', undefined, xv)));
    table.append(hr);
    for (const yv of ys) {
      const tr = h('tr');
      tr.append(h('th', undefined, yv));
      for (const xv of xs) {
        const td = h('td');
        const c = pick(xv, yv);
        if (c) {
          const b = h('button', 'tuning-cell', f3(c.ap));
          b.dataset.index = String(c.index);
          b.title = `${label(c)}\nAP ${f3(c.ap)} · ${v.groups} min ${f3(c.spread.min)} mean ${f3(c.spread.mean)} max ${f3(c.spread.max)}`;
          const a = hi > lo ? ((c.ap ?? 0) - lo) / (hi - lo) : 1;
          b.style.background = withAlpha(blue, 0.12 + 0.7 * a);
          if (c.index === selected) b.classList.add('selected');
          if (c.index === v.best.byMean) b.classList.add('best-mean');
          if (c.index === v.best.byWorstFold) b.classList.add('best-worst');
          b.addEventListener('click', () => { selected = c.index; render(); });
          cellButtons.set(c.index, b);
          td.append(b);
        }
        tr.append(td);
      }
      table.append(tr);
    }
    parts.push(h('p', 'hint', `Heatmap with ${fixed.map((p) => `${p.label} = ${key(best, p.key)}`).join(', ') || 'no other parameters'} (the best cell by ${order === 'mean' ? 'mean' : 'worst'} ${v.groups} AP). Click a cell for its per-WSI / per-fold AP.`), table);
    const rank = ranked().slice(0, 10).map((c) => [label(c), f3(c.ap), f3(c.spread.min), f3(c.spread.mean), f3(c.spread.max), `${c.tp}/${c.fp}/${c.fn}`]);
    const rg = dataGrid(['cell', 'AP@0.6', `${v.groups} min`, `${v.groups} mean`, `${v.groups} max`, 'TP/FP/FN'], rank, 'Cells ranked');
    rg.id = 'tuning-ranking';
    const det = h('div', 'tuning-detail');
    det.id = 'tuning-detail';
    parts.push(h('h3', undefined, `Ranking by ${order === 'mean' ? 'mean' : 'worst'} ${v.groups} AP (top 10)`), rg, det);
    body.replaceChildren(...parts);
    detail(det);
  };

  return {
    card,
    update: (next, submissions) => {
      if (next !== view || !next) {
        view = next;
        selected = next ? next.best.byWorstFold : undefined;
        render();
      }
      subs = submissions;
      renderSubs();
    },
    redraw: () => { if (view) render(); renderSubs(); },
    click: (index, action) => {
      const b = cellButtons.get(index);
      if (!b) return false;
      b.click();
      if (action === 'apply') body.querySelector<HTMLElement>('#tuning-apply')?.click();
      if (action === 'copy') body.querySelector<HTMLElement>('#tuning-copy')?.click();
      return true;
    },
    pickOrder: (next) => {
      const d = orderDropdown as (HTMLElement & { value: string }) | undefined;
      if (!view || !d?.isConnected) return false;
      d.value = next;
      d.dispatchEvent(new Event('change'));
      return true;
    },
    snapshot: () => {
      const rows = (id: string) => Array.from(body.querySelectorAll(`#${id} vscode-data-grid-row:not([row-type="header"])`)).map((r) => Array.from(r.querySelectorAll('vscode-data-grid-cell')).map((c) => c.textContent ?? ''));
      return {
        shown: !!view,
        ...(view ? { x, y } : {}),
        order,
        heatmap: Array.from(body.querySelectorAll<HTMLElement>('#tuning-heatmap .tuning-cell')).map((b) => ({ index: Number(b.dataset.index), text: b.textContent ?? '' })),
        ...(selected !== undefined ? { selected } : {}),
        warning: body.querySelector('#tuning-warning')?.textContent ?? '',
        notes: Array.from(body.querySelectorAll('.tuning-note')).map((e) => e.textContent ?? ''),
        ...(chart ? { curve: (() => { const c = chart.snapshot(); return { points: c.recall.length, inkPixels: c.inkPixels }; })() } : {}),
        wsiRows: rows('tuning-wsi'),
        foldRows: rows('tuning-folds'),
        ranking: rows('tuning-ranking').map((r) => r[0]),
        ...(subs ? { submissions: { count: subs.count, publicPoints: subs.public.points.length, privatePoints: subs.private.points.length, fitText: body.ownerDocument.getElementById('tuning-cvlb-fit')?.textContent ?? '', inkPixels: cvChart?.inkPixels() ?? 0 } } : {}),
      };
    },
  };
}
