/** The gallery view's message protocol: typed messages each way and the validator for messages from the webview. */
import type { ClassName } from '../core/types';
import { checkResponse, isInt, isNum, isTileId, onlyKeys, type RequestEnvelope, type ResponseEnvelope } from './requestReply';

/** One cell of the grid. */
export interface GalleryItem {
  id: string;
  hasImage: boolean;
  /** Polygon counts: blood_vessel, glomerulus, unsure. */
  counts: [number, number, number];
}

/** One thumbnail with its outlines, in thumbnail pixels. */
export interface GalleryThumb {
  id: string;
  /** Encoded image (webp) and its size; absent when the tile has no image or failed to decode. */
  bytes?: Uint8Array;
  mime?: string;
  width: number;
  height: number;
  /** Outlines as flat [x0, y0, ...] already scaled to the thumbnail. */
  outlines: { cls: ClassName; points: number[] }[];
  error?: string;
}

// ---- host -> webview ------------------------------------------------------------------------

/**
 * The (filtered, sorted) tiles to lay out; `generation` changes with every new list. `sending`: ids whose
 * thumbnails the host is already building (its guess of the first screenful): they come unasked.
 */
export interface ItemsMessage { type: 'items'; generation: number; items: PackedItems; filter: string; thumbSize: number; sending: string[] }

/** The cells packed for the trip (thousands of small objects clone slowly through the webview's hops): one string and two typed arrays. */
export interface PackedItems {
  /** Tile ids joined by newlines (tile ids never hold one). */
  ids: string;
  /** blood_vessel, glomerulus, unsure per item. */
  counts: Uint32Array;
  /** 1 where the tile has an image. */
  hasImage: Uint8Array;
}

/** Packs cells for an items message. */
export function packItems(items: readonly GalleryItem[]): PackedItems {
  const counts = new Uint32Array(items.length * 3);
  const hasImage = new Uint8Array(items.length);
  items.forEach((it, i) => {
    counts.set(it.counts, i * 3);
    hasImage[i] = it.hasImage ? 1 : 0;
  });
  return { ids: items.map((it) => it.id).join('\n'), counts, hasImage };
}

/** Unpacks the cells of an items message. */
export function unpackItems(p: PackedItems): GalleryItem[] {
  if (p.ids === '') return [];
  return p.ids.split('\n').map((id, i) => ({ id, hasImage: p.hasImage[i] === 1, counts: [p.counts[i * 3], p.counts[i * 3 + 1], p.counts[i * 3 + 2]] }));
}
/** Thumbnails the webview asked for (or that `sending` announced); each asked-for id comes exactly once. */
export interface ThumbsMessage { type: 'thumbs'; generation: number; thumbs: GalleryThumb[] }
export type GalleryRequest = { kind: 'snapshot' } | { kind: 'scrollTo'; index: number } | { kind: 'click'; id: string };
export type ToGallery = ItemsMessage | ThumbsMessage | RequestEnvelope<GalleryRequest> | ResponseEnvelope;

/** What the gallery reports about itself (tests, bench). */
export interface GallerySnapshot {
  items: number;
  /** Cells in the DOM now (virtualised: far fewer than items). */
  cells: number;
  /** Cells that show a drawn thumbnail. */
  drawn: number;
  firstVisible: number;
  lastVisible: number;
  /** This list's thumbnail traffic: ids already held when it came, ids asked for or announced, answers to those, answers to ids not waited for (duplicates, or announced ones already held), ids asked again by the safety-net timer, ids still awaited. */
  thumbs: { kept: number; asked: number; answered: number; unasked: number; retried: number; outstanding: number };
}

// ---- webview -> host ------------------------------------------------------------------------

/** The view loaded and wants the list. */
export interface GalleryReadyMessage { type: 'ready' }
/** Thumbnails needed for these ids (the visible cells first); `retry`: asked again after no answer came in time. */
export interface NeedThumbsMessage { type: 'needThumbs'; generation: number; ids: string[]; retry?: boolean }
/** A cell was clicked: open the tile in the viewer. */
export interface GalleryOpenMessage { type: 'open'; id: string }
/** A screenful finished drawing (timing, for the bench). */
export interface GalleryPaintedMessage { type: 'painted'; generation: number; first: number; count: number; ms: number }
export type FromGallery = GalleryReadyMessage | NeedThumbsMessage | GalleryOpenMessage | GalleryPaintedMessage | ResponseEnvelope;

/** Most thumbnails one request may ask for. */
export const MAX_THUMBS_PER_REQUEST = 200;

/** Validates a message from the gallery webview. */
export function validateFromGallery(msg: unknown): { ok: true; message: FromGallery } | { ok: false; error: string } {
  const bad = (error: string) => ({ ok: false as const, error });
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return bad('message is not an object');
  const m = msg as Record<string, unknown>;
  switch (m.type) {
    case 'ready':
      return onlyKeys(m) ? { ok: true, message: { type: 'ready' } } : bad('ready: unexpected fields');
    case 'needThumbs':
      if (!onlyKeys(m, 'generation', 'ids', 'retry') || !isInt(m.generation) || !Array.isArray(m.ids)) return bad('needThumbs: needs generation and ids');
      if (m.ids.length > MAX_THUMBS_PER_REQUEST || !m.ids.every(isTileId)) return bad(`needThumbs: ids must be at most ${MAX_THUMBS_PER_REQUEST} tile ids`);
      if (m.retry !== undefined && typeof m.retry !== 'boolean') return bad('needThumbs: retry must be a boolean');
      return { ok: true, message: { type: 'needThumbs', generation: m.generation, ids: m.ids as string[], ...(m.retry ? { retry: true } : {}) } };
    case 'open':
      if (!onlyKeys(m, 'id') || !isTileId(m.id)) return bad('open: id must be a tile id');
      return { ok: true, message: { type: 'open', id: m.id } };
    case 'painted':
      if (!onlyKeys(m, 'generation', 'first', 'count', 'ms') || !isInt(m.generation) || !isInt(m.first) || !isInt(m.count) || !isNum(m.ms)) return bad('painted: needs generation, first, count, ms');
      return { ok: true, message: { type: 'painted', generation: m.generation, first: m.first, count: m.count, ms: m.ms } };
    case 'response': {
      const r = checkResponse(m);
      return typeof r === 'string' ? bad(r) : { ok: true, message: r };
    }
    default:
      return bad(`unknown message type ${typeof m.type === 'string' ? JSON.stringify(m.type.slice(0, 40)) : typeof m.type}`);
  }
}
