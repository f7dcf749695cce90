/** Command-line entry: the same core as the extension, for scripts and CI. */
import { mergeCommand } from './mergeCommand';
import { packageVersion } from './packageInfo';
import { labelsCommand } from './labelsCommand';
import { predictCommand } from './predictCommand';
import { scoreCommand } from './scoreCommand';
import { scoreMapsCommand } from './scoreMapsCommand';
import { trainCommand } from './trainCommand';
import { stainStatsCommand } from './stainStatsCommand';
import { validateCommand, type CliIO } from './validateCommand';
import { LIMIT_INFO, limitsFromSettings, setLimits } from '../core/limits';
import { escapeControls } from '../core/text';
import { errorText } from './cliText';
import { tuneCommand } from './tuneCommand';

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
  tune <dataset-folder> [--model m.onnx] [--folds folds.csv] [--grid threshold=0.3:0.7:0.1 dilation=0,1,2 ...] [--cache dir] [--json]
                                       sweep post-processing settings over cached model outputs, AP@0.6 per cell, per WSI and fold
  score-maps <folder> [--json]         validation probability maps (raw files + maps.json, as the training
                                       program writes them) scored with Predict's post-processing and AP@0.6
  train <labels-folder> --out <dir> [--fold 0|all] [--epochs n] [--steps n] [--size px] [--stain yaml] [--python p] [--json]
                                       train a baseline U-Net (training/train.py, needs Python + torch) into
                                       <dir>: ONNX with its contract, metrics.json, MODEL_CARD.md
  --version                            print the version
any command: --limit <name>=<value> raises a cap on hostile input (names: ${Object.values(LIMIT_INFO).map((i) => i.cli).join(', ')})`;

/** Takes every `--limit name=value` out of argv into the caps in force; throws on an unknown name. */
export function applyLimitFlags(argv: string[]): string[] {
  const rest: string[] = [];
  const given = new Map<string, string>();
  for (let k = 0; k < argv.length; k++) {
    // `--limit n` (no '=') is a subcommand's own flag (predict --limit n: the first n tiles); only name=value is a cap.
    if (argv[k] !== '--limit' || !(argv[k + 1] ?? '').includes('=')) { rest.push(argv[k]); continue; }
    const m = /^([A-Za-z]+)=(\d+(\.\d+)?)$/.exec(argv[++k] ?? '');
    if (!m || !Object.values(LIMIT_INFO).some((i) => i.cli === m[1])) throw new Error(`--limit wants <name>=<number> with a name from: ${Object.values(LIMIT_INFO).map((i) => i.cli).join(', ')}`);
    given.set(m[1], m[2]);
  }
  setLimits(limitsFromSettings((name) => given.get(name), true));
  return rest;
}

/**
 * Output goes to a terminal: control and bidi characters are escaped (\uXXXX), so an id cannot clear
 * or retitle it. Newlines are kept here (usage, reports, JSON are multi-line); every data-derived piece
 * of a line is escaped, newline included, where the line is built (cliText.ts), so no id can fake a line.
 */
function safeIO(io: CliIO): CliIO {
  return { out: (s) => io.out(escapeControls(s, true)), err: (s) => io.err(escapeControls(s, true)) };
}

/** Subcommands registered by name; later features add theirs here. */
export const commands: Record<string, (args: string[], io: CliIO) => Promise<number>> = {
  validate: validateCommand,
  predict: predictCommand,
  score: scoreCommand,
  'score-maps': scoreMapsCommand,
  train: trainCommand,
  merge: mergeCommand,
  labels: labelsCommand,
  'stain-stats': stainStatsCommand,
  tune: tuneCommand,
};

/** Run the CLI with argv (without node and script); returns the exit code. */
export async function main(argv: string[], rawIo: CliIO = { out: (s) => process.stdout.write(s + '\n'), err: (s) => process.stderr.write(s + '\n') }): Promise<number> {
  const io = safeIO(rawIo);
  try {
    argv = applyLimitFlags(argv);
  } catch (e) {
    io.err(`vasculature-explorer: ${errorText(e)}`);
    return 2;
  }
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
    io.err(`vasculature-explorer ${cmd}: ${errorText(e)}`);
    return 2;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
