"""Independent COCO compressed-RLE encoder written from the spec (pycocotools is not installed).

stdin: {"cases": [{"h": H, "w": W, "mask": [row-major 0/1 ...], "other_b64": optional text to inflate}]}
stdout: {"results": [{"runs": [...], "counts": "...", "b64": "...", "other_counts": inflated other_b64}]}
"""
import base64
import json
import sys
import zlib

import numpy as np


def runs_of(mask2d):
    flat = np.asarray(mask2d, dtype=np.uint8).flatten(order="F")
    # positions where the value changes, plus both ends; first run counts 0s
    change = np.flatnonzero(np.diff(flat)) + 1
    bounds = np.concatenate(([0], change, [flat.size]))
    runs = np.diff(bounds).tolist()
    if flat.size and flat[0] == 1:
        runs = [0] + runs
    return [int(r) for r in runs]


def counts_string(runs):
    out = []
    for i, cnt in enumerate(runs):
        x = cnt - runs[i - 2] if i > 2 else cnt
        while True:
            c = x & 0x1F
            x >>= 5  # Python's >> is arithmetic on negative ints
            more = (x != -1) if (c & 0x10) else (x != 0)
            if more:
                c |= 0x20
            out.append(chr(c + 48))
            if not more:
                break
    return "".join(out)


def main():
    cases = json.load(sys.stdin)["cases"]
    results = []
    for case in cases:
        m = np.array(case["mask"], dtype=np.uint8).reshape(case["h"], case["w"])
        runs = runs_of(m)
        counts = counts_string(runs)
        b64 = base64.b64encode(zlib.compress(counts.encode("ascii"), 9)).decode("ascii")
        res = {"runs": runs, "counts": counts, "b64": b64}
        if "other_b64" in case:
            res["other_counts"] = zlib.decompress(base64.b64decode(case["other_b64"])).decode("ascii")
        results.append(res)
    json.dump({"results": results}, sys.stdout)


if __name__ == "__main__":
    main()
