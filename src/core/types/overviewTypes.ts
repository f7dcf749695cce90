/** Plain data types of the Dataset Overview (what the host sends the webview); no runtime imports, so the browser bundle can use them. */
import type { ClassName, Severity } from './types';

/** Every chart of the panel. */
export const CHART_IDS = ['tilesPerWsi', 'classByDataset', 'classByWsi', 'tilesWithClass', 'areaHist', 'vesselsPerTile', 'vesselFraction'] as const;
export type ChartId = (typeof CHART_IDS)[number];

/** A colour named by role; the webview resolves it to a --vscode-* variable at draw time. */
export type ColorRef = `class:${ClassName}` | `dataset:${string}`;

/** One series of a bar chart. */
export interface ChartSeries {
  label: string;
  color: ColorRef;
  /** 1 = solid; lower = lighter shade of the same colour (tile states). */
  shade: number;
  /** Bars with the same stack are stacked. */
  stack?: string;
  /** What the series stands for, to turn a click into a filter. */
  dataset?: number;
  cls?: ClassName;
  values: number[];
}

/** One bar chart: categories on x, one value per category per series. */
export interface BarChart {
  id: ChartId;
  title: string;
  xTitle: string;
  yTitle: string;
  labels: string[];
  /** The key behind each label: a WSI, a dataset (-1: none) or a bin index. */
  keys: number[];
  series: ChartSeries[];
  /** Whether the "share" toggle applies (distributions). */
  distribution: boolean;
  /** What a click on a bar does, in words. */
  clickHint: string;
}

/** Tiles of one WSI at their pixel offsets, columnar for a small payload. */
export interface SlideMapWsi {
  wsi: number;
  ids: string[];
  i: number[];
  j: number[];
  vessels: number[];
  dataset: number[];
  /** 0 annotated, 1 not annotated, 2 image missing. */
  state: number[];
}

/** One row of the WSI metadata table; hasRow false for a WSI absent from wsi_meta.csv. */
export interface WsiMetaRow {
  wsi: number;
  tiles: number;
  hasRow: boolean;
  age?: number;
  sex?: string;
  race?: string;
  height?: number;
  weight?: number;
  bmi?: number;
}

/** Problems of one code, for the Problems-panel links. */
export interface ProblemGroup {
  code: string;
  severity: Severity;
  /** Findings (problems) reported. */
  problems: number;
  /** Cases they stand for (grouped problems count each case). */
  cases: number;
  /** The first problem's message, as an example. */
  example: string;
}

export const QUALITY_KEYS = ['duplicates', 'border', 'overlaps', 'noVessel'] as const;
export type QualityKey = (typeof QUALITY_KEYS)[number];

export interface QualityItem {
  key: QualityKey;
  label: string;
  polygons: number;
  tiles: number;
}

export interface DashboardData {
  /** Folder name of the dataset (display only). */
  name: string;
  totals: { tiles: number; annotated: number; notAnnotated: number; imageMissing: number; polygons: number; wsis: number };
  charts: BarChart[];
  slideMap: SlideMapWsi[];
  wsiMeta: WsiMetaRow[];
  problems: ProblemGroup[];
  quality: QualityItem[];
  /** Width of the vessels-per-tile bins. */
  vesselBinWidth: number;
  /** Milliseconds of the polygon pass and of the aggregation. */
  timing: { polygonPassMs: number; aggregateMs: number };
}
