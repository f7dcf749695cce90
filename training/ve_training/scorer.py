"""Validation scoring with the product's own code: the maps go to `vasculature-explorer score-maps`
(Predict's post-processing with the contract's watershed split, then the competition AP@0.6 and
pooled Dice), run with node. The scorer command is --scorer (a JSON list), else $VE_SCORER, else
node + this repository's bin/vasculature-explorer.js."""
import json
import os
import shutil
import subprocess
import tempfile

import numpy as np

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))


class ScorerError(Exception):
    pass


def scorer_command(arg):
    text = arg or os.environ.get('VE_SCORER')
    if text:
        try:
            cmd = json.loads(text)
        except ValueError:
            raise ScorerError(f'--scorer / VE_SCORER must be a JSON list such as ["node", "/path/bin/vasculature-explorer.js"], found {text!r}.')
        if not isinstance(cmd, list) or not cmd or not all(isinstance(c, str) for c in cmd):
            raise ScorerError(f'--scorer / VE_SCORER must be a non-empty JSON list of strings, found {text!r}.')
        return cmd
    node = shutil.which('node')
    cli = os.path.join(REPO, 'bin', 'vasculature-explorer.js')
    if not node or not os.path.exists(cli):
        raise ScorerError('validation needs the product\'s scorer: node and bin/vasculature-explorer.js (run "npm run build"), or pass --scorer \'["node", "<path>/bin/vasculature-explorer.js"]\'.')
    return [node, cli]


def score_maps(cmd, tiles, postprocess, workdir=None):
    """tiles: list of (id, prob HxW float32, split HxW float32 or None, gt HxW uint16). Returns the scorer's JSON."""
    d = tempfile.mkdtemp(prefix='ve-val-', dir=workdir)
    try:
        spec = {'postprocess': postprocess, 'iouThreshold': 0.6, 'tiles': []}
        for k, (tid, prob, split, gt) in enumerate(tiles):
            h, w = prob.shape
            e = {'id': tid, 'height': h, 'width': w, 'probability': f'{k}.prob.f32', 'groundTruth': f'{k}.gt.u16'}
            prob.astype('<f4').tofile(os.path.join(d, e['probability']))
            gt.astype('<u2').tofile(os.path.join(d, e['groundTruth']))
            if split is not None:
                e['split'] = f'{k}.split.f32'
                split.astype('<f4').tofile(os.path.join(d, e['split']))
            spec['tiles'].append(e)
        with open(os.path.join(d, 'maps.json'), 'w') as f:
            json.dump(spec, f)
        r = subprocess.run(cmd + ['score-maps', d, '--json'], capture_output=True, text=True)
        if r.returncode != 0:
            raise ScorerError(f'the scorer ({" ".join(cmd)} score-maps) failed with exit {r.returncode}: {r.stderr.strip()[-500:]}')
        try:
            return json.loads(r.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            raise ScorerError(f'the scorer printed no JSON: {r.stdout[-300:]!r}')
    finally:
        shutil.rmtree(d, ignore_errors=True)
