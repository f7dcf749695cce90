"""Independent reference for the index tests: per-tile class counts and shoelace areas from polygons.jsonl."""
import json
import sys

import numpy as np

out = {}
with open(sys.argv[1], encoding="utf-8") as f:
    for line in f:
        if not line.strip():
            continue
        obj = json.loads(line)
        counts = {}
        areas = {}
        for ann in obj["annotations"]:
            ring = np.asarray(ann["coordinates"][0], dtype=np.float64)
            x, y = ring[:, 0], ring[:, 1]
            area = 0.5 * abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))
            counts[ann["type"]] = counts.get(ann["type"], 0) + 1
            areas[ann["type"]] = areas.get(ann["type"], 0.0) + float(area)
        out[obj["id"]] = {"counts": counts, "areas": areas}
json.dump(out, sys.stdout)
