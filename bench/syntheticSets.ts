/** Where the bench's synthetic datasets live, and generating them when missing. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MARKER_FILE, writeSyntheticDataset, type ImageMode } from '../src/core/synthetic/writeSyntheticDataset';

/** The repository root (bench runs from out/bench). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');
/** Parent folder of the synthetic sets (gitignored); VE_SYNTHETIC_DIR overrides it. */
export const SYNTHETIC_DIR = process.env.VE_SYNTHETIC_DIR ?? path.join(REPO_ROOT, '.synthetic');

/** One synthetic set the bench uses. */
export interface SyntheticSet {
  name: string;
  root: string;
  tiles: number;
  images: ImageMode;
}

export const FULL_SET: SyntheticSet = { name: 'full', root: path.join(SYNTHETIC_DIR, 'full'), tiles: 7033, images: 'render' };
export const SET_100K: SyntheticSet = { name: '100k', root: path.join(SYNTHETIC_DIR, '100k'), tiles: 100000, images: 'link' };

/** What the generator recorded about a finished set (its marker file), if any. */
export function readSetMarker(set: SyntheticSet): { seconds?: number; polygons?: number; tiles?: number; images?: string } | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(set.root, MARKER_FILE), 'utf8'));
  } catch {
    return undefined;
  }
}

/** Generates the set unless it is there with the same parameters; returns whether it was generated now and how long that took. */
export async function ensureSet(set: SyntheticSet): Promise<{ generatedNow: boolean; seconds: number }> {
  const r = await writeSyntheticDataset({
    out: set.root,
    tiles: set.tiles,
    images: set.images,
    log: (line) => process.stderr.write(`bench: synthetic ${set.name}: ${line}\n`),
  });
  return { generatedNow: !r.upToDate, seconds: r.upToDate ? (readSetMarker(set)?.seconds ?? NaN) : r.seconds };
}
