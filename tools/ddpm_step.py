"""Seconds per training step and per sampling step of cpu ε_θ UNets on two latent grids, in one run (ratios).

    python tools/ddpm_step.py [--steps 3] [--batch 16] [--no-channels-last] [--cases 0 2]

The shipped cpu DDPM works on the 8 × 12 × 14 × 12 latents of the 3-level autoencoder (48×56×48 scans); a 2-level
autoencoder gives 4 × 24 × 28 × 24 latents. This times the stage-2 UNet on each (the preset, and the preset with
other channel widths), so the cost of moving the DDPM and stage 3 to the finer latent grid is measured, not guessed:
a training step (forward, MSE, backward, AdamW at `--batch`) and a sampling step (one forward at batch 8, no grad).
"""

import argparse
import time

import torch

from ldae.config import load_config
from ldae.perf import channels_last_3d_
from ldae.unet import UNet, n_params

CASES = [  # (name, latent shape, model overrides)
    ('preset on 8×12×14×12', (8, 12, 14, 12), {}),
    ('preset on 4×24×28×24', (4, 24, 28, 24), {}),
    ('[8,16,32] on 4×24×28×24', (4, 24, 28, 24), {'channels': [8, 16, 32]}),
    ('[8,16,32] on 4×24×32×24', (4, 24, 32, 24), {'channels': [8, 16, 32]}),
    (
        '[8,16,32,64] on 4×24×32×24',
        (4, 24, 32, 24),
        {'channels': [8, 16, 32, 64], 'attention_levels': [False, False, False, True]},
    ),
]


def median_time(fn, n):
    ts = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return sorted(ts)[len(ts) // 2]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--steps', type=int, default=3)
    ap.add_argument('--batch', type=int, default=16)
    ap.add_argument('--no-channels-last', action='store_true', help='time the default memory order')
    ap.add_argument(
        '--cases', type=int, nargs='+', default=None, help='which cases (0-based; default all; × is vs the first)'
    )
    a = ap.parse_args(argv)
    base = load_config('ldae_pretrain', 'cpu')['model']
    order = 'default memory order' if a.no_channels_last else 'channels-last'
    print(f"{torch.get_num_threads()} threads, {order}; train batch {a.batch}, sampling batch 8; median of {a.steps}")
    ref = None
    for name, shape, over in [CASES[i] for i in a.cases] if a.cases is not None else CASES:
        torch.manual_seed(0)
        m = UNet(in_channels=shape[0], **(base | over))
        m = m if a.no_channels_last else channels_last_3d_(m)
        opt = torch.optim.AdamW(m.parameters(), 1e-3)
        x, t = torch.randn(a.batch, *shape), torch.randint(0, 1000, (a.batch,))

        def train():
            loss = m(x, t).square().mean()
            opt.zero_grad()
            loss.backward()
            opt.step()

        def sample():
            with torch.no_grad():
                m(x[:8], t[:8])

        train()  # warm-up
        tr, sa = median_time(train, a.steps), median_time(sample, a.steps)
        ref = ref or (tr, sa)
        print(
            f"{name:30s} {n_params(m) / 1e6:5.2f} M  train {tr:6.2f} s ({tr / ref[0]:4.1f}×)  "
            f"sample {1000 * sa:7.1f} ms ({sa / ref[1]:4.1f}×)"
        )


if __name__ == '__main__':
    main()
