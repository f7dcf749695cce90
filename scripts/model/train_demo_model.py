"""Trains the demo blood_vessel U-Net on the annotated tiles of hhv-sample and exports it to ONNX.

Run (from the repo root; Debian's python has torch/onnx/cv2):
    /usr/bin/python3 scripts/model/train_demo_model.py
Writes media/model/demo-unet.onnx (+ .json sidecar contract, + .expected.json reference outputs
computed by torch, used by the unit tests to check onnxruntime's output independently) and
prints the numbers for MODEL_CARD.md (also written to media/model/demo-unet.metrics.json)."""
import argparse
import json
import math
import os
import random
import sys
import time

import numpy as np
import onnx
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ap_at_iou import ap_at_iou, dice  # noqa: E402
from hhv_data import annotated_ids, polygons_of, rasterise, read_tile, union_mask  # noqa: E402
# The network is the training program's (one output channel here: blood_vessel only).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'training'))
from ve_training.unet import SIZE_MULTIPLE, UNet  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
DATA = os.path.join(REPO, '..', 'shared', 'data', 'hhv-sample')
# Fixed held-out tiles: every 6th of the 27 sorted annotated ids, starting at the second.
HOLDOUT = ['00da70813521', '1f0d3cd4b621', '2cad7b97ea7e', '6ba77a9f7fea', 'fb5faa60f9d0']
def load(ids):
    imgs, unions, insts = [], [], []
    for tid in ids:
        imgs.append(read_tile(DATA, tid))
        inst = rasterise(polygons_of(DATA, tid))
        insts.append(inst)
        unions.append(union_mask(inst))
    return imgs, unions, insts


def normalise(img, mean, std):
    x = img.astype(np.float32) / 255.0
    x = (x - np.asarray(mean, np.float32)) / np.asarray(std, np.float32)
    return np.ascontiguousarray(x.transpose(2, 0, 1))


def batch(imgs, unions, rng, bs, crop, mean, std):
    xs, ys = [], []
    for _ in range(bs):
        k = rng.randrange(len(imgs))
        y0, x0 = rng.randrange(512 - crop + 1), rng.randrange(512 - crop + 1)
        im = imgs[k][y0:y0 + crop, x0:x0 + crop]
        m = unions[k][y0:y0 + crop, x0:x0 + crop]
        if rng.random() < 0.5:
            im, m = im[:, ::-1], m[:, ::-1]
        if rng.random() < 0.5:
            im, m = im[::-1], m[::-1]
        r = rng.randrange(4)
        im, m = np.rot90(im, r), np.rot90(m, r)
        xs.append(normalise(np.ascontiguousarray(im), mean, std))
        ys.append(np.ascontiguousarray(m)[None])
    return torch.from_numpy(np.stack(xs)), torch.from_numpy(np.stack(ys).astype(np.float32))


def loss_fn(logits, y):
    p = torch.sigmoid(logits)
    inter = (p * y).sum()
    soft_dice = 1 - (2 * inter + 1) / (p.sum() + y.sum() + 1)
    return F.binary_cross_entropy_with_logits(logits, y) + soft_dice


def predict(model, imgs, mean, std):
    model.eval()
    out = []
    with torch.no_grad():
        for im in imgs:
            x = torch.from_numpy(normalise(im, mean, std))[None]
            out.append(torch.sigmoid(model(x))[0, 0].numpy())
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--steps', type=int, default=180)
    ap.add_argument('--batch', type=int, default=4)
    ap.add_argument('--crop', type=int, default=160)
    ap.add_argument('--width', type=int, default=12)
    ap.add_argument('--lr', type=float, default=3e-3)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--threads', type=int, default=1)  # 2 OpenMP threads on 2 busy shared cores ran 4x slower (spin waits)
    ap.add_argument('--out', default=os.path.join(REPO, 'media', 'model'))
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    t_start = time.time()

    ids = annotated_ids(DATA)
    assert len(ids) == 27, f'expected 27 annotated tiles in {DATA}, found {len(ids)}'
    assert all(h in ids for h in HOLDOUT), 'a held-out id is missing from the sample'
    train_ids = [i for i in ids if i not in HOLDOUT]
    tr_imgs, tr_unions, _ = load(train_ids)
    ho_imgs, ho_unions, ho_insts = load(HOLDOUT)
    stack = np.stack(tr_imgs).reshape(-1, 3).astype(np.float64) / 255.0
    mean = [round(float(v), 3) for v in stack.mean(0)]
    std = [round(float(v), 3) for v in stack.std(0)]
    del stack
    print(f'train {len(train_ids)} tiles, held out {len(HOLDOUT)}; mean {mean} std {std}', flush=True)

    model = UNet(args.width, out_channels=1)
    n_params = sum(p.numel() for p in model.parameters())
    print(f'U-Net width {args.width}: {n_params} parameters', flush=True)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, total_steps=args.steps, pct_start=0.1)
    t_train = time.time()
    model.train()
    for step in range(1, args.steps + 1):
        x, y = batch(tr_imgs, tr_unions, rng, args.batch, args.crop, mean, std)
        loss = loss_fn(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if step % 25 == 0 or step == 1:
            print(f'step {step}/{args.steps} loss {loss.item():.4f} {time.time() - t_train:.0f}s', flush=True)
    train_s = time.time() - t_train

    probs = predict(model, ho_imgs, mean, std)
    d = dice(probs, ho_unions)
    ap60, n_pred = ap_at_iou(probs, ho_insts, 0.6)
    ap50, _ = ap_at_iou(probs, ho_insts, 0.5)
    n_gt = sum(len(g) for g in ho_insts)
    print(f'held-out Dice {d:.4f} AP@0.6 {ap60:.4f} AP@0.5 {ap50:.4f} ({n_pred} predicted, {n_gt} GT instances)', flush=True)

    os.makedirs(args.out, exist_ok=True)
    onnx_path = os.path.join(args.out, 'demo-unet.onnx')
    model.eval()
    torch.onnx.export(model, torch.zeros(1, 3, 512, 512), onnx_path, opset_version=17,
                      input_names=['image'], output_names=['logits'],
                      dynamic_axes={'image': {2: 'height', 3: 'width'}, 'logits': {2: 'height', 3: 'width'}})
    contract = {
        'format': 'vasculature-explorer/model-contract@1',
        'name': 'demo-unet',
        'outputKind': 'semantic',
        'inputName': 'image',
        'inputSize': [512, 512],
        'sizeMultiple': SIZE_MULTIPLE,
        'layout': 'NCHW',
        'channelOrder': 'RGB',
        'scale': 255,
        'mean': mean,
        'std': std,
        'classNames': ['blood_vessel'],
        'outputs': {'logits': 'logits'},
        'activation': 'sigmoid',
        'activationNote': 'the output is raw logits; apply sigmoid to get probabilities',
        'threshold': 0.5,
    }
    m = onnx.load(onnx_path)
    entry = m.metadata_props.add()
    entry.key, entry.value = 'vasculature_explorer.contract', json.dumps(contract)
    m.producer_name = 'vasculature-explorer/train_demo_model.py'
    m.doc_string = 'Demo blood_vessel U-Net trained on 22 tiles of hhv-sample; see MODEL_CARD.md'
    onnx.checker.check_model(m)
    onnx.save(m, onnx_path)
    with open(os.path.join(args.out, 'demo-unet.onnx.json'), 'w') as f:
        json.dump(contract, f, indent=2)
        f.write('\n')

    # Reference outputs from torch (not onnxruntime) for the unit tests.
    probe = [(0, 0), (100, 200), (256, 256), (511, 511), (37, 400)]
    expected = {'note': 'torch outputs of the exported model on held-out tiles; pixels are [row, col]', 'tiles': []}
    with torch.no_grad():
        for tid, im, prob in zip(HOLDOUT, ho_imgs, probs):
            logits = model(torch.from_numpy(normalise(im, mean, std))[None])[0, 0].numpy()
            expected['tiles'].append({
                'id': tid,
                'positivePixels': int((prob >= 0.5).sum()),
                'meanProb': float(prob.mean()),
                'probe': [{'pixel': [r, c], 'logit': float(logits[r, c])} for r, c in probe],
            })
    with open(os.path.join(args.out, 'demo-unet.expected.json'), 'w') as f:
        json.dump(expected, f, indent=2)
        f.write('\n')
    metrics = {
        'parameters': n_params, 'steps': args.steps, 'batch': args.batch, 'crop': args.crop,
        'trainSeconds': round(train_s, 1), 'totalSeconds': round(time.time() - t_start, 1),
        'threads': args.threads, 'trainTiles': train_ids, 'heldOutTiles': HOLDOUT,
        'heldOutDice': round(d, 4), 'heldOutAP60': round(ap60, 4), 'heldOutAP50': round(ap50, 4),
        'heldOutPredictedInstances': n_pred, 'heldOutGtInstances': n_gt,
        'onnxBytes': os.path.getsize(onnx_path), 'command': ' '.join(['/usr/bin/python3'] + sys.argv),
    }
    with open(os.path.join(args.out, 'demo-unet.metrics.json'), 'w') as f:
        json.dump(metrics, f, indent=2)
        f.write('\n')
    print(json.dumps(metrics), flush=True)


if __name__ == '__main__':
    main()
