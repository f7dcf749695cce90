"""Independent checks of the training-data export (run with Debian's /usr/bin/python3).

JSON on stdin: {"cmd": ..., ...}; JSON on stdout.
  masks   {"out", "polygons", "classes", "value"}  -> per tile: Pillow ImageDraw.polygon(fill, outline) masks,
                                                      label and 16-bit instance maps vs the PNGs (read with PIL)
  yolo    {"out", "polygons", "classes", "fold"}   -> labels/*.txt parsed back: max coordinate error vs polygons (px),
                                                      class indices vs data_fold<k>.yaml names (PyYAML)
  coco    {"out", "polygons"}                      -> COCO schema fields, ids, areas vs numpy shoelace
  overlaps {"tile_meta", "wsi"}                    -> every overlapping pair of a WSI's tiles from tile_meta.csv
  sklearn {"y", "groups", "k", "seed"}            -> StratifiedKFold(k, shuffle, seed) and StratifiedGroupKFold(k) folds
"""
import csv
import glob
import json
import os
import sys

import numpy as np


def polygons(path):
    out = {}
    with open(path) as fh:
        for text in fh:
            if text.strip():
                d = json.loads(text)
                out[d['id']] = d['annotations']
    return out


def masks(a):
    from PIL import Image, ImageDraw
    polys = polygons(a['polygons'])
    classes = a['classes']
    res = {'tiles': 0, 'mismatch': [], 'pixels': 0}
    for f in sorted(glob.glob(os.path.join(a['out'], 'masks', classes[0], '*.png'))):
        tid = os.path.basename(f)[:-4]
        anns = [x for x in polys[tid] if x['type'] in classes]
        label = Image.new('L', (512, 512), 0)
        inst = Image.new('I', (512, 512), 0)
        for ci in range(len(classes) - 1, -1, -1):
            for x in anns:
                if x['type'] == classes[ci]:
                    ImageDraw.Draw(label).polygon([tuple(p) for p in x['coordinates'][0]], fill=ci + 1, outline=ci + 1)
        for k, x in enumerate(anns):
            ImageDraw.Draw(inst).polygon([tuple(p) for p in x['coordinates'][0]], fill=k + 1, outline=k + 1)
        for ci, c in enumerate(classes):
            ref = Image.new('L', (512, 512), 0)
            for x in anns:
                if x['type'] == c:
                    ImageDraw.Draw(ref).polygon([tuple(p) for p in x['coordinates'][0]], fill=a['value'], outline=a['value'])
            got = Image.open(os.path.join(a['out'], 'masks', c, tid + '.png'))
            if got.mode != 'L' or not np.array_equal(np.array(got), np.array(ref)):
                res['mismatch'].append(f'{c}/{tid} mode {got.mode}')
            res['pixels'] += int((np.array(ref) > 0).sum())
        lg = Image.open(os.path.join(a['out'], 'masks', 'label', tid + '.png'))
        if lg.mode != 'L' or not np.array_equal(np.array(lg), np.array(label)):
            res['mismatch'].append(f'label/{tid}')
        ig = Image.open(os.path.join(a['out'], 'masks', 'instance', tid + '.png'))
        arr = np.array(ig)
        if arr.dtype != np.uint16 and ig.mode not in ('I;16', 'I;16B', 'I'):
            res['mismatch'].append(f'instance/{tid} not 16-bit ({ig.mode})')
        if not np.array_equal(arr.astype(np.int64), np.array(inst).astype(np.int64)):
            res['mismatch'].append(f'instance/{tid}')
        res['tiles'] += 1
    return res


def yolo(a):
    import yaml
    polys = polygons(a['polygons'])
    classes = a['classes']
    with open(os.path.join(a['out'], f"data_fold{a['fold']}.yaml")) as fh:
        data = yaml.safe_load(fh)
    names = data['names']
    res = {'names': names, 'nc': data.get('nc'), 'train': data['train'], 'val': data['val'], 'lines': 0, 'maxErrPx': 0.0, 'badClass': 0, 'countMismatch': [], 'listed': 0, 'missingImages': 0}
    for f in sorted(glob.glob(os.path.join(a['out'], 'labels', '*.txt'))):
        tid = os.path.basename(f)[:-4]
        anns = [x for x in polys[tid] if x['type'] in classes]
        with open(f) as fh:
            rows = [r.split() for r in fh.read().splitlines() if r.strip()]
        if len(rows) != len(anns):
            res['countMismatch'].append(tid)
            continue
        for r, x in zip(rows, anns):
            c = int(r[0])
            if not (0 <= c < len(names)) or names[c] != x['type']:
                res['badClass'] += 1
            pts = np.array([float(v) for v in r[1:]]).reshape(-1, 2) * 512
            ring = np.array(x['coordinates'][0], dtype=float)
            if len(ring) > 3 and (ring[0] == ring[-1]).all():
                ring = ring[:-1]
            if pts.shape != ring.shape:
                res['countMismatch'].append(tid + ' points')
                continue
            res['maxErrPx'] = max(res['maxErrPx'], float(np.abs(pts - ring).max()))
            res['lines'] += 1
    for split in ('train', 'val'):
        lst = os.path.join(data['path'], data[split])
        with open(lst) as fh:
            for line in fh.read().splitlines():
                res['listed'] += 1
                p = os.path.join(os.path.dirname(lst), line[2:]) if line.startswith('./') else line
                lab = p.replace('/images/', '/labels/').rsplit('.', 1)[0] + '.txt'
                if not os.path.exists(p) or not os.path.exists(lab):
                    res['missingImages'] += 1
    return res


def coco(a):
    polys = polygons(a['polygons'])
    res = {'files': 0, 'images': 0, 'annotations': 0, 'errors': [], 'maxAreaErr': 0.0}
    for f in sorted(glob.glob(os.path.join(a['out'], 'coco', '*.json'))):
        with open(f) as fh:
            d = json.load(fh)
        res['files'] += 1
        for key in ('images', 'annotations', 'categories'):
            if not isinstance(d.get(key), list):
                res['errors'].append(f'{f}: {key} missing')
        cats = {c['id'] for c in d['categories'] if isinstance(c.get('id'), int) and isinstance(c.get('name'), str)}
        imgs = {}
        for im in d['images']:
            if not (isinstance(im.get('id'), int) and isinstance(im.get('file_name'), str) and im.get('width') == 512 and im.get('height') == 512):
                res['errors'].append(f'{f}: bad image {im}')
            imgs[im['id']] = im['file_name'].rsplit('.', 1)[0]
        if len(imgs) != len(d['images']):
            res['errors'].append(f'{f}: duplicate image ids')
        seen = set()
        per_image = {}
        for an in d['annotations']:
            for k in ('id', 'image_id', 'category_id', 'segmentation', 'area', 'bbox', 'iscrowd'):
                if k not in an:
                    res['errors'].append(f'{f}: annotation without {k}')
            if an['id'] in seen:
                res['errors'].append(f'{f}: duplicate annotation id {an["id"]}')
            seen.add(an['id'])
            if an['image_id'] not in imgs or an['category_id'] not in cats or an['iscrowd'] not in (0, 1):
                res['errors'].append(f'{f}: dangling ids in {an["id"]}')
            seg = an['segmentation']
            if not (isinstance(seg, list) and all(isinstance(s, list) and len(s) >= 6 and len(s) % 2 == 0 for s in seg)):
                res['errors'].append(f'{f}: bad segmentation in {an["id"]}')
                continue
            k = per_image.get(an['image_id'], 0)
            per_image[an['image_id']] = k + 1
            src = [x for x in polys[imgs[an['image_id']]] if x['type'] == 'blood_vessel'][k]
            p = np.array(src['coordinates'][0], dtype=np.float64)
            x, y = p[:, 0], p[:, 1]
            area = abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))) / 2
            res['maxAreaErr'] = max(res['maxAreaErr'], abs(area - an['area']))
            lo, hi = p.min(axis=0), p.max(axis=0)
            if [float(v) for v in an['bbox']] != [lo[0], lo[1], hi[0] - lo[0], hi[1] - lo[1]]:
                res['errors'].append(f'{f}: bbox of {an["id"]}')
        res['images'] += len(d['images'])
        res['annotations'] += len(d['annotations'])
    return res


def overlaps(a):
    rows = []
    with open(a['tile_meta']) as fh:
        for r in csv.DictReader(fh):
            if int(r['source_wsi']) == a['wsi']:
                rows.append((r['id'], int(r['i']), int(r['j'])))
    pairs = []
    for p in range(len(rows)):
        for q in range(p + 1, len(rows)):
            (ia, xa, ya), (ib, xb, yb) = rows[p], rows[q]
            w = 512 - abs(xa - xb)
            h = 512 - abs(ya - yb)
            if w > 0 and h > 0:
                pairs.append(sorted([ia, ib]) + [w * h])
    return sorted(pairs)


def sk(a):
    from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold
    y = np.array(a['y'])
    X = np.zeros((len(y), 1))
    skf = [[int(v) for v in test] for _, test in StratifiedKFold(a['k'], shuffle=True, random_state=a['seed']).split(X, y)]
    out = {'skf': skf}
    if a.get('groups') is not None:
        out['sgkf'] = [[int(v) for v in test] for _, test in StratifiedGroupKFold(a['k']).split(X, y, np.array(a['groups']))]
    return out


if __name__ == '__main__':
    arg = json.load(sys.stdin)
    print(json.dumps({'masks': masks, 'yolo': yolo, 'coco': coco, 'overlaps': overlaps, 'sklearn': sk}[arg['cmd']](arg)))
