"""Batch-1 CPU inference with PyTorch's choice of 3-D convolution kernel and with oneDNN's (`ldae.perf.onednn_conv3d_`).

    python tools/batch1_kernels.py [BUNDLE] [--steps 10] [--threads N] [--no-voxel] [--compile]

On the shipped bundle (default) or any LDAE bundle: (1) a profile of one guided DDIM step at batch 1 — the share of
time in each convolution kernel; (2) seconds per guided step at batch 1 and 2, both ways; (3) seconds per scan of an
LDAE encode + decode at S steps and of the equal-width voxel DAE of `ldae bench`, both ways, and their ratio. One run,
best of 2 after a warm-up (the voxel DAE: 1): ratios are what to read on a shared machine. `--compile` adds the guided
step, the reconstruction and the voxel DAE of `load_ldae(compile=True)` (inductor, frozen weights): with the time
of each first call (compilation; inductor's cache makes a second run start faster).
"""

import argparse
import time

import torch
from torch.profiler import profile

from ldae.bench import _scans, equal_width_voxel_dae
from ldae.pipeline import load_ldae
from ldae.perf import best_seconds
from ldae.pretrained import bundle_checkpoint

ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
ap.add_argument('bundle', nargs='?', default='synthad-cpu')
ap.add_argument('--steps', type=int, default=10)
ap.add_argument('--threads', type=int, default=None)
ap.add_argument('--no-voxel', action='store_true')
ap.add_argument('--compile', action='store_true')
a = ap.parse_args()
if a.threads:
    torch.set_num_threads(a.threads)
ckpt = bundle_checkpoint(a.bundle)
models = {k: load_ldae(ckpt, onednn=k == 'oneDNN') for k in ("PyTorch's choice", 'oneDNN')}
profiled = list(models)
if a.compile:
    models['compiled'] = load_ldae(ckpt, compile=True)
print(f'{ckpt}, {torch.get_num_threads()} threads, S = {a.steps}')


def guided_step(m, bs):
    "One guided ε̂ call of bundle `m` at batch `bs` (random latents and y_sem, t = 500), as a function of nothing."
    den = m.denoiser
    z = torch.randn(bs, *den.ddpm.latent_shape)
    g = den.eps_fn(torch.randn(bs, den.shift.config['sem_dim']))
    tt = torch.full((bs,), 500)
    return lambda: g(z, tt)


with torch.inference_mode():
    for name in profiled:
        step = guided_step(models[name], 1)
        step()
        with profile() as prof:
            for _ in range(5):
                step()
        ev = prof.key_averages()
        total = sum(e.self_cpu_time_total for e in ev)
        conv = {e.key: e.self_cpu_time_total / total for e in ev if 'conv' in e.key and e.self_cpu_time_total > 0}
        top = ', '.join(f'{k} {v:.0%}' for k, v in sorted(conv.items(), key=lambda kv: -kv[1])[:3])
        print(f'{name:18s} one guided step at batch 1, self time by kernel: {top}')
    for bs in (1, 2):
        ts = {}
        for name, m in models.items():
            if name == 'compiled':
                t0 = time.perf_counter()
                guided_step(m, bs)()
                print(f'compiled: first guided step at batch {bs} {time.perf_counter() - t0:.0f} s', flush=True)
            ts[name] = best_seconds(guided_step(m, bs), 'cpu', repeats=2, calls=10)
        print(f'guided step, batch {bs}: ' + ', '.join(f'{k} {v * 1000:.1f} ms' for k, v in ts.items()))
    m0 = models["PyTorch's choice"]
    x = _scans(m0, 1, 1234)[:1]
    ref = m0.decode(*m0.encode(x, a.steps), a.steps)
    for name, m in models.items():
        t0 = time.perf_counter()
        out = m.decode(*m.encode(x, a.steps), a.steps)
        t_first = time.perf_counter() - t0
        t_l = best_seconds(lambda: m.decode(*m.encode(x, a.steps), a.steps), 'cpu', repeats=2)
        diff = (out - ref).abs().max()
        line = f"{name:18s} LDAE encode + decode {t_l:.2f} s per scan (max |Δ| vs PyTorch's choice {diff:.1e})"
        if name == 'compiled':
            line += f' [first reconstruction {t_first:.0f} s]'
        if not a.no_voxel:
            vd = equal_width_voxel_dae(m)
            if name == 'compiled':
                t0 = time.perf_counter()
                vd.reconstruct(x, a.steps)
                print(f'compiled: first voxel DAE reconstruction {time.perf_counter() - t0:.0f} s', flush=True)
            t_v = best_seconds(lambda: vd.reconstruct(x, a.steps), 'cpu', repeats=1)
            line += f'; voxel DAE {t_v:.1f} s; ratio {t_v / t_l:.1f}×'
        print(line, flush=True)
