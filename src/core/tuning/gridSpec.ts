/**
 * The sweep grid: `threshold=0.2:0.7:0.05 dilation=0,1,2 min-area=0,16,64 tta=none,flip,rot4
 * glomerulus=keep,remove` parsed with located errors, the cells it spans (in a fixed nested
 * order), and a cell as Predict settings or as CLI flags.
 */
import type { TtaTransform } from '../model';

/** Named TTA variants of the grid: the transforms whose un-transformed outputs are averaged. */
export const TTA_VARIANTS = {
  none: ['identity'],
  flip: ['identity', 'hflip', 'vflip', 'rot180'],
  rot4: ['identity', 'rot90', 'rot180', 'rot270'],
} as const satisfies Record<string, readonly TtaTransform[]>;
export type TtaVariant = keyof typeof TTA_VARIANTS;

/**
 * The vasculatureExplorer.predict.tta setting as a TTA variant: a variant's name ("none", "flip",
 * "rot4", as the sweep writes it) or, as before, true (the flip set) / false. Anything else: none.
 */
export function ttaVariantOfSetting(v: unknown): TtaVariant {
  if (v === true) return 'flip';
  return typeof v === 'string' && Object.prototype.hasOwnProperty.call(TTA_VARIANTS, v) ? (v as TtaVariant) : 'none';
}
export type GlomerulusOption = 'keep' | 'remove';

/** The values swept per parameter (every combination is one cell). */
export interface SweepGrid {
  /** Probability threshold (semantic) or minimum detection score (instance models). */
  threshold: number[];
  dilation: number[];
  minArea: number[];
  tta: TtaVariant[];
  glomerulus: GlomerulusOption[];
}

/** One combination of the grid. */
export interface CellParams {
  threshold: number;
  dilation: number;
  minArea: number;
  tta: TtaVariant;
  glomerulus: GlomerulusOption;
}

/** The default grid: 5 thresholds x 3 dilations x 3 minimum areas = 45 cells, no TTA, glomerulus removal on. */
export const DEFAULT_GRID: Readonly<SweepGrid> = Object.freeze({
  threshold: [0.3, 0.4, 0.5, 0.6, 0.7],
  dilation: [0, 1, 2],
  minArea: [0, 16, 64],
  tta: ['none'] as TtaVariant[],
  glomerulus: ['remove'] as GlomerulusOption[],
});

/** Most cells a grid may have. */
export const MAX_CELLS = 5000;

/** A grid spec error: which token, at which column of the spec, and what to do. */
export class GridSpecError extends Error {
  constructor(readonly token: string, readonly column: number, message: string) {
    super(`grid spec, "${token}" (column ${column}): ${message}`);
    this.name = 'GridSpecError';
  }
}

const PARAMS = ['threshold', 'dilation', 'min-area', 'tta', 'glomerulus'] as const;
type ParamName = (typeof PARAMS)[number];

const round6 = (v: number) => Math.round(v * 1e6) / 1e6;

function numbers(value: string, token: string, column: number): number[] {
  const range = /^([^:]+):([^:]+):([^:]+)$/.exec(value);
  if (range) {
    const [a, b, s] = [range[1], range[2], range[3]].map(Number);
    if (![a, b, s].every(Number.isFinite)) throw new GridSpecError(token, column, `"${value}" is not start:end:step with three numbers`);
    if (s <= 0) throw new GridSpecError(token, column, `the step ${s} must be > 0`);
    if (a > b) throw new GridSpecError(token, column, `empty range: start ${a} is above end ${b}; write start:end:step with start <= end`);
    const out: number[] = [];
    for (let k = 0; ; k++) {
      const v = round6(a + k * s);
      if (v > b + 1e-9) break;
      out.push(v);
      if (out.length > MAX_CELLS) throw new GridSpecError(token, column, `more than ${MAX_CELLS} values; use a larger step`);
    }
    return out;
  }
  const parts = value.split(',');
  return parts.map((p) => {
    const n = Number(p.trim());
    if (p.trim() === '' || !Number.isFinite(n)) throw new GridSpecError(token, column, `"${p}" is not a number`);
    return n;
  });
}

function checkBounds(name: ParamName, values: number[], token: string, column: number): void {
  for (const v of values) {
    if (name === 'threshold' && !(v > 0 && v < 1)) throw new GridSpecError(token, column, `threshold ${v} is out of bounds: use values in (0, 1)`);
    if (name === 'dilation' && !(Number.isInteger(v) && v >= 0 && v <= 16)) throw new GridSpecError(token, column, `dilation ${v} is out of bounds: use whole pixels 0..16`);
    if (name === 'min-area' && !(Number.isInteger(v) && v >= 0 && v <= 262144)) throw new GridSpecError(token, column, `min-area ${v} is out of bounds: use whole pixels 0..262144`);
  }
}

/** Parses a grid spec (tokens `name=values`, space separated); parameters not named keep `base`'s values. */
export function parseGridSpec(spec: string | readonly string[], base: Readonly<SweepGrid> = DEFAULT_GRID): SweepGrid {
  const text = typeof spec === 'string' ? spec : spec.join(' ');
  const grid: SweepGrid = { threshold: [...base.threshold], dilation: [...base.dilation], minArea: [...base.minArea], tta: [...base.tta], glomerulus: [...base.glomerulus] };
  const seen = new Set<string>();
  const re = /\S+/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const token = m[0], column = m.index + 1;
    const eq = token.indexOf('=');
    if (eq <= 0) throw new GridSpecError(token, column, `expected name=values with a name among ${PARAMS.join(', ')}`);
    const name = token.slice(0, eq).toLowerCase().replace('_', '-') as ParamName;
    const value = token.slice(eq + 1);
    if (!PARAMS.includes(name)) throw new GridSpecError(token, column, `unknown parameter "${token.slice(0, eq)}"; the grid knows ${PARAMS.join(', ')}`);
    if (seen.has(name)) throw new GridSpecError(token, column, `${name} is given twice`);
    seen.add(name);
    if (value === '') throw new GridSpecError(token, column, `no values for ${name}`);
    if (name === 'tta') {
      const v = value.split(',');
      for (const t of v) if (!(t in TTA_VARIANTS)) throw new GridSpecError(token, column, `unknown TTA "${t}"; use ${Object.keys(TTA_VARIANTS).join(', ')}`);
      grid.tta = [...new Set(v)] as TtaVariant[];
    } else if (name === 'glomerulus') {
      const v = value.split(',');
      for (const t of v) if (t !== 'keep' && t !== 'remove') throw new GridSpecError(token, column, `glomerulus "${t}" is neither keep nor remove`);
      grid.glomerulus = [...new Set(v)] as GlomerulusOption[];
    } else {
      const v = [...new Set(numbers(value, token, column))].sort((a, b) => a - b);
      checkBounds(name, v, token, column);
      if (name === 'threshold') grid.threshold = v;
      else if (name === 'dilation') grid.dilation = v;
      else grid.minArea = v;
    }
  }
  const n = cellCount(grid);
  if (n > MAX_CELLS) throw new GridSpecError(text, 1, `${n} cells is more than ${MAX_CELLS}; sweep fewer values`);
  return grid;
}

/** Number of cells of a grid. */
export function cellCount(g: Readonly<SweepGrid>): number {
  return g.threshold.length * g.dilation.length * g.minArea.length * g.tta.length * g.glomerulus.length;
}

/** Index of a cell: tta outermost, then threshold, dilation, min-area, glomerulus innermost. */
export function cellIndex(g: Readonly<SweepGrid>, ti: number, hi: number, di: number, mi: number, gi: number): number {
  return (((ti * g.threshold.length + hi) * g.dilation.length + di) * g.minArea.length + mi) * g.glomerulus.length + gi;
}

/** Every cell of a grid in cellIndex order. */
export function gridCells(g: Readonly<SweepGrid>): CellParams[] {
  const out: CellParams[] = [];
  for (const tta of g.tta) for (const threshold of g.threshold) for (const dilation of g.dilation) for (const minArea of g.minArea) for (const glomerulus of g.glomerulus) out.push({ threshold, dilation, minArea, tta, glomerulus });
  return out;
}

/** The grid as a spec string (parseGridSpec gives it back). */
export function gridSpecText(g: Readonly<SweepGrid>): string {
  return `threshold=${g.threshold.join(',')} dilation=${g.dilation.join(',')} min-area=${g.minArea.join(',')} tta=${g.tta.join(',')} glomerulus=${g.glomerulus.join(',')}`;
}

/** A cell as `vasculature-explorer predict` flags (`--tta` there is the flip set; rot4 has no flag and says so). */
export function cellCliFlags(c: CellParams, kind: 'semantic' | 'instance' | 'yolov8-seg' = 'semantic'): string {
  const f = [kind === 'semantic' ? `--threshold ${c.threshold}` : `--score-threshold ${c.threshold}`, `--min-area ${c.minArea}`, `--dilation ${c.dilation}`];
  if (c.tta === 'flip') f.push('--tta');
  if (c.glomerulus === 'keep') f.push('--keep-glomerulus');
  if (c.tta === 'rot4') f.push('# rot4 TTA: no predict flag; set vasculatureExplorer.predict.tta to "rot4"');
  return f.join(' ');
}

/** A cell's values as the PredictSettings fields they set (threshold goes to scoreThreshold for instance models). */
export function cellPredictSettings(c: CellParams, kind: 'semantic' | 'instance' | 'yolov8-seg'): { threshold?: number; scoreThreshold?: number; minArea: number; dilation: number; tta: TtaTransform[]; removeInsideGlomerulus: boolean } {
  return {
    ...(kind === 'semantic' ? { threshold: c.threshold } : { scoreThreshold: c.threshold }),
    minArea: c.minArea,
    dilation: c.dilation,
    tta: c.tta === 'none' ? [] : [...TTA_VARIANTS[c.tta]],
    removeInsideGlomerulus: c.glomerulus === 'remove',
  };
}

/** A short label of a cell, e.g. "t 0.5 · dil 1 · min 16 · tta none · glom remove". */
export function cellLabel(c: CellParams): string {
  return `t ${c.threshold} · dil ${c.dilation} · min ${c.minArea} · tta ${c.tta} · glom ${c.glomerulus}`;
}
