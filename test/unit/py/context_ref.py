"""Independent checks of context tiles (padded and shifted) in a training-data folder (Debian's /usr/bin/python3).

JSON on stdin: {"out", "root", "pad", "fill", "value", "classes"}; JSON on stdout.
From tile_meta.csv, polygons.jsonl and the train/ images alone (not the project's code):
  - the tiles of the run are the ids of folds.csv; neighbours are tiles of the run at i/j offsets of 512 in the same WSI;
  - expected image: the centre tile padded with numpy 'symmetric' (fill reflect) or zeros, each neighbour's pixels pasted
    at its offset; a shifted tile <anchor>_shift256: zeros with the quadrants of the 2x2 block pasted;
  - expected mask: each source's polygons shifted by its offset, drawn with Pillow ImageDraw.polygon(fill, outline) on the
    context canvas, kept only inside that source's pixels; (reflect) the centre's mask mirrored with numpy 'symmetric'
    where no neighbour is;
  - YOLO lines denormalised by the tile size, drawn with Pillow: IoU with the expected mask; all coordinates in [0, 1];
  - COCO: width/height of the context tile, area sum vs the expected mask's pixels;
  - leaks expected: (context tile, source tile) pairs whose folds in folds.csv differ.
"""
import csv
import json
import os
import sys

import numpy as np
from PIL import Image, ImageDraw


def main():
    a = json.load(sys.stdin)
    out, root, N, fill, value, cls = a['out'], a['root'], a['pad'], a['fill'], a['value'], a['classes'][0]
    meta = {r['id']: (int(r['source_wsi']), int(r['i']), int(r['j'])) for r in csv.DictReader(open(os.path.join(root, 'tile_meta.csv')))}
    polys = {}
    for line in open(os.path.join(root, 'polygons.jsonl')):
        if line.strip():
            d = json.loads(line)
            polys[d['id']] = d['annotations']
    folds = {r['id']: int(r['fold']) for r in csv.DictReader(open(os.path.join(out, 'folds.csv')))}
    run = [t for t in folds if not t.endswith('_shift256')]
    at = {meta[t]: t for t in run}

    def img(t):
        return np.array(Image.open(os.path.join(root, 'train', t + '.tif')).convert('RGB'))

    def mask512(t):
        m = Image.new('L', (512, 512), 0)
        for x in polys[t]:
            if x['type'] == cls:
                ImageDraw.Draw(m).polygon([tuple(p) for p in x['coordinates'][0]], fill=value, outline=value)
        return np.array(m)

    def shifted_mask(t, dx, dy, W, H):
        m = Image.new('L', (W, H), 0)
        for x in polys[t]:
            if x['type'] == cls:
                ImageDraw.Draw(m).polygon([(p[0] + dx, p[1] + dy) for p in x['coordinates'][0]], fill=value, outline=value)
        m = np.array(m)
        keep = np.zeros_like(m, dtype=bool)
        keep[max(0, dy):max(0, min(H, dy + 512)), max(0, dx):max(0, min(W, dx + 512))] = True
        return np.where(keep, m, 0)

    res = {'padded': 0, 'shifted': 0, 'imageMismatch': [], 'maskMismatch': [], 'neighbourPixels': 0, 'yoloIoU': [], 'yoloOutOfRange': 0,
           'cocoBad': [], 'cocoAreaRatio': [], 'expectedLeaks': [], 'withNeighbours': []}
    coco = {}
    for f in sorted(os.listdir(os.path.join(out, 'coco'))):
        d = json.load(open(os.path.join(out, 'coco', f)))
        for im in d['images']:
            coco.setdefault(im['file_name'][:-4], {'image': im, 'area': 0.0, 'n': 0, 'file': f})
        if f == 'fold0_train.json' or f == 'fold0_val.json':
            names = {im['id']: im['file_name'][:-4] for im in d['images']}
            for an in d['annotations']:
                coco[names[an['image_id']]]['area'] += an['area']

    for name in sorted(os.listdir(os.path.join(out, 'images'))):
        tid = name[:-4]
        got = np.array(Image.open(os.path.join(out, 'images', name)).convert('RGB'))
        if tid.endswith('_shift256'):
            anchor = tid[:-len('_shift256')]
            w, i, j = meta[anchor]
            W = H = 512
            exp = np.zeros((512, 512, 3), np.uint8)
            m = np.zeros((512, 512), np.uint8)
            sources = []
            for qx, qy in [(0, 0), (1, 0), (0, 1), (1, 1)]:
                s = at.get((w, i + 512 * qx, j + 512 * qy))
                if s is None:
                    continue
                dx, dy = 512 * qx - 256, 512 * qy - 256
                sources.append(s)
                x0, y0, x1, y1 = max(0, dx), max(0, dy), min(W, dx + 512), min(H, dy + 512)
                exp[y0:y1, x0:x1] = img(s)[y0 - dy:y1 - dy, x0 - dx:x1 - dx]
                m = np.maximum(m, shifted_mask(s, dx, dy, W, H))
            res['shifted'] += 1
            for s in sources:
                if folds[s] != folds[tid]:
                    res['expectedLeaks'].append([tid, s])
        else:
            w, i, j = meta[tid]
            W = H = 512 + 2 * N
            centre = img(tid)
            cm = mask512(tid)
            if fill == 'reflect':
                exp = np.pad(centre, ((N, N), (N, N), (0, 0)), mode='symmetric')
                m = np.pad(cm, N, mode='symmetric')
            else:
                exp = np.pad(centre, ((N, N), (N, N), (0, 0)))
                m = np.pad(cm, N)
            nb = 0
            for oy in (-1, 0, 1):
                for ox in (-1, 0, 1):
                    if ox == 0 and oy == 0:
                        continue
                    s = at.get((w, i + 512 * ox, j + 512 * oy))
                    if s is None:
                        continue
                    nb += 1
                    dx, dy = N + 512 * ox, N + 512 * oy
                    x0, y0, x1, y1 = max(0, dx), max(0, dy), min(W, dx + 512), min(H, dy + 512)
                    exp[y0:y1, x0:x1] = img(s)[y0 - dy:y1 - dy, x0 - dx:x1 - dx]
                    sm = shifted_mask(s, dx, dy, W, H)
                    m[y0:y1, x0:x1] = sm[y0:y1, x0:x1]
                    res['neighbourPixels'] += (x1 - x0) * (y1 - y0)
                    if folds[s] != folds[tid]:
                        res['expectedLeaks'].append([tid, s])
            if nb:
                res['withNeighbours'].append(tid)
            res['padded'] += 1
        if got.shape != exp.shape or not np.array_equal(got, exp):
            res['imageMismatch'].append(tid)
        gm = np.array(Image.open(os.path.join(out, 'masks', cls, tid + '.png')))
        if gm.shape != m.shape or not np.array_equal(gm, m):
            res['maskMismatch'].append([tid, int((gm != m).sum()) if gm.shape == m.shape else -1])
        # YOLO parsed back, drawn with Pillow.
        y = Image.new('L', (W, H), 0)
        yolo_area = 0.0
        for line in open(os.path.join(out, 'labels', tid + '.txt')):
            v = line.split()
            if not v:
                continue
            xy = [float(t) for t in v[1:]]
            if any(c < 0 or c > 1 for c in xy):
                res['yoloOutOfRange'] += 1
            px, py = np.array(xy[0::2]) * W, np.array(xy[1::2]) * H
            yolo_area += abs(float(np.dot(px, np.roll(py, -1)) - np.dot(py, np.roll(px, -1)))) / 2
            ImageDraw.Draw(y).polygon([(round(u, 3), round(v, 3)) for u, v in zip(px, py)], fill=1, outline=1)
        y = np.array(y) > 0
        e = m > 0
        union = int((y | e).sum())
        res['yoloIoU'].append([tid, 1.0 if union == 0 else float((y & e).sum()) / union])

        def grow(b):
            g = b.copy()
            g[1:] |= b[:-1]; g[:-1] |= b[1:]
            h = g.copy()
            h[:, 1:] |= g[:, :-1]; h[:, :-1] |= g[:, 1:]
            return h
        # YOLO polygons within 1 px of the expected mask: no pixel of one is farther than 1 px from the other.
        res.setdefault('yoloFar', 0)
        res['yoloFar'] += int((y & ~grow(e)).sum() + (e & ~grow(y)).sum())
        c = coco.get(tid)
        if c is None or c['image']['width'] != W or c['image']['height'] != H:
            res['cocoBad'].append(tid)
        elif yolo_area > 0:
            res['cocoAreaRatio'].append([tid, c['area'] / yolo_area])
    json.dump(res, sys.stdout)


main()
