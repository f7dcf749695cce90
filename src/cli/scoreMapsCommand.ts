/** `vasculature-explorer score-maps <folder> [--json]`: the training program's validation maps scored with the product's post-processing and AP@0.6. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseInstanceSplit, type PostprocessOptions } from '../core/model';
import { scoreProbabilityMaps, type ScoreMapTile } from '../core/training';
import type { CliIO } from './validateCommand';
import { errorText } from './cliText';

export const SCORE_MAPS_USAGE = `usage: vasculature-explorer score-maps <folder> [--json]
  <folder>/maps.json: {"postprocess": {"threshold"?, "minArea"?, "split"?}, "iouThreshold"?: 0.6,
    "tiles": [{"id", "height", "width", "probability": "<file>", "split"?: "<file>", "groundTruth": "<file>"}]}
  probability/split files: float32 little-endian, row-major; groundTruth: uint16 little-endian instance labels`;

/** Reads a raw little-endian file of `n` values. */
function readRaw<T extends Float32Array | Uint16Array>(file: string, n: number, make: (b: ArrayBuffer) => T, bytes: number): T {
  const buf = fs.readFileSync(file);
  if (buf.length !== n * bytes) throw new Error(`${file}: ${buf.length} bytes, expected ${n * bytes} (${n} values of ${bytes} bytes)`);
  const copy = new ArrayBuffer(buf.length);
  new Uint8Array(copy).set(buf);
  return make(copy);
}

/** Run score-maps; prints the score (JSON with --json); exit 2 for usage or a malformed folder. */
export async function scoreMapsCommand(args: string[], io: CliIO): Promise<number> {
  const positional = args.filter((a) => !a.startsWith('--'));
  if (positional.length !== 1) {
    io.err(SCORE_MAPS_USAGE);
    return 2;
  }
  const dir = path.resolve(positional[0]);
  const specFile = path.join(dir, 'maps.json');
  let spec: { postprocess?: Record<string, unknown>; iouThreshold?: number; tiles?: Array<Record<string, unknown>> };
  try {
    spec = JSON.parse(fs.readFileSync(specFile, 'utf8'));
  } catch (e) {
    io.err(`vasculature-explorer score-maps: cannot read ${specFile} (${errorText(e)}).\n${SCORE_MAPS_USAGE}`);
    return 2;
  }
  if (!Array.isArray(spec.tiles)) {
    io.err(`vasculature-explorer score-maps: ${specFile} has no "tiles" array.\n${SCORE_MAPS_USAGE}`);
    return 2;
  }
  const pp = spec.postprocess ?? {};
  const options: Partial<PostprocessOptions> = {};
  if (typeof pp.threshold === 'number') options.threshold = pp.threshold;
  if (typeof pp.minArea === 'number') options.minArea = pp.minArea;
  if (typeof pp.dilation === 'number') options.dilation = pp.dilation;
  if (pp.split !== undefined) options.split = parseInstanceSplit(pp.split, `${specFile} postprocess`);
  const tiles: ScoreMapTile[] = spec.tiles.map((t, k) => {
    const where = `${specFile} tiles[${k}]`;
    const h = t.height, w = t.width;
    if (typeof t.id !== 'string' || !Number.isInteger(h) || !Number.isInteger(w) || typeof t.probability !== 'string' || typeof t.groundTruth !== 'string') throw new Error(`${where}: needs id, height, width, probability and groundTruth`);
    const n = (h as number) * (w as number);
    const at = (f: string) => path.resolve(dir, f);
    return {
      id: t.id, height: h as number, width: w as number,
      probability: readRaw(at(t.probability), n, (b) => new Float32Array(b), 4),
      ...(typeof t.split === 'string' ? { split: readRaw(at(t.split), n, (b) => new Float32Array(b), 4) } : {}),
      groundTruth: readRaw(at(t.groundTruth), n, (b) => new Uint16Array(b), 2),
    };
  });
  const score = scoreProbabilityMaps(tiles, options, typeof spec.iouThreshold === 'number' ? spec.iouThreshold : 0.6);
  if (args.includes('--json')) io.out(JSON.stringify(score));
  else io.out(`AP@${spec.iouThreshold ?? 0.6} ${score.ap.toFixed(4)} (TP ${score.tp}, FP ${score.fp}, FN ${score.fn} of ${score.numGt}); pixel Dice ${score.dice.toFixed(4)} over ${score.tiles} tiles`);
  return 0;
}
