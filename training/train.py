"""Trains a baseline blood_vessel U-Net (vessel + interior channel) from a `vasculature-explorer labels`
output folder and exports it to ONNX with its contract (metadata + sidecar), metrics.json and a
model card. Prints one JSON object per line on stdout (events start/step/epoch/done/error); logs
go to stderr. Files appear in --out only when the run finished: they are written to a hidden
temporary folder first and renamed into place last, so a cancelled or failed run leaves the
previous model untouched.

    python3 training/train.py --labels <labels-dir> --fold 0|all --out <dir> [--stain stats.yaml]
        [--epochs 3] [--steps 50] [--batch 4] [--size 256] [--seed 0] [--width 12] [--device auto]
"""
import argparse
import json
import os
import random
import shlex
import shutil
import signal
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


def emit(obj):
    sys.stdout.write(json.dumps(obj) + '\n')
    sys.stdout.flush()


def log(msg):
    sys.stderr.write(msg + '\n')
    sys.stderr.flush()


class Cancelled(Exception):
    pass


def on_term(signum, frame):
    raise Cancelled()


def parse_args(argv):
    ap = argparse.ArgumentParser(description='Train a baseline blood_vessel model from a labels folder.')
    ap.add_argument('--labels', required=True, help='output folder of "vasculature-explorer labels"')
    ap.add_argument('--fold', default='0', help='validation fold number, or "all" (train on every tile, no validation)')
    ap.add_argument('--out', required=True, help='folder for model.onnx, its sidecar, metrics.json and MODEL_CARD.md')
    ap.add_argument('--name', default='baseline-unet', help='file name stem of the model')
    ap.add_argument('--stain', help='RandStainNA statistics yaml (from stain-stats)')
    ap.add_argument('--stain-p', type=float, default=0.8)
    ap.add_argument('--stain-std-hyper', type=float, default=0.0)
    ap.add_argument('--epochs', type=int, default=3)
    ap.add_argument('--steps', type=int, default=50, help='optimiser steps per epoch')
    ap.add_argument('--batch', type=int, default=4)
    ap.add_argument('--size', type=int, default=256, help='training crop size (multiple of 16)')
    ap.add_argument('--width', type=int, default=12, help='U-Net base channels')
    ap.add_argument('--lr', type=float, default=3e-3)
    ap.add_argument('--interior-radius', type=int, default=2, help='px each vessel is eroded by for the interior channel')
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--threads', type=int, default=0, help='torch CPU threads (0 = torch default)')
    ap.add_argument('--device', default='auto', choices=['auto', 'cpu', 'cuda'])
    ap.add_argument('--val-tiles', type=int, default=0, help='validate on at most this many tiles of the fold (0 = all)')
    ap.add_argument('--scorer', help='JSON list: the command that runs "vasculature-explorer" (default: node bin/vasculature-explorer.js)')
    ap.add_argument('--log-every', type=int, default=10)
    a = ap.parse_args(argv)
    bad = []
    if a.size % 16 or a.size < 16:
        bad.append(f'--size must be a positive multiple of 16 (got {a.size})')
    for k in ('epochs', 'steps', 'batch', 'width'):
        if getattr(a, k) < 1:
            bad.append(f'--{k} must be at least 1')
    if a.fold != 'all':
        try:
            int(a.fold)
        except ValueError:
            bad.append(f'--fold must be a fold number or "all" (got {a.fold!r})')
    if bad:
        raise SystemExit('; '.join(bad))
    return a


def inside(child, parent):
    child, parent = os.path.realpath(child), os.path.realpath(parent)
    return child == parent or child.startswith(parent.rstrip(os.sep) + os.sep)


def run(a):
    import numpy as np
    import torch
    from ve_training.card import model_card
    from ve_training.labels_folder import LabelsFolder
    from ve_training.randstain import RandStainNA, load_yaml
    from ve_training.scorer import score_maps, scorer_command
    from ve_training.unet import CHANNELS, SIZE_MULTIPLE, UNet, interior, loss_fn

    t_start = time.time()
    labels = LabelsFolder(a.labels)
    dataset_root = (labels.manifest.get('dataset') or {}).get('root')
    out = os.path.abspath(a.out)
    if dataset_root and inside(out, dataset_root):
        raise ValueError(f'--out {out} is inside the dataset folder {dataset_root}; the trainer never writes there. Choose another folder.')
    if inside(out, labels.root):
        raise ValueError(f'--out {out} is inside the labels folder {labels.root}; choose another folder.')
    train_ids, val_ids = labels.split(a.fold)
    if a.val_tiles > 0:
        val_ids = val_ids[:a.val_tiles]
    stain = RandStainNA(load_yaml(a.stain), random.Random(a.seed + 1), a.stain_std_hyper, a.stain_p) if a.stain else None
    scorer = scorer_command(a.scorer) if val_ids else None

    if a.threads > 0:
        torch.set_num_threads(a.threads)
    if a.device == 'cuda' and not torch.cuda.is_available():
        raise ValueError('--device cuda: torch sees no CUDA GPU. Use --device cpu or auto.')
    device = torch.device('cuda' if a.device != 'cpu' and torch.cuda.is_available() else 'cpu')
    device_name = f'cuda ({torch.cuda.get_device_name(0)})' if device.type == 'cuda' else f'cpu ({torch.get_num_threads()} threads)'
    torch.manual_seed(a.seed)
    rng = random.Random(a.seed)

    cache = {}

    def tile(tid):
        """(image uint8 HxWx3, vessel float32 HxW, interior float32 HxW, instance labels uint16 HxW), cached up to 64 tiles."""
        if tid in cache:
            return cache[tid]
        img = labels.image(tid)
        h, w = img.shape[:2]
        inst, real = labels.instances(tid, h, w)
        vessel = (inst > 0).astype(np.float32)
        inner = interior(inst, a.interior_radius).astype(np.float32)
        if len(cache) >= 64:
            cache.pop(next(iter(cache)))
        cache[tid] = (img, vessel, inner, inst)
        return cache[tid]

    # Normalisation from (up to 32 of) the training tiles.
    sample = [tile(t)[0] for t in train_ids[:32]]
    px = np.concatenate([s.reshape(-1, 3) for s in sample]).astype(np.float64) / 255.0
    mean = [round(float(v), 3) for v in px.mean(0)]
    std = [round(max(float(v), 1e-3), 3) for v in px.std(0)]
    del px, sample
    mean_a, std_a = np.asarray(mean, np.float32), np.asarray(std, np.float32)

    def norm(img):
        x = (img.astype(np.float32) / 255.0 - mean_a) / std_a
        return np.ascontiguousarray(x.transpose(2, 0, 1))

    def batch():
        xs, vs, ins = [], [], []
        for _ in range(a.batch):
            img, vessel, inner, _ = tile(train_ids[rng.randrange(len(train_ids))])
            h, w = vessel.shape
            c = min(a.size, h - h % 16, w - w % 16)
            y0, x0 = rng.randrange(h - c + 1), rng.randrange(w - c + 1)
            im, v, i = img[y0:y0 + c, x0:x0 + c], vessel[y0:y0 + c, x0:x0 + c], inner[y0:y0 + c, x0:x0 + c]
            if rng.random() < 0.5:
                im, v, i = im[:, ::-1], v[:, ::-1], i[:, ::-1]
            if rng.random() < 0.5:
                im, v, i = im[::-1], v[::-1], i[::-1]
            r = rng.randrange(4)
            im, v, i = np.rot90(im, r), np.rot90(v, r), np.rot90(i, r)
            im = np.ascontiguousarray(im)
            if stain:
                im = stain(im)
            xs.append(norm(im))
            vs.append(np.ascontiguousarray(v)[None])
            ins.append(np.ascontiguousarray(i)[None])
        return (torch.from_numpy(np.stack(xs)).to(device), torch.from_numpy(np.stack(vs)).to(device), torch.from_numpy(np.stack(ins)).to(device))

    model = UNet(a.width).to(device)
    n_params = sum(p.numel() for p in model.parameters())
    split = {'method': 'watershed', 'channel': CHANNELS[1], 'markerThreshold': 0.5, 'minMarkerArea': 4}
    postprocess = {'threshold': 0.5, 'minArea': 10, 'split': split}
    emit({'event': 'start', 'device': device_name, 'fold': str(a.fold), 'trainTiles': len(train_ids), 'valTiles': len(val_ids),
          'epochs': a.epochs, 'stepsPerEpoch': a.steps, 'imageSize': a.size, 'parameters': n_params})
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=1e-4)
    total = a.epochs * a.steps
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=a.lr, total_steps=total, pct_start=0.1) if total > 1 else None

    def validate():
        model.eval()
        tiles = []
        with torch.no_grad():
            for tid in val_ids:
                img, _, _, inst = tile(tid)
                h, w = inst.shape
                ph, pw = (-h) % SIZE_MULTIPLE, (-w) % SIZE_MULTIPLE
                x = torch.from_numpy(norm(img))[None]
                if ph or pw:
                    x = torch.nn.functional.pad(x, (0, pw, 0, ph), mode='reflect')
                p = torch.sigmoid(model(x.to(device)))[0, :, :h, :w].cpu().numpy()
                tiles.append((tid, p[0], p[1], inst))
        model.train()
        return score_maps(scorer, tiles, postprocess)

    fault = os.environ.get('VE_TRAIN_FAULT', '')
    fault_step = int(fault.split(':', 1)[1]) if fault.startswith('cuda-at-step:') else 0
    epochs = []
    t_train = time.time()
    model.train()
    step_global = 0
    for epoch in range(1, a.epochs + 1):
        t_epoch = time.time()
        losses = []
        for step in range(1, a.steps + 1):
            x, v, i = batch()
            if fault_step == step_global + 1:
                # Test hook (VE_TRAIN_FAULT=cuda-at-step:N): the error a GPU raises mid-run, on machines without one.
                raise RuntimeError('CUDA error: an illegal memory access was encountered (injected by VE_TRAIN_FAULT)')
            loss = loss_fn(model(x), v, i)
            opt.zero_grad()
            loss.backward()
            opt.step()
            if sched:
                sched.step()
            step_global += 1
            lv = float(loss.item())
            if not np.isfinite(lv):
                raise ValueError(f'the loss became {lv} at epoch {epoch} step {step}; try a lower --lr.')
            losses.append(lv)
            if step == 1 or step % a.log_every == 0 or step == a.steps:
                emit({'event': 'step', 'epoch': epoch, 'step': step, 'steps': a.steps, 'loss': round(lv, 5)})
        e = {'epoch': epoch, 'epochs': a.epochs, 'loss': round(float(np.mean(losses)), 5)}
        if val_ids:
            s = validate()
            e.update({'valDice': round(s['dice'], 5), 'valAP60': round(s['ap'], 5), 'valTP': s['tp'], 'valFP': s['fp'], 'valGT': s['numGt'], 'valPredicted': s['predicted']})
        e['seconds'] = round(time.time() - t_epoch, 1)
        epochs.append(e)
        emit({'event': 'epoch', **e})
    train_s = time.time() - t_train

    # Export into a hidden temporary folder beside the outputs; rename into place last.
    os.makedirs(out, exist_ok=True)
    tmp = os.path.join(out, f'.{a.name}.partial-{os.getpid()}')
    os.makedirs(tmp, exist_ok=True)
    try:
        import onnx
        model.eval().cpu()
        onnx_tmp = os.path.join(tmp, a.name + '.onnx')
        opset = 17
        torch.onnx.export(model, torch.zeros(1, 3, 512, 512), onnx_tmp, opset_version=opset, input_names=['image'], output_names=['logits'],
                          dynamic_axes={'image': {2: 'height', 3: 'width'}, 'logits': {2: 'height', 3: 'width'}})
        contract = {
            'format': 'vasculature-explorer/model-contract@1', 'name': a.name, 'outputKind': 'semantic', 'inputName': 'image',
            'inputSize': [512, 512], 'sizeMultiple': SIZE_MULTIPLE, 'layout': 'NCHW', 'channelOrder': 'RGB', 'scale': 255,
            'mean': mean, 'std': std, 'classNames': CHANNELS, 'outputs': {'logits': 'logits'}, 'activation': 'sigmoid',
            'activationNote': 'raw logits; apply sigmoid. Channel 1 (blood_vessel_interior) gives the watershed markers.',
            'threshold': 0.5, 'instanceSplit': split,
        }
        m = onnx.load(onnx_tmp)
        entry = m.metadata_props.add()
        entry.key, entry.value = 'vasculature_explorer.contract', json.dumps(contract)
        m.producer_name = 'vasculature-explorer/training/train.py'
        m.doc_string = f'Baseline blood_vessel U-Net trained on {len(train_ids)} tiles of {labels.root} (fold {a.fold}); see MODEL_CARD.md'
        onnx.checker.check_model(m)
        onnx.save(m, onnx_tmp)
        with open(os.path.join(tmp, a.name + '.onnx.json'), 'w') as f:
            json.dump(contract, f, indent=2)
            f.write('\n')
        metrics = {
            'name': a.name, 'labels': labels.root, 'dataset': dataset_root, 'labelsSource': labels.source, 'fold': str(a.fold),
            'device': device_name, 'parameters': n_params, 'opset': opset, 'args': {k: v for k, v in vars(a).items() if k != 'scorer'},
            'command': ' '.join(shlex.quote(c) for c in [sys.executable, os.path.abspath(__file__)] + sys.argv[1:]),
            'trainTiles': train_ids, 'valTiles': val_ids, 'postprocess': postprocess, 'epochs': epochs,
            'trainSeconds': round(train_s, 1), 'onnxBytes': os.path.getsize(onnx_tmp), 'contract': contract,
        }
        metrics['totalSeconds'] = round(time.time() - t_start, 1)
        with open(os.path.join(tmp, 'metrics.json'), 'w') as f:
            json.dump(metrics, f, indent=2)
            f.write('\n')
        with open(os.path.join(tmp, 'MODEL_CARD.md'), 'w') as f:
            f.write(model_card(metrics))
        # The model last: a finder of <name>.onnx always sees its sidecar, metrics and card complete.
        names = ['metrics.json', 'MODEL_CARD.md', a.name + '.onnx.json', a.name + '.onnx']
        for n in names:
            os.replace(os.path.join(tmp, n), os.path.join(out, n))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    last = epochs[-1]
    emit({'event': 'done', 'model': os.path.join(out, a.name + '.onnx'), 'sidecar': os.path.join(out, a.name + '.onnx.json'),
          'metrics': os.path.join(out, 'metrics.json'), 'card': os.path.join(out, 'MODEL_CARD.md'),
          **({'valAP60': last['valAP60'], 'valDice': last['valDice']} if 'valAP60' in last else {}), 'seconds': round(time.time() - t_start, 1)})


def main(argv=None):
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    try:
        a = parse_args(sys.argv[1:] if argv is None else argv)
    except SystemExit as e:
        if e.code not in (0, None):
            emit({'event': 'error', 'message': f'bad arguments: {e.code}' if isinstance(e.code, str) else 'bad arguments (see the usage on stderr)'})
        return 2 if e.code not in (0, None) else 0
    try:
        import torch  # noqa: F401
    except ImportError:
        emit({'event': 'error', 'message': f'{sys.executable} has no torch. Install it: sudo apt install python3-torch (Debian/Ubuntu) or pip install -r {os.path.join(HERE, "requirements.txt")}.'})
        return 3
    try:
        run(a)
        return 0
    except Cancelled:
        emit({'event': 'error', 'message': 'cancelled: no model was written; any previous model in --out is untouched.'})
        return 130
    except OSError as e:
        where = f' ({e.filename})' if e.filename else ''
        emit({'event': 'error', 'message': f'a write failed: {e.strerror or e}{where}. No model was written (a full disk, a file-size limit or a folder without write permission?); any previous model is untouched.'})
        return 1
    except RuntimeError as e:
        text = str(e)
        hint = ' Rerun with --device cpu.' if 'CUDA' in text or 'cuda' in text else ''
        emit({'event': 'error', 'message': f'training failed: {text.splitlines()[0] if text else type(e).__name__}.{hint} No model was written.'})
        return 1
    except Exception as e:  # labels folder, stain yaml, scorer, arguments: their messages say what to do
        emit({'event': 'error', 'message': f'{e} No model was written.' if str(e) else f'{type(e).__name__}: no model was written.'})
        return 1


if __name__ == '__main__':
    sys.exit(main())
