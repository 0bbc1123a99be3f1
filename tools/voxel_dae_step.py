"""Seconds per training step of the cpu voxel-space DAE (its `voxel_dae` preset) at a grid, channels-last.

    python tools/voxel_dae_step.py [D H W] [--steps 3] [--batch 8]   # default: 48 56 48

One step: the semantic encoder and the conditioned voxel UNet forward, an MSE on its output, backward, AdamW. The
numbers say what training the baseline costs on this machine (the cpu preset's 40 epochs of the demo cohort are
≈ 30 steps each at batch 8).
"""

import argparse
import time

import torch

from ldae.config import load_config
from ldae.perf import channels_last_3d_
from ldae.voxel_dae import build_voxel_dae


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('shape', type=int, nargs='*', default=[48, 56, 48])
    ap.add_argument('--steps', type=int, default=3)
    ap.add_argument('--batch', type=int, default=8)
    a = ap.parse_args(argv)
    torch.manual_seed(0)
    cfg = load_config('voxel_dae', 'cpu', [f'data.shape={list(a.shape)}'])
    m = channels_last_3d_(build_voxel_dae(cfg))
    opt = torch.optim.AdamW(m.parameters(), 1e-3)
    x = torch.rand(a.batch, 1, *a.shape)
    t = torch.randint(0, 1000, (a.batch,))
    n = sum(p.numel() for p in m.parameters())
    print(f"voxel DAE ({n / 1e6:.2f} M parameters), {a.batch} × {tuple(a.shape)}, {torch.get_num_threads()} threads:")
    for i in range(a.steps):
        t0 = time.time()
        loss = m.unet(x, t, m.encoder(x)).square().mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        print(f"  step {i + 1}: {time.time() - t0:.1f} s")


if __name__ == '__main__':
    main()
