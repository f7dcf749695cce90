/** `vasculature-explorer train <labels-folder> --out <dir> [...]`: trains a baseline model with training/train.py. */
import * as path from 'node:path';
import { describeTrainEvent, findPythonWithTorch, NoTorchError, runTraining, TrainingCancelledError, type TrainArgs } from '../core/training';
import { splitArgs } from './scoreCommand';
import type { CliIO } from './validateCommand';
import { errorText } from './cliText';

export const TRAIN_USAGE = `usage: vasculature-explorer train <labels-folder> --out <dir> [--fold 0|all] [--stain stats.yaml]
         [--epochs 3] [--steps 50] [--batch 4] [--size 256] [--seed 0] [--width 12] [--threads n]
         [--device auto|cpu|cuda] [--val-tiles n] [--name baseline-unet] [--python /path/python3] [--json]
  <labels-folder>: the output of "vasculature-explorer labels"; writes <dir>/<name>.onnx (+ .onnx.json),
  metrics.json and MODEL_CARD.md; --json prints the program's JSON lines as they come`;

/** The project root (bin/, training/), from out/src/cli or dist/. */
export function projectRoot(): string {
  const up = path.basename(__dirname) === 'cli' ? ['..', '..', '..'] : ['..'];
  return path.resolve(__dirname, ...up);
}

/** Run train; exit 0 when a model was written, 1 when training failed, 2 for usage, 3 without torch, 130 on Ctrl-C. */
export async function trainCommand(args: string[], io: CliIO): Promise<number> {
  const valued = ['--out', '--fold', '--stain', '--epochs', '--steps', '--batch', '--size', '--seed', '--width', '--threads', '--device', '--val-tiles', '--name', '--python'];
  let parsed;
  try {
    parsed = splitArgs(args, valued);
  } catch (e) {
    io.err(`${errorText(e)}\n${TRAIN_USAGE}`);
    return 2;
  }
  const { flags, positional } = parsed;
  const out = flags.get('--out');
  if (positional.length !== 1 || typeof out !== 'string') {
    io.err(TRAIN_USAGE);
    return 2;
  }
  const num = (k: string) => {
    const v = flags.get(k);
    if (v === undefined) return undefined;
    const x = Number(v);
    if (!Number.isFinite(x)) throw new Error(`${k} must be a number (got ${String(v)})`);
    return x;
  };
  const root = projectRoot();
  let a: TrainArgs;
  try {
    const device = flags.get('--device') as string | undefined;
    if (device !== undefined && !['auto', 'cpu', 'cuda'].includes(device)) throw new Error(`--device must be auto, cpu or cuda (got ${device})`);
    a = {
      labels: path.resolve(positional[0]), out: path.resolve(out), fold: String(flags.get('--fold') ?? '0'),
      name: flags.get('--name') as string | undefined, stain: flags.has('--stain') ? path.resolve(String(flags.get('--stain'))) : undefined,
      epochs: num('--epochs'), steps: num('--steps'), batch: num('--batch'), size: num('--size'), seed: num('--seed'), width: num('--width'),
      threads: num('--threads'), device: device as TrainArgs['device'], valTiles: num('--val-tiles'),
    };
  } catch (e) {
    io.err(`${errorText(e)}\n${TRAIN_USAGE}`);
    return 2;
  }
  let py;
  try {
    py = await findPythonWithTorch(flags.get('--python') as string | undefined, path.join(root, 'training', 'requirements.txt'));
  } catch (e) {
    if (e instanceof NoTorchError) {
      io.err(`vasculature-explorer train: ${e.message}`);
      return 3;
    }
    throw e;
  }
  const json = flags.has('--json');
  if (!json) io.out(`python ${py.python} (torch ${py.torch}, ${py.cuda ? 'CUDA available' : 'CPU only'})`);
  const ac = new AbortController();
  const onSigint = () => ac.abort();
  process.once('SIGINT', onSigint);
  try {
    const done = await runTraining({
      python: py.python, script: path.join(root, 'training', 'train.py'), args: a,
      scorer: [process.execPath, path.join(root, 'bin', 'vasculature-explorer.js')], signal: ac.signal,
      onEvent: (e) => io.out(json ? JSON.stringify(e) : describeTrainEvent(e)),
      onLog: (l) => io.err(l),
    });
    if (!json) io.out(`model: ${done.model}\ncard: ${done.card}`);
    return 0;
  } catch (e) {
    if (e instanceof TrainingCancelledError) {
      io.err(`vasculature-explorer train: ${e.message}`);
      return 130;
    }
    io.err(`vasculature-explorer train: ${errorText(e)}`);
    return 1;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}
