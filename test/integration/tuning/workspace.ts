/** A workspace folder of its own (so Apply writes its .vscode/settings.json, not the read-only sample's) whose datasetFolder setting points at the real sample. */
import * as fs from 'fs';
import * as path from 'path';

/** Writes the workspace into dir and returns it. */
export async function createWorkspace(dir: string): Promise<string> {
  const sample = path.resolve(__dirname, '..', '..', '..', '..', '..', 'shared', 'data', 'hhv-sample');
  fs.mkdirSync(path.join(dir, '.vscode'), { recursive: true });
  fs.writeFileSync(path.join(dir, '.vscode', 'settings.json'), JSON.stringify({ 'vasculatureExplorer.datasetFolder': sample }, null, 2));
  return dir;
}
