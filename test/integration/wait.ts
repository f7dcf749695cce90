/** Waiting helpers shared by the integration suites and the VS Code bench suite (not a test file). */

/** Polls `check` (sync or async) every `pollMs` until it returns a truthy value, which it resolves to; fails after `ms` naming `what`. */
export async function until<T>(check: () => T | undefined | false | Promise<T | undefined | false>, ms = 20_000, what = 'condition', pollMs = 100): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** Resolves after ms. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
