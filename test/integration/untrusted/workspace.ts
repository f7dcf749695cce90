/**
 * The "untrusted" integration suite: VS Code opens a copy of the sample (images linked) with
 * workspace trust ON and the folder not trusted (Restricted Mode). The copy's .vscode/settings.json
 * tries the restricted settings (a modelPath into the workspace, a datasetFolder elsewhere, a tiny
 * submission cap, a 1 s timeout) beside one ordinary setting; model/evil.onnx (the demo model) and
 * a sidecar that would ask for a huge input sit inside it; polygons.jsonl has one truncated line.
 */
import * as fs from 'fs';
import * as path from 'path';
import { bombSubmission } from '../../unit/support/hostileFixtures';

const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');
const sample = path.resolve(repoRoot, '..', 'shared', 'data', 'hhv-sample');

/** Trust on, no startup prompt, no banner: the folder opens untrusted and stays so. */
export const workspaceTrust = true;
export const profileSettings: Record<string, unknown> = {
  'security.workspace.trust.enabled': true,
  'security.workspace.trust.startupPrompt': 'never',
  'security.workspace.trust.banner': 'never',
  'security.workspace.trust.emptyWindow': false,
  'security.workspace.trust.untrustedFiles': 'open',
};

/** The workspace's own settings (the restricted ones, every predict.* among them, must not apply; tree.pageSize is not restricted and must). */
export const WORKSPACE_SETTINGS = {
  'vasculatureExplorer.modelPath': '${workspaceFolder}/model/evil.onnx',
  'vasculatureExplorer.datasetFolder': '/nonexistent/elsewhere',
  'vasculatureExplorer.limits.submissionFileMiB': 1,
  'vasculatureExplorer.predict.timeoutSeconds': 1,
  'vasculatureExplorer.predict.threshold': 0.77,
  'vasculatureExplorer.predict.tta': 'rot4',
  'vasculatureExplorer.tree.pageSize': 77,
};

/** The polygons.jsonl line (1-based) that is cut short. */
export const TRUNCATED_LINE = 7;

/** Creates tmpDir/untrusted-sample; the runner removes tmpDir afterwards. */
export function createWorkspace(tmpDir: string): string {
  const folder = path.join(tmpDir, 'untrusted-sample');
  fs.mkdirSync(path.join(folder, '.vscode'), { recursive: true });
  for (const f of ['tile_meta.csv', 'wsi_meta.csv']) fs.copyFileSync(path.join(sample, f), path.join(folder, f));
  const lines = fs.readFileSync(path.join(sample, 'polygons.jsonl'), 'utf8').trimEnd().split('\n');
  lines[TRUNCATED_LINE - 1] = lines[TRUNCATED_LINE - 1].slice(0, 200);
  fs.writeFileSync(path.join(folder, 'polygons.jsonl'), lines.join('\n') + '\n');
  for (const split of ['train', 'test']) {
    fs.mkdirSync(path.join(folder, split));
    for (const n of fs.readdirSync(path.join(sample, split))) fs.symlinkSync(path.join(sample, split, n), path.join(folder, split, n));
  }
  fs.mkdirSync(path.join(folder, 'model'));
  fs.copyFileSync(path.join(repoRoot, 'media', 'model', 'demo-unet.onnx'), path.join(folder, 'model', 'evil.onnx'));
  const sidecar = JSON.parse(fs.readFileSync(path.join(repoRoot, 'media', 'model', 'demo-unet.onnx.json'), 'utf8')) as Record<string, unknown>;
  fs.writeFileSync(path.join(folder, 'model', 'evil.onnx.json'), JSON.stringify({ ...sidecar, inputSize: [60000, 60000] }));
  fs.writeFileSync(path.join(folder, '.vscode', 'settings.json'), JSON.stringify(WORKSPACE_SETTINGS, null, 2));
  fs.mkdirSync(path.join(folder, 'submissions'));
  fs.writeFileSync(path.join(folder, 'submissions', 'bomb.csv'), bombSubmission(2.8e6, 64 << 20));
  return folder;
}
