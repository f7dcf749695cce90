/**
 * `--stain` for the training-data export (labels): reinhard:<RandStainNA LAB yaml> (target = the
 * yaml's mean of per-tile means and stds), macenko (torchstain's reference) or macenko:<tile id>
 * (stains fitted on that tile of the dataset). Returns the transform labels applies to every image.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeTile } from '../core/image';
import { makeStainTransform, parseRandStainYaml, type StainTransform } from '../core/stain';
import type { DatasetIndex } from '../core/types';

export const STAIN_OPTION_USAGE = '  --stain reinhard:<stats_LAB.yaml>|macenko|macenko:<tile id>   stain-normalise every image written (forces PNG images)';

/** A labels image transform and its name for the manifest; throws with what is wrong in the spec. */
export async function stainOptionTransform(spec: string, index: DatasetIndex): Promise<{ name: string; transform: (rgb: { data: Uint8Array; width: number; height: number }) => { data: Uint8Array; width: number; height: number } }> {
  let t: StainTransform;
  let name = spec;
  if (spec.startsWith('reinhard:')) {
    const file = path.resolve(spec.slice('reinhard:'.length));
    if (!fs.existsSync(file)) throw new Error(`--stain ${spec}: ${file} does not exist. Write one with: vasculature-explorer stain-stats <dataset> --space LAB --out stats_LAB.yaml`);
    const cfg = parseRandStainYaml(fs.readFileSync(file, 'utf8'), file);
    if (cfg.space !== 'LAB') throw new Error(`--stain ${spec}: Reinhard needs a LAB statistics yaml; ${file} is ${cfg.space}.`);
    t = makeStainTransform({ method: 'reinhard', target: { mean: [cfg.avg[0][0], cfg.avg[1][0], cfg.avg[2][0]], std: [cfg.std[0][0], cfg.std[1][0], cfg.std[2][0]] } });
    name = `reinhard:${path.basename(file)}`;
  } else if (spec === 'macenko' || spec === 'macenko:reference') {
    t = makeStainTransform({ method: 'macenko', target: 'reference' });
    name = 'macenko:reference';
  } else if (spec.startsWith('macenko:')) {
    const id = spec.slice('macenko:'.length);
    const rec = index.tiles.get(id);
    if (!rec?.image) throw new Error(`--stain ${spec}: tile ${id} has no image in ${index.root}.`);
    const px = await decodeTile(path.join(index.root, rec.image));
    t = makeStainTransform({ method: 'macenko', target: { fitOn: px } });
  } else throw new Error(`--stain ${spec}: expected reinhard:<stats_LAB.yaml>, macenko or macenko:<tile id>.`);
  return {
    name,
    transform: (rgb) => {
      const r = t({ width: rgb.width, height: rgb.height, channels: rgb.data.length === rgb.width * rgb.height * 4 ? 4 : 3, data: rgb.data });
      const n = r.width * r.height, out = new Uint8Array(n * 3);
      for (let p = 0; p < n; p++) {
        out[p * 3] = r.data[p * 4];
        out[p * 3 + 1] = r.data[p * 4 + 1];
        out[p * 3 + 2] = r.data[p * 4 + 2];
      }
      return { data: out, width: r.width, height: r.height };
    },
  };
}
