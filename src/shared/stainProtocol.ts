/**
 * The Stain panel's message protocol: the host computes every picture (original, Reinhard, Macenko,
 * N RandStainNA samples) and sends them as RGB at display size with the tile's overlays; the
 * webview draws and says how long it took. Messages from the webview are validated here.
 */
import type { OverlayPolygon } from './tileViewerProtocol';
import { checkResponse, isInt, isNum, isTileId, onlyKeys, type RequestEnvelope, type ResponseEnvelope } from './requestReply';

/** What the panel computes, as set in its controls. */
export interface StainSettings {
  space: 'LAB' | 'HSV' | 'HED' | 'Random';
  stdHyper: number;
  distribution: 'normal' | 'laplace' | 'uniform';
  seed: number;
  /** How many RandStainNA samples (1-16). */
  n: number;
  /** 'dataset', 'wsi' (the tile's own WSI), 'wsi:<k>', or 'tile:<id>'. */
  reinhard: string;
  /** 'reference' (torchstain's matrix) or 'tile:<id>' (fitted on that tile). */
  macenko: string;
}

export const DEFAULT_STAIN_SETTINGS: StainSettings = { space: 'LAB', stdHyper: -0.3, distribution: 'normal', seed: 0, n: 8, reinhard: 'dataset', macenko: 'reference' };

/** One picture of the grid. */
export interface StainCell {
  kind: 'original' | 'reinhard' | 'macenko' | 'sample';
  label: string;
  /** Display-size pixels, RGB. */
  width: number;
  height: number;
  rgb: Uint8Array;
  /** False when the transform left the tile unchanged; `note` says why. */
  applied: boolean;
  note?: string;
}

/** Host -> webview: the tile the panel follows and what the targets can be. */
export interface StainStateMessage {
  type: 'state';
  tile?: { id: string; wsi?: number; width: number; height: number };
  wsis: number[];
  /** Tiles measured for the dataset statistics (0 = not computed yet). */
  statsTiles: number;
  settings: StainSettings;
  message?: string;
}
/** Host -> webview: the computed grid for request seq, with the overlays (full-resolution tile coordinates). */
export interface StainResultMessage { type: 'result'; seq: number; tileId: string; tileWidth: number; tileHeight: number; cells: StainCell[]; polygons: OverlayPolygon[]; hostMs: number; cached: boolean }
/** Host -> webview: the request failed (said in the panel). */
export interface StainErrorMessage { type: 'error'; seq: number; message: string }
/** Host -> webview: answer to a ping (the message path's floor). */
export interface StainPongMessage { type: 'pong'; id: number }
/** Requests the host makes (tests). */
export type StainRequest = { kind: 'snapshot' } | { kind: 'click'; target: 'sample' | 'export' };
export type ToStainWebview = StainStateMessage | StainResultMessage | StainErrorMessage | StainPongMessage | RequestEnvelope<StainRequest> | ResponseEnvelope;

/** What the webview reports it shows. */
export interface StainSnapshot {
  tileId?: string;
  cells: { kind: StainCell['kind']; label: string; applied: boolean; note?: string; inkPixels: number; overlayPolygons: number }[];
  settings: StainSettings;
  /** ms from the click to the frame after the grid was drawn, and the ping round trip measured just before. */
  lastShowMs?: number;
  floorMs?: number;
  status: string;
}

/** Webview -> host. */
export type FromStainWebview =
  | { type: 'ready' }
  | { type: 'compute'; seq: number; settings: StainSettings }
  | { type: 'ping'; id: number }
  | { type: 'shown'; seq: number; ms: number; floorMs: number }
  | { type: 'export'; settings: StainSettings }
  | ResponseEnvelope;

const SPACES = new Set(['LAB', 'HSV', 'HED', 'Random']);
const DISTS = new Set(['normal', 'laplace', 'uniform']);

/** Checks settings from the webview; undefined when malformed. */
export function checkStainSettings(x: unknown): StainSettings | undefined {
  const s = x as Record<string, unknown> | null;
  if (typeof s !== 'object' || s === null || Array.isArray(s)) return undefined;
  if (!onlyKeys(s, 'space', 'stdHyper', 'distribution', 'seed', 'n', 'reinhard', 'macenko')) return undefined;
  if (typeof s.space !== 'string' || !SPACES.has(s.space) || typeof s.distribution !== 'string' || !DISTS.has(s.distribution)) return undefined;
  if (!isNum(s.stdHyper) || s.stdHyper < -1 || s.stdHyper > 10 || !isInt(s.seed, 0, 2 ** 31) || !isInt(s.n, 1, 16)) return undefined;
  const target = (v: unknown, fixed: string[]) => typeof v === 'string' && (fixed.includes(v) || /^wsi:\d{1,6}$/.test(v) || (v.startsWith('tile:') && isTileId(v.slice(5))));
  if (!target(s.reinhard, ['dataset', 'wsi']) || !target(s.macenko, ['reference']) || String(s.macenko).startsWith('wsi')) return undefined;
  return { space: s.space as StainSettings['space'], stdHyper: s.stdHyper, distribution: s.distribution as StainSettings['distribution'], seed: s.seed, n: s.n, reinhard: s.reinhard as string, macenko: s.macenko as string };
}

/** Validates a message from the Stain webview. */
export function validateFromStain(msg: unknown): { ok: true; message: FromStainWebview } | { ok: false; error: string } {
  const bad = (error: string) => ({ ok: false as const, error });
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return bad('message is not an object');
  const m = msg as Record<string, unknown>;
  switch (m.type) {
    case 'ready':
      return onlyKeys(m) ? { ok: true, message: { type: 'ready' } } : bad('ready: no fields expected');
    case 'ping':
      return onlyKeys(m, 'id') && isInt(m.id) ? { ok: true, message: { type: 'ping', id: m.id } } : bad('ping: needs an integer id');
    case 'compute':
    case 'export': {
      const s = checkStainSettings(m.settings);
      if (!s) return bad(`${m.type}: settings malformed`);
      if (m.type === 'export') return onlyKeys(m, 'settings') ? { ok: true, message: { type: 'export', settings: s } } : bad('export: unexpected fields');
      return onlyKeys(m, 'seq', 'settings') && isInt(m.seq) ? { ok: true, message: { type: 'compute', seq: m.seq, settings: s } } : bad('compute: needs seq and settings');
    }
    case 'shown':
      return onlyKeys(m, 'seq', 'ms', 'floorMs') && isInt(m.seq) && isNum(m.ms) && isNum(m.floorMs) ? { ok: true, message: { type: 'shown', seq: m.seq, ms: m.ms, floorMs: m.floorMs } } : bad('shown: needs seq, ms, floorMs');
    case 'response': {
      const r = checkResponse(m);
      return typeof r === 'string' ? bad(r) : { ok: true, message: r };
    }
    default:
      return bad(`unknown message type ${typeof m.type === 'string' ? JSON.stringify(m.type.slice(0, 40)) : typeof m.type}`);
  }
}
