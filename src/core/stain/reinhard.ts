/**
 * Reinhard colour normalisation as StainTools does it: OpenCV 8-bit LAB mapped to L / 2.55, a - 128,
 * b - 128; each channel's mean and std moved onto the target's; back x 2.55 / + 128, clipped to
 * 0..255, truncated to uint8, LAB -> RGB. The target is a tile's LAB statistics, or a WSI's or the
 * dataset's (mean of the per-tile means and of the per-tile stds).
 */
import { labCvToRgb, rgbToLabCv } from './opencvLab';
import { asRgba, type StainResult } from './randStainNa';
import type { SpaceAggregate } from './aggregate';
import { statsOfBytes, unusableReason, type ChannelStats, type RgbPixels } from './tileStats';

/** A Reinhard target: per-channel mean and std in OpenCV 8-bit LAB (L 0..255, a and b offset by 128). */
export interface ReinhardTarget {
  mean: [number, number, number];
  std: [number, number, number];
}

/** A WSI's or the dataset's LAB aggregate as a Reinhard target: mean of the per-tile means and stds. */
export function reinhardTargetFromAggregate(lab: SpaceAggregate): ReinhardTarget {
  const c = lab.channels;
  return { mean: [c[0].avg.mean, c[1].avg.mean, c[2].avg.mean], std: [c[0].std.mean, c[1].std.mean, c[2].std.mean] };
}

/** A tile's own LAB statistics as a Reinhard target. */
export function reinhardTargetOf(px: RgbPixels): ReinhardTarget {
  const s: ChannelStats = statsOfBytes(rgbToLabCv(px.data, px.channels));
  return { mean: s.mean, std: s.std };
}

const SCALE = [2.55, 1, 1];
const OFFSET = [0, 128, 128];

/** Reinhard-normalises a picture onto the target; a flat channel leaves it unchanged with the reason. */
export function reinhardNormalise(px: RgbPixels, target: ReinhardTarget): StainResult {
  const { width, height } = px;
  const bad = unusableReason(px);
  if (bad) return { width, height, data: asRgba(px), applied: false, reason: `left unchanged: ${bad}` };
  const lab = rgbToLabCv(px.data, px.channels);
  const s = statsOfBytes(lab);
  const flat = [0, 1, 2].find((c) => !(s.std[c] > 0));
  if (flat !== undefined) return { width, height, data: asRgba(px), applied: false, reason: `left unchanged: LAB channel ${'LAB'[flat]} is flat (std 0), Reinhard would divide by zero` };
  const lut = new Uint8Array(768);
  for (let c = 0; c < 3; c++) {
    const m = (s.mean[c] - OFFSET[c]) / SCALE[c], sd = s.std[c] / SCALE[c];
    const tm = (target.mean[c] - OFFSET[c]) / SCALE[c], ts = target.std[c] / SCALE[c];
    for (let v = 0; v < 256; v++) {
      const x = ((v - OFFSET[c]) / SCALE[c] - m) * (ts / sd) + tm;
      const y = x * SCALE[c] + OFFSET[c];
      lut[c * 256 + v] = y <= 0 || Number.isNaN(y) ? 0 : y >= 255 ? 255 : Math.trunc(y);
    }
  }
  for (let i = 0; i < lab.length; i += 3) {
    lab[i] = lut[lab[i]];
    lab[i + 1] = lut[256 + lab[i + 1]];
    lab[i + 2] = lut[512 + lab[i + 2]];
  }
  return { width, height, data: labCvToRgb(lab, 4), applied: true, target: { space: 'LAB', mean: target.mean, std: target.std } };
}
