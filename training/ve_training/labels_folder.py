"""Reads an output folder of `vasculature-explorer labels` (format vasculature-explorer-labels/1):
manifest.json (written last: its presence means the folder is complete), folds.csv (id,fold; fold -1
= always in training), images/<id>.<ext>, and blood_vessel instances from masks/instance/<id>.png
(16-bit, k = k-th instance; exact) or else labels/<id>.txt (YOLO polygons normalised by the tile
size, rasterised here with Pillow's polygon rule; approximate to 1e-6 of a tile), and the union
from masks/blood_vessel/<id>.png when there are no instances at all (then touching vessels cannot
be told apart: the interior target is the eroded union)."""
import csv
import json
import os

import numpy as np
from PIL import Image, ImageDraw

FORMAT = 'vasculature-explorer-labels/1'
IMAGE_EXTS = ('.tif', '.tiff', '.png', '.jpg', '.jpeg')


class LabelsFolderError(Exception):
    """A folder that is not a usable labels output; the message says what to do."""


class LabelsFolder:
    def __init__(self, root):
        self.root = os.path.abspath(root)
        mpath = os.path.join(self.root, 'manifest.json')
        if not os.path.isdir(self.root):
            raise LabelsFolderError(f'{self.root} is not a folder. Pass the output folder of "vasculature-explorer labels <dataset> --out <dir>".')
        if not os.path.exists(mpath):
            raise LabelsFolderError(f'{mpath} is missing: this is not a complete labels folder (the manifest is written last). Run "vasculature-explorer labels <dataset> --out {self.root}" again.')
        try:
            with open(mpath) as f:
                self.manifest = json.load(f)
        except (OSError, ValueError) as e:
            raise LabelsFolderError(f'{mpath}: not readable JSON ({e}). Re-run "vasculature-explorer labels".')
        fmt = self.manifest.get('format') if isinstance(self.manifest, dict) else None
        if fmt != FORMAT:
            raise LabelsFolderError(f'{mpath}: format is {json.dumps(fmt)}, expected "{FORMAT}" (a folder from another tool or an older version). Re-run "vasculature-explorer labels" with this version.')
        if self.manifest.get('complete') is not True:
            raise LabelsFolderError(f'{mpath}: the run that wrote this folder did not finish ("complete" is not true). Re-run "vasculature-explorer labels".')
        classes = self.manifest.get('classes') or []
        self.yolo_index = next((c.get('yoloIndex', c.get('index')) for c in classes if c.get('name') == 'blood_vessel'), 0)
        self.folds = self._read_folds()
        self.mask_value = None
        self.source = self._instance_source()

    def _read_folds(self):
        path = os.path.join(self.root, 'folds.csv')
        if not os.path.exists(path):
            raise LabelsFolderError(f'{path} is missing. Re-run "vasculature-explorer labels" (it always writes folds.csv).')
        folds = {}
        with open(path, newline='') as f:
            rows = list(csv.reader(f))
        if not rows or [c.strip() for c in rows[0][:2]] != ['id', 'fold']:
            raise LabelsFolderError(f'{path}:1: expected the header "id,fold", found {",".join(rows[0]) if rows else "an empty file"}.')
        for n, row in enumerate(rows[1:], start=2):
            if not row or not ''.join(row).strip():
                continue
            try:
                folds[row[0].strip()] = int(row[1])
            except (IndexError, ValueError):
                raise LabelsFolderError(f'{path}:{n}: expected "<id>,<fold number>", found {",".join(row)}.')
        if not folds:
            raise LabelsFolderError(f'{path}: no tiles listed.')
        return folds

    def _instance_source(self):
        if os.path.isdir(os.path.join(self.root, 'masks', 'instance')):
            return 'instance-png'
        if os.path.isdir(os.path.join(self.root, 'labels')):
            return 'yolo'
        if os.path.isdir(os.path.join(self.root, 'masks', 'blood_vessel')):
            return 'union-mask'
        raise LabelsFolderError(f'{self.root} has no blood_vessel labels (masks/instance/, labels/ or masks/blood_vessel/). Re-run "vasculature-explorer labels" with --formats masks,instances.')

    def fold_names(self):
        return sorted({f for f in self.folds.values() if f >= 0})

    def split(self, fold):
        """(train ids, validation ids) for a fold number, or for 'all' (validation empty)."""
        ids = sorted(self.folds)
        if fold == 'all':
            return ids, []
        k = int(fold)
        if k not in self.fold_names():
            raise LabelsFolderError(f'fold {k} has no tiles in {os.path.join(self.root, "folds.csv")} (folds: {", ".join(map(str, self.fold_names())) or "none"}). Pick one of those or "all".')
        val = [i for i in ids if self.folds[i] == k]
        train = [i for i in ids if self.folds[i] != k]
        if not train:
            raise LabelsFolderError(f'fold {k} leaves no tiles to train on. Use more folds.')
        return train, val

    def image_path(self, tid):
        for ext in IMAGE_EXTS:
            p = os.path.join(self.root, 'images', tid + ext)
            if os.path.exists(p):
                return p
        raise LabelsFolderError(f'{os.path.join(self.root, "images", tid)}.* is missing (or a broken link to the dataset). Re-run "vasculature-explorer labels" or restore the dataset folder.')

    def image(self, tid):
        """HxWx3 uint8 RGB."""
        with Image.open(self.image_path(tid)) as im:
            return np.asarray(im.convert('RGB'), dtype=np.uint8).copy()

    def instances(self, tid, h, w):
        """HxW uint16 instance labels (0 background) and whether instances are real (False: one label for the union)."""
        if self.source == 'instance-png':
            p = os.path.join(self.root, 'masks', 'instance', tid + '.png')
            if not os.path.exists(p):
                return np.zeros((h, w), np.uint16), True
            with Image.open(p) as im:
                a = np.asarray(im)
            return a.astype(np.uint16), True
        if self.source == 'yolo':
            p = os.path.join(self.root, 'labels', tid + '.txt')
            out = Image.new('I', (w, h), 0)
            draw = ImageDraw.Draw(out)
            if os.path.exists(p):
                k = 0
                with open(p) as f:
                    for n, line in enumerate(f, start=1):
                        parts = line.split()
                        if not parts:
                            continue
                        try:
                            cls = int(parts[0])
                            xy = [float(v) for v in parts[1:]]
                        except ValueError:
                            raise LabelsFolderError(f'{p}:{n}: not a YOLO segmentation line ("<class> x1 y1 ...").')
                        if cls != self.yolo_index or len(xy) < 6:
                            continue
                        k += 1
                        draw.polygon([(xy[i] * w, xy[i + 1] * h) for i in range(0, len(xy) - 1, 2)], fill=k, outline=k)
            return np.asarray(out, dtype=np.int64).astype(np.uint16), True
        p = os.path.join(self.root, 'masks', 'blood_vessel', tid + '.png')
        if not os.path.exists(p):
            return np.zeros((h, w), np.uint16), False
        with Image.open(p) as im:
            a = np.asarray(im)
        return (a > 0).astype(np.uint16), False
