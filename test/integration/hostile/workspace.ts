/** The "hostile" integration suite opens a copy of the sample (images linked) whose polygons.jsonl gains lines with hostile ids (and whose first lines hold 80,000-vertex rings), beside two hostile submissions. */
import * as fs from 'fs';
import * as path from 'path';
import { bombSubmission, crashCaseSubmission, randomRing } from '../../unit/support/hostileFixtures';

const sample = path.resolve(__dirname, '..', '..', '..', '..', '..', 'shared', 'data', 'hhv-sample');

/** Ids the suite expects an id-not-safe warning for, in the order their lines are appended. */
export const HOSTILE_IDS = ['../../escaped', '[click](https://evil.example/)', '\u001b]0;pwned\u0007'];

/** How many of the first polygons.jsonl lines hold one 80,000-vertex blood vessel ring instead (about 1 MB each). */
export const HUGE_RING_LINES = 6;

/** Creates tmpDir/hostile-sample; the runner removes tmpDir afterwards. */
export function createWorkspace(tmpDir: string): string {
  const folder = path.join(tmpDir, 'hostile-sample');
  fs.mkdirSync(folder, { recursive: true });
  for (const f of ['tile_meta.csv', 'wsi_meta.csv']) fs.copyFileSync(path.join(sample, f), path.join(folder, f));
  const sampleLines = fs.readFileSync(path.join(sample, 'polygons.jsonl'), 'utf8').trimEnd().split('\n');
  for (let n = 0; n < HUGE_RING_LINES; n++) {
    const id = (JSON.parse(sampleLines[n]) as { id: string }).id;
    sampleLines[n] = JSON.stringify({ id, annotations: [{ type: 'blood_vessel', coordinates: [randomRing(80_000, 18 + n)] }] });
  }
  const poly = sampleLines.join('\n');
  const extra = HOSTILE_IDS.map((id) => JSON.stringify({ id, annotations: [{ type: 'blood_vessel', coordinates: [[[1, 1], [9, 1], [9, 9]]] }] }));
  fs.writeFileSync(path.join(folder, 'polygons.jsonl'), [poly, ...extra].join('\n') + '\n');
  for (const split of ['train', 'test']) {
    fs.mkdirSync(path.join(folder, split));
    for (const n of fs.readdirSync(path.join(sample, split))) fs.symlinkSync(path.join(sample, split, n), path.join(folder, split, n));
  }
  fs.mkdirSync(path.join(folder, 'submissions'));
  fs.writeFileSync(path.join(folder, 'submissions', 'bomb.csv'), bombSubmission(2.8e6, 64 << 20));
  fs.writeFileSync(path.join(folder, 'submissions', 'crash.csv'), crashCaseSubmission());
  return folder;
}
