"""Independent references for the stain tests: OpenCV (cv2) colour conversions, scikit-image HED,
numpy ports of RandStainNA's transform, Reinhard (StainTools' LAB convention) and Macenko
(torchstain's numpy version). JSON on stdin names the mode; big arrays go through raw files."""
import json
import sys

import cv2
import numpy as np
from skimage import color


def all_colours():
    v = np.arange(1 << 24, dtype=np.uint32)
    img = np.stack([(v >> 16) & 255, (v >> 8) & 255, v & 255], axis=-1).astype(np.uint8)
    return img.reshape(4096, 4096, 3)


def mode_all_colours(a):
    img = all_colours()  # channel triples in raw order (r/L/H first)
    out = a['dir']
    cv2.cvtColor(img[:, :, ::-1].copy(), cv2.COLOR_BGR2LAB).tofile(out + '/rgb2lab.bin')
    cv2.cvtColor(cv2.cvtColor(img, cv2.COLOR_LAB2BGR), cv2.COLOR_BGR2RGB).tofile(out + '/lab2rgb.bin')
    cv2.cvtColor(img[:, :, ::-1].copy(), cv2.COLOR_BGR2HSV).tofile(out + '/rgb2hsv.bin')
    cv2.cvtColor(cv2.cvtColor(img, cv2.COLOR_HSV2BGR), cv2.COLOR_BGR2RGB).tofile(out + '/hsv2rgb.bin')
    return {'ok': True, 'cv2': cv2.__version__}


def read_rgb(path):
    bgr = cv2.imread(path, cv2.IMREAD_COLOR)
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def stats(img):
    return [[float(np.mean(img[:, :, c])) for c in range(3)], [float(np.std(img[:, :, c])) for c in range(3)]]


def mode_tile_stats(a):
    res = []
    for p in a['files']:
        rgb = read_rgb(p)
        bgr = rgb[:, :, ::-1].copy()
        lab = cv2.cvtColor(bgr, cv2.COLOR_BGR2LAB)
        hsv = cv2.cvtColor(bgr, cv2.COLOR_BGR2HSV)
        hed = color.rgb2hed(rgb)
        res.append({'LAB': stats(lab), 'HSV': stats(hsv), 'HED': stats(hed)})
    return res


def read_raw(a):
    return np.fromfile(a['raw'], dtype=np.uint8).reshape(a['height'], a['width'], 3)


def mode_randstain(a):
    """randstainna.py's augment() with a fixed template (std 0): space conversion, _normalize, back."""
    rgb = read_raw(a)
    bgr = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
    space = a['space']
    if space == 'LAB':
        image = cv2.cvtColor(bgr, cv2.COLOR_BGR2LAB)
    elif space == 'HSV':
        image = cv2.cvtColor(bgr, cv2.COLOR_BGR2HSV)
    else:
        image = color.rgb2hed(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    tar_avgs = np.array(a['mean'])
    tar_stds = np.array(a['std'])
    img_avgs = np.array([np.mean(image[:, :, i]) for i in range(3)])
    img_stds = np.array([np.std(image[:, :, i]) for i in range(3)])
    img_stds = np.clip(img_stds, 0.0001, 255)
    image = (image - img_avgs) * (tar_stds / img_stds) + tar_avgs
    if space in ['LAB', 'HSV']:
        image = np.clip(image, 0, 255).astype(np.uint8)
    if space == 'LAB':
        image = cv2.cvtColor(image, cv2.COLOR_LAB2BGR)
    elif space == 'HSV':
        image = cv2.cvtColor(image, cv2.COLOR_HSV2BGR)
    else:
        nimg = color.hed2rgb(image)
        imin = nimg.min()
        imax = nimg.max()
        rsimg = (255 * (nimg - imin) / (imax - imin)).astype('uint8')
        image = cv2.cvtColor(rsimg, cv2.COLOR_RGB2BGR)
    cv2.cvtColor(image, cv2.COLOR_BGR2RGB).tofile(a['out'])
    return {'ok': True}


def mode_reinhard(a):
    """StainTools' ReinhardColorNormalizer (float32 LAB split, as it does)."""
    def lab_split(I):
        I = cv2.cvtColor(I, cv2.COLOR_RGB2LAB).astype(np.float32)
        I1, I2, I3 = cv2.split(I)
        I1 /= 2.55
        I2 -= 128.0
        I3 -= 128.0
        return I1, I2, I3

    def mean_std(I):
        ms = [cv2.meanStdDev(c) for c in lab_split(I)]
        return [m[0][0][0] for m in ms], [m[1][0][0] for m in ms]

    src = read_raw(a)
    if 'targetRaw' in a:
        tgt = np.fromfile(a['targetRaw'], dtype=np.uint8).reshape(a['targetHeight'], a['targetWidth'], 3)
        tm, ts = mean_std(tgt)
    else:
        tm = [a['mean'][0] / 2.55, a['mean'][1] - 128, a['mean'][2] - 128]
        ts = [a['std'][0] / 2.55, a['std'][1], a['std'][2]]
    I1, I2, I3 = lab_split(src)
    m, s = mean_std(src)
    n1 = ((I1 - m[0]) * (ts[0] / s[0])) + tm[0]
    n2 = ((I2 - m[1]) * (ts[1] / s[1])) + tm[1]
    n3 = ((I3 - m[2]) * (ts[2] / s[2])) + tm[2]
    n1 *= 2.55
    n2 += 128.0
    n3 += 128.0
    I = np.clip(cv2.merge((n1, n2, n3)), 0, 255).astype(np.uint8)
    cv2.cvtColor(I, cv2.COLOR_LAB2RGB).tofile(a['out'])
    return {'ok': True}


class Macenko:
    """torchstain's NumpyMacenkoNormalizer (from schaugf/HEnorm_python). One change, the same as
    ours: eigh's eigenvector signs are LAPACK's choice, so the first is turned to give positive
    projections (otherwise the angle wraps at +-pi and the percentiles are meaningless)."""

    def __init__(self):
        self.HERef = np.array([[0.5626, 0.2159], [0.7201, 0.8012], [0.4062, 0.5581]])
        self.maxCRef = np.array([1.9705, 1.0308])

    def compute(self, I, Io=240, alpha=1, beta=0.15):
        I = I.reshape((-1, 3))
        OD = -np.log((I.astype(float) + 1) / Io)
        ODhat = OD[~np.any(OD < beta, axis=1)]
        _, eigvecs = np.linalg.eigh(np.cov(ODhat.T))
        E = eigvecs[:, 1:3].copy()
        if np.sum(ODhat.dot(E[:, 0])) < 0:
            E[:, 0] = -E[:, 0]
        That = ODhat.dot(E)
        phi = np.arctan2(That[:, 1], That[:, 0])
        minPhi = np.percentile(phi, alpha)
        maxPhi = np.percentile(phi, 100 - alpha)
        vMin = E.dot(np.array([(np.cos(minPhi), np.sin(minPhi))]).T)
        vMax = E.dot(np.array([(np.cos(maxPhi), np.sin(maxPhi))]).T)
        if vMin[0] > vMax[0]:
            HE = np.array((vMin[:, 0], vMax[:, 0])).T
        else:
            HE = np.array((vMax[:, 0], vMin[:, 0])).T
        Y = np.reshape(OD, (-1, 3)).T
        C = np.linalg.lstsq(HE, Y, rcond=None)[0]
        maxC = np.array([np.percentile(C[0, :], 99), np.percentile(C[1, :], 99)])
        return HE, C, maxC

    def fit(self, I):
        HE, _, maxC = self.compute(I)
        self.HERef = HE
        self.maxCRef = maxC

    def normalize(self, I, Io=240):
        h, w, c = I.shape
        HE, C, maxC = self.compute(I)
        maxC = np.divide(maxC, self.maxCRef)
        C2 = np.divide(C, maxC[:, np.newaxis])
        Inorm = np.multiply(Io, np.exp(-self.HERef.dot(C2)))
        Inorm[Inorm > 255] = 255
        return np.reshape(Inorm.T, (h, w, c)).astype(np.uint8)


def mode_macenko(a):
    m = Macenko()
    if 'targetRaw' in a:
        m.fit(np.fromfile(a['targetRaw'], dtype=np.uint8).reshape(a['targetHeight'], a['targetWidth'], 3))
    m.normalize(read_raw(a)).tofile(a['out'])
    return {'he': m.HERef.tolist(), 'maxC': m.maxCRef.tolist()}


def mode_read_yaml(a):
    """The reference's loader: get_yaml_data + RandStainNA.__init__'s reads (yaml.FullLoader)."""
    import yaml
    with open(a['file'], 'r', encoding='utf-8') as f:
        cfg = yaml.load(f.read(), Loader=yaml.FullLoader)
    c_s = cfg['color_space']
    return {
        'color_space': c_s,
        'keys': sorted(cfg.keys()),
        'avg': {'avg': [cfg[c_s[i]]['avg']['mean'] for i in range(3)], 'std': [cfg[c_s[i]]['avg']['std'] for i in range(3)]},
        'std': {'avg': [cfg[c_s[i]]['std']['mean'] for i in range(3)], 'std': [cfg[c_s[i]]['std']['std'] for i in range(3)]},
        'distributions': [[cfg[c_s[i]][p]['distribution'] for p in ('avg', 'std')] for i in range(3)],
        'dump': yaml.dump({k: v for k, v in cfg.items()}),
    }


def mode_fit(a):
    """The distribution choice of preprocess/datasets_statistics.py (fitter's sumsquare_error over
    norm and laplace with scipy's fits), without fitter: the same histogram and pdfs."""
    from scipy import stats as st
    out = []
    for v in a['lists']:
        data = np.asarray(v, dtype=float)
        y, x = np.histogram(data, bins=100, density=True)
        x = [(x[i] + x[i + 1]) / 2.0 for i in range(len(x) - 1)]
        errs = {}
        for name in ('norm', 'laplace'):
            d = getattr(st, name)
            params = d.fit(data)
            errs[name] = float(np.sum((d.pdf(x, *params) - y) ** 2))
        out.append(min(errs, key=errs.get))
    return out


def main():
    a = json.load(sys.stdin)
    fn = globals()['mode_' + a['mode']]
    json.dump(fn(a), sys.stdout)


if __name__ == '__main__':
    main()
