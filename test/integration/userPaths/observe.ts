/**
 * Watches what the extension shows while a command runs, the way a person sees it: every
 * notification (level, text, buttons) and every picker, input box and file dialog it opens. The
 * test's `vscode` is the extension's own API object (one per extension, and these files live in
 * it), so wrapping its window functions sees the extension's calls; each wrapper calls the real
 * function, so the real UI still opens. `invoke` runs a command and, while it runs, closes
 * pickers and dismisses notifications as a person pressing Escape would.
 */
import * as vscode from 'vscode';
import { sleep } from '../wait';

export interface Shown { level: 'error' | 'warning' | 'info'; text: string; buttons: string[] }
export interface Opened { kind: 'quickPick' | 'inputBox' | 'openDialog' | 'saveDialog'; title: string }

export const shown: Shown[] = [];
export const opened: Opened[] = [];

let installed = false;

/** Wraps the window's message, picker and dialog functions once (they still show the real UI). */
export function observe(): void {
  if (installed) return;
  installed = true;
  const w = vscode.window as unknown as Record<string, (...a: unknown[]) => unknown>;
  const levels = { showErrorMessage: 'error', showWarningMessage: 'warning', showInformationMessage: 'info' } as const;
  for (const [name, level] of Object.entries(levels)) {
    const real = w[name].bind(vscode.window);
    w[name] = (msg: unknown, ...rest: unknown[]) => {
      const buttons = rest.filter((x) => typeof x === 'string' || (!!x && typeof (x as { title?: unknown }).title === 'string')).map((x) => (typeof x === 'string' ? x : (x as { title: string }).title));
      shown.push({ level, text: String(msg), buttons });
      return real(msg, ...rest);
    };
  }
  const pickers = { showQuickPick: 'quickPick', showInputBox: 'inputBox', showOpenDialog: 'openDialog', showSaveDialog: 'saveDialog' } as const;
  for (const [name, kind] of Object.entries(pickers)) {
    const real = w[name].bind(vscode.window);
    w[name] = (...a: unknown[]) => {
      const opts = (name === 'showQuickPick' ? a[1] : a[0]) as { title?: string } | undefined;
      opened.push({ kind, title: opts?.title ?? '' });
      return real(...a);
    };
  }
}

/** Empties the records. */
export function resetObserved(): void {
  shown.length = 0;
  opened.length = 0;
}

/** Messages a person would read as a failure: errors, and any text that leaks an object or a missing value. */
export function failures(list: readonly Shown[] = shown): Shown[] {
  return list.filter((s) => s.level === 'error' || /\[object |\bundefined\b|\bNaN\b/.test(s.text));
}

/** Runs a command with args; while it runs, closes pickers and dismisses notifications (Escape). Resolves to its value or the error it threw. */
export async function invoke(command: string, args: unknown[], limitMs = 120_000): Promise<{ value?: unknown; error?: string }> {
  let settled = false;
  const run = Promise.resolve(vscode.commands.executeCommand(command, ...args)).then(
    (value) => ({ value }),
    (e: unknown) => ({ error: e instanceof Error ? e.message : String(e) }),
  ).finally(() => { settled = true; });
  const t0 = Date.now();
  while (!settled) {
    await sleep(300);
    if (settled) break;
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    await vscode.commands.executeCommand('notifications.clearAll');
    if (Date.now() - t0 > limitMs) return { error: `did not finish within ${limitMs / 1000} s with its pickers closed and notifications dismissed` };
  }
  return run;
}
