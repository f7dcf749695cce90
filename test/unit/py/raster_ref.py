"""Reference rasteriser for the unit tests: Pillow ImageDraw.polygon(fill=1, outline=1) and OpenCV fillPoly.

Reads polygons.jsonl (path in argv[1]), prints one JSON line per polygon ring:
{"line": 1-based line, "ann": index in the line, "pil": [count, sha1], "cv": [count, sha1]}
where sha1 is over the 512x512 row-major uint8 0/1 mask bytes. With argv[2] == "labels" it prints,
per line, the label mask (instance k+1 drawn in order) and the union mask as [count, sha1] pairs.
Always run with Debian's /usr/bin/python3 (numpy, PIL, cv2).
"""
import hashlib
import json
import sys

import cv2
import numpy as np
from PIL import Image, ImageDraw

SIZE = 512


def pil_mask(ring, value=1, im=None):
    if im is None:
        im = Image.new('L', (SIZE, SIZE), 0)
    ImageDraw.Draw(im).polygon([tuple(p) for p in ring], outline=value, fill=value)
    return im


def digest(arr):
    return [int(np.count_nonzero(arr)), hashlib.sha1(np.ascontiguousarray(arr).tobytes()).hexdigest()]


def main():
    path = sys.argv[1]
    mode = sys.argv[2] if len(sys.argv) > 2 else 'rings'
    out = sys.stdout
    with open(path) as f:
        for lineno, text in enumerate(f, 1):
            text = text.strip()
            if not text:
                continue
            obj = json.loads(text)
            anns = obj['annotations']
            if mode == 'labels':
                lab = Image.new('I', (SIZE, SIZE), 0)
                for k, a in enumerate(anns):
                    ImageDraw.Draw(lab).polygon([tuple(p) for p in a['coordinates'][0]], outline=k + 1, fill=k + 1)
                labels = np.array(lab, dtype=np.uint16)
                out.write(json.dumps({'line': lineno, 'id': obj['id'], 'labels': digest(labels),
                                      'union': digest((labels > 0).astype(np.uint8))}) + '\n')
                continue
            for k, a in enumerate(anns):
                ring = a['coordinates'][0]
                pil = np.array(pil_mask(ring), dtype=np.uint8)
                cvm = np.zeros((SIZE, SIZE), np.uint8)
                cv2.fillPoly(cvm, [np.array(ring, np.int32)], 1)
                out.write(json.dumps({'line': lineno, 'ann': k, 'pil': digest(pil), 'cv': digest(cvm)}) + '\n')


if __name__ == '__main__':
    main()
