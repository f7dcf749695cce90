/**
 * The parent side of inference (plain Node, no vscode): forks the worker, sends typed requests
 * one at a time, and survives the child: cancellation and timeouts kill and later restart it; a
 * crash rejects the running request and the next request starts a fresh child.
 */
import { fork, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { DecodeOptions, Prediction } from '../core/model';
import type { ModelContract, ModelIo } from '../core/model';
import type { RgbImage } from '../core/model';
import { limits, LIMITS_ENV } from '../core/limits';
import type { FromWorker, PostprocessedInstances, PostprocessRequest, ProviderSetting, RawOutput, SessionSpec, ToWorker, WorkerTimings } from './protocol';

export type { ProviderSetting } from './protocol';

/** How to start and talk to the worker. */
export interface InferenceClientOptions {
  /** The worker script; default: worker.js or inferenceWorker.js next to this file. */
  workerPath?: string;
  /** Per-request timeout, ms (default 30000). */
  timeoutMs?: number;
  /** Receives the worker's log lines and the client's own (restarts, crashes). */
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
}

/** One tile to predict on. */
export interface PredictRequest {
  modelPath: string;
  image: RgbImage;
  /** Default 'auto'. */
  provider?: ProviderSetting;
  /** intraOpNumThreads, default 2. */
  threads?: number;
  decode?: DecodeOptions;
  includeRaw?: boolean;
  /** Semantic models: post-process in the worker (the response's postprocessed). */
  postprocess?: PostprocessRequest;
}

/** Per-call controls. */
export interface CallOptions {
  signal?: AbortSignal;
  /** Overrides the client's timeout for this call. */
  timeoutMs?: number;
}

/** The outcome of one prediction. */
export interface PredictResponse {
  /** Semantic with a postprocess request: probabilities is [] and postprocessed holds the instances. */
  prediction: Prediction;
  postprocessed?: PostprocessedInstances;
  /** The provider that ran it. */
  provider: string;
  /** Why each provider before it was abandoned. */
  fallbackReasons: string[];
  /** Wall time of the round trip as the parent saw it, ms (includes model load on first use). */
  latencyMs: number;
  timings: WorkerTimings;
  outputShapes: Record<string, number[]>;
  contract: ModelContract;
  io: ModelIo;
  raw?: Record<string, RawOutput>;
}

/** What a model is, without running it. */
export interface ModelDescription {
  provider: string;
  fallbackReasons: string[];
  contract: ModelContract;
  io: ModelIo;
  metadata: Record<string, string>;
  loadMs: number;
}

/** The run was cancelled through its AbortSignal. */
export class InferenceCancelledError extends Error {
  override name = 'InferenceCancelledError';
}
/** The run took longer than its timeout; the worker was killed. */
export class InferenceTimeoutError extends Error {
  override name = 'InferenceTimeoutError';
}
/** The worker process died during the run. */
export class InferenceCrashError extends Error {
  override name = 'InferenceCrashError';
}
/** The worker answered with an error (bad model, contract mismatch, ...). */
export class InferenceRequestError extends Error {
  override name = 'InferenceRequestError';
  constructor(public readonly code: string, message: string) {
    super(message);
  }
}

type Body = Omit<Extract<ToWorker, { type: 'run' }>, 'id'> | Omit<Extract<ToWorker, { type: 'describe' }>, 'id'> | Omit<Extract<ToWorker, { type: 'release' }>, 'id'>;

interface Running {
  id: number;
  resolve: (m: FromWorker) => void;
  reject: (e: Error) => void;
}

/** A model run on one tile that takes longer is stopped (the worker is killed and restarts on the next request). */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** Default worker location: out/src/inference/worker.js in tests, dist/inferenceWorker.js when bundled. */
export function defaultWorkerPath(dir: string = __dirname): string {
  for (const name of ['worker.js', 'inferenceWorker.js']) {
    const p = path.join(dir, name);
    if (fs.existsSync(p)) return p;
  }
  throw new Error(`inference worker not found next to ${dir} (looked for worker.js and inferenceWorker.js). Run "npm run build".`);
}

/** Talks to one inference child process; requests run one at a time in call order. */
export class InferenceClient {
  private child?: ChildProcess;
  private ready?: Promise<ChildProcess>;
  private running?: Running;
  private queue: Promise<unknown> = Promise.resolve();
  private nextId = 1;
  private starts = 0;
  private stderrTail = '';
  private disposed = false;

  constructor(private readonly opts: InferenceClientOptions = {}) {}

  /** The worker's pid, when one is running. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** How many times a worker was started after the first (crash, cancel, timeout). */
  get restarts(): number {
    return Math.max(0, this.starts - 1);
  }

  /** Runs a model on one tile and decodes its outputs. */
  async predict(req: PredictRequest, call: CallOptions = {}): Promise<PredictResponse> {
    const t0 = performance.now();
    const msg = await this.request(
      { type: 'run', modelPath: req.modelPath, provider: req.provider ?? 'auto', threads: req.threads ?? 2, image: req.image, ...(req.decode ? { decode: req.decode } : {}), ...(req.includeRaw ? { includeRaw: true } : {}), ...(req.postprocess ? { postprocess: req.postprocess } : {}) },
      call,
      t0,
    );
    if (msg.type !== 'result') throw new InferenceRequestError('protocol', `inference worker answered ${msg.type} to a run request`);
    return {
      prediction: msg.prediction,
      ...(msg.postprocessed ? { postprocessed: msg.postprocessed } : {}),
      provider: msg.session.provider,
      fallbackReasons: msg.session.fallbackReasons,
      latencyMs: performance.now() - t0,
      timings: msg.timings,
      outputShapes: msg.outputShapes,
      contract: msg.session.contract,
      io: msg.session.io,
      ...(msg.raw ? { raw: msg.raw } : {}),
    };
  }

  /** Loads a model (cached) and returns its contract, io and provider without running it. */
  async describe(spec: { modelPath: string; provider?: ProviderSetting; threads?: number }, call: CallOptions = {}): Promise<ModelDescription> {
    const s: SessionSpec = { modelPath: spec.modelPath, provider: spec.provider ?? 'auto', threads: spec.threads ?? 2 };
    const msg = await this.request({ type: 'describe', ...s }, call, performance.now());
    if (msg.type !== 'described') throw new InferenceRequestError('protocol', `inference worker answered ${msg.type} to a describe request`);
    return { provider: msg.session.provider, fallbackReasons: msg.session.fallbackReasons, contract: msg.session.contract, io: msg.session.io, metadata: msg.metadata, loadMs: msg.loadMs };
  }

  /** Releases the worker's cached sessions (e.g. after the model setting changed). */
  async release(): Promise<void> {
    if (this.child) await this.request({ type: 'release' }, {}, performance.now());
  }

  /** Stops the worker; later calls fail. */
  async dispose(): Promise<void> {
    this.disposed = true;
    this.running?.reject(new InferenceCancelledError('inference client disposed'));
    this.running = undefined;
    await this.stop();
  }

  private request(body: Body, call: CallOptions, t0: number): Promise<FromWorker> {
    const p = this.queue.then(() => this.exec(body, call, t0));
    this.queue = p.catch(() => undefined);
    return p;
  }

  private async exec(body: Body, call: CallOptions, t0: number): Promise<FromWorker> {
    if (this.disposed) throw new Error('inference client is disposed');
    if (call.signal?.aborted) throw new InferenceCancelledError('prediction cancelled before it started');
    const timeoutMs = call.timeoutMs ?? this.opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const child = await this.start();
    const id = this.nextId++;
    return new Promise<FromWorker>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const onAbort = () => finish(new InferenceCancelledError('prediction cancelled; the inference process was stopped and will restart on the next request'), true);
      const finish = (result: FromWorker | Error, kill = false) => {
        if (this.running?.id !== id) return;
        this.running = undefined;
        clearTimeout(timer);
        call.signal?.removeEventListener('abort', onAbort);
        this.setRef(false);
        const settle = () => (result instanceof Error ? reject(result) : resolve(result));
        // After a cancel or timeout the old worker is gone by the time the caller hears of it.
        if (kill) void this.stop().then(settle);
        else settle();
      };
      this.running = { id, resolve: (m) => finish(m), reject: (e) => finish(e) };
      call.signal?.addEventListener('abort', onAbort, { once: true });
      const remaining = timeoutMs - (performance.now() - t0);
      timer = setTimeout(
        () => finish(new InferenceTimeoutError(`inference took longer than ${(timeoutMs / 1000).toFixed(1)} s and was stopped; the inference process restarts on the next request. Raise the timeout or use a smaller model.`), true),
        Math.max(1, remaining),
      );
      this.setRef(true);
      child.send({ ...body, id } as ToWorker);
    });
  }

  private setRef(on: boolean): void {
    const c = this.child as (ChildProcess & { channel?: { ref(): void; unref(): void } }) | undefined;
    if (!c) return;
    // Idle workers must not keep a CLI or test process alive.
    if (on) {
      c.ref();
      c.channel?.ref();
    } else {
      c.unref();
      c.channel?.unref();
    }
  }

  private start(): Promise<ChildProcess> {
    if (this.ready) return this.ready;
    const workerPath = this.opts.workerPath ?? defaultWorkerPath();
    this.starts++;
    if (this.starts > 1) this.opts.log?.('info', `starting inference worker again (restart ${this.starts - 1})`);
    // The caps in force travel with the worker (model file size, output tensor bytes, contract sizes).
    const child = fork(workerPath, [], { serialization: 'advanced', stdio: ['ignore', 'pipe', 'pipe', 'ipc'], execArgv: [], env: { ...process.env, [LIMITS_ENV]: JSON.stringify(limits()) } });
    this.child = child;
    this.stderrTail = '';
    const keepTail = (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString()).slice(-2000);
    };
    child.stderr?.on('data', keepTail);
    child.stdout?.on('data', keepTail);
    this.ready = new Promise<ChildProcess>((resolve, reject) => {
      child.on('message', (m: FromWorker) => {
        if (m.type === 'ready') resolve(child);
        else if (m.type === 'log') this.opts.log?.(m.level, `[inference ${child.pid}] ${m.message}`);
        else if (this.running && m.inReplyTo === this.running.id) {
          if (m.type === 'error') this.running.reject(new InferenceRequestError(m.code, m.message));
          else this.running.resolve(m);
        }
      });
      child.on('error', (e) => reject(new InferenceCrashError(`cannot start the inference worker ${workerPath}: ${e.message}`)));
      child.on('exit', (code, signal) => {
        if (this.child === child) {
          this.child = undefined;
          this.ready = undefined;
        }
        const why = `inference worker (pid ${child.pid}) exited with ${signal ? `signal ${signal}` : `code ${code}`}${this.stderrTail.trim() ? `; its last output: ${this.stderrTail.trim().slice(-500)}` : ''}`;
        reject(new InferenceCrashError(`${why}, before it was ready`));
        if (this.running && this.child === undefined) {
          this.opts.log?.('error', why);
          this.running.reject(new InferenceCrashError(`${why}. The model run was lost; the next request starts a fresh worker.`));
        }
      });
    });
    this.ready.catch(() => {
      if (this.child === child) {
        this.child = undefined;
        this.ready = undefined;
      }
    });
    return this.ready;
  }

  private async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    this.ready = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.ref(); // an unref'd child would let the event loop end before 'exit' arrives
      child.kill('SIGKILL');
    });
  }
}
