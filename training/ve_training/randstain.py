"""RandStainNA augmentation (yiqings/RandStainNA) from the statistics yaml that `vasculature-explorer
stain-stats` (or the reference's datasets_statistics.py) writes: LAB and HSV as OpenCV computes them
on 8-bit images; per image, (img - img_mean) * (target_std / clip(img_std, 1e-4, 255)) + target_mean
with targets ~ Normal(mean, std * (1 + std_hyper)), clipped to 0..255, truncated to uint8."""
import numpy as np


class RandStainError(Exception):
    pass


def load_yaml(path):
    try:
        import yaml
    except ImportError:
        raise RandStainError('the stain yaml needs PyYAML: apt install python3-yaml (or pip install pyyaml).')
    try:
        with open(path) as f:
            y = yaml.safe_load(f)
    except (OSError, yaml.YAMLError) as e:
        raise RandStainError(f'{path}: cannot read the RandStainNA yaml ({e}).')
    space = y.get('color_space') if isinstance(y, dict) else None
    if space not in ('LAB', 'HSV'):
        raise RandStainError(f'{path}: color_space {space!r} is not supported here (LAB or HSV; HED is not). Run stain-stats with --space LAB.')
    keys = {'LAB': 'LAB', 'HSV': 'HSV'}[space]
    try:
        avg = [(float(y[k]['avg']['mean']), float(y[k]['avg']['std'])) for k in keys]
        std = [(float(y[k]['std']['mean']), float(y[k]['std']['std'])) for k in keys]
    except (KeyError, TypeError, ValueError):
        raise RandStainError(f'{path}: each of {", ".join(keys)} needs avg.mean, avg.std, std.mean, std.std.')
    return {'space': space, 'avg': avg, 'std': std}


class RandStainNA:
    def __init__(self, stats, rng, std_hyper=0.0, p=0.8):
        try:
            import cv2
        except ImportError:
            raise RandStainError('RandStainNA needs OpenCV: apt install python3-opencv (or pip install opencv-python-headless).')
        self.cv2, self.stats, self.rng, self.std_hyper, self.p = cv2, stats, rng, std_hyper, p

    def __call__(self, rgb):
        if self.rng.random() >= self.p:
            return rgb
        cv2 = self.cv2
        to, back = (cv2.COLOR_RGB2LAB, cv2.COLOR_LAB2RGB) if self.stats['space'] == 'LAB' else (cv2.COLOR_RGB2HSV, cv2.COLOR_HSV2RGB)
        img = cv2.cvtColor(np.ascontiguousarray(rgb), to).astype(np.float32)
        m = img.reshape(-1, 3).mean(0)
        s = np.clip(img.reshape(-1, 3).std(0), 1e-4, 255)
        h = 1 + self.std_hyper
        tm = np.array([self.rng.gauss(a, b * h) for a, b in self.stats['avg']], np.float32)
        ts = np.array([self.rng.gauss(a, b * h) for a, b in self.stats['std']], np.float32)
        out = np.clip((img - m) * (ts / s) + tm, 0, 255).astype(np.uint8)
        return cv2.cvtColor(out, back)
