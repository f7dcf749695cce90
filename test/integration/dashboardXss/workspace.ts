/** A dataset whose ids and CSV values hold HTML/script text, for the dashboard's escaping test. */
import * as fs from 'fs';
import * as path from 'path';

export const HOSTILE = {
  sex: '<img src=x onerror="document.body.dataset.pwned=1">',
  race: '<script>document.body.dataset.pwned=2</script>',
  id: '<iframe srcdoc="x"></iframe>',
};

/** Writes the dataset into dir and returns it. */
export async function createWorkspace(dir: string): Promise<string> {
  fs.mkdirSync(path.join(dir, 'train'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'tile_meta.csv'), 'id,source_wsi,dataset,i,j\naaaaaaaaaaaa,1,1,0,0\nbbbbbbbbbbbb,1,1,512,0\n');
  const q = (s: string) => `"${s.replace(/"/g, '""')}"`;
  fs.writeFileSync(path.join(dir, 'wsi_meta.csv'), `source_wsi,age,sex,race,height,weight,bmi\n1,50,${q(HOSTILE.sex)},${q(HOSTILE.race)},170,70,24\n`);
  const ring = [[[10, 10], [60, 10], [60, 60], [10, 60]]];
  fs.writeFileSync(path.join(dir, 'polygons.jsonl'), [
    JSON.stringify({ id: 'aaaaaaaaaaaa', annotations: [{ type: 'blood_vessel', coordinates: ring }] }),
    JSON.stringify({ id: HOSTILE.id, annotations: [{ type: 'blood_vessel', coordinates: ring }] }),
  ].join('\n') + '\n');
  fs.copyFileSync(path.resolve(__dirname, '..', '..', '..', '..', '..', 'shared', 'data', 'hhv-sample', 'test', '72e40acccadf.tif'), path.join(dir, 'train', 'aaaaaaaaaaaa.tif'));
  return dir;
}
