"""Exports two small, deterministic ONNX models of the other output kinds for the inference tests.

    /usr/bin/python3 scripts/model/export_test_models.py [out_dir]   (default test-output/models)

- tiny-maskrcnn.onnx: a real torchvision MaskRCNN (untrained, seeded) on a tiny 1-level backbone.
  Input 'image' [3,H,W] float 0..1 (no batch dim, torchvision's convention); outputs boxes [N,4]
  (x1,y1,x2,y2 px), labels [N] int64, scores [N], masks [N,1,H,W] probabilities. No contract
  metadata: the tests check that its kind is detected from names and shapes alone.
- tiny-yolov8seg.onnx: a hand-made module with YOLOv8-seg's output layout at a 640x640 input:
  output0 [1, 4+nc+32, 8400] (cx,cy,w,h px; nc sigmoid class scores; 32 mask coefficients) and
  output1 [1,32,160,160] prototypes. nc=2 (blood_vessel, glomerulus). It carries ultralytics-style
  metadata (task, names, imgsz, stride). Scores follow the darkest/brightest cells of each level, so a
  real tile gives dozens of overlapping boxes for NMS to resolve.
Takes ~10-30 s on 2 threads. Files are gitignored; tests call this when they are missing."""
import os
import sys
from collections import OrderedDict

import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))


class TinyBackbone(nn.Module):
    """Two strided convs to a single 16-channel stride-4 feature map."""

    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(3, 16, 3, 2, 1), nn.ReLU(), nn.Conv2d(16, 16, 3, 2, 1), nn.ReLU())
        self.out_channels = 16

    def forward(self, x):
        return OrderedDict([('0', self.body(x))])


def export_maskrcnn(path):
    from torchvision.models.detection import MaskRCNN
    from torchvision.models.detection.anchor_utils import AnchorGenerator
    from torchvision.models.detection.faster_rcnn import TwoMLPHead, FastRCNNPredictor
    from torchvision.models.detection.mask_rcnn import MaskRCNNHeads, MaskRCNNPredictor
    from torchvision.ops import MultiScaleRoIAlign

    torch.manual_seed(0)
    model = MaskRCNN(
        TinyBackbone(), num_classes=None, min_size=512, max_size=512,
        rpn_anchor_generator=AnchorGenerator(sizes=((16, 32, 64),), aspect_ratios=((0.5, 1.0, 2.0),)),
        rpn_pre_nms_top_n_test=200, rpn_post_nms_top_n_test=50,
        box_roi_pool=MultiScaleRoIAlign(['0'], 7, 2),
        box_head=TwoMLPHead(16 * 7 * 7, 64), box_predictor=FastRCNNPredictor(64, 2),
        box_score_thresh=0.0, box_detections_per_img=8,
        mask_roi_pool=MultiScaleRoIAlign(['0'], 14, 2),
        mask_head=MaskRCNNHeads(16, (16, 16), 1), mask_predictor=MaskRCNNPredictor(16, 16, 2))
    model.eval()
    x = torch.rand(3, 512, 512)
    torch.onnx.export(model, ([x],), path, opset_version=11, input_names=['image'],
                      output_names=['boxes', 'labels', 'scores', 'masks'],
                      dynamic_axes={'image': {1: 'height', 2: 'width'}, 'boxes': {0: 'n'}, 'labels': {0: 'n'},
                                    'scores': {0: 'n'}, 'masks': {0: 'n', 2: 'height', 3: 'width'}})


class TinyYoloSeg(nn.Module):
    """YOLOv8-seg output layout from pooled colour statistics (deterministic, no training)."""

    def __init__(self, nm=32):
        super().__init__()
        torch.manual_seed(1)
        self.coef = nn.Conv2d(3, nm, 1)
        self.size = nn.Conv2d(3, 2, 1)
        self.proto = nn.Sequential(nn.Conv2d(3, nm - 1, 3, 1, 1), nn.Tanh())

    def forward(self, x):
        outs = []
        for s in (8, 16, 32):
            f = F.avg_pool2d(x, s)  # [1,3,H/s,W/s]
            h, w = f.shape[2], f.shape[3]
            gy = torch.arange(h, dtype=torch.float32).view(1, 1, h, 1).expand(1, 1, h, w)
            gx = torch.arange(w, dtype=torch.float32).view(1, 1, 1, w).expand(1, 1, h, w)
            cx, cy = (gx + 0.5) * s, (gy + 0.5) * s
            wh = 2.0 * s * (1.0 + torch.sigmoid(self.size(f)))
            grey = f.mean(1, keepdim=True)
            # Scores relative to the tile's darkest (vessel) and least red (glomerulus) cell at this level: a few dozen candidates.
            vessel = torch.sigmoid(40.0 * (grey.amin((2, 3), keepdim=True) + 0.04 - grey))
            red = f[:, :1]
            glom = torch.sigmoid(40.0 * (red.amin((2, 3), keepdim=True) + 0.03 - red))
            coef = self.coef(f) + torch.tensor([4.0] + [0.0] * (self.coef.out_channels - 1)).view(1, -1, 1, 1)
            o = torch.cat([cx, cy, wh, vessel, glom, coef], 1)
            outs.append(o.flatten(2))
        p4 = F.avg_pool2d(x, 4)
        # Prototype 0 marks dark pixels, so masks follow dark structures inside each box.
        dark = torch.tanh(10.0 * (0.45 - p4.mean(1, keepdim=True)))
        return torch.cat(outs, 2), torch.cat([dark, self.proto(p4)], 1)


def export_yolo(path):
    model = TinyYoloSeg().eval()
    torch.onnx.export(model, torch.rand(1, 3, 640, 640), path, opset_version=17,
                      input_names=['images'], output_names=['output0', 'output1'])
    m = onnx.load(path)
    for k, v in {'task': 'segment', 'names': "{0: 'blood_vessel', 1: 'glomerulus'}",
                 'imgsz': '[640, 640]', 'stride': '32', 'description': 'tiny YOLOv8-seg-shaped test model'}.items():
        e = m.metadata_props.add()
        e.key, e.value = k, v
    onnx.save(m, path)


def main():
    out = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, 'test-output', 'models'))
    os.makedirs(out, exist_ok=True)
    torch.set_num_threads(2)
    for name, fn in (('tiny-maskrcnn.onnx', export_maskrcnn), ('tiny-yolov8seg.onnx', export_yolo)):
        tmp = os.path.join(out, f'{name}.{os.getpid()}.tmp')  # parallel test processes may export at once
        fn(tmp)
        onnx.checker.check_model(onnx.load(tmp))
        os.replace(tmp, os.path.join(out, name))  # atomic: a concurrent test never sees half a file
        print(f'wrote {os.path.join(out, name)} ({os.path.getsize(os.path.join(out, name))} bytes)', flush=True)


if __name__ == '__main__':
    main()
