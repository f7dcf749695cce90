"""Writes a submission.csv from polygons.jsonl ground truth, independently of the TypeScript code:
PIL ImageDraw.polygon (fill + outline) per blood_vessel polygon, COCO RLE via rle_ref.py, zlib 9, base64.

stdin: {"polygons": path, "out": path, "limit": N}
stdout: {"rows": n, "instances": n, "tiles": {id: count}}
"""
import base64
import json
import os
import sys
import zlib

import numpy as np
from PIL import Image, ImageDraw

sys.path.insert(0, os.path.dirname(__file__))
from rle_ref import counts_string, runs_of  # noqa: E402


def main():
    args = json.load(sys.stdin)
    rows, total, per = [], 0, {}
    with open(args["polygons"]) as f:
        lines = [l for l in f if l.strip()][: args.get("limit", 10**9)]
    for line in lines:
        j = json.loads(line)
        parts = []
        k = 0
        for a in j["annotations"]:
            if a["type"] != "blood_vessel":
                continue
            img = Image.new("L", (512, 512), 0)
            ImageDraw.Draw(img).polygon([tuple(p) for p in a["coordinates"][0]], fill=1, outline=1)
            m = np.array(img, dtype=np.uint8)
            if not m.any():
                continue
            b64 = base64.b64encode(zlib.compress(counts_string(runs_of(m)).encode("ascii"), 9)).decode("ascii")
            parts += ["0", repr(round(1 - k / 1000, 6)), b64]
            k += 1
        per[j["id"]] = k
        total += k
        rows.append(f'{j["id"]},512,512,{" ".join(parts)}')
    with open(args["out"], "w") as f:
        f.write("id,height,width,prediction_string\n" + "\n".join(rows) + "\n")
    json.dump({"rows": len(rows), "instances": total, "tiles": per}, sys.stdout)


main()
