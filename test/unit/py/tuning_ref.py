"""Independent numpy reference of the tuning sweep's scoring: per cell, AP@0.6 overall, per WSI and per
fold from the predicted masks (OpenImages AP, one global stable ranking by confidence), the spread
over folds, and the best cell by mean fold AP and by worst fold AP.

stdin: {"h": H, "w": W, "cells": n, "tiles": [{"wsi": "1", "fold": "0" | null,
         "gts": [crop], "cells": [[{"conf": c, "mask": crop}, ...] per cell]}]}
       crop = {"x", "y", "w", "h", "b64"} (row-major 0/1 bytes of the box)
stdout: {"cells": [{"ap", "perWsi": {}, "perFold": {}, "min", "mean", "max"}], "byMean": i, "byWorstFold": i}
"""
import base64
import json
import sys

import numpy as np


def full(c, h, w):
    m = np.zeros((h, w), dtype=bool)
    box = np.frombuffer(base64.b64decode(c["b64"]), dtype=np.uint8).reshape(c["h"], c["w"]).astype(bool)
    m[c["y"]:c["y"] + c["h"], c["x"]:c["x"] + c["w"]] = box
    return m


def iou(a, b):
    inter = np.logical_and(a, b).sum()
    union = np.logical_or(a, b).sum()
    return 0.0 if union == 0 else float(inter) / float(union)


def voc_ap(precision, recall):
    recall = np.concatenate([[0.0], recall, [1.0]])
    precision = np.concatenate([[0.0], precision, [0.0]])
    for i in range(len(precision) - 2, -1, -1):
        precision[i] = max(precision[i], precision[i + 1])
    idx = np.where(recall[1:] != recall[:-1])[0] + 1
    return float(np.sum((recall[idx] - recall[idx - 1]) * precision[idx]))


def match_tile(preds, gts):
    """Greedy in confidence order (stable): best-IoU untaken GT with IoU >= 0.6 -> TP."""
    order = sorted(range(len(preds)), key=lambda i: -preds[i][0])
    taken = [False] * len(gts)
    out = [None] * len(preds)
    for i in order:
        ious = [iou(preds[i][1], g) for g in gts]
        cand = [g for g in range(len(gts)) if not taken[g] and ious[g] >= 0.6]
        if cand:
            g = max(cand, key=lambda j: (ious[j], -j))
            taken[g] = True
            out[i] = True
        else:
            out[i] = False
    return out


def ap_of(rows, num_gt):
    if num_gt == 0:
        return None
    if not rows:
        return 0.0
    conf = np.array([c for c, _ in rows], dtype=float)
    tp = np.array([t for _, t in rows], dtype=float)
    order = np.argsort(-conf, kind="stable")
    tp = tp[order]
    ctp = np.cumsum(tp)
    precision = ctp / np.arange(1, len(tp) + 1)
    recall = ctp / num_gt
    return voc_ap(precision, recall)


def main():
    req = json.load(sys.stdin)
    h, w, n = req["h"], req["w"], req["cells"]
    tiles = []
    for t in req["tiles"]:
        gts = [full(g, h, w) for g in t["gts"]]
        per_cell = []
        for preds in t["cells"]:
            p = [(q["conf"], full(q["mask"], h, w)) for q in preds]
            per_cell.append(list(zip([q[0] for q in p], match_tile(p, gts))))
        tiles.append({"wsi": t["wsi"], "fold": t["fold"], "ngt": len(gts), "cells": per_cell})
    wsis = sorted({t["wsi"] for t in tiles}, key=int)
    folds = sorted({t["fold"] for t in tiles if t["fold"] is not None}, key=int)

    def group_ap(c, keep):
        rows, ngt = [], 0
        for t in tiles:
            if keep(t):
                rows += t["cells"][c]
                ngt += t["ngt"]
        return ap_of(rows, ngt)

    cells = []
    for c in range(n):
        per_wsi = {x: group_ap(c, lambda t, x=x: t["wsi"] == x) for x in wsis}
        per_fold = {f: group_ap(c, lambda t, f=f: t["fold"] == f) for f in folds}
        vals = [v for v in per_fold.values() if v is not None]
        cells.append({"ap": group_ap(c, lambda t: True), "perWsi": per_wsi, "perFold": per_fold,
                      "min": min(vals), "mean": float(np.mean(vals)), "max": max(vals)})
    by_mean = max(range(n), key=lambda c: (cells[c]["mean"], cells[c]["ap"], -c))
    by_worst = max(range(n), key=lambda c: (cells[c]["min"], cells[c]["mean"], -c))
    json.dump({"cells": cells, "byMean": by_mean, "byWorstFold": by_worst}, sys.stdout)


main()
