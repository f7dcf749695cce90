"""numpy reference of a least-squares line and Pearson's r. stdin {"x": [...], "y": [...]}; stdout {"slope", "intercept", "r"}."""
import json
import sys

import numpy as np

d = json.load(sys.stdin)
x, y = np.array(d["x"], dtype=float), np.array(d["y"], dtype=float)
slope, intercept = np.polyfit(x, y, 1)
print(json.dumps({"slope": float(slope), "intercept": float(intercept), "r": float(np.corrcoef(x, y)[0, 1])}))
