/** Command-line entry: the same core as the extension, for scripts and CI. */
import { predictCommand } from './predictCommand';
import { scoreCommand } from './scoreCommand';
import { scoreMapsCommand } from './scoreMapsCommand';
import { trainCommand } from './trainCommand';
import { validateCommand, type CliIO } from './validateCommand';

const USAGE = `usage: vasculature-explorer <command> [args]
commands:
  validate <dataset-folder> [--json]   index the folder, print the summary and every problem; exit 1 on errors
  validate <file> [--dataset <folder>] [--json]
                                       check one submission.csv, COCO .json, tile_meta/wsi_meta .csv,
                                       polygons .jsonl or tile image; exit 1 on errors
  predict <folder|tile...> [--model m.onnx] [--out submission.csv] [--provider cpu] [--json]
                                       run an ONNX model (default: the bundled demo U-Net) and score it
                                       against the annotations (AP@0.6); --out writes a Kaggle submission.csv
  score <submission.csv> <dataset-folder> [--json] [--ignore-mode count|ignore]
                                       the competition metric of a submission; exit 1 on a malformed file
  score-maps <folder> [--json]         validation probability maps (raw files + maps.json, as the training
                                       program writes them) scored with Predict's post-processing and AP@0.6
  train <labels-folder> --out <dir> [--fold 0|all] [--epochs n] [--steps n] [--size px] [--stain yaml] [--python p] [--json]
                                       train a baseline U-Net (training/train.py, needs Python + torch) into
                                       <dir>: ONNX with its contract, metrics.json, MODEL_CARD.md`;

/** Subcommands registered by name; later features add theirs here. */
export const commands: Record<string, (args: string[], io: CliIO) => Promise<number>> = {
  validate: validateCommand,
  predict: predictCommand,
  score: scoreCommand,
  'score-maps': scoreMapsCommand,
  train: trainCommand,
};

/** Run the CLI with argv (without node and script); returns the exit code. */
export async function main(argv: string[], io: CliIO = { out: (s) => process.stdout.write(s + '\n'), err: (s) => process.stderr.write(s + '\n') }): Promise<number> {
  const [cmd, ...rest] = argv;
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
