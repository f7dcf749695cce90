/** Headless Debian chromium through playwright-core, with every non-loopback request aborted. */
import { chromium, Browser, BrowserContext } from 'playwright-core';
import { chromiumPath } from './paths';

/** Launches Debian's chromium headless (never a downloaded browser). */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage',
      // Memory checks read the heap after a full collection (gc) and to the byte.
      '--js-flags=--expose-gc', '--enable-precise-memory-info'],
  });
}

/** True for URLs that stay on this machine (loopback hosts, data:, blob:, and VS Code's webview schemes). */
export function isLocalUrl(raw: string): boolean {
  let u: URL;
  try { u = new URL(raw); } catch { return false; }
  if (u.protocol === 'http:' || u.protocol === 'https:' || u.protocol === 'ws:' || u.protocol === 'wss:') {
    return u.hostname === '127.0.0.1' || u.hostname === 'localhost' || u.hostname === '[::1]' || u.hostname.endsWith('.localhost');
  }
  return true; // data:, blob:, about:, vscode-*: never leave the machine
}

/** A fresh browser context whose requests may only reach loopback; blocked URLs are counted. */
export async function newLoopbackContext(browser: Browser, blocked: string[] = []): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (isLocalUrl(url)) return route.continue();
    blocked.push(url);
    return route.abort('blockedbyclient');
  });
  return context;
}
