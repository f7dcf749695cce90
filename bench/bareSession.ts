/** The bare in-process session the inference and predict sections compare against: the demo model on cpu, with the worker's own session options. */
import * as fs from 'node:fs';
import { resolveModelContract, type ModelContract } from '../src/core/model/modelContract';
import { sessionIo, sessionOptions } from '../src/inference/sessionCache';
import { MODEL } from './benchPaths';

/** onnxruntime, a cpu session of the demo model made as the worker makes it, and the model's contract. */
export async function bareDemoSession(threads: number): Promise<{ ort: typeof import('onnxruntime-node'); session: import('onnxruntime-node').InferenceSession; contract: ModelContract }> {
  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(MODEL, sessionOptions('cpu', threads));
  const contract = resolveModelContract(sessionIo(session), { modelPath: MODEL, sidecar: JSON.parse(fs.readFileSync(`${MODEL}.json`, 'utf8')) });
  return { ort, session, contract };
}
