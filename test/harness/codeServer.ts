/** Starts and stops a code-server (VS Code 1.100 in a browser) bound to loopback on a free port. */
import { spawn, ChildProcess } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as path from 'path';
import { codeServerBin, repoRoot } from './paths';

export interface CodeServerOptions {
  /** VS Code's user data folder; created (with parents) if missing. */
  userDataDir: string;
  /** VS Code's extensions folder; created (with parents) if missing. */
  extensionsDir: string;
  /** Where code-server's own stdout/stderr go. */
  logFile: string;
  /** Extra settings merged over the harness defaults in User/settings.json. */
  settings?: Record<string, unknown>;
  /** A fixed port (default: a free one, with retries on another port if the bind fails). */
  port?: number;
  /** Keep a settings.json already in the profile (a person's demo profile): only missing defaults are added. */
  keepUserSettings?: boolean;
}

export interface CodeServer {
  readonly port: number;
  /** The code-server process; it leads its own process group (the extension host and its children are in it). */
  readonly pid: number;
  /** http://127.0.0.1:PORT */
  readonly baseUrl: string;
  /** The last lines code-server printed (for error messages). */
  logTail(): string;
  stop(): Promise<void>;
}

/** Settings every harness profile starts with: nothing phones home, nothing pops up. */
const defaultSettings: Record<string, unknown> = {
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'security.workspace.trust.enabled': false,
  'window.restoreWindows': 'none',
  'chat.disableAIFeatures': true,
};

/** Returns a TCP port that was free on 127.0.0.1 a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** Environment for code-server: config and data under .vscode-test, gallery pointed at a dead loopback port. */
export function codeServerEnv(): NodeJS.ProcessEnv {
  const xdg = path.join(repoRoot, '.vscode-test', 'xdg');
  for (const d of ['config', 'data']) fs.mkdirSync(path.join(xdg, d), { recursive: true });
  return {
    ...process.env,
    XDG_CONFIG_HOME: path.join(xdg, 'config'),
    XDG_DATA_HOME: path.join(xdg, 'data'),
    EXTENSIONS_GALLERY: JSON.stringify({ serviceUrl: 'http://127.0.0.1:9/gallery', itemUrl: 'http://127.0.0.1:9/item' }),
    // Started from a VS Code terminal these would make code-server try to reuse that instance.
    VSCODE_IPC_HOOK_CLI: '',
    ELECTRON_RUN_AS_NODE: '',
  };
}

/** Creates the profile folders (code-server silently skips a dev extension when they are missing) and seeds settings. */
export function prepareProfile(userDataDir: string, extensionsDir: string, settings: Record<string, unknown> = {}, keepUserSettings = false): void {
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  const file = path.join(userDataDir, 'User', 'settings.json');
  // VE_PROFILE_SETTINGS (JSON, set by a runner for one suite): settings that must reach a profile the shim creates.
  const fromEnv = process.env.VE_PROFILE_SETTINGS ? (JSON.parse(process.env.VE_PROFILE_SETTINGS) as Record<string, unknown>) : {};
  if (keepUserSettings && fs.existsSync(file)) {
    let mine: Record<string, unknown> | undefined;
    try {
      const v: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
      if (v && typeof v === 'object' && !Array.isArray(v)) mine = v as Record<string, unknown>;
    } catch {
      // Comments or a trailing comma (VS Code accepts them): the person's file is left exactly as it is.
      return;
    }
    if (!mine) return;
    const merged = { ...defaultSettings, ...fromEnv, ...settings, ...mine };
    if (Object.keys(merged).length !== Object.keys(mine).length) fs.writeFileSync(file, JSON.stringify(merged, null, 2));
    return;
  }
  fs.writeFileSync(file, JSON.stringify({ ...defaultSettings, ...fromEnv, ...settings }, null, 2));
}

/** The demo's own profile folder for one dataset folder: two demos on two folders never share one. */
export function demoProfileDir(root: string, folder: string): string {
  const abs = path.resolve(folder);
  const slug = path.basename(abs).replace(/[^\w.-]+/g, '_').slice(0, 40) || 'folder';
  return path.join(root, '.vscode-test', 'demo', `${slug}-${crypto.createHash('sha1').update(abs).digest('hex').slice(0, 10)}`);
}

function healthy(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/healthz', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => { req.destroy(); resolve(false); });
  });
}

/** Starts code-server and resolves once /healthz answers; retries on another port if the bind fails. */
export async function startCodeServer(opts: CodeServerOptions): Promise<CodeServer> {
  if (!fs.existsSync(codeServerBin)) {
    throw new Error(`code-server is not installed at ${codeServerBin}. Run: bash scripts/setup.sh`);
  }
  prepareProfile(opts.userDataDir, opts.extensionsDir, opts.settings, opts.keepUserSettings === true);
  fs.mkdirSync(path.dirname(opts.logFile), { recursive: true });
  let lastError = '';
  const tries = opts.port ? 1 : 3;
  for (let attempt = 1; attempt <= tries; attempt++) {
    const port = opts.port ?? (await freePort());
    const server = await tryStart(port, opts);
    if (typeof server !== 'string') return server;
    lastError = server;
  }
  throw new Error(`code-server did not start (${tries} tries). Last output:\n${lastError}\nFull log: ${opts.logFile}`);
}

async function tryStart(port: number, opts: CodeServerOptions): Promise<CodeServer | string> {
  const args = [
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--user-data-dir', opts.userDataDir,
    '--extensions-dir', opts.extensionsDir,
    '--disable-telemetry',
    '--disable-update-check',
    // VE_WORKSPACE_TRUST=1 (a suite that tests Restricted Mode): workspace trust stays on.
    ...(process.env.VE_WORKSPACE_TRUST === '1' ? [] : ['--disable-workspace-trust']),
    '--disable-getting-started-override',
    '--ignore-last-opened',
  ];
  const log = fs.openSync(opts.logFile, 'a');
  const child: ChildProcess = spawn(codeServerBin, args, {
    env: codeServerEnv(),
    stdio: ['ignore', log, log],
    detached: true, // own process group, so stop() takes the extension host and watchers with it
  });
  fs.closeSync(log);
  let exited = false;
  child.on('exit', () => { exited = true; });
  const killGroup = (sig: NodeJS.Signals) => {
    try { if (child.pid) process.kill(-child.pid, sig); } catch { /* already gone */ }
  };
  const onParentExit = () => killGroup('SIGKILL');
  process.on('exit', onParentExit);
  const logTail = () => {
    try { return fs.readFileSync(opts.logFile, 'utf8').split('\n').slice(-30).join('\n'); } catch { return ''; }
  };
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && !exited) {
    if (await healthy(port)) {
      return {
        port,
        pid: child.pid ?? -1,
        baseUrl: `http://127.0.0.1:${port}`,
        logTail,
        stop: async () => {
          process.off('exit', onParentExit);
          if (exited) return;
          const gone = new Promise<void>((r) => child.once('exit', () => r()));
          killGroup('SIGTERM');
          const timer = setTimeout(() => killGroup('SIGKILL'), 5000);
          await gone;
          clearTimeout(timer);
        },
      };
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  killGroup('SIGKILL');
  process.off('exit', onParentExit);
  return exited ? `exited early on port ${port}:\n${logTail()}` : `no /healthz answer on port ${port} within 60 s:\n${logTail()}`;
}
