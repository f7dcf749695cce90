"""Independent reference for the dashboard tests: every aggregate of the Dataset Overview, from the raw files of a
dataset folder (csv module, json, numpy shoelace, Pillow ImageDraw masks). Prints JSON."""
import csv
import json
import os
import sys

import numpy as np
from PIL import Image, ImageDraw

root = sys.argv[1]
SIZE = 512
meta = {}
with open(os.path.join(root, "tile_meta.csv"), encoding="utf-8-sig", newline="") as f:
    for r in csv.DictReader(f):
        meta[r["id"]] = (int(r["source_wsi"]), int(r["dataset"]), int(r["i"]), int(r["j"]))
images = set()
for split in ("train", "test"):
    d = os.path.join(root, split)
    if os.path.isdir(d):
        images |= {os.path.splitext(n)[0] for n in os.listdir(d) if n.lower().endswith((".tif", ".tiff", ".png"))}
polys = {}
with open(os.path.join(root, "polygons.jsonl"), encoding="utf-8") as f:
    for line in f:
        if line.strip():
            o = json.loads(line)
            polys.setdefault(o["id"], o["annotations"])
wsimeta = {}
with open(os.path.join(root, "wsi_meta.csv"), encoding="utf-8-sig", newline="") as f:
    for r in csv.DictReader(f):
        wsimeta[int(r["source_wsi"])] = r

ids = set(meta) | images | set(polys)
def state(t):
    if t not in images:
        return "imageMissing"
    return "annotated" if t in polys else "notAnnotated"

CLASSES = ["blood_vessel", "glomerulus", "unsure"]
EDGES = [0] + [2 ** k for k in range(19)]
def area_bin(a):
    b = 0
    while b + 1 < len(EDGES) and a >= EDGES[b + 1]:
        b += 1
    return b

def shoelace(ring):
    p = np.asarray(ring, dtype=np.float64)
    x, y = p[:, 0], p[:, 1]
    return 0.5 * abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))

def mask(rings):
    img = Image.new("L", (SIZE, SIZE), 0)
    d = ImageDraw.Draw(img)
    for r in rings:
        d.polygon([tuple(p) for p in r], fill=1, outline=1)
    return np.asarray(img, dtype=bool)

per_wsi = {}        # "wsi|ds|state" -> n
class_ds = {}       # "ds|cls" -> instances
class_wsi = {}
tiles_with = {}     # "ds|cls" -> tiles
area_hist = {c: [0] * len(EDGES) for c in CLASSES}
tile_area_bins = {}  # id -> {cls: [bins]}
vessel_px = {}
dup = [0, []]; border = [0, []]; overl = [0, []]
no_vessel = []
slide = {}
for t in ids:
    w, ds, i, j = meta.get(t, (-1, -1, None, None))
    key = f"{w}|{ds}|{state(t)}"
    per_wsi[key] = per_wsi.get(key, 0) + 1
    if w != -1:
        slide.setdefault(w, []).append(t)
    anns = polys.get(t)
    if anns is None:
        continue
    counts = {c: 0 for c in CLASSES}
    for a in anns:
        counts[a["type"]] += 1
    for c in CLASSES:
        class_ds[f"{ds}|{c}"] = class_ds.get(f"{ds}|{c}", 0) + counts[c]
        class_wsi[f"{w}|{c}"] = class_wsi.get(f"{w}|{c}", 0) + counts[c]
        if counts[c]:
            tiles_with[f"{ds}|{c}"] = tiles_with.get(f"{ds}|{c}", 0) + 1
    if counts["blood_vessel"] == 0:
        no_vessel.append(t)
    bins = {c: set() for c in CLASSES}
    seen = []
    nd = nb = no = 0
    glom = np.zeros((SIZE, SIZE), bool)
    for a in anns:
        if a["type"] == "glomerulus":
            glom |= mask(a["coordinates"])
    vessels = np.zeros((SIZE, SIZE), bool)
    for a in anns:
        c, rings = a["type"], a["coordinates"]
        ar = shoelace(rings[0]) - sum(shoelace(r) for r in rings[1:])
        b = area_bin(max(0.0, ar))
        area_hist[c][b] += 1
        bins[c].add(b)
        k = (c, json.dumps(rings))
        if k in seen:
            nd += 1
        else:
            seen.append(k)
        if any(p[0] <= 0 or p[1] <= 0 or p[0] >= SIZE - 1 or p[1] >= SIZE - 1 for r in rings for p in r):
            nb += 1
        if c == "blood_vessel":
            m = mask(rings)
            vessels |= m
            if (m & glom).any():
                no += 1
    vessel_px[t] = int(vessels.sum())
    tile_area_bins[t] = {c: sorted(bins[c]) for c in CLASSES}
    for acc, n in ((dup, nd), (border, nb), (overl, no)):
        if n:
            acc[0] += n
            acc[1].append(t)

json.dump({
    "tiles": len(ids), "perWsi": per_wsi, "classDs": class_ds, "classWsi": class_wsi, "tilesWith": tiles_with,
    "areaHist": area_hist, "tileAreaBins": tile_area_bins, "vesselPx": vessel_px,
    "vesselCounts": {t: sum(1 for a in polys[t] if a["type"] == "blood_vessel") for t in polys},
    "datasetOf": {t: meta.get(t, (-1, -1))[1] for t in polys},
    "duplicates": dup, "border": border, "overlaps": overl, "noVessel": sorted(no_vessel),
    "slide": {str(w): sorted(v) for w, v in slide.items()},
    "wsiMeta": {str(k): {"age": v.get("age"), "sex": v.get("sex")} for k, v in wsimeta.items()},
}, sys.stdout)
