"""Test reference: normalise an RGB uint8 image and resize it with OpenCV INTER_LINEAR.
Input JSON: {width, height, pixels (flat RGB list), out: [h, w], mean, std, scale}. Prints the
[3,h,w] float32 tensor as a flat JSON list."""
import json
import sys

import cv2
import numpy as np

a = json.load(open(sys.argv[1]))
img = np.asarray(a['pixels'], dtype=np.float32).reshape(a['height'], a['width'], 3)
x = (img / a['scale'] - np.asarray(a['mean'], np.float32)) / np.asarray(a['std'], np.float32)
h, w = a['out']
r = cv2.resize(x, (w, h), interpolation=cv2.INTER_LINEAR)
print(json.dumps(r.transpose(2, 0, 1).astype(float).ravel().tolist()))
