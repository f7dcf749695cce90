/** The "userPaths" integration suite: every menu place's command on the real sample (read-only, opened as is). */
import * as path from 'path';

/** The real sample folder; nothing is written into it. */
export function createWorkspace(): string {
  return path.resolve(__dirname, '..', '..', '..', '..', '..', 'shared', 'data', 'hhv-sample');
}
