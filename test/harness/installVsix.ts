/** Installs a VSIX the way a user of code-server does: `code-server --install-extension x.vsix --extensions-dir <dir>`. */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { codeServerBin } from './paths';
import { codeServerEnv } from './codeServer';

/** Installs vsix into extensionsDir (created); returns the folder the extension landed in and how long it took. */
export function installVsix(vsix: string, extensionsDir: string): { folder: string; ms: number; output: string } {
  fs.mkdirSync(extensionsDir, { recursive: true });
  const userData = fs.mkdtempSync(path.join(os.tmpdir(), 've-install-ud-'));
  const t0 = Date.now();
  let output: string;
  try {
    output = execFileSync(codeServerBin, ['--install-extension', vsix, '--extensions-dir', extensionsDir, '--user-data-dir', userData], {
      env: codeServerEnv(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000,
    });
  } finally {
    fs.rmSync(userData, { recursive: true, force: true });
  }
  const ms = Date.now() - t0;
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { publisher: string; name: string; version: string };
  const prefix = `${pkg.publisher}.${pkg.name}-${pkg.version}`.toLowerCase();
  const folder = fs.readdirSync(extensionsDir).find((d) => d.toLowerCase().startsWith(prefix));
  if (!folder) throw new Error(`code-server --install-extension ${vsix} left no ${prefix}* folder in ${extensionsDir} (it holds: ${fs.readdirSync(extensionsDir).join(', ') || 'nothing'}). Output:\n${output}`);
  return { folder: path.join(extensionsDir, folder), ms, output };
}
