/** What the inference worker is asked to do after a run and what it gives back, and the provider
 * setting: core types that both core/predict and inference/ use (inference/protocol re-exports them). */
import type { ScoredInstance } from '../metric';
import type { PostprocessOptions } from './postprocess';

/** The provider setting a person picks; 'auto' tries the platform's GPU providers, then cpu. */
export type ProviderSetting = 'auto' | 'cuda' | 'dml' | 'coreml' | 'webgpu' | 'cpu';
export const PROVIDER_SETTINGS: readonly ProviderSetting[] = ['auto', 'cuda', 'dml', 'coreml', 'webgpu', 'cpu'];

/** Post-processing done in the worker for semantic models (ignored for instance models). */
export interface PostprocessRequest {
  options: Partial<PostprocessOptions>;
  /** Union of the tile's glomerulus polygons (row-major), for glomerulus removal. */
  glomerulusMask?: Uint8Array;
}

/** The blood_vessel instances the worker made from a semantic output. */
export interface PostprocessedInstances {
  /** The class whose map was post-processed. */
  classIndex: number;
  instances: ScoredInstance[];
  /** Time spent on it in the worker, ms (activation, threshold, components, filters). */
  ms: number;
  /** True when only pixels near or above the threshold got a probability (no full map). */
  fastPath: boolean;
}

