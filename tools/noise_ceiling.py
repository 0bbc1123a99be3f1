"""SSIM an ideal denoising autoencoder would reach on SynthAD: each scan against its noise-free rendering.

    python tools/noise_ceiling.py [D H W] [--n 12]

SynthAD adds white scanner noise per voxel at the output grid. An autoencoder that compresses cannot store that
noise, so its best reconstruction is the noise-free scan; the SSIM of that scan to the noisy one is the ceiling of
any reconstruction SSIM measured against the noisy scans (the targets of every reconstruction table).
"""

import argparse

import numpy as np
import torch

from ldae.metrics import ssim3d, psnr
from ldae.synth import sample_subject, synth_volume, target_grid


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('shape', type=int, nargs='*', default=[48, 56, 48])
    ap.add_argument('--n', type=int, default=12)
    a = ap.parse_args(argv)
    shape = tuple(a.shape)
    aff = target_grid(shape, None)
    ss, ps = [], []
    for i in range(a.n):
        subj, sessions = sample_subject(1234, i, diagnosis='CN' if i % 2 else 'AD')
        sess = sessions[0]
        noisy = synth_volume(subj, sess, aff, shape)[0]
        clean = synth_volume(subj, sess | {'noise': 0.0}, aff, shape)[0]
        lo, hi = noisy.min(), noisy.max()
        x, y = ((noisy - lo) / (hi - lo))[None, None], ((clean - lo) / (hi - lo))[None, None]
        ss.append(float(ssim3d(y, x)))
        ps.append(float(psnr(y, x)))
    print(
        f'{shape}: SSIM(noise-free, noisy) {np.mean(ss):.4f} ± {np.std(ss):.4f}  PSNR {np.mean(ps):.2f} dB  (n={a.n})'
    )


if __name__ == '__main__':
    torch.set_num_threads(2)
    main()
