/**
 * The tile viewer's message protocol: typed messages each way and the validator every message
 * from the webview goes through (the webview is untrusted input).
 */
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
export interface TileMessage { type: 'tile'; seq: number; tile: TilePayload; /** Host Date.now() at posting, to time the transfer. */ sentAt: number }
/** The tile could not be shown: say so in the editor. */
export interface ErrorMessage { type: 'error'; seq: number; file: string; message: string }
/** The neighbours for the slide context of tile `center`. */
export interface ContextMessage { type: 'context'; center: string; tiles: ContextTile[] }
/** Requests the host makes of the webview (tests, commands). */
export type ViewerRequest =
  | { kind: 'snapshot' }
  | { kind: 'toggleClass'; cls: ClassName; visible?: boolean }
  | { kind: 'setContext'; on: boolean };
export type ToWebview = TileMessage | ErrorMessage | ContextMessage | RequestEnvelope<ViewerRequest> | ResponseEnvelope;

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
  /** The webview's JS heap in bytes (Chromium's performance.memory), when available. */
  jsHeap?: number;
}

// ---- webview -> host ------------------------------------------------------------------------

/** The webview loaded (or was restored) and wants the tile. */
export interface ReadyMessage { type: 'ready' }
/** Next (+1) or previous (-1) tile in the tile browser's order. */
export interface NavigateMessage { type: 'navigate'; step: 1 | -1 }
/** Show this tile (a slide-context neighbour was clicked). */
export interface OpenTileMessage { type: 'openTile'; id: string }
/** Slide context switched on or off. */
export interface ContextToggleMessage { type: 'context'; on: boolean }
/** A tile was fully painted: what and how fast (webview-side ms from message arrival to the frame after drawing). */
export interface PaintedMessage { type: 'painted'; seq: number; id: string; drawn: Record<ClassName, number>; paintMs: number; /** Date.now() at arrival minus the host's sentAt. */ transitMs?: number }
/** Run one of the export commands for the current tile. */
export interface ExportMessage { type: 'export'; kind: 'class-masks' | 'instance-masks' | 'geojson' | 'coco' }

export type FromWebview = ReadyMessage | NavigateMessage | OpenTileMessage | ContextToggleMessage | PaintedMessage | ExportMessage | ResponseEnvelope;

const CLASS_SET = new Set<string>(CLASS_NAMES);
const EXPORT_KINDS = new Set(['class-masks', 'instance-masks', 'geojson', 'coco']);

/** Validates a message from the webview; returns the typed message or why it was rejected. */
export function validateFromViewer(msg: unknown): { ok: true; message: FromWebview } | { ok: false; error: string } {
  const bad = (error: string) => ({ ok: false as const, error });
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return bad('message is not an object');
  const m = msg as Record<string, unknown>;
  switch (m.type) {
    case 'ready':
      return onlyKeys(m) ? { ok: true, message: { type: 'ready' } } : bad('ready: unexpected fields');
    case 'navigate':
      if (!onlyKeys(m, 'step') || (m.step !== 1 && m.step !== -1)) return bad('navigate: step must be 1 or -1');
      return { ok: true, message: { type: 'navigate', step: m.step } };
    case 'openTile':
      if (!onlyKeys(m, 'id') || !isTileId(m.id)) return bad('openTile: id must be a tile id (letters, digits, _ . -; 1-64 characters)');
      return { ok: true, message: { type: 'openTile', id: m.id } };
    case 'context':
      if (!onlyKeys(m, 'on') || typeof m.on !== 'boolean') return bad('context: on must be a boolean');
      return { ok: true, message: { type: 'context', on: m.on } };
    case 'painted': {
      if (!onlyKeys(m, 'seq', 'id', 'drawn', 'paintMs', 'transitMs') || !isInt(m.seq) || !isTileId(m.id) || !isNum(m.paintMs) || (m.transitMs !== undefined && !isNum(m.transitMs))) return bad('painted: needs seq, id, drawn, paintMs');
      const d = m.drawn as Record<string, unknown> | null;
      if (typeof d !== 'object' || d === null || Object.keys(d).some((k) => !CLASS_SET.has(k)) || !CLASS_NAMES.every((c) => isInt(d[c]))) return bad('painted: drawn must count each class');
      const drawn = { blood_vessel: d.blood_vessel as number, glomerulus: d.glomerulus as number, unsure: d.unsure as number };
      return { ok: true, message: { type: 'painted', seq: m.seq, id: m.id, drawn, paintMs: m.paintMs, ...(m.transitMs !== undefined ? { transitMs: m.transitMs as number } : {}) } };
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
