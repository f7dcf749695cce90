/** Command-line entry: the same core as the extension, for scripts and CI. */
import { mergeCommand } from './mergeCommand';
import { packageVersion } from './packageInfo';
import { labelsCommand } from './labelsCommand';
import { predictCommand } from './predictCommand';
import { scoreCommand } from './scoreCommand';
import { stainStatsCommand } from './stainStatsCommand';
import { validateCommand, type CliIO } from './validateCommand';

const USAGE = `usage: vasculature-explorer <command> [args]
commands:
  validate <dataset-folder> [--json]   index the folder, print the summary and every problem; exit 1 on errors
  validate <file> [--dataset <folder>] [--json]
                                       check one submission.csv, COCO .json, tile_meta/wsi_meta .csv,
                                       polygons .jsonl or tile image; exit 1 on errors
  predict <folder|tile...> [--model m.onnx] [--out submission.csv] [--provider cpu] [--shard k/n] [--json]
                                       run an ONNX model (default: the bundled demo U-Net) and score it
                                       against the annotations (AP@0.6); --out writes a Kaggle submission.csv
  score <submission.csv> <dataset-folder> [--json] [--ignore-mode count|ignore]
                                       the competition metric of a submission; exit 1 on a malformed file
  merge <a.csv> <b.csv> [...] --out all.csv [--json]
                                       join the submissions of sharded jobs; exit 1 (nothing written) on
                                       an invalid input or a tile in two inputs
  labels <dataset-folder> --out <dir> [options]
                                       training data: masks, label/instance PNGs, YOLO-seg, COCO, leak-checked
                                       folds, README.md and manifest.json (labels --help for the options)
  stain-stats <dataset-folder> [--space LAB|HSV|HED|all] [--filter key=value]... --out stats.yaml
                                       colour statistics per tile and per WSI, written as RandStainNA's yaml
  --version                            print the version`;

/** Subcommands registered by name; later features add theirs here. */
export const commands: Record<string, (args: string[], io: CliIO) => Promise<number>> = {
  validate: validateCommand,
  predict: predictCommand,
  score: scoreCommand,
  merge: mergeCommand,
  labels: labelsCommand,
  'stain-stats': stainStatsCommand,
};

/** Run the CLI with argv (without node and script); returns the exit code. */
export async function main(argv: string[], io: CliIO = { out: (s) => process.stdout.write(s + '\n'), err: (s) => process.stderr.write(s + '\n') }): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === '--version' || cmd === '-V') {
    const v = packageVersion();
    io.out(`${v.name} ${v.version}`);
    return 0;
  }
  const run = cmd ? commands[cmd] : undefined;
  if (!run) {
    io.err(USAGE);
    return 2;
  }
  try {
    return await run(rest, io);
  } catch (e) {
    io.err(`vasculature-explorer ${cmd}: ${e instanceof Error ? e.message : String(e)}`);
    return 2;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
