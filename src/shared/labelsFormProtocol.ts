/**
 * The "Prepare Training Data" form webview's protocol: the form's values, typed messages each way,
 * and the validator every message from the webview goes through (it is untrusted input).
 */

export const FORMAT_KEYS = ['masks', 'label', 'instances', 'yolo', 'coco'] as const;
export const FOLD_KEYS = ['kfold', 'group-wsi', 'halves', 'share', 'lowo'] as const;
export const STRATIFY_KEYS = ['none', 'dataset', 'vesselBins', 'classPresence', 'wsi'] as const;

/** What the form edits (the CLI's options, one field each). */
export interface LabelsFormValues {
  datasets: number[];
  classes: ('blood_vessel' | 'glomerulus')[];
  unsure: 'drop' | 'class' | 'ignore';
  dedupe: 'none' | 'dataset2' | 'all';
  formats: (typeof FORMAT_KEYS)[number][];
  maskValue: 1 | 255;
  images: 'link' | 'copy' | 'png';
  folds: (typeof FOLD_KEYS)[number];
  k: number;
  seed: number;
  stratify: (typeof STRATIFY_KEYS)[number];
  share: number;
  /** Only the tiles of the tile browser's filter. */
  useFilter: boolean;
  out: string;
  /** Context tiles: px of padding from the WSI neighbours (0 = none), what fills a missing neighbour, and the 256-px shifted tiles. */
  contextPad?: number;
  contextFill?: 'reflect' | 'zero';
  shifted?: boolean;
}

/** A preset: a label and the values it sets. */
export interface FormPreset { id: string; label: string; values: Partial<LabelsFormValues> }

// ---- host -> webview ------------------------------------------------------------------------
/** The form's starting values, the presets and what the dataset holds. */
export interface InitMessage { type: 'init'; values: LabelsFormValues; presets: FormPreset[]; dataset: string; /** The tile browser's filter, when one is set. */ filter?: { description: string; tiles: number } }
/** The output folder picked with Browse… */
export interface OutMessage { type: 'out'; out: string }
/** A run started or ended; text says how it ended. */
export interface RunStateMessage { type: 'runState'; running: boolean; text?: string; ok?: boolean }
/** A request the webview answers with a ResponseMessage (tests fill and submit through the form's own controls). */
export interface RequestMessage { type: 'request'; id: number; request: FormRequest }
export type ToFormWebview = InitMessage | OutMessage | RunStateMessage | RequestMessage;

export type FormRequest =
  /** Set the controls to these values (as a person would). */
  | { kind: 'fill'; values: Partial<LabelsFormValues> }
  /** Click the Prepare button. */
  | { kind: 'submit' }
  /** Report the values the controls hold. */
  | { kind: 'snapshot' };

// ---- webview -> host ------------------------------------------------------------------------
export interface ReadyMessage { type: 'ready' }
/** Run with these values. */
export interface SubmitMessage { type: 'submit'; values: LabelsFormValues }
/** Choose the output folder. */
export interface BrowseMessage { type: 'browse' }
export interface ResponseMessage { type: 'response'; inReplyTo: number; ok: boolean; result?: unknown; error?: string }
export type FromFormWebview = ReadyMessage | SubmitMessage | BrowseMessage | ResponseMessage;

type Check = { ok: true; message: FromFormWebview } | { ok: false; error: string };
const isInt = (v: unknown, lo: number, hi: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;
const subset = <T extends string | number>(v: unknown, allowed: readonly T[]): v is T[] => Array.isArray(v) && v.length <= allowed.length && v.every((x) => allowed.includes(x as T)) && new Set(v).size === v.length;
const oneOf = <T extends string | number>(v: unknown, allowed: readonly T[]): v is T => allowed.includes(v as T);

/** Validate the form values; the reason when they are not acceptable. */
export function validateFormValues(v: unknown): { ok: true; values: LabelsFormValues } | { ok: false; error: string } {
  if (typeof v !== 'object' || v === null) return { ok: false, error: 'values must be an object' };
  const o = v as Record<string, unknown>;
  if (!subset(o.datasets, [1, 2] as const) || o.datasets.length === 0) return { ok: false, error: 'datasets: choose 1 and/or 2' };
  if (!subset(o.classes, ['blood_vessel', 'glomerulus'] as const)) return { ok: false, error: 'classes: blood_vessel and/or glomerulus' };
  if (!oneOf(o.unsure, ['drop', 'class', 'ignore'] as const)) return { ok: false, error: 'unsure: drop, class or ignore' };
  if (!oneOf(o.dedupe, ['none', 'dataset2', 'all'] as const)) return { ok: false, error: 'dedupe: none, dataset2 or all' };
  if (!subset(o.formats, FORMAT_KEYS) || o.formats.length === 0) return { ok: false, error: 'formats: choose at least one' };
  if (!oneOf(o.maskValue, [1, 255] as const)) return { ok: false, error: 'mask value: 1 or 255' };
  if (!oneOf(o.images, ['link', 'copy', 'png'] as const)) return { ok: false, error: 'images: link, copy or png' };
  if (!oneOf(o.folds, FOLD_KEYS)) return { ok: false, error: 'folds: unknown scheme' };
  if (!isInt(o.k, 2, 50)) return { ok: false, error: 'number of folds: an integer 2..50' };
  if (!isInt(o.seed, -2147483648, 2147483647)) return { ok: false, error: 'seed: an integer' };
  if (!oneOf(o.stratify, STRATIFY_KEYS)) return { ok: false, error: 'stratify: unknown' };
  if (typeof o.share !== 'number' || !(o.share > 0 && o.share <= 0.5)) return { ok: false, error: 'share: a number in (0, 0.5]' };
  if (typeof o.useFilter !== 'boolean') return { ok: false, error: 'useFilter: a boolean' };
  if (typeof o.out !== 'string' || o.out.trim() === '' || o.out.length > 4096) return { ok: false, error: 'output folder: give a folder' };
  if (o.contextPad !== undefined && !isInt(o.contextPad, 0, 512)) return { ok: false, error: 'context padding: an integer 0..512 px' };
  if (o.contextFill !== undefined && !oneOf(o.contextFill, ['reflect', 'zero'] as const)) return { ok: false, error: 'missing neighbours: reflect or zero' };
  if (o.shifted !== undefined && typeof o.shifted !== 'boolean') return { ok: false, error: 'shifted tiles: a boolean' };
  const keys = ['datasets', 'classes', 'unsure', 'dedupe', 'formats', 'maskValue', 'images', 'folds', 'k', 'seed', 'stratify', 'share', 'useFilter', 'out', 'contextPad', 'contextFill', 'shifted'];
  if (Object.keys(o).some((k) => !keys.includes(k))) return { ok: false, error: 'values: unexpected fields' };
  return { ok: true, values: o as unknown as LabelsFormValues };
}

/** Validate a message from the form webview. */
export function validateFromFormWebview(msg: unknown): Check {
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return { ok: false, error: 'message is not an object' };
  const m = msg as Record<string, unknown>;
  switch (m.type) {
    case 'ready':
    case 'browse':
      return Object.keys(m).length === 1 ? { ok: true, message: { type: m.type } } : { ok: false, error: `${m.type}: unexpected fields` };
    case 'submit': {
      const v = validateFormValues(m.values);
      return v.ok ? { ok: true, message: { type: 'submit', values: v.values } } : { ok: false, error: `submit: ${v.error}` };
    }
    case 'response':
      if (!isInt(m.inReplyTo, 0, 1e9) || typeof m.ok !== 'boolean') return { ok: false, error: 'response: needs inReplyTo and ok' };
      return { ok: true, message: { type: 'response', inReplyTo: m.inReplyTo, ok: m.ok, result: m.result, ...(typeof m.error === 'string' ? { error: m.error } : {}) } };
    default:
      return { ok: false, error: `unknown message type ${typeof m.type === 'string' ? JSON.stringify(m.type.slice(0, 40)) : typeof m.type}` };
  }
}

export { RequestReply as FormRequests } from './requestReply';
