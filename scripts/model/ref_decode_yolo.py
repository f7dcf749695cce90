"""Test reference: decodes YOLOv8-seg raw outputs with numpy/OpenCV, independently of the TS decoder.
Input JSON: {det: path of float32 [1,C,N], detDims, protos: path of float32 [1,nm,h,w], protoDims,
inputSize: [h, w], tileSize: [h, w], conf, iou}. Semantics: best class >= conf; per-class greedy NMS
(suppress IoU > iou); mask = sigmoid(coef @ protos) resized to the tile with cv2 INTER_LINEAR,
> 0.5, kept where the tile pixel's centre, in input coordinates, lies in [x1,x2) x [y1,y2).
Prints [{cls, score, box (input px, clipped to the input), area}] by descending score."""
import json
import sys

import cv2
import numpy as np

a = json.load(open(sys.argv[1]))
det = np.fromfile(a['det'], dtype=np.float32).reshape(a['detDims'])[0]  # [C, N]
protos = np.fromfile(a['protos'], dtype=np.float32).reshape(a['protoDims'])[0]  # [nm, h, w]
nm, ph, pw = protos.shape
nc = det.shape[0] - 4 - nm
scores_all = det[4:4 + nc]
cls = scores_all.argmax(0)
score = scores_all.max(0)
keep = np.where(score >= a['conf'])[0]
cx, cy, w, h = det[0, keep], det[1, keep], det[2, keep], det[3, keep]
boxes = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], 1)
sc, cl = score[keep], cls[keep]


def iou(b, bs):
    iw = np.clip(np.minimum(b[2], bs[:, 2]) - np.maximum(b[0], bs[:, 0]), 0, None)
    ih = np.clip(np.minimum(b[3], bs[:, 3]) - np.maximum(b[1], bs[:, 1]), 0, None)
    inter = iw * ih
    area = lambda q: (q[..., 2] - q[..., 0]) * (q[..., 3] - q[..., 1])  # noqa: E731
    return inter / (area(b) + area(bs) - inter)


order = np.lexsort((np.arange(len(sc)), -sc))
kept = []
for i in order:
    same = [j for j in kept if cl[j] == cl[i]]
    if not same or (iou(boxes[i], boxes[same]) <= a['iou']).all():
        kept.append(i)
th, tw = a['tileSize']
ih_, iw_ = a['inputSize']
ys, xs = np.mgrid[0:th, 0:tw]
xin, yin = (xs + 0.5) * iw_ / tw, (ys + 0.5) * ih_ / th
out = []
for i in kept:
    coef = det[4 + nc:, keep[i]]
    prob = 1 / (1 + np.exp(-(coef @ protos.reshape(nm, -1)).reshape(ph, pw)))
    m = cv2.resize(prob.astype(np.float32), (tw, th), interpolation=cv2.INTER_LINEAR) > 0.5
    b = boxes[i]
    m &= (xin >= b[0]) & (xin < b[2]) & (yin >= b[1]) & (yin < b[3])
    clipped = np.clip(b, 0, [iw_, ih_, iw_, ih_])  # boxes are reported clipped to the image, as ultralytics does
    out.append({'cls': int(cl[i]), 'score': float(sc[i]), 'box': [float(v) for v in clipped], 'area': int(m.sum())})
print(json.dumps(out))
