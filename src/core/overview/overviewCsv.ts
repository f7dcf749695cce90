/** CSV export of the data behind each dashboard chart (RFC 4180 quoting; cells that a spreadsheet would run as a formula are defused). */
import { csvCell } from '../text';
import type { BarChart, DashboardData } from './overviewData';

export { csvCell };

function table(head: string[], rows: (string | number | boolean | undefined)[][]): string {
  return [head, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

/** A bar chart as rows: one per category, one column per series. */
export function barChartCsv(chart: BarChart): string {
  return table([chart.xTitle, ...chart.series.map((s) => s.label)], chart.labels.map((l, k) => [l, ...chart.series.map((s) => s.values[k])]));
}

/** The names of every exportable table ('slideMap', 'wsiMeta', 'quality' and each chart id). */
export function csvTables(data: DashboardData): string[] {
  return [...data.charts.map((c) => c.id), 'slideMap', 'wsiMeta', 'quality'];
}

/** The CSV of one chart or table by name; undefined for an unknown name. */
export function dashboardCsv(data: DashboardData, name: string): string | undefined {
  const chart = data.charts.find((c) => c.id === name);
  if (chart) return barChartCsv(chart);
  if (name === 'slideMap') {
    const states = ['annotated', 'not annotated', 'image missing'];
    return table(['wsi', 'id', 'i', 'j', 'dataset', 'blood_vessel', 'state'], data.slideMap.flatMap((m) => m.ids.map((id, k) => [m.wsi, id, m.i[k], m.j[k], m.dataset[k], m.vessels[k], states[m.state[k]]])));
  }
  if (name === 'wsiMeta') {
    return table(['source_wsi', 'tiles', 'in wsi_meta.csv', 'age', 'sex', 'race', 'height', 'weight', 'bmi'], data.wsiMeta.map((r) => [r.wsi, r.tiles, r.hasRow, r.age, r.sex, r.race, r.height, r.weight, r.bmi]));
  }
  if (name === 'quality') {
    return table(['kind', 'code', 'severity', 'findings', 'cases/polygons', 'tiles'], [
      ...data.problems.map((p) => ['problem', p.code, p.severity, p.problems, p.cases, undefined]),
      ...data.quality.map((q) => ['check', q.key, undefined, undefined, q.polygons, q.tiles]),
    ]);
  }
  return undefined;
}
