/**
 * Messages a webview receives before its bundled script has run. A host that posts without
 * waiting for "ready" (the first tile, the dashboard's data) has its messages handed over by VS Code
 * once the document has loaded, which can be before a large script has run. The page's first
 * inline script (EARLY_MESSAGES_SCRIPT) keeps them; the bundled script takes them once its own
 * listener is in place (takeEarlyMessages) and handles them in order.
 */

/** Inline script for the page's <head> (give it the page's nonce). */
export const EARLY_MESSAGES_SCRIPT = "window.__veEarly=[];window.addEventListener('message',function(e){if(window.__veEarly)window.__veEarly.push(e);});";

/** The messages kept so far, oldest first; the page keeps no more after this call. */
export function takeEarlyMessages<T>(): MessageEvent<T>[] {
  const g = globalThis as { __veEarly?: MessageEvent<T>[] };
  const early = g.__veEarly ?? [];
  g.__veEarly = undefined;
  return early;
}
