/**
 * onnxruntime sessions cached per (model file, provider setting, threads), created on first use.
 * Provider selection tries each candidate, catches its failure, and records why it fell back.
 * Only the inference child process imports this (it loads onnxruntime-node).
 */
import * as fs from 'fs';
import type { InferenceSession as OrtSession } from 'onnxruntime-node';
import { ModelContractError, resolveModelContract, type ModelContract, type ModelIo, type ValueInfo } from '../core/model';
import { readOnnxMetadata } from './onnxMetadata';
import { limits, raiseHint } from '../core/limits';
import type { SessionSpec } from './protocol';
import { providerCandidates, shortReason } from './providers';

type Ort = typeof import('onnxruntime-node');

/** An error with a stable code that the worker sends back as-is. */
export class InferenceError extends Error {
  constructor(public readonly code: string, message: string) {
    super(message);
    this.name = 'InferenceError';
  }
}

/** Largest sidecar contract (<model>.onnx.json) read, bytes: a contract is a few hundred bytes. */
export const SIDECAR_MAX_BYTES = 1 << 20;

/** A ready session and what is known about it. */
export interface CachedSession {
  session: OrtSession;
  provider: string;
  fallbackReasons: string[];
  contract: ModelContract;
  io: ModelIo;
  metadata: Record<string, string>;
  loadMs: number;
}

function valueInfos(list: readonly OrtSession.ValueMetadata[]): ValueInfo[] {
  return list.map((m) => (m.isTensor ? { name: m.name, type: m.type, shape: [...m.shape] } : { name: m.name, shape: [] }));
}

/** A session's inputs and outputs as the model contract reads them. */
export function sessionIo(session: Pick<OrtSession, 'inputMetadata' | 'outputMetadata'>): ModelIo {
  return { inputs: valueInfos(session.inputMetadata), outputs: valueInfos(session.outputMetadata) };
}

/** The worker's session options for one execution provider (the benches' bare sessions use the same, for a like-for-like comparison). */
export function sessionOptions(ep: string, threads = 2): OrtSession.SessionOptions {
  return {
    executionProviders: ep === 'cpu' ? ['cpu'] : [ep, 'cpu'],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
    // No busy-waiting between ops: the cores are shared with VS Code and everything else.
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
  };
}

/** Session cache of one worker process. */
export class SessionCache {
  private readonly sessions = new Map<string, Promise<CachedSession>>();

  constructor(private readonly ort: Ort, private readonly log: (level: 'info' | 'warn', message: string) => void) {}

  /** The cached session for a spec, creating it on first use; `created` says whether this call made it. */
  async get(spec: SessionSpec): Promise<{ entry: CachedSession; created: boolean }> {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(spec.modelPath);
    } catch {
      throw new InferenceError('model-not-found', `Model file not found: ${spec.modelPath}. Check the vasculatureExplorer.modelPath setting, or leave it empty to use the bundled demo model.`);
    }
    if (stat.size > limits().modelFileBytes) {
      throw new InferenceError('model-load-failed', `${spec.modelPath} is ${stat.size} bytes; it was not loaded: ${raiseHint('modelFileBytes')}.`);
    }
    // mtime and size in the key: a re-exported model file is reloaded.
    const key = `${spec.modelPath}|${stat.mtimeMs}|${stat.size}|${spec.provider}|${spec.threads ?? 2}`;
    const hit = this.sessions.get(key);
    if (hit) return { entry: await hit, created: false };
    const pending = this.create(spec);
    this.sessions.set(key, pending);
    pending.catch(() => this.sessions.delete(key));
    return { entry: await pending, created: true };
  }

  /** Replaces a cached GPU session with a cpu one after a run failed on the GPU provider. */
  async fallBackToCpu(spec: SessionSpec, failed: CachedSession, reason: string): Promise<CachedSession> {
    for (const [key, p] of this.sessions) if ((await p.catch(() => undefined)) === failed) this.sessions.delete(key);
    await failed.session.release().catch(() => undefined);
    const entry = await this.create({ ...spec, provider: 'cpu' });
    entry.fallbackReasons = [...failed.fallbackReasons, `${failed.provider}: run failed (${reason}); using cpu`];
    const stat = fs.statSync(spec.modelPath);
    this.sessions.set(`${spec.modelPath}|${stat.mtimeMs}|${stat.size}|${spec.provider}|${spec.threads ?? 2}`, Promise.resolve(entry));
    return entry;
  }

  /** Releases every session. */
  async releaseAll(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    for (const p of all) await p.then((e) => e.session.release()).catch(() => undefined);
  }

  private async create(spec: SessionSpec): Promise<CachedSession> {
    const t0 = performance.now();
    // The sidecar is looked at before the model is loaded: a huge one is refused without a session to release.
    const sidecarPath = `${spec.modelPath}.json`;
    const sidecarBytes = fs.existsSync(sidecarPath) ? fs.statSync(sidecarPath).size : -1;
    if (sidecarBytes > SIDECAR_MAX_BYTES) {
      throw new InferenceError('contract', `${sidecarPath} is ${sidecarBytes} bytes; it was not read: the sidecar contract cap is 1 MiB (fixed: a contract is a small JSON object). Fix or delete the sidecar (without it, the contract in the model's metadata or the detected one is used).`);
    }
    const bytes = fs.readFileSync(spec.modelPath);
    let metadata: Record<string, string> = {};
    try {
      metadata = readOnnxMetadata(bytes, spec.modelPath);
    } catch (e) {
      // Let onnxruntime give its own verdict below; keep ours as context.
      this.log('warn', `metadata: ${shortReason(e)}`);
    }
    const fallbackReasons: string[] = [];
    let session: OrtSession | undefined;
    let provider = 'cpu';
    const candidates = providerCandidates(spec.provider);
    for (const ep of candidates) {
      try {
        session = await this.ort.InferenceSession.create(bytes, sessionOptions(ep, spec.threads ?? 2));
        provider = ep;
        break;
      } catch (e) {
        const why = shortReason(e);
        if (ep === 'cpu') {
          throw new InferenceError('model-load-failed', `Cannot load model ${spec.modelPath}: ${why}. The file is not a valid ONNX model for onnxruntime ${this.ort.env.versions?.common ?? ''}: re-export or re-download it, or pick another file in vasculatureExplorer.modelPath.`);
        }
        fallbackReasons.push(`${ep}: ${why}`);
        this.log('warn', `provider ${ep} unavailable for ${spec.modelPath}, falling back: ${why}`);
      }
    }
    if (!session) throw new InferenceError('model-load-failed', `Cannot load model ${spec.modelPath}: no provider worked (${fallbackReasons.join('; ')}).`);
    const io: ModelIo = sessionIo(session);
    let sidecar: unknown;
    if (sidecarBytes >= 0) {
      try {
        sidecar = JSON.parse(fs.readFileSync(sidecarPath, 'utf8'));
      } catch (e) {
        await session.release();
        throw new InferenceError('contract', `${sidecarPath}: not valid JSON (${(e as Error).message}). Fix or delete the sidecar contract.`);
      }
    }
    let contract: ModelContract;
    try {
      contract = resolveModelContract(io, { modelPath: spec.modelPath, metadata, sidecar, sidecarPath });
    } catch (e) {
      await session.release();
      if (e instanceof ModelContractError) throw new InferenceError('contract', e.message);
      throw e;
    }
    const loadMs = performance.now() - t0;
    this.log('info', `loaded ${spec.modelPath} on ${provider} in ${loadMs.toFixed(0)} ms (${contract.outputKind}, contract from ${contract.source})`);
    return { session, provider, fallbackReasons, contract, io, metadata, loadMs };
  }
}
