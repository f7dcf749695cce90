/**
 * Runs the training program (training/train.py) as a child process: finds a Python that has torch
 * (the setting, then python3/python on PATH, then /usr/bin/python3), streams its JSON progress
 * lines, and cancels it with SIGTERM (the program then removes its temporary files; nothing is
 * renamed into place, so no model appears and the previous one is untouched).
 */
import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseTrainingLine, type TrainDoneEvent, type TrainEvent } from './progressLines';

/** A Python that can train. */
export interface PythonWithTorch {
  python: string;
  torch: string;
  cuda: boolean;
}

/** No Python with torch was found; the message lists what was tried and the install command. */
export class NoTorchError extends Error {
  override name = 'NoTorchError';
}

/** The run was cancelled (no model written). */
export class TrainingCancelledError extends Error {
  override name = 'TrainingCancelledError';
}

/** The program reported an error or exited without 'done'. */
export class TrainingFailedError extends Error {
  override name = 'TrainingFailedError';
}

const PROBE = 'import json, sys\nimport torch\nprint(json.dumps({"torch": torch.__version__, "cuda": bool(torch.cuda.is_available())}))';

/** Asks one interpreter for its torch version; undefined when it has none or does not run. */
export function probePython(python: string, timeoutMs = 60_000): Promise<PythonWithTorch | undefined> {
  return new Promise((resolve) => {
    execFile(python, ['-c', PROBE], { timeout: timeoutMs }, (err, stdout) => {
      if (err) return resolve(undefined);
      try {
        const j = JSON.parse(stdout.trim().split('\n').pop() ?? '') as { torch: string; cuda: boolean };
        resolve({ python, torch: String(j.torch), cuda: !!j.cuda });
      } catch {
        resolve(undefined);
      }
    });
  });
}

/** Candidates in order: the setting, python3 and python on PATH, /usr/bin/python3 (duplicates dropped). */
export function pythonCandidates(setting: string | undefined, envPath = process.env.PATH ?? ''): string[] {
  const out: string[] = [];
  if (setting && setting.trim()) out.push(setting.trim());
  for (const dir of envPath.split(path.delimiter).filter(Boolean)) {
    for (const name of process.platform === 'win32' ? ['python.exe', 'python3.exe'] : ['python3', 'python']) {
      const p = path.join(dir, name);
      if (fs.existsSync(p)) out.push(p);
    }
  }
  if (process.platform !== 'win32') out.push('/usr/bin/python3');
  return [...new Set(out)];
}

/** The first candidate with torch; with a setting, only that one (a wrong setting is reported, not skipped). */
export async function findPythonWithTorch(setting: string | undefined, requirementsFile: string): Promise<PythonWithTorch> {
  const candidates = setting && setting.trim() ? [setting.trim()] : pythonCandidates(undefined);
  for (const c of candidates) {
    const r = await probePython(c);
    if (r) return r;
  }
  const where = setting && setting.trim() ? `the Python in the setting vasculatureExplorer.python (${setting.trim()})` : `no Python found (tried ${candidates.join(', ') || 'none'})`;
  throw new NoTorchError(
    `Training needs Python with PyTorch, and ${where} has no torch. Install it: sudo apt install python3-torch python3-onnx (Debian/Ubuntu) ` +
      `or <python> -m pip install -r ${requirementsFile}; then set vasculatureExplorer.python to that interpreter.`,
  );
}

/** Arguments of one training run (they become train.py's flags). */
export interface TrainArgs {
  labels: string;
  out: string;
  fold: string;
  name?: string;
  stain?: string;
  epochs?: number;
  steps?: number;
  batch?: number;
  size?: number;
  seed?: number;
  width?: number;
  threads?: number;
  device?: 'auto' | 'cpu' | 'cuda';
  valTiles?: number;
}

/** train.py's argument list for these arguments. */
export function trainArgv(a: TrainArgs): string[] {
  const out = ['--labels', a.labels, '--out', a.out, '--fold', a.fold];
  const add = (flag: string, v: string | number | undefined) => {
    if (v !== undefined && v !== '') out.push(flag, String(v));
  };
  add('--name', a.name);
  add('--stain', a.stain);
  add('--epochs', a.epochs);
  add('--steps', a.steps);
  add('--batch', a.batch);
  add('--size', a.size);
  add('--seed', a.seed);
  add('--width', a.width);
  add('--threads', a.threads);
  add('--device', a.device);
  add('--val-tiles', a.valTiles);
  return out;
}

/** One run: the interpreter, the program, the scorer command (node + bin/vasculature-explorer.js) and callbacks. */
export interface TrainRun {
  python: string;
  script: string;
  args: TrainArgs;
  /** The command that runs the product's CLI, for validation scoring. */
  scorer: string[];
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  onEvent?: (e: TrainEvent) => void;
  /** stderr lines and stdout lines that are not events. */
  onLog?: (line: string) => void;
}

/** Runs the program to the end; resolves with its 'done' event, rejects with TrainingCancelledError or TrainingFailedError. */
export function runTraining(r: TrainRun): Promise<TrainDoneEvent> {
  return new Promise((resolve, reject) => {
    if (r.signal?.aborted) return reject(new TrainingCancelledError('cancelled before it started: no model was written'));
    const child = spawn(r.python, ['-u', r.script, ...trainArgv(r.args), '--scorer', JSON.stringify(r.scorer)], {
      env: { ...process.env, ...r.env, PYTHONUNBUFFERED: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let done: TrainDoneEvent | undefined;
    let error: string | undefined;
    let cancelled = false;
    const onAbort = () => {
      cancelled = true;
      child.kill('SIGTERM');
      // A program stuck in native code gets SIGKILL after 10 s (its temporary folder is hidden and never a model).
      setTimeout(() => child.exitCode === null && child.kill('SIGKILL'), 10_000).unref();
    };
    r.signal?.addEventListener('abort', onAbort, { once: true });
    const lines = (stream: NodeJS.ReadableStream, handle: (line: string) => void) => {
      let buf = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        buf += chunk;
        let k;
        while ((k = buf.indexOf('\n')) >= 0) {
          handle(buf.slice(0, k));
          buf = buf.slice(k + 1);
        }
      });
      stream.on('end', () => buf && handle(buf));
    };
    lines(child.stdout!, (line) => {
      const e = parseTrainingLine(line);
      if (!e) return r.onLog?.(line);
      if (e.event === 'done') done = e;
      if (e.event === 'error') error = e.message;
      r.onEvent?.(e);
    });
    lines(child.stderr!, (line) => r.onLog?.(line));
    child.on('error', (e) => {
      r.signal?.removeEventListener('abort', onAbort);
      reject(new TrainingFailedError(`could not start ${r.python}: ${e.message}`));
    });
    child.on('close', (code, sig) => {
      r.signal?.removeEventListener('abort', onAbort);
      if (cancelled) return reject(new TrainingCancelledError('cancelled: no model was written; any previous model is untouched'));
      if (done && code === 0) return resolve(done);
      reject(new TrainingFailedError(error ?? `the training program exited with ${sig ?? `code ${code}`} before finishing; no model was written (see the log).`));
    });
  });
}
