/** The Predict settings (vasculatureExplorer.modelPath, .predict.*, .scoring.ignoreMode) read into core's PredictSettings. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { IgnoreMode } from '../../core/metric';
import { DEFAULT_PREDICT_SETTINGS, type PredictSettings } from '../../core/predict';
import { TTA_VARIANTS, ttaVariantOfSetting } from '../../core/tuning';
import { PROVIDER_SETTINGS, type ProviderSetting } from '../../inference/protocol';

/** Setting ids, for affectsConfiguration and Open Settings. */
export const PREDICT_SETTING_IDS = ['vasculatureExplorer.modelPath', 'vasculatureExplorer.predict', 'vasculatureExplorer.scoring'] as const;

/** The bundled demo model inside the extension. */
export function bundledModel(extensionPath: string): string {
  return path.join(extensionPath, 'media', 'model', 'demo-unet.onnx');
}

/** Resolves the modelPath setting: empty = the bundled model; ${workspaceFolder} and relative paths against the first workspace folder. */
export function resolveModelPath(value: string, extensionPath: string): string {
  const v = value.trim();
  if (!v) return bundledModel(extensionPath);
  const ws = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const expanded = ws ? v.replace(/\$\{workspaceFolder\}/g, ws) : v;
  return path.isAbsolute(expanded) ? expanded : path.resolve(ws ?? extensionPath, expanded);
}

/**
 * In an untrusted workspace no model (and so no sidecar contract) is loaded from inside the
 * workspace: the error to show, or undefined when the model may run.
 */
export function untrustedModelError(modelPath: string): Error | undefined {
  if (vscode.workspace.isTrusted) return undefined;
  const inside = (vscode.workspace.workspaceFolders ?? []).find((f) => {
    const rel = path.relative(f.uri.fsPath, modelPath);
    return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
  });
  if (!inside) return undefined;
  return Object.assign(new Error(`this workspace is not trusted, and Predict does not load a model or its sidecar from inside it (${modelPath}). Trust the workspace (Workspaces: Manage Workspace Trust) or choose a model outside it.`), { code: 'model-load-failed' });
}

/** Current settings, with the same defaults as the CLI and batch runs (DEFAULT_PREDICT_SETTINGS). */
export function readPredictSettings(extensionPath: string): PredictSettings {
  const c = vscode.workspace.getConfiguration('vasculatureExplorer');
  const d = DEFAULT_PREDICT_SETTINGS;
  const provider = c.get<string>('predict.executionProvider', d.provider);
  const mode = c.get<string>('scoring.ignoreMode', d.ignoreMode);
  const num = (key: string, fallback: number, min: number) => {
    const v = c.get<number>(key, fallback);
    return typeof v === 'number' && Number.isFinite(v) && v >= min ? v : fallback;
  };
  const tta = ttaVariantOfSetting(c.get<unknown>('predict.tta', false));
  return {
    modelPath: resolveModelPath(c.get<string>('modelPath', ''), extensionPath),
    provider: (PROVIDER_SETTINGS as readonly string[]).includes(provider) ? (provider as ProviderSetting) : d.provider,
    threads: Math.round(num('predict.threads', d.threads, 1)),
    threshold: Math.min(1, num('predict.threshold', d.threshold, 0)),
    minArea: Math.round(num('predict.minArea', d.minArea, 0)),
    dilation: Math.round(num('predict.dilation', d.dilation, 0)),
    // true / "flip": the four flips; "rot4": the four rotations; false / "none": off.
    tta: tta === 'none' ? d.tta : [...TTA_VARIANTS[tta]],
    removeInsideGlomerulus: c.get<boolean>('predict.removeInsideGlomerulus', d.removeInsideGlomerulus),
    ignoreMode: (mode === 'ignore' || mode === 'count' ? mode : d.ignoreMode) as IgnoreMode,
    scoreThreshold: Math.min(1, num('predict.scoreThreshold', d.scoreThreshold, 0)),
  };
}
