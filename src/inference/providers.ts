/** Execution-provider order per setting and platform (pure; the worker does the trying). */
import type { ProviderSetting } from './protocol';

/** GPU providers 'auto' tries, in order, per platform; cpu always comes last. */
export const AUTO_PROVIDERS: Readonly<Record<string, readonly string[]>> = {
  linux: ['cuda', 'webgpu'],
  win32: ['dml', 'cuda'],
  darwin: ['coreml'],
};

/** The providers to try, in order, for a setting on a platform: always ends with 'cpu'. */
export function providerCandidates(setting: ProviderSetting, platform: string = process.platform): string[] {
  if (setting === 'cpu') return ['cpu'];
  if (setting === 'auto') return [...(AUTO_PROVIDERS[platform] ?? []), 'cpu'];
  return [setting, 'cpu'];
}

/** A one-line reason from an onnxruntime error (first line, ANSI colour codes removed, capped). */
export function shortReason(e: unknown): string {
  const text = (e instanceof Error ? e.message : String(e)).replace(/\u001b\[[0-9;]*m/g, '');
  const line = text.split('\n').find((l) => l.trim()) ?? text;
  return line.length > 300 ? `${line.slice(0, 297)}...` : line.trim();
}
