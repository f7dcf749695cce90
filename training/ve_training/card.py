"""The model card, written from the run's metrics (no number typed by hand)."""


def fmt(v, nd=4):
    return '—' if v is None else f'{v:.{nd}f}'


def model_card(m):
    last = m['epochs'][-1] if m['epochs'] else {}
    lines = [
        f'# {m["name"]}: a baseline blood_vessel model trained by Vasculature Explorer',
        '',
        f'Trained by `training/train.py` on `{m["labels"]}` (labels from `{m.get("dataset") or "?"}`), fold **{m["fold"]}**, '
        f'on {m["device"]} in {m["trainSeconds"]:.0f} s ({m["totalSeconds"]:.0f} s in all).',
        '',
        '## Reproduce',
        '```',
        m['command'],
        '```',
        '',
        '## Model',
        f'- U-Net width {m["args"]["width"]}, {m["parameters"]:,} parameters, ONNX opset {m["opset"]}, {m["onnxBytes"] / 1e6:.1f} MB.',
        '- Input `image` float32 [1,3,H,W] RGB, H and W multiples of 16; value = (pixel/255 − mean) / std with '
        f'mean {m["contract"]["mean"]}, std {m["contract"]["std"]} (the training tiles\' statistics).',
        '- Output `logits` [1,2,H,W], raw logits (sigmoid): channel 0 `blood_vessel`, channel 1 `blood_vessel_interior` '
        f'(each vessel eroded by {m["args"]["interior_radius"]} px). The contract\'s `instanceSplit` makes Predict split the '
        'vessel foreground by watershed from the interior channel\'s markers, so touching vessels become separate instances.',
        '',
        '## Data and training',
        f'- {len(m["trainTiles"])} training tiles, {len(m["valTiles"])} validation tiles '
        f'({"none: trained on all tiles" if not m["valTiles"] else "the held-out fold"}).',
        f'- {m["args"]["epochs"]} epochs x {m["args"]["steps"]} steps, batch {m["args"]["batch"]}, random {m["args"]["size"]}x{m["args"]["size"]} crops '
        f'with flips and 90° rotations{", RandStainNA from " + m["args"]["stain"] if m["args"].get("stain") else ""}; AdamW, one-cycle LR {m["args"]["lr"]}, seed {m["args"]["seed"]}.',
        '',
        '## Numbers (from metrics.json)',
        '| epoch | loss | val pixel Dice | val AP@0.6 | TP / FP / GT | s |',
        '|---|---|---|---|---|---|',
    ]
    for e in m['epochs']:
        tpfp = f'{e["valTP"]} / {e["valFP"]} / {e["valGT"]}' if e.get('valTP') is not None else '—'
        lines.append(f'| {e["epoch"]} | {fmt(e["loss"])} | {fmt(e.get("valDice"))} | {fmt(e.get("valAP60"))} | {tpfp} | {e["seconds"]:.0f} |')
    lines += [
        '',
        'Validation numbers are computed by the product\'s own scorer (`vasculature-explorer score-maps`: Predict\'s '
        'post-processing with threshold 0.5, minimum area 10 px and the watershed split, then the competition AP@0.6 over '
        'all validation tiles and the pooled pixel Dice at p ≥ 0.5) on full tiles of the held-out fold.',
        '',
        '## Limits',
        '- A baseline: a small U-Net trained briefly; expect lower numbers on slides and stains unlike the training tiles.',
    ]
    if not m['valTiles']:
        lines.append('- Trained on every tile ("all"): there is no held-out number here; train on a fold to measure one.')
    if last.get('valAP60') is not None:
        lines.append(f'- Final validation AP@0.6 {fmt(last["valAP60"])} on {len(m["valTiles"])} tiles: a small fold gives a noisy number.')
    return '\n'.join(lines) + '\n'
