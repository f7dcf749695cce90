"""Independent palette check for the unit tests: reads {"group": {"name": "#rrggbb"}} JSON on stdin, prints
{"contrast": {name: {"light": cr, "dark": cr, "hc": cr}}, "minDeltaE": {group: [min dE, pair, vision]}}.
WCAG 2 contrast; CIELAB (D65) dE76 after Machado et al. 2009 colour-vision-deficiency matrices (severity 1).
Run with /usr/bin/python3 (numpy)."""
import itertools
import json
import sys

import numpy as np

MACHADO = {
    'protanopia': [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
    'deuteranopia': [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]],
    'tritanopia': [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]],
}


def linear(h):
    c = np.array([int(h[i:i + 2], 16) for i in (1, 3, 5)], float) / 255
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def luminance(h):
    return float(np.dot([0.2126, 0.7152, 0.0722], linear(h)))


def contrast(a, b):
    la, lb = sorted([luminance(a), luminance(b)])
    return (lb + 0.05) / (la + 0.05)


def lab(lin):
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ lin
    n = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(n > 0.008856, np.cbrt(n), 7.787 * n + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def delta_e(a, b, vision):
    la, lb = linear(a), linear(b)
    if vision != 'normal':
        m = np.array(MACHADO[vision])
        la, lb = np.clip(m @ la, 0, 1), np.clip(m @ lb, 0, 1)
    return float(np.linalg.norm(lab(la) - lab(lb)))


groups = json.load(sys.stdin)
out = {'contrast': {}, 'minDeltaE': {}}
for g, cols in groups.items():
    for name, h in cols.items():
        out['contrast'][name] = {'light': contrast(h, '#ffffff'), 'dark': contrast(h, '#1e1e1e'), 'hc': contrast(h, '#000000')}
    best = [1e9, '', '']
    for (na, a), (nb, b) in itertools.combinations(cols.items(), 2):
        for v in ('normal', 'protanopia', 'deuteranopia', 'tritanopia'):
            d = delta_e(a, b, v)
            if d < best[0]:
                best = [d, f'{na}/{nb}', v]
    out['minDeltaE'][g] = best
print(json.dumps(out))
