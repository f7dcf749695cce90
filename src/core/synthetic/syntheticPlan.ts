/**
 * The tile plan of a synthetic dataset: which tiles exist, their WSI, dataset and pixel offset,
 * following the real competition's WSI x dataset table (shared/docs/hhv-dataset.md).
 *
 * Scaling: for --tiles N every cell of the table is scaled by N / 7033 (largest-remainder
 * rounding, so the total is exactly N). Larger sets therefore keep the same 13 WSIs and put more
 * tiles on each (a WSI simply grows); dataset and class proportions stay those of the real data.
 */
import { createRng, Rng, shuffleInPlace } from './prng';

/** Tiles of the real dataset. */
export const REAL_TILE_COUNT = 7033;
/** The id of the public test tile; it is not in tile_meta.csv. */
export const TEST_TILE_ID = '72e40acccadf';

/** Real tiles per [wsi, dataset] (shared/docs/hhv-dataset.md). */
export const REAL_WSI_TABLE: ReadonlyArray<{ wsi: number; dataset: number; tiles: number }> = [
  { wsi: 1, dataset: 1, tiles: 270 },
  { wsi: 1, dataset: 2, tiles: 237 },
  { wsi: 2, dataset: 1, tiles: 152 },
  { wsi: 2, dataset: 2, tiles: 293 },
  { wsi: 3, dataset: 2, tiles: 410 },
  { wsi: 4, dataset: 2, tiles: 271 },
  ...[6, 7, 8, 9, 10, 11, 12, 13, 14].map((wsi) => ({ wsi, dataset: 3, tiles: 600 })),
];

/** Pixel offsets (i, j) mod 512 of the off-grid WSIs, as in the real tile_meta.csv. */
const OFF_GRID: Record<number, [number, number]> = { 10: [96, 472], 11: [469, 17], 14: [11, 417] };
/** WSI 2: 287 of its 445 tiles sit on a grid shifted by (0, 36); 21 pairs overlap. */
const WSI2_SHIFT: [number, number] = [0, 36];
const WSI2_SHIFTED_FRACTION = 287 / 445;
const WSI2_OVERLAP_PAIRS = 21;

/** One planned tile. */
export interface PlannedTile {
  id: string;
  wsi: number;
  dataset: number;
  i: number;
  j: number;
}

/** Splits `total` over `weights` proportionally with largest-remainder rounding (sum is exact). */
export function apportion(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (sum > 0 ? (total * w) / sum : 0));
  const out = exact.map(Math.floor);
  let left = total - out.reduce((a, b) => a + b, 0);
  const order = exact.map((e, k) => ({ k, r: e - Math.floor(e) })).sort((a, b) => b.r - a.r || a.k - b.k);
  for (let n = 0; left > 0; n = (n + 1) % order.length, left--) out[order[n].k]++;
  return out;
}

/** Deterministic unique 12-hex-char ids (never the test tile id). */
export function makeIds(count: number, seed: number): string[] {
  const rng = createRng(seed, 'ids');
  const seen = new Set<string>([TEST_TILE_ID]);
  const ids: string[] = [];
  while (ids.length < count) {
    const id = rng.u32().toString(16).padStart(8, '0') + (rng.u32() & 0xffff).toString(16).padStart(4, '0');
    if (!seen.has(id)) {
      seen.add(id);
      ids.push(id);
    }
  }
  return ids;
}

/** Picks `count` distinct cells of a `cols`-wide grid, rows starting at `row0`, row-major over a shuffled ~70%-dense region. */
function pickCells(count: number, cols: number, row0: number, rng: Rng): Array<[number, number]> {
  const rows = Math.max(1, Math.ceil(count / (cols * 0.7)));
  const cells: Array<[number, number]> = [];
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) cells.push([c, row0 + r]);
  return shuffleInPlace(cells, rng).slice(0, count);
}

/** Plans the tiles of one WSI: [i, j] offsets for `count` tiles. */
function planWsiOffsets(wsi: number, count: number, rng: Rng): Array<[number, number]> {
  const cols = Math.max(2, Math.ceil(Math.sqrt(count * 0.8)));
  const base: [number, number] = [rng.int(8) + 2, rng.int(16) + 4]; // tissue does not start at the slide corner
  const at = (c: number, r: number, off: [number, number]): [number, number] => [
    (base[0] + c) * 512 + off[0],
    (base[1] + r) * 512 + off[1],
  ];
  if (wsi !== 2) {
    const off = OFF_GRID[wsi] ?? [0, 0];
    return pickCells(count, cols, 0, rng).map(([c, r]) => at(c, r, off));
  }
  // WSI 2: an on-grid block above a block shifted 36 px down. A few shifted tiles are moved onto
  // an on-grid cell (c, r) whose cell below (c, r + 1) is empty: such a tile overlaps exactly one
  // tile (the on-grid one, same i, j 36 px apart), so overlapping pairs = moved tiles.
  const shifted = Math.round(count * WSI2_SHIFTED_FRACTION);
  const onGrid = count - shifted;
  const gridCells = pickCells(onGrid, cols, 0, rng);
  const taken = new Set(gridCells.map(([c, r]) => `${c},${r}`));
  const lastRow = gridCells.reduce((m, [, r]) => Math.max(m, r), 0);
  const shiftedCells = pickCells(shifted, cols, lastRow + 1, rng);
  const candidates = shuffleInPlace(gridCells.filter(([c, r]) => !taken.has(`${c},${r + 1}`)), rng);
  const overlaps = Math.min(Math.round((WSI2_OVERLAP_PAIRS * count) / 445), candidates.length, shiftedCells.length);
  for (let k = 0; k < overlaps; k++) shiftedCells[k] = candidates[k];
  return [...gridCells.map(([c, r]) => at(c, r, [0, 0])), ...shiftedCells.map(([c, r]) => at(c, r, WSI2_SHIFT))];
}

/** Plans `tiles` tiles (ids sorted, like the real tile_meta.csv). */
export function planTiles(tiles: number, seed: number): PlannedTile[] {
  const perCell = apportion(tiles, REAL_WSI_TABLE.map((c) => c.tiles));
  const ids = makeIds(tiles, seed);
  const rng = createRng(seed, 'layout');
  const out: PlannedTile[] = [];
  const wsis = [...new Set(REAL_WSI_TABLE.map((c) => c.wsi))];
  let next = 0;
  for (const wsi of wsis) {
    const cells = REAL_WSI_TABLE.map((c, k) => ({ ...c, n: perCell[k] })).filter((c) => c.wsi === wsi);
    const total = cells.reduce((a, c) => a + c.n, 0);
    const offsets = planWsiOffsets(wsi, total, rng);
    // Datasets are mixed over the WSI's tissue, as in WSIs 1 and 2.
    const datasets = shuffleInPlace(cells.flatMap((c) => new Array<number>(c.n).fill(c.dataset)), rng);
    offsets.forEach(([i, j], k) => out.push({ id: ids[next++], wsi, dataset: datasets[k], i, j }));
  }
  return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
