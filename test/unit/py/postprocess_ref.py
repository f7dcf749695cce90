"""Independent reference for post-processing and TTA, using OpenCV and numpy.

stdin: {"cases": [{"h", "w", "prob": [row-major floats], "glom": [0/1] or null,
                   "threshold", "minArea", "dilation", "connectivity", "inside"}],
        "tta": [{"h", "w", "data": [row-major], "transform": name}]}
stdout: {"cases": [[{"conf": mean probability, "mask": [row-major 0/1]}]], "tta": [[row-major]]}
"""
import json
import sys

import cv2
import numpy as np

TRANSFORMS = {
    "identity": lambda a: a,
    "hflip": np.fliplr,
    "vflip": np.flipud,
    "rot90": lambda a: np.rot90(a, 1),
    "rot180": lambda a: np.rot90(a, 2),
    "rot270": lambda a: np.rot90(a, 3),
    "transpose": lambda a: a.T,
}


def instances(case):
    h, w = case["h"], case["w"]
    prob = np.array(case["prob"], dtype=np.float32).reshape(h, w).astype(np.float64)
    fg = (prob >= case["threshold"]).astype(np.uint8)
    count, labels = cv2.connectedComponents(fg, connectivity=case["connectivity"])
    glom = None if case.get("glom") is None else np.array(case["glom"], dtype=bool).reshape(h, w)
    k = case["dilation"]
    out = []
    for lab in range(1, count):
        comp = labels == lab
        area = int(comp.sum())
        if area < case["minArea"]:
            continue
        if glom is not None and np.logical_and(comp, glom).sum() / area >= case["inside"]:
            continue
        conf = float(prob[comp].mean())
        mask = comp.astype(np.uint8)
        if k > 0:
            mask = cv2.dilate(mask, np.ones((2 * k + 1, 2 * k + 1), np.uint8))
        out.append({"conf": conf, "mask": mask.flatten().tolist()})
    return out


def main():
    req = json.load(sys.stdin)
    res = {"cases": [instances(c) for c in req.get("cases", [])], "tta": []}
    for t in req.get("tta", []):
        a = np.array(t["data"], dtype=np.float32).reshape(t["h"], t["w"])
        res["tta"].append(np.ascontiguousarray(TRANSFORMS[t["transform"]](a)).flatten().tolist())
    json.dump(res, sys.stdout)


if __name__ == "__main__":
    main()
