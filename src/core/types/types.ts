/** Plain data types of the dataset index, shared by core, extension, CLI and webviews. */

/** The three annotation classes of the competition, in the product's fixed order. */
export const CLASS_NAMES = ['blood_vessel', 'glomerulus', 'unsure'] as const;
export type ClassName = (typeof CLASS_NAMES)[number];

/** One point [x, y]: x = column, y = row. */
export type Point = [number, number];
/** One ring of points, not explicitly closed. */
export type Ring = Point[];

/** One polygon annotation as read from polygons.jsonl. */
export interface Annotation {
  type: ClassName;
  /** The rings as written; in practice exactly one. */
  rings: Ring[];
  /** Absolute area (shoelace) of the first ring, in px. */
  area: number;
  /** 0-based position in its line's "annotations" list, when read back from polygons.jsonl. */
  index?: number;
}

/** Per-class counters. */
export type ClassCounts = Record<ClassName, number>;

/** Where a tile's data stands. */
export type TileState = 'annotated' | 'notAnnotated' | 'imageMissing';

/** One tile of tile_meta.csv (or a test/ image with no row). */
export interface TileRecord {
  id: string;
  /** source_wsi; undefined for a test tile that is not in tile_meta. */
  wsi?: number;
  /** dataset 1, 2 or 3; undefined when not in tile_meta. */
  dataset?: number;
  /** Pixel offset in the WSI (x). */
  i?: number;
  /** Pixel offset in the WSI (y). */
  j?: number;
  /** 1-based line in tile_meta.csv, when present there. */
  metaLine?: number;
  /** Path of the image relative to the dataset root ('train/<id>.tif'), when one exists. */
  image?: string;
  /** 'train' or 'test' when an image exists. */
  split?: 'train' | 'test';
  /** 1-based line in polygons.jsonl, when the tile has a line. */
  polygonsLine?: number;
  /** Byte offset and length of that line, to read the tile's polygons back alone. */
  polygonsOffset?: number;
  polygonsLength?: number;
  /** Number of polygons per class. */
  counts: ClassCounts;
  /** Total polygon area per class, px. */
  areas: ClassCounts;
  /** The per-polygon numbers of its polygons.jsonl line (computed by the index's one pass), when it has one. */
  polygonStats?: TilePolygonNumbers;
}

/** What the index's pass over one polygons.jsonl line learned for the Dataset Overview. */
export interface TilePolygonNumbers {
  /** Pixels covered by the union of its blood_vessel polygons (Pillow fill rule). */
  vesselPixels: number;
  /** Per class, a bit mask of the area bins its polygons fall in (bit k = bin k). */
  areaBins: Record<ClassName, number>;
  /** Polygons repeating an earlier polygon of the same class exactly. */
  duplicates: number;
  /** Polygons with a point on (or beyond) the tile border. */
  border: number;
  /** Blood vessels whose pixels overlap a glomerulus of the tile. */
  overlaps: number;
}

export type Severity = 'error' | 'warning' | 'info';

/** One located problem in the data. Line numbers are 1-based; 0 means the file as a whole. */
export interface Problem {
  /** Path relative to the dataset root, '/' separated. */
  file: string;
  line: number;
  /** 1-based column range on that line, where known. */
  column?: number;
  endColumn?: number;
  severity: Severity;
  /** Stable machine code, e.g. 'json-malformed'. */
  code: string;
  /** What is wrong and what to do. */
  message: string;
  /** For a grouped problem, how many cases it stands for. */
  count?: number;
}

export interface WsiMeta {
  wsi: number;
  age?: number;
  sex?: string;
  race?: string;
  height?: number;
  weight?: number;
  bmi?: number;
  line: number;
}

/** Aggregates for one WSI. */
export interface WsiSummary {
  tiles: number;
  byDataset: Record<string, number>;
  counts: ClassCounts;
}

/** The result of indexing one dataset folder. */
export interface DatasetIndex {
  /** Absolute root folder. */
  root: string;
  /** Tiles by id, in tile_meta order followed by test/ and orphan images. */
  tiles: Map<string, TileRecord>;
  problems: Problem[];
  wsiMeta: Map<number, WsiMeta>;
  /** Counts of what was read. */
  stats: {
    metaRows: number;
    trainImages: number;
    testImages: number;
    polygonLines: number;
    /** Tiles with a polygons line and an image. */
    annotatedTiles: number;
  };
  /** Per class, polygons per area bin (AREA_BIN_EDGES) over the lines the index kept; absent without polygons.jsonl. */
  areaHist?: Record<ClassName, number[]>;
  /** Which files existed, relative to root. */
  files: {
    polygons?: string;
    tileMeta?: string;
    wsiMeta?: string;
  };
}
