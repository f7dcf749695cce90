/**
 * Entry point of test/harness/vscode-shim.sh: takes VS Code's flags, runs the extension tests in
 * code-server + headless chromium, forwards the suite's log to stdout and exits with its code.
 * Env: VE_TEST_TIMEOUT_MS (default 300000), VE_VERBOSE=1 also prints the workbench console.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as util from 'util';
import { launchBrowser, newLoopbackContext } from './browser';
import { startCodeServer } from './codeServer';
import { repoRoot, testOutputDir } from './paths';
import { parseVscodeArgs } from './vscodeArgs';
import { workbenchUrl } from './workbenchUrl';

const timeoutMs = Number(process.env.VE_TEST_TIMEOUT_MS || 300_000);
const verbose = process.env.VE_VERBOSE === '1';

interface AutomationLogFile { relativePath: string; contents: string }

/** Extension-host log lines worth showing: errors, and uncaught failures. */
function extensionHostErrors(logs: AutomationLogFile[]): string[] {
  const out: string[] = [];
  for (const f of logs) {
    if (!/exthost/i.test(f.relativePath)) continue;
    for (const line of f.contents.split('\n')) if (/\[error\]/.test(line)) out.push(`${f.relativePath}: ${line}`);
  }
  return out;
}

/** codeAutomationLog gets console-style arguments (a printf format first, as mocha's reporter sends them). */
/** [error] lines from the server-side extension host logs under userDataDir/logs (the dummy gallery's refusals left out). */
function serverExtensionHostErrors(userDataDir: string, skip: Set<string>): string[] {
  const out: string[] = [];
  const walk = (dir: string, inExthost: boolean): void => {
    let entries: fs.Dirent[];
    try { entries = fs.readdirSync(dir, { withFileTypes: true }); } catch { return; }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p, inExthost || /^exthost/.test(e.name));
      else if (inExthost && e.name.endsWith('.log') && !/Telemetry/.test(e.name)) {
        for (const line of fs.readFileSync(p, 'utf8').split('\n')) {
          if (/\[error\]/.test(line) && !/127\.0\.0\.1:9\b/.test(line)) out.push(`${path.relative(userDataDir, p)}: ${line}`);
        }
      }
    }
  };
  const logs = path.join(userDataDir, 'logs');
  for (const session of listDir(logs)) if (!skip.has(session)) walk(path.join(logs, session), false);
  return out;
}

function listDir(dir: string): string[] {
  try { return fs.readdirSync(dir); } catch { return []; }
}

function asText(args: unknown): string {
  return util.format(...(Array.isArray(args) ? args : [args]));
}

/** The workbench's own chatter (connection setup, the dummy gallery refusing): kept in the log file only. */
const workbenchNoise = [
  /^Resolv(ing|ed) connection token/, /^Creating a socket/, /^Updating additional builtin extensions cache/,
  /^\[Service Worker\]/, /^ChatSessionStore:/, /^Creation of workbench contribution/, /ECONNREFUSED 127\.0\.0\.1:9\b/,
  /^Started local extension host/, /^\[LocalProcessExtensionHost\]/,
];

async function main(): Promise<number> {
  const args = parseVscodeArgs(process.argv.slice(2));
  if (!args.extensionTestsPath) {
    console.error('vscode-shim: --extensionTestsPath=<file> is required (this shim only runs extension tests).');
    return 2;
  }
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const logDir = path.join(testOutputDir, 'logs', `vscode-shim-${stamp}-${process.pid}`);
  fs.mkdirSync(logDir, { recursive: true });
  const profile = path.join(repoRoot, '.vscode-test', 'shim');
  const userDataDir = path.resolve(args.userDataDir ?? path.join(profile, 'user-data'));
  const earlierLogs = new Set(listDir(path.join(userDataDir, 'logs'))); // report only this run's errors
  const server = await startCodeServer({
    userDataDir,
    extensionsDir: path.resolve(args.extensionsDir ?? path.join(profile, 'extensions')),
    logFile: path.join(logDir, 'code-server.log'),
  });
  const browser = await launchBrowser();
  const blocked: string[] = [];
  const consoleLog = fs.createWriteStream(path.join(logDir, 'workbench-console.log'));
  try {
    const context = await newLoopbackContext(browser, blocked);
    const page = await context.newPage();
    let settle!: (code: number) => void;
    const exited = new Promise<number>((r) => { settle = r; });
    await page.exposeFunction('codeAutomationLog', (type: string, logArgs: unknown) => {
      const text = asText(logArgs);
      consoleLog.write(`[automation ${type}] ${text}\n`);
      if (!verbose && workbenchNoise.some((re) => re.test(text))) return;
      if (type === 'error') process.stderr.write(text + '\n');
      else process.stdout.write(text + '\n');
    });
    await page.exposeFunction('codeAutomationExit', (code: number, logs?: AutomationLogFile[]) => {
      for (const f of logs ?? []) {
        const dest = path.join(logDir, 'vscode', f.relativePath.replace(/\.\.+/g, '_'));
        fs.mkdirSync(path.dirname(dest), { recursive: true });
        fs.writeFileSync(dest, f.contents);
      }
      const errors = extensionHostErrors(logs ?? []);
      if (errors.length) console.error(`vscode-shim: extension host logged ${errors.length} error(s):\n  ${errors.slice(0, 20).join('\n  ')}`);
      settle(Number(code) || 0);
    });
    page.on('console', (m) => {
      const line = `[${m.type()}] ${m.text()}`;
      consoleLog.write(line + '\n');
      // The workbench's own console noise stays in the log file; extension-host errors are shown.
      if (verbose || (m.type() === 'error' && /Extension Host|\[exthost\]|extensionHost/i.test(m.text()))) console.error(`workbench: ${line}`);
    });
    page.on('pageerror', (e) => consoleLog.write(`[pageerror] ${e.message}\n`));
    const url = workbenchUrl({
      port: server.port,
      folder: args.folder,
      extensionDevelopmentPaths: args.extensionDevelopmentPaths.map((p) => path.resolve(p)),
      extensionTestsPath: path.resolve(args.extensionTestsPath),
    });
    console.log(`vscode-shim: code-server ${server.baseUrl}, folder ${args.folder ?? '(none)'}, logs ${path.relative(repoRoot, logDir)}`);
    await page.goto(url);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<number>((r) => { timer = setTimeout(() => r(-1), timeoutMs); });
    const code = await Promise.race([exited, timedOut]);
    clearTimeout(timer);
    if (code === -1) {
      await page.screenshot({ path: path.join(logDir, 'timeout.png') }).catch(() => undefined);
      console.error(`vscode-shim: the suite did not finish within ${timeoutMs / 1000} s (VE_TEST_TIMEOUT_MS). ` +
        `Screenshot and logs in ${logDir}. code-server said:\n${server.logTail()}`);
      return 124;
    }
    if (blocked.length) console.log(`vscode-shim: blocked ${blocked.length} non-loopback request(s), e.g. ${blocked[0]}`);
    return code;
  } finally {
    consoleLog.end();
    await browser.close().catch(() => undefined);
    await server.stop();
    const errors = serverExtensionHostErrors(userDataDir, earlierLogs);
    if (errors.length) console.error(`vscode-shim: the extension host logged ${errors.length} error(s):\n  ${errors.slice(0, 20).join('\n  ')}`);
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`vscode-shim: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    process.exit(1);
  },
);
