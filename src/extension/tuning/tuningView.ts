/** A finished sweep (core TuneResult) as the Dataset Overview's tuning section is sent it. */
import { cellCliFlags, type TuneResult } from '../../core/tuning';
import type { TuningView } from '../../shared/tuningView';

/** The view of a result; cacheBytes is the cache folder's size now. */
export function toTuningView(r: TuneResult, cacheBytes: number, modelLabel: string): TuningView {
  return {
    model: modelLabel,
    outputKind: r.model.outputKind,
    tiles: r.tiles,
    convention: r.convention,
    groups: r.best?.groups ?? 'wsi',
    grid: { threshold: r.grid.threshold, dilation: r.grid.dilation, minArea: r.grid.minArea, tta: r.grid.tta, glomerulus: r.grid.glomerulus },
    cells: r.cells.map((c) => ({ index: c.index, params: c.params, ap: c.ap, tp: c.tp, fp: c.fp, fn: c.fn, perWsi: c.perWsi, perFold: c.perFold, spread: c.spread, curve: c.curve, cliFlags: cellCliFlags(c.params, r.model.outputKind) })),
    best: { byMean: r.best?.byMean ?? 0, byWorstFold: r.best?.byWorstFold ?? 0, ...(r.best?.warning ? { warning: r.best.warning } : {}) },
    leftOut: r.leftOut.length,
    leftOutReasons: [...r.leftOut.slice(0, 3).map((l) => `Left out ${l.tileId}: ${l.reason}`), ...(r.withoutFold ? [`${r.withoutFold} swept tiles have no fold in the folds file: they count overall and per WSI only.`] : [])],
    cacheBytes,
  };
}
