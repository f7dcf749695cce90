/**
 * Every cap that keeps a hostile or broken file from costing unbounded memory or time, with its
 * default, its unit and the setting that raises it. The extension copies the user's
 * vasculatureExplorer.limits.* settings in with setLimits(); the CLI does the same from
 * --limit name=value. Core functions read the current values with limits().
 */

/** The capped quantities. */
export interface Limits {
  /** Size of a file read whole (submission.csv, tile_meta.csv, wsi_meta.csv, COCO JSON), bytes. */
  submissionFileBytes: number;
  /** One mask's inflated counts string, bytes (a full 512x512 mask needs < 1 MB). */
  maskInflatedBytes: number;
  /** All masks of one submission row, inflated, bytes. */
  submissionRowInflatedBytes: number;
  /** One polygons.jsonl line, bytes. */
  polygonsLineBytes: number;
  /** Points of one polygon ring. */
  pointsPerPolygon: number;
  /** TIFF directories (pages / pyramid levels) looked at. */
  tiffLevels: number;
  /** Bytes of TIFF directory entries read while walking the IFD chain. */
  tiffHeaderBytes: number;
  /** Pixels decoded in one go from one image. */
  imagePixels: number;
  /** ONNX model file size, bytes. */
  modelFileBytes: number;
  /** Bytes of all output tensors of one model run. */
  outputTensorBytes: number;
  /** Side of a model input stated by a contract (inputSize, sizeMultiple), px. */
  modelInputSide: number;
}

/** Name, unit and setting of each cap: what a refusal message quotes. */
export interface LimitInfo {
  /** vasculatureExplorer.<setting>, in the unit the setting uses. */
  setting: string;
  /** CLI spelling: --limit <cli>=<value>. */
  cli: string;
  /** Bytes per setting unit (1 for counts). */
  unit: number;
  unitName: string;
  what: string;
}

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  submissionFileBytes: 256 << 20,
  maskInflatedBytes: 1 << 20,
  submissionRowInflatedBytes: 64 << 20,
  polygonsLineBytes: 16 << 20,
  pointsPerPolygon: 100_000,
  tiffLevels: 64,
  tiffHeaderBytes: 4 << 20,
  imagePixels: 4096 * 4096,
  modelFileBytes: 2048 * 1024 * 1024,
  outputTensorBytes: 1024 << 20,
  modelInputSide: 4096,
});

const MiB = 1 << 20;
const KiB = 1 << 10;

export const LIMIT_INFO: Readonly<Record<keyof Limits, LimitInfo>> = {
  submissionFileBytes: { setting: 'limits.submissionFileMiB', cli: 'submissionFileMiB', unit: MiB, unitName: 'MiB', what: 'size of a CSV or JSON file read whole (submission, tile_meta, wsi_meta, COCO)' },
  maskInflatedBytes: { setting: 'limits.maskInflatedKiB', cli: 'maskInflatedKiB', unit: KiB, unitName: 'KiB', what: 'inflated size of one mask' },
  submissionRowInflatedBytes: { setting: 'limits.submissionRowInflatedMiB', cli: 'submissionRowInflatedMiB', unit: MiB, unitName: 'MiB', what: 'inflated size of one submission row' },
  polygonsLineBytes: { setting: 'limits.polygonsLineMiB', cli: 'polygonsLineMiB', unit: MiB, unitName: 'MiB', what: 'length of one polygons.jsonl line' },
  pointsPerPolygon: { setting: 'limits.pointsPerPolygon', cli: 'pointsPerPolygon', unit: 1, unitName: 'points', what: 'points of one polygon' },
  tiffLevels: { setting: 'limits.tiffLevels', cli: 'tiffLevels', unit: 1, unitName: 'levels', what: 'TIFF pages/levels' },
  tiffHeaderBytes: { setting: 'limits.tiffHeaderKiB', cli: 'tiffHeaderKiB', unit: KiB, unitName: 'KiB', what: 'TIFF directory bytes' },
  imagePixels: { setting: 'limits.imageMegapixels', cli: 'imageMegapixels', unit: 1 << 20, unitName: 'Mpx', what: 'pixels decoded from one image' },
  modelFileBytes: { setting: 'limits.modelFileMiB', cli: 'modelFileMiB', unit: MiB, unitName: 'MiB', what: 'ONNX model file size' },
  outputTensorBytes: { setting: 'limits.outputTensorMiB', cli: 'outputTensorMiB', unit: MiB, unitName: 'MiB', what: 'output tensor bytes of one model run' },
  modelInputSide: { setting: 'limits.modelInputSide', cli: 'modelInputSide', unit: 1, unitName: 'px', what: 'model input side stated by a contract' },
};

let current: Limits = { ...DEFAULT_LIMITS };

/** Environment variable that hands the caps to a child process (the inference worker) as JSON. */
export const LIMITS_ENV = 'VASCULATURE_EXPLORER_LIMITS';

/** In a child process: takes the caps its parent put in LIMITS_ENV (nothing when absent or not JSON). */
export function limitsFromEnvironment(env: Record<string, string | undefined>): void {
  const raw = env[LIMITS_ENV];
  if (!raw) return;
  try {
    setLimits(JSON.parse(raw) as Partial<Limits>);
  } catch {
    // keep the defaults
  }
}

/** The caps in force. */
export function limits(): Readonly<Limits> {
  return current;
}

/** Replaces the caps in force (missing or invalid values fall back to the defaults). */
export function setLimits(partial: Partial<Limits>): void {
  const next: Limits = { ...DEFAULT_LIMITS };
  for (const k of Object.keys(DEFAULT_LIMITS) as (keyof Limits)[]) {
    const v = partial[k];
    if (typeof v === 'number' && Number.isFinite(v) && v > 0) next[k] = Math.floor(v);
  }
  current = next;
}

/** Limits from setting values in their setting units (e.g. { 'limits.polygonsLineMiB': 32 }), keyed by LIMIT_INFO.setting or .cli. */
export function limitsFromSettings(get: (settingOrCli: string) => unknown, byCli = false): Partial<Limits> {
  const out: Partial<Limits> = {};
  for (const k of Object.keys(LIMIT_INFO) as (keyof Limits)[]) {
    const info = LIMIT_INFO[k];
    const v = Number(get(byCli ? info.cli : info.setting));
    if (Number.isFinite(v) && v > 0) out[k] = v * info.unit;
  }
  return out;
}

/** A cap in its setting's unit, for messages: "16 MiB". */
export function formatLimit(k: keyof Limits, value = current[k]): string {
  const info = LIMIT_INFO[k];
  const v = value / info.unit;
  return `${Number.isInteger(v) ? v : v.toFixed(2)} ${info.unitName}`;
}

/** The refusal's tail: which cap and how to raise it. */
export function raiseHint(k: keyof Limits): string {
  const info = LIMIT_INFO[k];
  return `the ${info.what} cap is ${formatLimit(k)}; raise it with the setting vasculatureExplorer.${info.setting} (CLI: --limit ${info.cli}=<${info.unitName}>) if the file is trusted`;
}

/** A refusal: code 'limit-exceeded' and which cap. */
export class LimitExceededError extends Error {
  override name = 'LimitExceededError';
  constructor(readonly limit: keyof Limits, message: string) {
    super(message);
  }
}
