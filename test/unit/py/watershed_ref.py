"""Reference for the watershed tests: scikit-image's watershed and scipy's exact distance transform.
stdin: {"cases": [{"h", "w", "surface": [...], "markers": [...], "mask": [...]|null, "connectivity": 1|2}],
        "edt": [{"h", "w", "fg": [...]}]}
stdout: {"labels": [[...], ...], "edt": [[...], ...]}"""
import json
import sys

import numpy as np
from scipy import ndimage as ndi
from skimage.segmentation import watershed

req = json.load(sys.stdin)
labels = []
for c in req.get('cases', []):
    h, w = c['h'], c['w']
    surface = np.asarray(c['surface'], dtype=np.float32).reshape(h, w)
    markers = np.asarray(c['markers'], dtype=np.int32).reshape(h, w)
    mask = None if c.get('mask') is None else np.asarray(c['mask'], dtype=bool).reshape(h, w)
    out = watershed(surface, markers, connectivity=c['connectivity'], mask=mask)
    labels.append(out.ravel().astype(int).tolist())
edt = []
for c in req.get('edt', []):
    fg = np.asarray(c['fg'], dtype=bool).reshape(c['h'], c['w'])
    edt.append([float(v) for v in ndi.distance_transform_edt(fg).ravel()])
json.dump({'labels': labels, 'edt': edt}, sys.stdout)
