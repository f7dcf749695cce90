/**
 * Generates a synthetic HuBMAP-HHV-like dataset folder for benchmarks and the demo.
 * Usage: node out/scripts/generateSynthetic.js --out <folder> [--tiles 7033] [--seed 1] [--images render|link|none] [--pool 64]
 * --tiles N scales every WSI x dataset cell and every class count by N / 7033: the same 13 WSIs, more
 * (or fewer) tiles on each. Rerunning with the same parameters is a no-op (marker file .synthetic.json).
 */
import { ImageMode, writeSyntheticDataset } from '../src/core/synthetic/writeSyntheticDataset';

const USAGE = 'usage: node out/scripts/generateSynthetic.js --out <folder> [--tiles 7033] [--seed 1] [--images render|link|none] [--pool 64]';

function parseArgs(argv: string[]): { out: string; tiles: number; seed: number; images: ImageMode; pool: number } {
  const args = new Map<string, string>();
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k];
    if (!a.startsWith('--') || k + 1 >= argv.length) throw new Error(`unexpected argument '${a}'\n${USAGE}`);
    args.set(a.slice(2), argv[++k]);
  }
  for (const key of args.keys()) {
    if (!['out', 'tiles', 'seed', 'images', 'pool'].includes(key)) throw new Error(`unknown option --${key}\n${USAGE}`);
  }
  const out = args.get('out');
  if (!out) throw new Error(`--out is required\n${USAGE}`);
  const num = (key: string, dflt: number): number => {
    const v = args.get(key);
    if (v === undefined) return dflt;
    if (!/^\d+$/.test(v)) throw new Error(`--${key} must be a non-negative integer (got '${v}')`);
    return Number(v);
  };
  const images = args.get('images') ?? 'render';
  if (images !== 'render' && images !== 'link' && images !== 'none') throw new Error(`--images must be render, link or none (got '${images}')`);
  return { out, tiles: num('tiles', 7033), seed: num('seed', 1), images, pool: num('pool', 64) };
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const r = await writeSyntheticDataset({
    out: o.out,
    tiles: o.tiles,
    seed: o.seed,
    images: o.images,
    poolSize: o.pool,
    log: (line) => console.log(`generateSynthetic: ${line}`),
  });
  console.log(`generateSynthetic: total ${r.seconds.toFixed(1)} s${r.upToDate ? ' (up to date)' : ''}`);
}

main().catch((e: unknown) => {
  console.error(`generateSynthetic: ERROR: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
