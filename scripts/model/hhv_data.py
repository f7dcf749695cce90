"""Reads the annotated tiles of an HHV data folder: RGB tiles (PIL) and blood_vessel instance masks
rasterised from polygons.jsonl with PIL ImageDraw. Shared by the training script and test helpers."""
import json
import os

import numpy as np
from PIL import Image, ImageDraw


def annotated_ids(root):
    """Ids that have both train/<id>.tif and a polygons.jsonl line, sorted."""
    ids = []
    with open(os.path.join(root, 'polygons.jsonl')) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            tid = json.loads(line)['id']
            if os.path.exists(os.path.join(root, 'train', tid + '.tif')):
                ids.append(tid)
    return sorted(set(ids))


def read_tile(root, tid):
    """The tile as HxWx3 uint8 RGB."""
    with Image.open(os.path.join(root, 'train', tid + '.tif')) as im:
        return np.asarray(im.convert('RGB'), dtype=np.uint8).copy()


def polygons_of(root, tid, kind='blood_vessel'):
    """The rings (lists of (x, y)) of one class for one tile."""
    with open(os.path.join(root, 'polygons.jsonl')) as f:
        for line in f:
            if not line.strip():
                continue
            rec = json.loads(line)
            if rec['id'] != tid:
                continue
            rings = []
            for a in rec['annotations']:
                if a['type'] == kind and a['coordinates'] and len(a['coordinates'][0]) >= 3:
                    rings.append([tuple(p) for p in a['coordinates'][0]])
            return rings
    return []


def rasterise(rings, h=512, w=512):
    """One HxW bool mask per ring (PIL ImageDraw.polygon, fill and outline)."""
    out = []
    for ring in rings:
        im = Image.new('L', (w, h), 0)
        ImageDraw.Draw(im).polygon(ring, fill=1, outline=1)
        out.append(np.asarray(im, dtype=bool))
    return out


def union_mask(instances, h=512, w=512):
    """The union of instance masks as HxW float32 {0,1}."""
    m = np.zeros((h, w), dtype=bool)
    for inst in instances:
        m |= inst
    return m.astype(np.float32)
