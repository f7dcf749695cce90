/**
 * Many tiles through the same predictTile, with progress and cancel, and the competition metric
 * over the lot: one global ranking of every prediction by confidence (OpenImages AP@0.6),
 * overall and per WSI. Scoring works on any ScoredTile, so submissions are scored the same way.
 */
import { averagePrecision, stableOrderByConfidence, type IgnoreMode, type PrPoint } from '../metric';
import { predictTile, scoringConvention, type PredictSettings, type Predictor, type ScoredTile, type TileInput, type TilePrediction } from './pipeline';

/** The metric over a group of tiles. */
export interface GroupScore {
  /** The group key (source WSI), '' for tiles without one. */
  group: string;
  tiles: number;
  annotatedTiles: number;
  /** AP@0.6 over the annotated tiles; undefined when they hold no blood_vessel ground truth. */
  ap?: number;
  tp: number;
  fp: number;
  fn: number;
  ignored: number;
  numGt: number;
  predictions: number;
}

/** The metric over a batch: overall, the PR curve and one row per WSI. */
export interface BatchScore extends GroupScore {
  ignoreMode: IgnoreMode;
  /** The convention in words, for every UI that shows the number. */
  convention: string;
  curve: PrPoint[];
  perWsi: GroupScore[];
}

function scoreGroup(group: string, tiles: readonly ScoredTile[]): GroupScore & { curve: PrPoint[] } {
  const conf: number[] = [], isTp: boolean[] = [];
  let tp = 0, fp = 0, fn = 0, ignored = 0, numGt = 0, predictions = 0, annotatedTiles = 0;
  for (const t of tiles) {
    predictions += t.vessels.length;
    if (!t.annotated) continue; // nothing to compare with: not part of the metric
    annotatedTiles++;
    numGt += t.groundTruth.length;
    fn += t.fn;
    ignored += t.ignored;
    for (const v of t.vessels) {
      if (v.outcome !== 'tp' && v.outcome !== 'fp') continue;
      conf.push(v.confidence);
      isTp.push(v.outcome === 'tp');
      if (v.outcome === 'tp') tp++;
      else fp++;
    }
  }
  const order = stableOrderByConfidence(conf);
  const { ap, curve } = averagePrecision(order.map((i) => isTp[i]), order.map((i) => conf[i]), numGt);
  return { group, tiles: tiles.length, annotatedTiles, ...(numGt > 0 ? { ap } : {}), tp, fp, fn, ignored, numGt, predictions, curve };
}

/** AP@0.6 and counts over scored tiles (tile order breaks confidence ties), overall and per group. */
export function scoreTiles(tiles: readonly ScoredTile[], ignoreMode: IgnoreMode): BatchScore {
  const all = scoreGroup('all', tiles);
  const groups = new Map<string, ScoredTile[]>();
  for (const t of tiles) {
    let g = groups.get(t.group);
    if (!g) groups.set(t.group, (g = []));
    g.push(t);
  }
  const keys = [...groups.keys()].sort((a, b) => (a === '' ? 1 : b === '' ? -1 : Number(a) - Number(b) || a.localeCompare(b)));
  const perWsi = keys.map((k) => {
    const { curve: _c, ...row } = scoreGroup(k, groups.get(k)!);
    void _c;
    return row;
  });
  return { ...all, ignoreMode, convention: scoringConvention(ignoreMode), perWsi };
}

/** Progress of a batch. */
export interface BatchProgress {
  done: number;
  total: number;
  tileId: string;
}

/** A batch's outcome: the tiles that ran, those that failed (with why), and the metric. */
export interface BatchResult {
  tiles: TilePrediction[];
  failures: { tileId: string; message: string }[];
  score: BatchScore;
  cancelled: boolean;
  /** Wall time of the batch, ms. */
  ms: number;
}

/** After this many tiles in a row time out, a batch stops: a model that hangs would otherwise cost the timeout on every tile. */
export const MAX_CONSECUTIVE_TIMEOUTS = 3;

/**
 * Predicts tileIds one by one (loaded by `load`) with the same settings; a failing tile is
 * recorded, cancel stops between tiles, and MAX_CONSECUTIVE_TIMEOUTS timeouts in a row stop the
 * batch (the tiles not run are listed as failures saying so).
 */
export async function predictBatch(
  predictor: Predictor,
  tileIds: readonly string[],
  load: (tileId: string) => Promise<TileInput>,
  settings: PredictSettings,
  opts: { signal?: AbortSignal; timeoutMs?: number; onProgress?: (p: BatchProgress) => void; onTile?: (t: TilePrediction) => void; stopOnModelError?: boolean } = {},
): Promise<BatchResult> {
  const t0 = performance.now();
  const tiles: TilePrediction[] = [];
  const failures: { tileId: string; message: string }[] = [];
  let cancelled = false;
  let timeoutsInARow = 0;
  for (let k = 0; k < tileIds.length; k++) {
    if (opts.signal?.aborted) {
      cancelled = true;
      break;
    }
    const id = tileIds[k];
    try {
      const t = await predictTile(predictor, await load(id), settings, { signal: opts.signal, ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}) });
      tiles.push(t);
      timeoutsInARow = 0;
      opts.onTile?.(t);
    } catch (e) {
      if (opts.signal?.aborted) {
        cancelled = true;
        break;
      }
      const message = e instanceof Error ? e.message : String(e);
      failures.push({ tileId: id, message });
      // A model that cannot load fails every tile the same way: stop at the first.
      if (opts.stopOnModelError !== false && e instanceof Error && /model-(load-failed|not-found)|Model file not found|not a valid ONNX|contract/i.test(`${(e as { code?: string }).code ?? ''} ${message}`)) break;
      timeoutsInARow = e instanceof Error && e.name === 'InferenceTimeoutError' ? timeoutsInARow + 1 : 0;
      if (timeoutsInARow >= MAX_CONSECUTIVE_TIMEOUTS && k + 1 < tileIds.length) {
        const why = `not run: the batch stopped after ${MAX_CONSECUTIVE_TIMEOUTS} tiles in a row timed out (the model does not answer within the timeout; raise vasculatureExplorer.predict.timeoutSeconds or use another model)`;
        for (const rest of tileIds.slice(k + 1)) failures.push({ tileId: rest, message: why });
        opts.onProgress?.({ done: tileIds.length, total: tileIds.length, tileId: id });
        break;
      }
    }
    opts.onProgress?.({ done: k + 1, total: tileIds.length, tileId: id });
  }
  return { tiles, failures, score: scoreTiles(tiles, settings.ignoreMode), cancelled, ms: performance.now() - t0 };
}
