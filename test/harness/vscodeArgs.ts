/** Parses the subset of VS Code's command line that test runners pass to a VS Code executable. */

export interface VscodeArgs {
  extensionDevelopmentPaths: string[];
  extensionTestsPath?: string;
  userDataDir?: string;
  extensionsDir?: string;
  /** The folder to open (the last positional argument). */
  folder?: string;
}

const valued: Record<string, (a: VscodeArgs, v: string) => void> = {
  extensionDevelopmentPath: (a, v) => { a.extensionDevelopmentPaths.push(v); },
  extensionTestsPath: (a, v) => { a.extensionTestsPath = v; },
  'user-data-dir': (a, v) => { a.userDataDir = v; },
  'extensions-dir': (a, v) => { a.extensionsDir = v; },
};

/** Reads `--name=value` / `--name value` for the flags above and the positional folder; ignores other flags. */
export function parseVscodeArgs(argv: readonly string[]): VscodeArgs {
  const out: VscodeArgs = { extensionDevelopmentPaths: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      out.folder = arg;
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const set = valued[name];
    if (!set) continue; // --no-sandbox, --disable-updates, ...: meaningless for code-server
    if (eq >= 0) set(out, arg.slice(eq + 1));
    else if (i + 1 < argv.length) set(out, argv[++i]);
  }
  return out;
}
