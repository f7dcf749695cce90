/** The strata a stratified fold scheme balances: dataset, vessel-count bins, class presence, WSI. */
import type { FoldTile, Stratify } from './foldTypes';

/** Upper bounds (inclusive) of the vessel-count bins: 0, 1-2, 3-5, 6-10, 11-20, 21+. */
export const VESSEL_BINS = [0, 2, 5, 10, 20] as const;

/** The vessel-count bin label of a count. */
export function vesselBin(n: number): string {
  let lo = 0;
  for (const hi of VESSEL_BINS) {
    if (n <= hi) return lo === hi ? `${hi}` : `${lo}-${hi}`;
    lo = hi + 1;
  }
  return `${lo}+`;
}

/** The stratum label of a tile under a stratification. */
export function stratumOf(t: FoldTile, by: Stratify): string {
  switch (by) {
    case 'none': return '';
    case 'dataset': return `dataset ${t.dataset}`;
    case 'wsi': return `WSI ${t.wsi}`;
    case 'vesselBins': return `vessels ${vesselBin(t.vessels)}`;
    case 'classPresence': return t.classes.length ? [...t.classes].sort().join('+') : 'none';
  }
}
