"""How much of the hippocampal volume survives a coarser grid: the bound an autoencoder's latent grid sets.

    python tools/hippo_resolution.py RUN_DIR [--pool 1 2 4]   # RUN_DIR of tools/train_models.py (its cohort)

For each factor k, every test scan is average-pooled k× per axis and resampled back (trilinear), as a latent grid
k× coarser would keep it if it held nothing finer; `measure_volumes` then reads the hippocampal volume, and the
Pearson r with the true volume is printed (k = 1: the scans themselves). Compare with `tools/ae_regions.py`, which
reads the same volume from an autoencoder's reconstructions.
"""

import argparse
from pathlib import Path

import nibabel as nib
import numpy as np
import torch
import torch.nn.functional as F

from ldae.data import read_cohort, load_volume
from ldae.synth import measure_volumes
from ldae.template import default_spacing


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('run', type=Path)
    ap.add_argument('--pool', type=int, nargs='*', default=[1, 2, 4])
    a = ap.parse_args(argv)
    df = read_cohort(a.run / 'cohort' / 'cohort.csv')
    test = df[df.split == 'test'].reset_index(drop=True)
    shape = tuple(nib.load(test._path[0]).shape)
    sp = default_spacing(shape)
    x = torch.stack([load_volume(p, shape, sp).as_tensor() for p in test._path])
    truth = test.hippocampus_ml.to_numpy()
    print(f'{len(x)} test scans at {shape} ({sp:g} mm)')
    for k in a.pool:
        y = x if k == 1 else F.interpolate(F.avg_pool3d(x, k), size=shape, mode='trilinear', align_corners=False)
        h = np.array([measure_volumes(v, sp)['hippocampus_ml'] for v in y])
        print(f'pooled {k}× ({sp * k:g} mm): hippocampal volume r with the truth {np.corrcoef(h, truth)[0, 1]:.3f}')


if __name__ == '__main__':
    main()
