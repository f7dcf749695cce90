/** The package this CLI was installed from: its folder (where package.json is) and version. */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The nearest folder at or above from that holds a package.json. */
export function packageRoot(from: string = __dirname): string {
  let d = from;
  while (!fs.existsSync(path.join(d, 'package.json')) && path.dirname(d) !== d) d = path.dirname(d);
  return d;
}

/** `name version` of that package.json (what `--version` prints). */
export function packageVersion(from: string = __dirname): { name: string; version: string } {
  const pkg = JSON.parse(fs.readFileSync(path.join(packageRoot(from), 'package.json'), 'utf8')) as { name?: string; version?: string };
  return { name: pkg.name ?? 'vasculature-explorer', version: pkg.version ?? '0.0.0' };
}
