/** The "emptyFolder" integration suite opens a folder that holds no dataset files. */
import * as fs from 'fs';
import * as path from 'path';

/** Creates tmpDir/not-a-dataset with one unrelated file; the runner removes tmpDir afterwards. */
export function createWorkspace(tmpDir: string): string {
  const folder = path.join(tmpDir, 'not-a-dataset');
  fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(path.join(folder, 'notes.txt'), 'no polygons.jsonl or tile_meta.csv here\n');
  return folder;
}
