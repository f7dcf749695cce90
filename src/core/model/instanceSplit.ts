/**
 * Splitting a semantic model's foreground into instances by marker-based watershed, so touching
 * vessels become separate instances instead of one connected component. Two sources of markers:
 * - a model channel (e.g. "blood_vessel_interior": each vessel shrunk away from its border):
 *   markers = connected components of channel >= markerThreshold inside the foreground; the flood
 *   runs over -channel;
 * - no channel: the Euclidean distance transform of the foreground; markers = the pixels of each
 *   foreground component at least markerFraction of that component's largest distance from the
 *   background (the cores of round parts), flood over -distance.
 * Foreground components that hold no marker stay whole (their connected component).
 */
import { distanceTransform, labelComponents, watershed, type ComponentLabels, type Connectivity } from '../geometry';

/** How a semantic foreground is split into instances (a contract's `instanceSplit`, or a post-processing option). */
export interface InstanceSplitOptions {
  /** 'watershed' splits; 'none' = connected components (turns off a contract's split). */
  method: 'watershed' | 'none';
  /** Name (from the contract's classNames) or index of the channel whose map gives markers and the flood surface; absent = distance transform. */
  channel?: string | number;
  /** Channel mode: marker pixels have channel value >= this (default 0.5). */
  markerThreshold?: number;
  /** Distance mode: marker pixels have distance >= this fraction of their component's largest distance (default 0.3). */
  markerFraction?: number;
  /** Markers with fewer pixels are dropped (default 20). */
  minMarkerArea?: number;
}

/** The defaults of the optional parts (distance mode's picked on the sample's ground truth: see test/unit/watershedSplit.test.ts). */
export const DEFAULT_SPLIT = Object.freeze({ markerThreshold: 0.5, markerFraction: 0.3, minMarkerArea: 20 });

/** Validates an instanceSplit JSON value; `where` names its file for messages. Throws Error with what to fix. */
export function parseInstanceSplit(v: unknown, where: string): InstanceSplitOptions {
  const bad = (what: string) => new Error(`${where}: "instanceSplit" ${what}, found ${JSON.stringify(v)}. Example: {"method": "watershed", "channel": "blood_vessel_interior"}.`);
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad('must be an object');
  const o = v as Record<string, unknown>;
  if (o.method !== 'watershed' && o.method !== 'none') throw bad('needs "method": "watershed" or "none"');
  const out: InstanceSplitOptions = { method: o.method };
  if (o.channel !== undefined) {
    if (!(typeof o.channel === 'string' || (Number.isInteger(o.channel) && (o.channel as number) >= 0))) throw bad('"channel" must be a class name or a channel index');
    out.channel = o.channel as string | number;
  }
  const unit = (key: 'markerThreshold' | 'markerFraction') => {
    if (o[key] === undefined) return;
    const x = o[key];
    if (typeof x !== 'number' || !(x > 0 && x < 1)) throw bad(`"${key}" must be a number between 0 and 1`);
    out[key] = x;
  };
  unit('markerThreshold');
  unit('markerFraction');
  if (o.minMarkerArea !== undefined) {
    if (!Number.isInteger(o.minMarkerArea) || (o.minMarkerArea as number) < 1) throw bad('"minMarkerArea" must be a positive integer');
    out.minMarkerArea = o.minMarkerArea as number;
  }
  return out;
}

/** The channel index a split names among the model's classes; undefined for distance mode. Throws when the name is unknown. */
export function splitChannelIndex(split: InstanceSplitOptions, classNames: readonly string[]): number | undefined {
  if (split.method !== 'watershed' || split.channel === undefined) return undefined;
  const k = typeof split.channel === 'number' ? split.channel : classNames.indexOf(split.channel);
  if (k < 0 || k >= classNames.length) throw new Error(`instanceSplit channel ${JSON.stringify(split.channel)} is not one of the model's channels [${classNames.join(', ')}]. Fix "instanceSplit.channel" in the model's contract.`);
  return k;
}

/** Labels (0 = background) of the foreground after the split; channelMap is required in channel mode. */
export function splitForeground(fg: Uint8Array, height: number, width: number, split: InstanceSplitOptions, connectivity: Connectivity, channelMap?: Float32Array): ComponentLabels {
  const n = height * width;
  const cc = labelComponents(fg, height, width, connectivity);
  if (split.method !== 'watershed' || cc.count === 0) return cc;
  let surface: Float32Array;
  const seeds = new Uint8Array(n);
  if (split.channel !== undefined) {
    if (!channelMap || channelMap.length !== n) throw new Error(`instanceSplit: the split channel's map is missing or has ${channelMap?.length ?? 0} values, expected ${n}`);
    const t = split.markerThreshold ?? DEFAULT_SPLIT.markerThreshold;
    surface = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      surface[i] = -channelMap[i];
      if (fg[i] && channelMap[i] >= t) seeds[i] = 1;
    }
  } else {
    const dist = distanceTransform(fg, height, width);
    const frac = split.markerFraction ?? DEFAULT_SPLIT.markerFraction;
    const peak = new Float32Array(cc.count + 1);
    for (let i = 0; i < n; i++) if (cc.labels[i] && dist[i] > peak[cc.labels[i]]) peak[cc.labels[i]] = dist[i];
    surface = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      surface[i] = -dist[i];
      if (cc.labels[i] && dist[i] >= frac * peak[cc.labels[i]]) seeds[i] = 1;
    }
  }
  const marks = labelComponents(seeds, height, width, connectivity);
  const minArea = split.minMarkerArea ?? DEFAULT_SPLIT.minMarkerArea;
  if (minArea > 1) {
    const area = new Int32Array(marks.count + 1);
    for (let i = 0; i < n; i++) area[marks.labels[i]]++;
    for (let i = 0; i < n; i++) if (marks.labels[i] && area[marks.labels[i]] < minArea) marks.labels[i] = 0;
  }
  const flooded = watershed(surface, marks.labels, height, width, { mask: fg, connectivity });
  // Components the flood did not reach keep their own label; then renumber 1..count in raster order.
  const offset = marks.count;
  const remap = new Int32Array(offset + cc.count + 1);
  const labels = new Int32Array(n);
  let count = 0;
  for (let i = 0; i < n; i++) {
    if (!fg[i]) continue;
    const raw = flooded[i] || offset + cc.labels[i];
    if (!remap[raw]) remap[raw] = ++count;
    labels[i] = remap[raw];
  }
  return { labels, count };
}
