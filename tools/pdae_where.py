"""Where y_sem lowers stage 3's loss: in the template hippocampus or elsewhere, and at which diffusion times.

    python tools/pdae_where.py COHORT_WITH_LATENTS_CSV BUNDLE [BUNDLE …] [--split test] [--draws 4]

For each trained bundle (an ldae.ckpt or a shipped bundle's name) and each scan of a split of the cohort: z0 from
the bundle's own autoencoder, then for 10 diffusion times t (50, 150, …, 950) and `--draws` noises ε (seeded, the
same for every bundle) the PDAE residual with y_sem's shift, ε − (ε_θ + c_t·G), and without it, ε − ε_θ. Printed:
the λ_t-weighted squared residual with and without G, and the fraction y_sem removes — over the whole latent grid,
inside the template hippocampus (each latent position weighted by the share of its footprint in the region,
`ldae.repr_learner.roi_fraction`, undilated and dilated by 8 mm) and outside it; the hippocampus's share of what
y_sem removes against its share of the grid; the fraction removed per t and each t's share of the loss (at large t
the loss is tiny: ε_θ alone is nearly exact there, and a shift that steers the decode raises it by a large fraction).
Also the semantic encoder's pooling and attention weights (mean over the scans) on the axial slices that hold the
template hippocampus, against those slices' share of the scan.
"""

import argparse
import numpy as np
import torch
from pathlib import Path
from ldae.data import cohort_splits
from ldae.guidance import pdae_coefficients
from ldae.pipeline import load_ldae
from ldae.pretrained import bundle_checkpoint
from ldae.repr_learner import roi_fraction
from ldae.schedule import bcast

ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
ap.add_argument('csv', type=Path)
ap.add_argument('bundles', nargs='+')
ap.add_argument('--split', default='test')
ap.add_argument('--draws', type=int, default=4)
a = ap.parse_args()
torch.set_grad_enabled(False)
df = cohort_splits(a.csv)  # its split column, or the `_split.csv` beside it
df = df[df.split == a.split]
if df.empty:
    raise SystemExit(f'{a.csv}: no scans in split {a.split!r}')
for b in a.bundles:
    m = load_ldae(bundle_checkpoint(b))
    dd, sch = m.ddpm, m.ddpm.schedule
    ts = (torch.arange(10) * 2 + 1) * sch.T // 20  # 10 times, the middles of 10 equal bins (50, 150, … for T = 1000)
    print(f'{len(df)} {a.split} scans × {len(ts)} times × {a.draws} noises', flush=True)
    c, lam = pdae_coefficients(sch)  # γ = 0.1, both presets' (the loss weight λ_t; a region weighting is not applied)
    x = m.load_scans(list(df._path), check=False)
    hs = roi_fraction(m.ae.input_shape, m.ae.spacing, m.ae.input_shape, dilate_mm=0)[0, 0].sum((0, 1)) > 0
    enc = [m.encoder(x[i : i + 16], return_attention=True) for i in range(0, len(x), 16)]  # y_sem and its weights
    y = torch.cat([e[0] for e in enc])
    att = {k: torch.cat([e[1][k] for e in enc]).mean(0) for k in ('pooling', 'attention')}
    z0 = torch.cat([dd.encode_latent(x[i : i + 16]) for i in range(0, len(x), 16)])
    rois = {
        f'hippocampus{"" if d == 0 else f" + {d:g} mm"}': roi_fraction(
            m.ae.input_shape, m.ae.spacing, z0.shape, dilate_mm=d
        )
        for d in (0.0, 8.0)
    }
    gen = torch.Generator().manual_seed(0)
    e0 = torch.zeros(len(ts), *z0.shape[-3:], dtype=torch.float64)  # λ-weighted squared residual per t, position
    e1 = torch.zeros_like(e0)
    for k, t in enumerate(ts):
        for _ in range(a.draws):
            for i in range(0, len(z0), 16):
                z = z0[i : i + 16]
                tt = torch.full((len(z),), int(t))
                eps = torch.randn(z.shape, generator=gen)
                et, G = m.denoiser(sch.q_sample(z, tt, eps), tt, y[i : i + 16])
                r0 = (eps - et).square().sum((0, 1))
                r1 = (eps - et - bcast(c, tt, z) * G).square().sum((0, 1))
                e0[k] += float(lam[t]) * r0.double()
                e1[k] += float(lam[t]) * r1.double()
    L0, L1 = e0.sum(0), e1.sum(0)
    print(f'\n{b}: latent {tuple(z0.shape[1:])}, y_sem {tuple(y.shape[1:])}', flush=True)
    print(
        f'  axial slices holding the hippocampus: {int(hs.sum())} of {len(hs)} ({float(hs.float().mean()):.1%}); '
        + '; '.join(f'{k} weight on them {float(v[hs].sum()):.1%}' for k, v in att.items())
    )
    print(
        f'  whole grid: loss without G {float(L0.sum()):.4g}, with G {float(L1.sum()):.4g}, '
        f'y_sem removes {1 - float(L1.sum() / L0.sum()):.1%}'
    )
    for name, fr in rois.items():
        f = fr[0, 0].double()
        inside = 1 - float((L1 * f).sum() / (L0 * f).sum())
        outside = 1 - float((L1 * (1 - f)).sum() / (L0 * (1 - f)).sum())
        share = float(((L0 - L1) * f).sum() / (L0 - L1).sum())
        print(
            f'  {name:22s}: {float(f.mean()):.2%} of the grid, {float((L0 * f).sum() / L0.sum()):.2%} of the loss; '
            f'y_sem removes {inside:.1%} inside vs {outside:.1%} outside; {share:.2%} of what it removes'
        )
    per_t = 1 - e1.sum((1, 2, 3)) / e0.sum((1, 2, 3))
    print('  removed per t: ' + ', '.join(f'{int(t)}: {float(v):.1%}' for t, v in zip(ts, per_t)))
    w_t = e0.sum((1, 2, 3)) / e0.sum()  # a negative fraction at large t is of a tiny loss: what share t holds
    print(
        '  loss share per t (without G): ' + ', '.join(f'{int(t)}: {float(v):.1%}' for t, v in zip(ts, w_t)), flush=True
    )
