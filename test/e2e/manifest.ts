/** What this repository's package.json contributes, so e2e tests can follow the extension as it grows. */
import * as fs from 'fs';
import * as path from 'path';
import { repoRoot } from '../harness/paths';

interface Contributes {
  commands?: { command: string; title: string; category?: string }[];
  viewsContainers?: { activitybar?: { id: string; title: string }[] };
  views?: Record<string, { id: string; name: string }[]>;
}

/** The `contributes` section of package.json (read fresh each call). */
export function contributes(): Contributes {
  const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { contributes?: Contributes };
  return pkg.contributes ?? {};
}

/** The activity-bar container with this id, if contributed. */
export function activityBarContainer(id: string): { id: string; title: string } | undefined {
  return contributes().viewsContainers?.activitybar?.find((c) => c.id === id);
}

/** The palette title of a contributed command ("Category: Title"), if contributed. */
export function commandTitle(id: string): string | undefined {
  const c = contributes().commands?.find((x) => x.command === id);
  return c && (c.category ? `${c.category}: ${c.title}` : c.title);
}
