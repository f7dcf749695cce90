"""Independent checks for the export unit tests (run with /usr/bin/python3).

  export_ref.py png <file>...       -> per file: {"file", "dtype", "shape", "max", "labels16": sha1 of the pixels as
                                       uint16 little-endian, "binary": sha1 of (pixels > 0) as uint8}; read with OpenCV
  export_ref.py shoelace <jsonl>    -> per polygon {"line", "ann", "area", "bbox": [minx, miny, maxx-minx, maxy-miny]} with numpy
"""
import hashlib
import json
import sys

import numpy as np


def png(files):
    import cv2
    for f in files:
        a = cv2.imread(f, cv2.IMREAD_UNCHANGED)
        print(json.dumps({'file': f, 'dtype': str(a.dtype), 'shape': list(a.shape), 'max': int(a.max()),
                          'labels16': hashlib.sha1(a.astype('<u2').tobytes()).hexdigest(),
                          'binary': hashlib.sha1((a > 0).astype(np.uint8).tobytes()).hexdigest()}))


def shoelace(path):
    with open(path) as fh:
        for lineno, text in enumerate(fh, 1):
            if not text.strip():
                continue
            for k, a in enumerate(json.loads(text)['annotations']):
                p = np.array(a['coordinates'][0], dtype=np.float64)
                x, y = p[:, 0], p[:, 1]
                area = abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))) / 2
                lo, hi = p.min(axis=0), p.max(axis=0)
                print(json.dumps({'line': lineno, 'ann': k, 'area': float(area),
                                  'bbox': [float(lo[0]), float(lo[1]), float(hi[0] - lo[0]), float(hi[1] - lo[1])]}))


if __name__ == '__main__':
    png(sys.argv[2:]) if sys.argv[1] == 'png' else shoelace(sys.argv[2])
