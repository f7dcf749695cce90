"""Independent numpy implementation of the competition metric (OpenImages-style AP, one class).

stdin: {"cases": [case, ...]}, each case {"thr": 0.6, "mode": "count"|"ignore", "inside": 0.5,
        "tiles": [{"h": H, "w": W,
                   "preds": [{"conf": c, "mask": [row-major 0/1]}],
                   "gts": [[row-major 0/1]], "ign": [[row-major 0/1]]}]}
stdout: {"results": [result, ...]}, each result {"ap", "tp", "fp", "fn", "ignored", "outcomes": per tile, per prediction ["tp"|"fp"|"ignored", gt index]}
"""
import json
import sys

import numpy as np


def iou(a, b):
    inter = np.logical_and(a, b).sum()
    union = np.logical_or(a, b).sum()
    return 0.0 if union == 0 else float(inter) / float(union)


def compute_average_precision(precision, recall):
    # As in OpenImages' object_detection/utils/metrics.py
    recall = np.concatenate([[0.0], recall, [1.0]])
    precision = np.concatenate([[0.0], precision, [0.0]])
    for i in range(len(precision) - 2, -1, -1):
        precision[i] = np.maximum(precision[i], precision[i + 1])
    indices = np.where(recall[1:] != recall[:-1])[0] + 1
    return float(np.sum((recall[indices] - recall[indices - 1]) * precision[indices]))


def score(req):
    thr, mode, inside = req["thr"], req["mode"], req["inside"]
    tiles = []
    for t in req["tiles"]:
        shape = (t["h"], t["w"])
        tiles.append({
            "preds": [(p["conf"], np.array(p["mask"], dtype=bool).reshape(shape)) for p in t["preds"]],
            "gts": [np.array(g, dtype=bool).reshape(shape) for g in t["gts"]],
            "ign": [np.array(g, dtype=bool).reshape(shape) for g in t.get("ign", [])],
        })
    # one global list: (tile, pred) in input order, then a stable sort by -confidence
    flat = [(ti, pi) for ti, t in enumerate(tiles) for pi in range(len(t["preds"]))]
    confs = np.array([tiles[ti]["preds"][pi][0] for ti, pi in flat], dtype=float)
    order = np.argsort(-confs, kind="stable")
    taken = [np.zeros(len(t["gts"]), dtype=bool) for t in tiles]
    outcomes = [[None] * len(t["preds"]) for t in tiles]
    ranked_tp = []
    for k in order:
        ti, pi = flat[k]
        t = tiles[ti]
        pm = t["preds"][pi][1]
        ious = np.array([iou(pm, g) for g in t["gts"]])
        cand = [g for g in range(len(ious)) if not taken[ti][g] and ious[g] >= thr]
        if cand:
            g = max(cand, key=lambda j: (ious[j], -j))
            taken[ti][g] = True
            outcomes[ti][pi] = ["tp", g]
            ranked_tp.append(True)
            continue
        absorbed = False
        if mode == "ignore" and pm.sum() > 0:
            for r in t["ign"]:
                inter = np.logical_and(pm, r).sum()
                if inter > 0 and (iou(pm, r) >= thr or inter / pm.sum() >= inside):
                    absorbed = True
                    break
        if absorbed:
            outcomes[ti][pi] = ["ignored", -1]
        else:
            outcomes[ti][pi] = ["fp", -1]
            ranked_tp.append(False)
    num_gt = sum(len(t["gts"]) for t in tiles)
    tp_arr = np.array(ranked_tp, dtype=bool)
    tp_cum = np.cumsum(tp_arr)
    fp_cum = np.cumsum(~tp_arr)
    if num_gt == 0 or len(ranked_tp) == 0:
        ap = 0.0
    else:
        precision = tp_cum / (tp_cum + fp_cum)
        recall = tp_cum / num_gt
        ap = compute_average_precision(precision.astype(float), recall.astype(float))
    tp = int(tp_arr.sum())
    return {
        "ap": ap, "tp": tp, "fp": int(len(ranked_tp) - tp), "fn": int(num_gt - tp),
        "ignored": sum(1 for o in outcomes for x in o if x[0] == "ignored"),
        "outcomes": outcomes,
    }


def main():
    cases = json.load(sys.stdin)["cases"]
    json.dump({"results": [score(c) for c in cases]}, sys.stdout)


if __name__ == "__main__":
    main()
