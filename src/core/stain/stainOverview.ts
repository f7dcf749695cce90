/**
 * The dashboard's stain data: per WSI and colour space, the five-number summary of the per-tile
 * channel means (a box per WSI), the tile ids behind each box, and a haematoxylin-vs-eosin scatter
 * of every measured tile. Plain data, posted to the webview as is.
 */
import { SPACE_CHANNELS, STAIN_SPACES, type StainSpace, type TileStainStats } from './tileStats';

/** [min, q1, median, q3, max] (numpy's linear percentiles). */
export type FiveNumbers = [number, number, number, number, number];

/** One WSI's box per channel. */
export interface StainWsiBoxes {
  /** source_wsi, or -1 for tiles without one. */
  wsi: number;
  tiles: number;
  ids: string[];
  channels: [FiveNumbers, FiveNumbers, FiveNumbers];
}

export interface DashboardStain {
  tiles: number;
  skipped: number;
  /** Skip reasons and how many tiles each. */
  skipReasons: { reason: string; tiles: number }[];
  spaces: Partial<Record<StainSpace, { channels: [string, string, string]; wsis: StainWsiBoxes[] }>>;
  /** HED means per tile: x = haematoxylin, y = eosin. */
  scatter: { id: string; wsi: number; h: number; e: number }[];
}

function fiveNumbers(v: number[]): FiveNumbers {
  const s = [...v].sort((a, b) => a - b);
  const q = (p: number) => {
    const pos = p * (s.length - 1), k = Math.floor(pos);
    return k + 1 < s.length ? s[k] + (s[k + 1] - s[k]) * (pos - k) : s[k];
  };
  return [s[0], q(0.25), q(0.5), q(0.75), s[s.length - 1]];
}

/** Builds the section's data from per-tile statistics. */
export function stainOverview(stats: readonly TileStainStats[]): DashboardStain {
  const used = stats.filter((t) => !t.skipped && t.spaces);
  const reasons = new Map<string, number>();
  for (const t of stats) if (t.skipped) reasons.set(t.skipped.replace(/^.*?: (?=[a-z])/, ''), (reasons.get(t.skipped.replace(/^.*?: (?=[a-z])/, '')) ?? 0) + 1);
  const byWsi = new Map<number, TileStainStats[]>();
  for (const t of used) {
    const k = t.wsi ?? -1;
    let g = byWsi.get(k);
    if (!g) byWsi.set(k, (g = []));
    g.push(t);
  }
  const keys = [...byWsi.keys()].sort((a, b) => (a < 0 ? 1 : b < 0 ? -1 : a - b));
  const spaces: DashboardStain['spaces'] = {};
  for (const s of STAIN_SPACES) {
    if (!used.some((t) => t.spaces?.[s])) continue;
    spaces[s] = {
      channels: SPACE_CHANNELS[s],
      wsis: keys.map((k) => {
        const g = byWsi.get(k)!.filter((t) => t.spaces?.[s]);
        return { wsi: k, tiles: g.length, ids: g.map((t) => t.id), channels: [0, 1, 2].map((c) => fiveNumbers(g.map((t) => t.spaces![s]!.mean[c]))) as StainWsiBoxes['channels'] };
      }).filter((w) => w.tiles > 0),
    };
  }
  const scatter = used.filter((t) => t.spaces?.HED).map((t) => ({ id: t.id, wsi: t.wsi ?? -1, h: t.spaces!.HED!.mean[0], e: t.spaces!.HED!.mean[1] }));
  return { tiles: used.length, skipped: stats.length - used.length, skipReasons: [...reasons].map(([reason, tiles]) => ({ reason, tiles })), spaces, scatter };
}
