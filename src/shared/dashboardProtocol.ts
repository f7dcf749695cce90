/**
 * The Dataset Overview webview's message protocol: typed messages each way, one request/response
 * helper used on both sides, and the validator every message from the webview goes through
 * (the webview is untrusted input).
 */
import { SCORE_TABLES, type DashboardScore } from './scoreTable';
import type { DashboardStain } from '../core/stain';
import { CHART_IDS, QUALITY_KEYS, type ChartId, type DashboardData, type QualityKey } from '../core/types';
import type { SubmissionsView, TuningSnapshot, TuningView } from './tuningView';
import type { FoldsOverview } from '../core/folds';

// ---- host -> webview ------------------------------------------------------------------------

/** The chart data (sent on open, on re-index and when the webview says it is ready). */
export interface DataMessage { type: 'data'; data: DashboardData }
/** The shared tile filter changed: its description ('' when none). */
export interface FilterMessage { type: 'filter'; description: string; /** The ids of the tiles the filter keeps (absent when there is no filter): the slide map highlights them. */ ids?: string[] }
/** The last batch Predict or opened submission (undefined: none yet); sent when one arrives and on every refresh. */
export interface ScoreMessage { type: 'score'; score: DashboardScore | undefined; rejected?: RejectedScore }
/** A submission refused for its errors (the score shown stays the last good one). */
export interface RejectedScore { label: string; errors: number; first: { line: number; message: string }[]; rows: number }
/** A request the webview answers with a ResponseMessage. */
export interface RequestMessage { type: 'request'; id: number; request: WebviewRequest }
/** The answer to a request from the webview. */
export interface ResponseMessage { type: 'response'; inReplyTo: number; ok: boolean; result?: unknown; error?: string }

/** The last post-processing sweep (undefined: none yet). */
export interface TuningMessage { type: 'tuning'; view: TuningView | undefined; submissions?: SubmissionsView }

/** The folds section: the last Prepare Training Data run's folds, or a preview of the default scheme. */
export interface FoldsMessage { type: 'folds'; folds: FoldsOverview | undefined }

/** The stain section's data (undefined until the colour statistics are measured). */
export interface StainDataMessage { type: 'stain'; stain: DashboardStain | undefined }

export type ToWebview = DataMessage | FilterMessage | ScoreMessage | RequestMessage | ResponseMessage | FoldsMessage | TuningMessage | StainDataMessage;

/** What the host can ask the webview (used by the integration tests and export). */
export type WebviewRequest =
  /** Report what every chart holds and whether it drew. */
  | { kind: 'snapshot' }
  /** Click bar x of series `series` of a chart through the webview's own click path. */
  | { kind: 'click'; chart: ChartId; x: number; series?: number }
  /** Click the first tile of the slide map (of the WSI shown). */
  | { kind: 'clickSlideMap'; index: number }
  /** Answered after the next frame with ShownReply (a tab shown again: the same document, charts drawn?). */
  | { kind: 'shown' }
  /** Tuning section: click a heatmap cell (select), then optionally its Apply / Copy CLI flags button. */
  | { kind: 'tuningCell'; index: number; action: 'select' | 'apply' | 'copy' }
  /** Tuning section: pick a ranking in its "rank by" dropdown. */
  | { kind: 'tuningOrder'; order: 'mean' | 'worst' };

/** The answer to 'shown': the document's id (the same one: nothing to draw again), its charts and state. */
export interface ShownReply { doc: string; charts: number; state: string | undefined; /** Chart resizes (each a redraw) since the document started. */ resizes?: number }

// ---- webview -> host ------------------------------------------------------------------------

/** The webview loaded and wants data. */
export interface ReadyMessage { type: 'ready' }
/** A bar or bin was clicked: filter the tiles. */
export interface SelectMessage { type: 'select'; chart: ChartId; x: number; series?: number }
/** A data-quality row was clicked: filter to its tiles. */
export interface SelectQualityMessage { type: 'selectQuality'; key: QualityKey }
/** A slide-map tile was clicked: open it. */
export interface OpenTileMessage { type: 'openTile'; id: string }
/** A problem kind was clicked: show the Problems panel. */
export interface OpenProblemsMessage { type: 'openProblems'; code: string }
/** The webview drew the data it was sent: how many charts and how long it took. */
export interface RenderedMessage { type: 'rendered'; charts: number; ms: number }
/** Clear the shared tile filter. */
export interface ClearFilterMessage { type: 'clearFilter' }
/** Save a chart's PNG (a data: URL drawn by the webview). */
export interface ExportPngMessage { type: 'exportPng'; chart: string; dataUrl: string }
/** Save the CSV of a chart or table (the host builds it from its own data). */
export interface ExportCsvMessage { type: 'exportCsv'; table: string }

/** Show these tiles in the tile browser (a stain box was clicked); label says what was picked. */
export interface StainSelectMessage { type: 'stainSelect'; ids: string[]; label: string }
/** Tuning section: apply cell `index` to the Predict settings, or copy its CLI flags. */
export interface TuningActionMessage { type: 'tuningApply' | 'tuningCopy'; index: number }
/** Tuning section's button: run Tune Post-processing…. */
export interface RunTuningMessage { type: 'runTuning' }

/** The folds section's button: run Prepare Training Data…. */
export interface PrepareTrainingDataMessage { type: 'prepareTrainingData' }
/** The folds section's second button: run Train Baseline Model…. */
export interface TrainBaselineMessage { type: 'trainBaseline' }

export type FromWebview = StainSelectMessage | ReadyMessage | RenderedMessage | SelectMessage | SelectQualityMessage | OpenTileMessage | OpenProblemsMessage | ClearFilterMessage | ExportPngMessage | ExportCsvMessage | ResponseMessage | PrepareTrainingDataMessage | TrainBaselineMessage | TuningActionMessage | RunTuningMessage;

/** What the webview reports about one chart (snapshot). */
export interface ChartSnapshot {
  id: string;
  labels: string[];
  series: { label: string; values: number[] }[];
  /** Canvas size in CSS px and the count of non-transparent sampled pixels (0 = blank). */
  width: number;
  height: number;
  inkPixels: number;
  /** The y axis's tick labels as drawn. */
  yTicks?: string[];
  /** Series hidden with their legend entry. */
  hiddenSeries?: string[];
}

/** What the "Prediction score" section shows (snapshot). */
export interface ScoreSnapshot {
  /** The score data the section was drawn from; undefined before any batch. */
  score?: DashboardScore;
  /** The AP headline and the convention line as shown. */
  headline: string;
  convention: string;
  /** The PR chart's points as drawn (recall, interpolated precision, raw precision) and its ink. */
  chart?: { recall: number[]; interpolatedPrecision: number[]; precision: number[]; width: number; height: number; inkPixels: number };
  /** The per-WSI table's cells as shown. */
  wsiRows: string[][];
  /** The refused submission's error box as shown ('' when none). */
  rejected?: string;
}

/** The snapshot answer. */
export interface DashboardSnapshot {
  charts: ChartSnapshot[];
  slideMap: { wsi: number; tiles: number; inkPixels: number; /** Zoom factor (1 = the whole WSI). */ zoom?: number; /** Tiles of this WSI in the shared filter (drawn highlighted; 0 with no filter). */ highlighted?: number; /** The tile with keyboard focus. */ focused?: string };
  wsiRows: string[][];
  qualityRows: string[];
  theme: string;
  /** The "Prediction score" section. */
  score: ScoreSnapshot;
  /** The stain section: WSIs with a box per space, scatter points drawn (absent before it has data). */
  stain?: { wsis: number[]; spaces: string[]; points: number; boxesDrawn: number };
  /** The tuning section (absent in builds without it). */
  tuning?: TuningSnapshot;
  /** The folds section (headline, table rows, charts drawn, slide-map ink). */
  folds?: { headline: string; rows: string[][]; charts: number; slideInk: number };
  /** Elements that dataset text could have injected (img, iframe, object, embed, un-nonced script, on* attributes): must be 0. */
  foreignElements: string[];
  /** The webview's JS heap in bytes (Chromium's performance.memory, after a gc where exposed), when available: what a hidden, retained tab keeps. */
  jsHeap?: number;
}

// ---- validation -----------------------------------------------------------------------------

/** Largest PNG data: URL accepted (a chart is far smaller). */
export const MAX_PNG_DATA_URL = 16 << 20;
const TABLES = new Set<string>([...CHART_IDS, 'slideMap', 'wsiMeta', 'quality', ...SCORE_TABLES]);
const CHARTS = new Set<string>(CHART_IDS);
const QUALITY = new Set<string>(QUALITY_KEYS);

type Check = { ok: true; message: FromWebview } | { ok: false; error: string };

const isIndex = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < 1_000_000;
const isShortString = (v: unknown, max = 200): v is string => typeof v === 'string' && v.length > 0 && v.length <= max;

/** Validate a message from the webview against the protocol; anything else is rejected with the reason. */
export function validateFromWebview(msg: unknown): Check {
  const bad = (error: string): Check => ({ ok: false, error });
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return bad('message is not an object');
  const m = msg as Record<string, unknown>;
  const keys = Object.keys(m);
  const only = (...allowed: string[]) => keys.every((k) => k === 'type' || allowed.includes(k));
  switch (m.type) {
    case 'ready':
    case 'clearFilter':
    case 'prepareTrainingData':
    case 'trainBaseline':
      return only() ? { ok: true, message: { type: m.type } } : bad(`${m.type}: unexpected fields`);
    case 'select':
      if (!only('chart', 'x', 'series')) return bad('select: unexpected fields');
      if (typeof m.chart !== 'string' || !CHARTS.has(m.chart)) return bad('select: unknown chart');
      if (!isIndex(m.x)) return bad('select: x must be a non-negative integer');
      if (m.series !== undefined && !isIndex(m.series)) return bad('select: series must be a non-negative integer');
      return { ok: true, message: { type: 'select', chart: m.chart as ChartId, x: m.x, ...(m.series !== undefined ? { series: m.series as number } : {}) } };
    case 'selectQuality':
      if (!only('key') || typeof m.key !== 'string' || !QUALITY.has(m.key)) return bad('selectQuality: unknown key');
      return { ok: true, message: { type: 'selectQuality', key: m.key as QualityKey } };
    case 'stainSelect':
      if (!only('ids', 'label') || !Array.isArray(m.ids) || m.ids.length > 200_000 || !m.ids.every((id) => isShortString(id)) || !isShortString(m.label)) return bad('stainSelect: ids must be tile id strings and label a short string');
      return { ok: true, message: { type: 'stainSelect', ids: m.ids as string[], label: m.label } };
    case 'openTile':
      if (!only('id') || !isShortString(m.id)) return bad('openTile: id must be a string of 1-200 characters');
      return { ok: true, message: { type: 'openTile', id: m.id } };
    case 'openProblems':
      if (!only('code') || !isShortString(m.code, 100)) return bad('openProblems: code must be a string of 1-100 characters');
      return { ok: true, message: { type: 'openProblems', code: m.code } };
    case 'exportPng':
      if (!only('chart', 'dataUrl') || typeof m.chart !== 'string' || !TABLES.has(m.chart)) return bad('exportPng: unknown chart');
      if (typeof m.dataUrl !== 'string' || !m.dataUrl.startsWith('data:image/png;base64,') || m.dataUrl.length > MAX_PNG_DATA_URL || !/^[A-Za-z0-9+/]*={0,2}$/.test(m.dataUrl.slice(22))) return bad('exportPng: dataUrl must be a base64 PNG data: URL under 16 MiB');
      return { ok: true, message: { type: 'exportPng', chart: m.chart, dataUrl: m.dataUrl } };
    case 'exportCsv':
      if (!only('table') || typeof m.table !== 'string' || !TABLES.has(m.table)) return bad('exportCsv: unknown table');
      return { ok: true, message: { type: 'exportCsv', table: m.table } };
    case 'rendered':
      if (!only('charts', 'ms') || !isIndex(m.charts) || typeof m.ms !== 'number' || !Number.isFinite(m.ms) || m.ms < 0) return bad('rendered: needs charts (integer) and ms (number)');
      return { ok: true, message: { type: 'rendered', charts: m.charts, ms: m.ms } };
    case 'runTuning':
      return only() ? { ok: true, message: { type: 'runTuning' } } : bad('runTuning: unexpected fields');
    case 'tuningApply':
    case 'tuningCopy':
      if (!only('index') || !isIndex(m.index)) return bad(`${m.type}: index must be a non-negative integer`);
      return { ok: true, message: { type: m.type, index: m.index } };
    case 'response':
      if (!only('inReplyTo', 'ok', 'result', 'error') || !isIndex(m.inReplyTo) || typeof m.ok !== 'boolean') return bad('response: needs inReplyTo (integer) and ok (boolean)');
      if (m.error !== undefined && typeof m.error !== 'string') return bad('response: error must be a string');
      return { ok: true, message: { type: 'response', inReplyTo: m.inReplyTo, ok: m.ok, result: m.result, ...(m.error !== undefined ? { error: m.error as string } : {}) } };
    default:
      return bad(`unknown message type ${typeof m.type === 'string' ? JSON.stringify(m.type.slice(0, 40)) : typeof m.type}`);
  }
}

// ---- request/response -----------------------------------------------------------------------

/** The request/response helper shared by every webview protocol. */
export { RequestReply as RequestTracker } from './requestReply';
