"""Reference decoder and 16-bit writer for the tileImage unit tests (run with /usr/bin/python3).

  tile_ref.py rgba <file>...   -> one JSON line per file: {"file", "width", "height", "sha1" of PIL's RGBA bytes, "mean" of RGB}
  tile_ref.py write16 <dir>    -> writes 16-bit (and 32-bit grey) images with OpenCV and prints, per file, the
                                  expected 8-bit RGBA of each pixel: round(v / 257), or a min..max stretch for 32-bit
"""
import hashlib
import json
import os
import sys

import numpy as np


def rgba(files):
    from PIL import Image
    for f in files:
        im = Image.open(f).convert('RGBA')
        a = np.asarray(im)
        print(json.dumps({'file': f, 'width': im.width, 'height': im.height,
                          'sha1': hashlib.sha1(a.tobytes()).hexdigest(), 'mean': float(a[..., :3].mean())}))


def write16(d):
    import cv2
    rng = np.random.default_rng(7)
    grey = rng.integers(0, 65536, size=(37, 53), dtype=np.uint16)
    grey[0, :4] = [0, 1000, 32896, 65535]
    rgb = rng.integers(0, 65536, size=(21, 30, 3), dtype=np.uint16)
    rgba = rng.integers(0, 65536, size=(9, 11, 4), dtype=np.uint16)
    out = {}
    for name, arr in (('grey16.png', grey), ('grey16.tif', grey), ('rgb16.tif', rgb), ('rgb16.png', rgb), ('rgba16.png', rgba)):
        # OpenCV stores colour as BGR(A): reverse the channel order of what we mean as RGB(A).
        img = arr if arr.ndim == 2 else arr[..., [2, 1, 0] + ([3] if arr.shape[2] == 4 else [])]
        assert cv2.imwrite(os.path.join(d, name), img)
        a8 = np.round(arr.astype(np.float64) / 257).astype(np.uint8)
        if a8.ndim == 2:
            a8 = np.stack([a8, a8, a8, np.full_like(a8, 255)], axis=-1)
        elif a8.shape[2] == 3:
            a8 = np.concatenate([a8, np.full(a8.shape[:2] + (1,), 255, np.uint8)], axis=-1)
        out[name] = {'width': arr.shape[1], 'height': arr.shape[0], 'rgba': a8.reshape(-1).tolist()}
    # 32-bit float and int grey: expected = (v - min) / (max - min) * 255, rounded.
    for name, arr in (('float32.tif', (rng.random((13, 17)) * 3 - 1).astype(np.float32)),
                      ('int32.tif', rng.integers(-70000, 900000, size=(8, 5)).astype(np.int32))):
        assert cv2.imwrite(os.path.join(d, name), arr)
        a = arr.astype(np.float64)
        g = np.round((a - a.min()) / (a.max() - a.min()) * 255).astype(np.uint8)
        out[name] = {'width': arr.shape[1], 'height': arr.shape[0], 'rgba': np.stack([g, g, g, np.full_like(g, 255)], -1).reshape(-1).tolist(), 'tolerance': 1}
    print(json.dumps(out))


if __name__ == '__main__':
    if sys.argv[1] == 'rgba':
        rgba(sys.argv[2:])
    else:
        write16(sys.argv[2])
