"""Where one stage-3 training step's time goes: the semantic encoder, ε_θ's frozen pass, the estimator, backward.

    python tools/stage3_step.py [BUNDLE] [--batch 16] [--threads N] [--repeats 3] [--channels-last]

On a bundle's own parts (default: the shipped one; its weights do not matter for time), a batch of random scans on
its grid and random noisy latents: the median seconds of the encoder's forward, ε_θ's frozen pass with the estimator
(the `GuidedDenoiser` call), the PDAE loss and the backward of both trained parts, and of a whole step with the
optimizer. Train mode, gradients on: PyTorch's own kernels, as in `fit_ldae`.
"""

import argparse
import statistics
import time

import torch

from ldae.guidance import pdae_loss
from ldae.pipeline import load_ldae
from ldae.pretrained import bundle_checkpoint

ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
ap.add_argument('bundle', nargs='?', default='synthad-cpu')
ap.add_argument('--batch', type=int, default=16)
ap.add_argument('--threads', type=int, default=None)
ap.add_argument('--repeats', type=int, default=3)
ap.add_argument('--channels-last', action='store_true', help='3-D weights and latents channels-last')
a = ap.parse_args()
if a.threads:
    torch.set_num_threads(a.threads)
ckpt = bundle_checkpoint(a.bundle)
m = load_ldae(ckpt, channels_last=a.channels_last, onednn=False)
enc, den, sch = m.encoder.train(), m.denoiser.train(), m.ddpm.schedule
enc.requires_grad_(True)
den.shift.requires_grad_(True)
opt = torch.optim.AdamW([*enc.parameters(), *den.shift.parameters()], 1e-4)
g = torch.Generator().manual_seed(0)
B = a.batch
x = torch.rand(B, 1, *m.ae.input_shape, generator=g)
if a.channels_last:  # as `ChannelsLast3d` does to every 5-D tensor of a batch
    x = x.contiguous(memory_format=torch.channels_last_3d)
z0 = torch.randn(B, *m.ddpm.latent_shape, generator=g)
fmt = torch.channels_last_3d if a.channels_last else torch.contiguous_format
t = torch.randint(0, sch.T, (B,), generator=g)
eps = torch.randn(z0.shape, generator=g)
zt = sch.q_sample(z0, t, eps).contiguous(memory_format=fmt)
parts = {'encoder forward': [], 'ε_θ + estimator forward': [], 'loss + backward': [], 'optimizer': [], 'step': []}
for i in range(a.repeats + 1):
    t0 = time.perf_counter()
    y = enc(x)
    t1 = time.perf_counter()
    e, G = den(zt, t, y)
    t2 = time.perf_counter()
    loss = pdae_loss(eps, e, G, t, sch, 0.1)
    opt.zero_grad()
    loss.backward()
    t3 = time.perf_counter()
    opt.step()
    t4 = time.perf_counter()
    if i:  # the first is a warm-up
        for k, v in zip(parts, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t4 - t0)):
            parts[k].append(v)
med = {k: statistics.median(v) for k, v in parts.items()}
print(f'{ckpt}, batch {B}, {torch.get_num_threads()} threads, channels-last {a.channels_last}')
for k, v in med.items():
    print(f'{k:26s} {v:6.2f} s  ({v / med["step"]:.0%})')
