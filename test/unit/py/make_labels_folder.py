"""Writes a labels folder in the documented layout of `vasculature-explorer labels` (format
vasculature-explorer-labels/1: manifest.json, folds.csv, images/<id>.tif links, masks/instance/<id>.png
16-bit, masks/blood_vessel/<id>.png) from an HHV folder, for the training tests: every tile with an
image and a polygons line; fold = source WSI - 1 (leave-one-WSI-out).
stdin: {"dataset": dir, "out": dir, "limit": n|null}; stdout: {"tiles": n, "folds": {...}}"""
import csv
import json
import os
import sys

import numpy as np
from PIL import Image, ImageDraw

req = json.load(sys.stdin)
root, out = req['dataset'], req['out']
wsi = {}
with open(os.path.join(root, 'tile_meta.csv')) as f:
    for row in csv.DictReader(f):
        wsi[row['id']] = int(row['source_wsi'])
tiles = []
with open(os.path.join(root, 'polygons.jsonl')) as f:
    for line in f:
        if not line.strip():
            continue
        rec = json.loads(line)
        img = os.path.join(root, 'train', rec['id'] + '.tif')
        if os.path.exists(img):
            tiles.append(rec)
tiles.sort(key=lambda r: r['id'])
if req.get('limit'):
    tiles = tiles[:req['limit']]
for d in ('images', 'masks/instance', 'masks/blood_vessel'):
    os.makedirs(os.path.join(out, d), exist_ok=True)
folds = {}
n_inst = 0
for rec in tiles:
    tid = rec['id']
    os.symlink(os.path.abspath(os.path.join(root, 'train', tid + '.tif')), os.path.join(out, 'images', tid + '.tif'))
    inst = Image.new('I', (512, 512), 0)
    draw = ImageDraw.Draw(inst)
    k = 0
    for a in rec['annotations']:
        if a['type'] == 'blood_vessel' and a['coordinates'] and len(a['coordinates'][0]) >= 3:
            k += 1
            draw.polygon([tuple(p) for p in a['coordinates'][0]], fill=k, outline=k)
    n_inst += k
    arr = np.asarray(inst, dtype=np.int64).astype(np.uint16)
    Image.fromarray(arr).save(os.path.join(out, 'masks', 'instance', tid + '.png'))
    Image.fromarray((arr > 0).astype(np.uint8)).save(os.path.join(out, 'masks', 'blood_vessel', tid + '.png'))
    folds[tid] = wsi[tid] - 1
with open(os.path.join(out, 'folds.csv'), 'w') as f:
    f.write('id,fold\n' + ''.join(f'{t},{folds[t]}\n' for t in sorted(folds)))
manifest = {
    'format': 'vasculature-explorer-labels/1', 'complete': True, 'tool': {'name': 'test/unit/py/make_labels_folder.py', 'version': '0'},
    'dataset': {'root': os.path.abspath(root), 'files': {}},
    'classes': [{'index': 0, 'name': 'blood_vessel', 'cocoId': 1, 'yoloIndex': 0, 'labelValue': 1}],
    'counts': {'tiles': len(tiles), 'instances': {'blood_vessel': n_inst}},
    'folds': {'scheme': {'kind': 'lowo'}, 'description': 'fold = source WSI - 1', 'names': sorted({f'wsi{v + 1}' for v in folds.values()})},
}
with open(os.path.join(out, 'manifest.json'), 'w') as f:
    json.dump(manifest, f, indent=2)
counts = {}
for v in folds.values():
    counts[v] = counts.get(v, 0) + 1
json.dump({'tiles': len(tiles), 'folds': counts}, sys.stdout)
