/**
 * The typed message protocol between the extension-side client and the inference child process.
 * Requests carry an id; every reply carries inReplyTo. Sent with fork's 'advanced' serialization,
 * so typed arrays cross as typed arrays.
 */
import type { ScoredInstance } from '../core/metric';
import type { DecodeOptions, Prediction } from '../core/model';
import type { PostprocessOptions } from '../core/model';
import type { ModelContract, ModelIo } from '../core/model';
import type { RgbImage } from '../core/model';
import type { PostprocessRequest, PostprocessedInstances, ProviderSetting } from '../core/model';
export { PROVIDER_SETTINGS, type PostprocessRequest, type PostprocessedInstances, type ProviderSetting } from '../core/model';

/** Which model, on which provider, with how many threads. */
export interface SessionSpec {
  modelPath: string;
  provider: ProviderSetting;
  /** onnxruntime intraOpNumThreads (default 2). */
  threads?: number;
}

/** Run the model on one tile and decode the outputs. */
export interface RunRequest extends SessionSpec {
  type: 'run';
  id: number;
  image: RgbImage;
  decode?: DecodeOptions;
  /** Also return the raw output tensors (tests, debugging). */
  includeRaw?: boolean;
  /** Semantic models: post-process in the worker and return instances instead of probability maps. */
  postprocess?: PostprocessRequest;
}

/** Load the model (if needed) and describe it without running it. */
export interface DescribeRequest extends SessionSpec {
  type: 'describe';
  id: number;
}

/** Drop all cached sessions. */
export interface ReleaseRequest {
  type: 'release';
  id: number;
}

export type ToWorker = RunRequest | DescribeRequest | ReleaseRequest;

/** How the session was obtained. */
export interface SessionReport {
  /** The provider the session actually runs on ('cpu', 'cuda', ...). */
  provider: string;
  /** One line per provider tried and abandoned, saying why. */
  fallbackReasons: string[];
  contract: ModelContract;
  io: ModelIo;
  /** True when this request created the session (model load time is in the timings). */
  created: boolean;
}

/** Timings measured inside the worker, ms. */
export interface WorkerTimings {
  loadMs: number;
  preprocessMs: number;
  runMs: number;
  decodeMs: number;
}

/** A raw output tensor. */
export interface RawOutput {
  dims: number[];
  data: Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array;
}

/** Reply to 'run'. */
export interface RunResult {
  type: 'result';
  inReplyTo: number;
  session: SessionReport;
  /** With a postprocess request on a semantic model its probabilities are [] (see postprocessed). */
  prediction: Prediction;
  postprocessed?: PostprocessedInstances;
  /** Every output's shape, by name. */
  outputShapes: Record<string, number[]>;
  raw?: Record<string, RawOutput>;
  timings: WorkerTimings;
}

/** Reply to 'describe'. */
export interface DescribeResult {
  type: 'described';
  inReplyTo: number;
  session: SessionReport;
  metadata: Record<string, string>;
  loadMs: number;
}

/** Reply to 'release'. */
export interface Released {
  type: 'released';
  inReplyTo: number;
}

/** A request failed; the worker is still healthy. */
export interface ErrorReply {
  type: 'error';
  inReplyTo: number;
  /** Stable machine code: 'model-not-found', 'model-load-failed', 'contract', 'run-failed', 'bad-request'. */
  code: string;
  message: string;
}

/** The worker is up and listening. */
export interface Ready {
  type: 'ready';
  pid: number;
  ortVersion: string;
}

/** A log line from the worker (fallbacks, session creation). */
export interface LogLine {
  type: 'log';
  level: 'info' | 'warn' | 'error';
  message: string;
}

export type FromWorker = RunResult | DescribeResult | Released | ErrorReply | Ready | LogLine;
