/**
 * Drives a real VS Code (code-server + headless chromium) the way a person would: open a folder
 * with this repository loaded as the development extension, run palette commands, click, and take
 * screenshots into test-output/screenshots/<name>.png.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Browser, BrowserContext, Frame, Locator, Page } from 'playwright-core';
import { newLoopbackContext } from '../harness/browser';
import { CodeServer, startCodeServer } from '../harness/codeServer';
import { repoRoot, sampleDataset, sampleWorkspaceSettings, testOutputDir } from '../harness/paths';
import { workbenchUrl } from '../harness/workbenchUrl';

/** One e2e test case; files named test/e2e/*.e2e.ts export `tests: E2eTest[]`. */
export interface E2eTest {
  name: string;
  /** Folder to open (default: ../shared/data/hhv-sample). */
  folder?: string;
  /** Returns a reason to skip (e.g. the feature is not contributed yet), or undefined to run. */
  skipIf?: () => string | undefined;
  run(vs: VscodeSession): Promise<void>;
}

export const screenshotDir = path.join(testOutputDir, 'screenshots');

export interface VscodeSession {
  readonly page: Page;
  readonly server: CodeServer;
  /** The extensions folder of this VS Code; with VE_E2E_INSTALLED_EXTENSIONS_DIR set, the folder the VSIX was installed into. */
  readonly extensionsDir: string;
  /** True when the extension runs as installed (from extensionsDir), not from this repository. */
  readonly installed: boolean;
  /** Non-loopback URLs the page tried to reach (all were aborted). */
  readonly blocked: string[];
  /** Saves test-output/screenshots/<name>.png and returns its path. */
  screenshot(name: string): Promise<string>;
  /** Runs a palette command by its visible title (e.g. "Vasculature Explorer: Refresh"), retrying until the row appears. */
  runCommand(title: string, opts?: { timeoutMs?: number }): Promise<void>;
  /** Clicks the activity-bar entry whose label starts with title and waits for its side bar to show. */
  openActivityBarView(title: string): Promise<Locator>;
  close(): Promise<void>;
}

/** The webview frame (of any panel or view) where the JS expression `test` is true, polled until timeoutMs. */
export async function findWebviewFrame(page: Page, test: string, timeoutMs = 60_000): Promise<Frame> {
  const t0 = Date.now();
  for (;;) {
    for (const f of page.frames()) {
      const ok = await f.evaluate(test).catch(() => false);
      if (ok) return f;
    }
    if (Date.now() - t0 > timeoutMs) throw new Error(`no webview frame where ${test} within ${timeoutMs} ms`);
    await page.waitForTimeout(250);
  }
}

/** Starts code-server on a free port and opens folder in a fresh browser context; resolves once the workbench is up. */
export async function openVscode(browser: Browser, opts: { name: string; folder: string }): Promise<VscodeSession> {
  // pid-named: several people may run the e2e tests from one checkout at once.
  const profile = path.join(repoRoot, '.vscode-test', 'e2e', `${opts.name.replace(/[^\w.-]+/g, '_')}-${process.pid}`);
  fs.rmSync(profile, { recursive: true, force: true });
  // VE_E2E_INSTALLED_EXTENSIONS_DIR (set by runInstalled.ts): run the extension as installed from
  // that folder (code-server --install-extension of the VSIX), not from this repository.
  const installedDir = process.env.VE_E2E_INSTALLED_EXTENSIONS_DIR || undefined;
  const extensionsDir = installedDir ?? path.join(profile, 'extensions');
  const server = await startCodeServer({
    userDataDir: path.join(profile, 'user-data'),
    extensionsDir,
    logFile: path.join(testOutputDir, 'logs', `e2e-${path.basename(profile)}-code-server.log`),
    ...(path.resolve(opts.folder) === path.resolve(sampleDataset) ? { settings: sampleWorkspaceSettings(profile) } : {}),
  });
  const blocked: string[] = [];
  let context: BrowserContext | undefined;
  try {
    context = await newLoopbackContext(browser, blocked);
    const page = await context.newPage();
    await page.goto(workbenchUrl({ port: server.port, folder: opts.folder, extensionDevelopmentPaths: installedDir ? [] : [repoRoot] }));
    await page.locator('.monaco-workbench .part.activitybar').waitFor({ state: 'visible', timeout: 60_000 });
    await page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: 30_000 });
    return makeSession(page, context, server, blocked, profile, extensionsDir, installedDir !== undefined);
  } catch (err) {
    await context?.close().catch(() => undefined);
    await server.stop();
    throw err;
  }
}

function makeSession(page: Page, context: BrowserContext, server: CodeServer, blocked: string[], profile: string, extensionsDir: string, installed: boolean): VscodeSession {
  return {
    page,
    server,
    extensionsDir,
    installed,
    blocked,
    async screenshot(name) {
      fs.mkdirSync(screenshotDir, { recursive: true });
      const file = path.join(screenshotDir, `${name}.png`);
      await page.screenshot({ path: file });
      return file;
    },
    async runCommand(title, opts = {}) {
      const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
      const input = page.locator('.quick-input-widget input.input');
      for (let attempt = 1; ; attempt++) {
        await page.keyboard.press('F1');
        const opened = await input.waitFor({ state: 'visible', timeout: 10_000 }).then(() => true, () => false);
        if (!opened) {
          // Just after a reload the key can land in a restored webview's frame before the workbench
          // takes it: give the focus back to the workbench's document and press it again.
          if (Date.now() > deadline) throw new Error(`palette: F1 did not open the command palette after ${attempt} tries`);
          await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
          continue;
        }
        // The palette can close between showing and typing (a tree reveal or a webview taking the
        // focus just then, e.g. right after a filter): then open it again.
        const filled = await input.fill(`>${title}`, { timeout: 5_000 }).then(() => true, () => false);
        if (!filled) {
          if (Date.now() > deadline) throw new Error(`palette: the command palette closed before "${title}" could be typed, ${attempt} tries`);
          continue;
        }
        // Contributed commands appear only once the extension host has scanned the extension: retry.
        const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
        const appeared = await row.waitFor({ state: 'visible', timeout: 3_000 }).then(() => true, () => false);
        if (appeared) {
          await row.click();
          return;
        }
        await page.keyboard.press('Escape');
        if (Date.now() > deadline) throw new Error(`palette: no command titled "${title}" after ${attempt} tries`);
        await page.waitForTimeout(1_000);
      }
    },
    async openActivityBarView(title) {
      const item = page.locator(`.part.activitybar .action-item a.action-label[aria-label^="${title.replace(/"/g, '\\"')}"]`).first();
      await item.waitFor({ state: 'visible', timeout: 60_000 });
      const sidebar = page.locator('.part.sidebar');
      const heading = sidebar.locator('.composite.title h2', { hasText: new RegExp(`^${title}`, 'i') });
      // Just after a reload the workbench may still be restoring its side bar: a click then can
      // toggle the container closed again. Look, click only when it is not shown, look again.
      const deadline = Date.now() + 30_000;
      for (;;) {
        if (await heading.isVisible()) return sidebar;
        const selected = await item.evaluate((el) => el.closest('.action-item')?.classList.contains('checked') ?? false);
        if (!selected) await item.click();
        if (await heading.waitFor({ state: 'visible', timeout: 5_000 }).then(() => true, () => false)) return sidebar;
        if (Date.now() > deadline) throw new Error(`activity bar: the "${title}" side bar did not show within 30 s`);
        // Checked but hidden (the side bar closed): clicking shows it.
        if (selected) await item.click();
      }
    },
    async close() {
      await context.close().catch(() => undefined);
      await server.stop();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}
