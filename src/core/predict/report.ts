/** Plain renderings of a BatchScore: a JSON-ready object (CLI --json) and Markdown (CLI text, the extension's report). */
import type { BatchScore, GroupScore } from './batch';

/** One per-WSI row as printed by `--json`. */
export interface WsiScoreJson {
  wsi: string;
  tiles: number;
  annotatedTiles: number;
  ap: number | null;
  tp: number;
  fp: number;
  fn: number;
  numGt: number;
}

/** The metric part of the CLI's --json object (ap is null when there is no ground truth). */
export function scoreJson(s: BatchScore): { ap: number | null; tp: number; fp: number; fn: number; ignored: number; numGt: number; predictions: number; annotatedTiles: number; ignoreMode: string; convention: string; perWsi: WsiScoreJson[] } {
  return {
    ap: s.ap ?? null, tp: s.tp, fp: s.fp, fn: s.fn, ignored: s.ignored, numGt: s.numGt, predictions: s.predictions, annotatedTiles: s.annotatedTiles,
    ignoreMode: s.ignoreMode, convention: s.convention,
    perWsi: s.perWsi.map((g) => ({ wsi: g.group || 'none', tiles: g.tiles, annotatedTiles: g.annotatedTiles, ap: g.ap ?? null, tp: g.tp, fp: g.fp, fn: g.fn, numGt: g.numGt })),
  };
}

/** AP as text: 3 decimals, or a dash with the reason. */
export function apText(ap: number | undefined): string {
  return ap === undefined ? '— (no blood_vessel ground truth)' : ap.toFixed(3);
}

const row = (g: GroupScore, label: string) => `| ${label} | ${g.tiles} | ${g.annotatedTiles} | ${g.ap === undefined ? '—' : g.ap.toFixed(3)} | ${g.tp} | ${g.fp} | ${g.fn} | ${g.numGt} |`;

/** A Markdown report: headline AP with its convention, then the per-WSI table. */
export function batchScoreMarkdown(s: BatchScore, title: string, extra: string[] = []): string {
  const lines = [
    `# ${title}`,
    '',
    `**AP@0.6: ${apText(s.ap)}** — TP ${s.tp}, FP ${s.fp}, FN ${s.fn}${s.ignored ? `, ignored ${s.ignored}` : ''}; ${s.numGt} ground-truth vessels on ${s.annotatedTiles} annotated of ${s.tiles} tiles.`,
    '',
    `Convention: ${s.convention} (setting \`vasculatureExplorer.scoring.ignoreMode\` = \`${s.ignoreMode}\`). Ranking over all tiles by confidence, VOC all-points AP, IoU >= 0.6.`,
    ...extra.map((e) => `\n${e}`),
    '',
    '| WSI | tiles | annotated | AP@0.6 | TP | FP | FN | GT |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...s.perWsi.map((g) => row(g, g.group || 'none')),
    row(s, '**all**'),
    '',
  ];
  return lines.join('\n');
}
