/**
 * The tile viewer's message protocol: typed messages each way and the validator every message
 * from the webview goes through (the webview is untrusted input).
 */
import type { PredictionLayer } from '../core/predict';
import { CLASS_NAMES, type ClassName } from '../core/types';
import { checkResponse, isInt, isNum, isTileId, onlyKeys, type RequestEnvelope, type ResponseEnvelope } from './requestReply';

/** One polygon to draw: rings as flat [x0, y0, x1, y1, ...] in full-resolution tile pixels. */
export interface OverlayPolygon {
  cls: ClassName;
  rings: number[][];
  /** Area in px (shoelace, holes subtracted). */
  area: number;
  /** Inclusive bounding box [minX, minY, maxX, maxY]. */
  bbox: [number, number, number, number];
  /** 0-based position in the tile's "annotations" list. */
  index: number;
}

/** A decoded tile with its overlays. */
export interface TilePayload {
  id: string;
  /** Path relative to the dataset root (or the absolute path outside a dataset), for titles. */
  file: string;
  /** Full-resolution size of the image. */
  width: number;
  height: number;
  /** Decoded pixels (RGBA), pixelsWidth x pixelsHeight: smaller than width x height for a pyramid level. */
  pixelsWidth: number;
  pixelsHeight: number;
  rgba: Uint8Array;
  /** Bytes per pixel of `rgba` in a message: 3 = RGB of an opaque image (see tileViewerPixels.ts); absent = RGBA. */
  channels?: 3;
  polygons: OverlayPolygon[];
  /** 1-based line of the tile in polygons.jsonl, when it has one. */
  line?: number;
  wsi?: number;
  dataset?: number;
  i?: number;
  j?: number;
  /** Position in the tile browser's order (1-based) and how many tiles with an image it holds. */
  position?: number;
  total?: number;
  /** Something the viewer should say about the picture (a pyramid level was read, no dataset open, ...). */
  note?: string;
  /** Host-side load time (decode + annotations), ms. */
  loadMs: number;
}

/** A neighbour of the tile in its WSI, for the slide context. */
export interface ContextTile {
  id: string;
  /** Offset from the centre tile, in px. */
  dx: number;
  dy: number;
  width: number;
  height: number;
  /** Present when the neighbour's image is on disk (full resolution RGBA). */
  rgba?: Uint8Array;
  polygons: OverlayPolygon[];
}

// ---- host -> webview ------------------------------------------------------------------------

/** Show this tile. `seq` lets the painted report name what it painted. */
export interface TileMessage { type: 'tile'; seq: number; /** The webview keeps the tile under this key (see tileViewerCache.ts). */ key: string; tile: TilePayload; /** Host Date.now() at posting, to time the transfer. */ sentAt: number }
/** Keep this tile (a neighbour in the Tiles order) for an instant next/previous; do not paint it. */
export interface PrefetchMessage { type: 'prefetch'; key: string; tile: TilePayload }
/** Show the tile kept under key (sent before as 'tile' or 'prefetch'); position and total are the current order's. */
export interface ShowCachedMessage { type: 'showCached'; seq: number; key: string; position?: number; total?: number; sentAt: number }
/** A neighbour of the shown tile in the Tiles order that the webview keeps, with its place in that order. */
export interface NeighbourRole { key: string; position: number; total: number }
/**
 * Which kept tiles are the next and previous of the tile shown under key `of` (sent after the
 * neighbours are pushed, and again when the order changes): the webview switches to them by itself
 * (n/p, Prev/Next) and then tells the host ('navigated'). Roles of another key are stale: ignored.
 */
export interface NeighboursMessage { type: 'neighbours'; of: string; next?: NeighbourRole; prev?: NeighbourRole }
/** Forget every kept tile (the dataset was re-indexed). */
export interface DropCacheMessage { type: 'dropCache' }
/** The tile could not be shown: say so in the editor. */
export interface ErrorMessage { type: 'error'; seq: number; file: string; message: string }
/** The neighbours for the slide context of tile `center`. */
export interface ContextMessage { type: 'context'; center: string; tiles: ContextTile[] }
/** The tile's prediction layer (a model run or an opened submission), or null when it has none. */
export interface PredictionMessage { type: 'prediction'; tileId: string; layer: PredictionLayer | null }
/** Requests the host makes of the webview (tests, commands). */
export type ViewerRequest =
  | { kind: 'snapshot' }
  /** Answered at once with the ms from `sentAt` (host Date.now()) to its arrival: the message path's own latency (bench floor). */
  | { kind: 'ping'; sentAt: number }
  | { kind: 'toggleClass'; cls: ClassName; visible?: boolean }
  | { kind: 'setContext'; on: boolean }
  | { kind: 'togglePrediction'; visible?: boolean }
  /** Runs the viewer's key handler for n/p/]/[ (tests, bench); answers after the next frame. */
  | { kind: 'press'; key: PressKey }
  /** Answered after the next frame with what it shows (a tab shown again: painted yet?): ShownReply. */
  | { kind: 'shown' };
/** The answer to 'shown': the tile on show and its sampled non-background pixels, after a frame. */
export interface ShownReply { tileId: string | undefined; inkPixels: number }
/** The keys that step through the Tiles order in the webview. */
export type PressKey = 'n' | 'p' | ']' | '[';
export type ToWebview = TileMessage | PrefetchMessage | ShowCachedMessage | NeighboursMessage | DropCacheMessage | ErrorMessage | ContextMessage | PredictionMessage | RequestEnvelope<ViewerRequest> | ResponseEnvelope;

/** What the webview reports it drew. */
export interface ViewerSnapshot {
  tileId: string | undefined;
  /** Polygons drawn per class in the last paint (the centre tile only). */
  drawn: Record<ClassName, number>;
  visible: Record<ClassName, boolean>;
  context: boolean;
  contextTiles: number;
  error?: string;
  /** Count of sampled canvas pixels that are not background (0 = nothing painted). */
  inkPixels: number;
  /** Prediction outlines drawn per outcome in the last paint (null: no prediction layer for this tile). */
  prediction: PredictionCounts | null;
  /** Whether the Prediction layer checkbox is on. */
  predictionVisible: boolean;
  /** The prediction header line as shown ('' when none). */
  predictionHeader: string;
  /** The webview's JS heap in bytes (Chromium's performance.memory), when available. */
  jsHeap?: number;
  /** Sum of every RGBA byte of the centre tile's pixels as the viewer holds them (checks exact pixels); absent without a tile. */
  imageSum?: number;
  /** For a 'press' request: whether the webview switched by itself (false: it asked the host), and ms from the handler's start to the frame after it (webview clock). */
  press?: { local: boolean; ms: number; /** Of ms: the synchronous part (state, DOM, canvas drawing) before the browser's frame. */ drawMs?: number };
}

/** Outlines per outcome of a prediction layer. */
export type PredictionCounts = Record<PredictionLayer['shapes'][number]['outcome'], number>;

const OUTCOMES = new Set(['tp', 'fp', 'fn', 'ignored', 'none']);
const isRing = (r: unknown) => Array.isArray(r) && r.length >= 2 && r.length % 2 === 0 && r.every((v) => typeof v === 'number' && Number.isFinite(v));

/** Checks the shape of a prediction layer before the webview draws it; returns what is wrong, or undefined when it is fine. */
export function predictionLayerProblem(x: unknown): string | undefined {
  if (typeof x !== 'object' || x === null) return 'prediction layer is not an object';
  const l = x as Record<string, unknown>;
  if (typeof l.tileId !== 'string' || typeof l.label !== 'string' || typeof l.convention !== 'string') return 'prediction layer: tileId, label and convention must be strings';
  if (!isNum(l.width) || !isNum(l.height)) return 'prediction layer: width and height must be numbers';
  if (l.ap !== null && !isNum(l.ap)) return 'prediction layer: ap must be a number or null';
  if (!(['tp', 'fp', 'fn', 'ignored'] as const).every((k) => isInt(l[k]))) return 'prediction layer: tp, fp, fn and ignored must be integers';
  const c = l.colors as Record<string, unknown> | null;
  if (typeof c !== 'object' || c === null || !['tp', 'fp', 'fn'].every((k) => typeof c[k] === 'string' && /^#[0-9a-fA-F]{6}$/.test(c[k] as string))) return 'prediction layer: colors must hold #rrggbb for tp, fp and fn';
  if (!Array.isArray(l.shapes)) return 'prediction layer: shapes must be an array';
  for (let k = 0; k < l.shapes.length; k++) {
    const s = l.shapes[k] as Record<string, unknown> | null;
    if (typeof s !== 'object' || s === null || typeof s.outcome !== 'string' || !OUTCOMES.has(s.outcome)) return `prediction layer: shape ${k} has no known outcome`;
    if (!isNum(s.iou) || !isNum(s.area) || (s.confidence !== undefined && !isNum(s.confidence))) return `prediction layer: shape ${k} needs numeric iou and area`;
    if (!Array.isArray(s.rings) || !s.rings.every(isRing)) return `prediction layer: shape ${k} rings must be flat [x, y, ...] number arrays`;
    if (!Array.isArray(s.bbox) || s.bbox.length !== 4 || !s.bbox.every(isNum)) return `prediction layer: shape ${k} bbox must be 4 numbers`;
  }
  return undefined;
}

// ---- webview -> host ------------------------------------------------------------------------

/** The webview loaded (or was restored) and wants the tile; its start-up times for the bench. */
export interface ReadyMessage {
  type: 'ready';
  /** The webview document's performance.timeOrigin (epoch ms). */
  timeOrigin?: number;
  /** performance.now() when the viewer script began, and when it sent this message. */
  scriptAt?: number;
  readyAt?: number;
}
/** Next (+1) or previous (-1) tile in the tile browser's order. */
export interface NavigateMessage { type: 'navigate'; step: 1 | -1 }
/** Show this tile (a slide-context neighbour was clicked). */
export interface OpenTileMessage { type: 'openTile'; id: string }
/** Slide context switched on or off. */
export interface ContextToggleMessage { type: 'context'; on: boolean }
/** A tile was fully painted: what and how fast (webview-side ms from message arrival to the frame after drawing). */
export interface PaintedMessage { type: 'painted'; seq: number; id: string; drawn: Record<ClassName, number>; paintMs: number; /** Date.now() at arrival minus the host's sentAt. */ transitMs?: number; /** Drawn from the webview's kept tiles (no pixels crossed for it). */ cached?: boolean; /** A switch the webview made by itself: seq is its 'navigated' nav, paintMs from its key handler. */ local?: boolean; /** Epoch ms (the webview's clock) when the frame showing it was done. */ paintedAt?: number }
/**
 * The webview switched by itself to a kept neighbour (step from the tile under key `from` to the
 * one under `key`) and drew it: the host follows, or shows the tile it holds to be right. Sent at
 * once (before the frame), so it reaches the host before any later key press; a 'painted' with
 * local and seq = nav follows the frame.
 */
export interface NavigatedMessage { type: 'navigated'; nav: number; step: 1 | -1; from: string; key: string }
/** A 'showCached' named a key the webview does not hold: the host sends the tile itself. */
export interface CacheMissMessage { type: 'cacheMiss'; seq: number; key: string }
/** Run one of the export commands for the current tile. */
export interface ExportMessage { type: 'export'; kind: 'class-masks' | 'instance-masks' | 'geojson' | 'coco' }

export type FromWebview = ReadyMessage | CacheMissMessage | NavigateMessage | NavigatedMessage | OpenTileMessage | ContextToggleMessage | PaintedMessage | ExportMessage | ResponseEnvelope;

const CLASS_SET = new Set<string>(CLASS_NAMES);
const EXPORT_KINDS = new Set(['class-masks', 'instance-masks', 'geojson', 'coco']);

/** Polygons drawn per class, checked: undefined unless it counts exactly the three classes. */
function drawnCounts(x: unknown): Record<ClassName, number> | undefined {
  const d = x as Record<string, unknown> | null;
  if (typeof d !== 'object' || d === null || Object.keys(d).some((k) => !CLASS_SET.has(k)) || !CLASS_NAMES.every((c) => isInt(d[c]))) return undefined;
  return { blood_vessel: d.blood_vessel as number, glomerulus: d.glomerulus as number, unsure: d.unsure as number };
}

/** Validates a message from the webview; returns the typed message or why it was rejected. */
export function validateFromViewer(msg: unknown): { ok: true; message: FromWebview } | { ok: false; error: string } {
  const bad = (error: string) => ({ ok: false as const, error });
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return bad('message is not an object');
  const m = msg as Record<string, unknown>;
  switch (m.type) {
    case 'ready': {
      if (!onlyKeys(m, 'timeOrigin', 'scriptAt', 'readyAt') || !['timeOrigin', 'scriptAt', 'readyAt'].every((k) => m[k] === undefined || isNum(m[k]))) return bad('ready: unexpected fields (only numeric timeOrigin, scriptAt, readyAt)');
      const t = (k: string) => (m[k] !== undefined ? { [k]: m[k] as number } : {});
      return { ok: true, message: { type: 'ready', ...t('timeOrigin'), ...t('scriptAt'), ...t('readyAt') } };
    }
    case 'cacheMiss':
      if (!onlyKeys(m, 'seq', 'key') || !isInt(m.seq) || typeof m.key !== 'string' || m.key.length > 4096) return bad('cacheMiss: needs seq and key');
      return { ok: true, message: { type: 'cacheMiss', seq: m.seq, key: m.key } };
    case 'navigate':
      if (!onlyKeys(m, 'step') || (m.step !== 1 && m.step !== -1)) return bad('navigate: step must be 1 or -1');
      return { ok: true, message: { type: 'navigate', step: m.step } };
    case 'navigated': {
      if (!onlyKeys(m, 'nav', 'step', 'from', 'key') || !isInt(m.nav) || (m.step !== 1 && m.step !== -1) || typeof m.from !== 'string' || m.from.length > 4096 || typeof m.key !== 'string' || m.key.length > 4096) return bad('navigated: needs nav, step (1 or -1), from and key');
      return { ok: true, message: { type: 'navigated', nav: m.nav, step: m.step, from: m.from, key: m.key } };
    }
    case 'openTile':
      if (!onlyKeys(m, 'id') || !isTileId(m.id)) return bad('openTile: id must be a tile id (letters, digits, _ . -; 1-64 characters)');
      return { ok: true, message: { type: 'openTile', id: m.id } };
    case 'context':
      if (!onlyKeys(m, 'on') || typeof m.on !== 'boolean') return bad('context: on must be a boolean');
      return { ok: true, message: { type: 'context', on: m.on } };
    case 'painted': {
      if (!onlyKeys(m, 'seq', 'id', 'drawn', 'paintMs', 'transitMs', 'cached', 'local', 'paintedAt') || (m.local !== undefined && typeof m.local !== 'boolean') || !isInt(m.seq) || !isTileId(m.id) || !isNum(m.paintMs) || (m.transitMs !== undefined && !isNum(m.transitMs)) || (m.cached !== undefined && typeof m.cached !== 'boolean') || (m.paintedAt !== undefined && !isNum(m.paintedAt))) return bad('painted: needs seq, id, drawn, paintMs');
      const drawn = drawnCounts(m.drawn);
      if (!drawn) return bad('painted: drawn must count each class');
      return { ok: true, message: { type: 'painted', seq: m.seq, id: m.id, drawn, paintMs: m.paintMs, ...(m.transitMs !== undefined ? { transitMs: m.transitMs as number } : {}), ...(m.cached === true ? { cached: true } : {}), ...(m.local === true ? { local: true } : {}), ...(m.paintedAt !== undefined ? { paintedAt: m.paintedAt as number } : {}) } };
    }
    case 'export':
      if (!onlyKeys(m, 'kind') || typeof m.kind !== 'string' || !EXPORT_KINDS.has(m.kind)) return bad('export: unknown kind');
      return { ok: true, message: { type: 'export', kind: m.kind as ExportMessage['kind'] } };
    case 'response': {
      const r = checkResponse(m);
      return typeof r === 'string' ? bad(r) : { ok: true, message: r };
    }
    default:
      return bad(`unknown message type ${typeof m.type === 'string' ? JSON.stringify(m.type.slice(0, 40)) : typeof m.type}`);
  }
}
