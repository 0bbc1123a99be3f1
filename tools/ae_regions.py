"""What an autoencoder keeps where the disease is: volumes read from its reconstructions vs from the scans.

    python tools/ae_regions.py RUN_DIR [CKPT]   # RUN_DIR of tools/train_models.py; CKPT default RUN_DIR/ae/ae.ckpt,
                                                 # or a training checkpoint such as RUN_DIR/ae/best.ckpt

On the test split: SSIM of the whole volume and inside the template's hippocampal region (bounding box, dilated),
and Pearson r / mean |difference| of the hippocampal and ventricular volumes that `measure_volumes` reads from the
reconstruction against those it reads from the scan itself (and against the truth).
"""

import sys
from pathlib import Path
import numpy as np
import torch
import nibabel as nib
from ldae.core import load_checkpoint, load_state_strict
from ldae.autoencoder import LatentAutoencoder, load_autoencoder
from ldae.data import read_cohort, load_volume
from ldae.synth import measure_volumes, _measure_rois
from ldae.template import default_spacing
from ldae.metrics import ssim3d

run = Path(sys.argv[1])
ck = Path(sys.argv[2]) if len(sys.argv) > 2 else run / 'ae' / 'ae.ckpt'
if ck.name == 'ae.ckpt':
    ae = load_autoencoder(ck)
else:
    c = load_checkpoint(ck, 'ae_training')
    ae = load_state_strict(LatentAutoencoder(**c['model_config']), c['state_dict'], str(ck))
ae.eval()
df = read_cohort(run / 'cohort' / 'cohort.csv')
test = df[df.split == 'test'].reset_index(drop=True)
shape = tuple(nib.load(test._path[0]).shape)  # the cohort's own grid
sp = default_spacing(shape)
x = torch.stack([load_volume(p, shape, sp).as_tensor() for p in test._path])
with torch.no_grad():
    r = torch.cat([ae.reconstruct(x[i : i + 8]).clamp(0, 1) for i in range(0, len(x), 8)])
hip = _measure_rois(shape, sp)['hip'] > 0.2
idx = np.argwhere(hip)
lo, hi = np.maximum(idx.min(0) - 2, 0), np.minimum(idx.max(0) + 3, shape)
box = (slice(None), slice(None)) + tuple(slice(a, b) for a, b in zip(lo, hi))
mx = [measure_volumes(v, sp) for v in x]
mr = [measure_volumes(v, sp) for v in r]
print(f'{ck} on {len(x)} test scans at {shape} ({sp} mm)')
s_all, s_box = float(ssim3d(r, x).mean()), float(ssim3d(r[box], x[box]).mean())
print(f'SSIM whole {s_all:.4f}; hippocampal box {tuple(int(v) for v in hi - lo)}: {s_box:.4f}')
for k, t in (('hippocampus_ml', 'hippocampus_ml'), ('ventricle_ml', 'ventricle_ml')):
    a, b, tr = np.array([m[k] for m in mx]), np.array([m[k] for m in mr]), test[t].to_numpy()
    print(
        f'{k}: recon vs scan r {np.corrcoef(a, b)[0, 1]:.3f}, |Δ| {np.abs(a - b).mean():.2f} ml; '
        f'vs truth: scan r {np.corrcoef(a, tr)[0, 1]:.3f}, recon r {np.corrcoef(b, tr)[0, 1]:.3f}'
    )
