"""Time the shipped LDAE's DDIM reconstruction with its 3-D convolutions in the default and in channels-last order.

    python tools/inference_order.py [--bundle synthad-cpu] [--batch 8] [--steps 10] [--repeats 2]

Prints seconds per call both ways, their ratio and the largest difference between the two outputs (the memory order
changes only how the weights are laid out). `ldae.pipeline.load_ldae` uses channels-last on a CPU by default.
"""

import argparse

import torch

from ldae.perf import best_seconds
from ldae.pretrained import pretrained_info
from ldae.pipeline import load_ldae
from pathlib import Path


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--bundle', default='synthad-cpu')
    ap.add_argument('--batch', type=int, default=8)
    ap.add_argument('--steps', type=int, default=10)
    ap.add_argument('--repeats', type=int, default=2)
    a = ap.parse_args(argv)
    path = Path(pretrained_info(a.bundle)['path']) / 'ldae.ckpt'
    x = torch.rand(
        a.batch,
        1,
        *load_ldae(path, channels_last=False, onednn=False).ae.input_shape,
        generator=torch.Generator().manual_seed(0),
    )
    out, secs = {}, {}
    for name, cl in (('default order', False), ('channels-last', True)):
        m = load_ldae(path, channels_last=cl, onednn=False)  # memory order only (oneDNN at batch 1: batch1_kernels.py)
        secs[name] = best_seconds(lambda: m.reconstruct(x, a.steps), 'cpu', repeats=a.repeats)
        out[name] = m.reconstruct(x, a.steps)
    d = float((out['default order'] - out['channels-last']).abs().max())
    print(
        f"LDAE reconstruct, {a.batch} scans of {tuple(x.shape[2:])}, S = {a.steps}, {torch.get_num_threads()} threads:"
    )
    for k, v in secs.items():
        print(f"  {k}: {v:.2f} s")
    print(f"  ratio {secs['default order'] / secs['channels-last']:.2f}×; largest output difference {d:.1e}")


if __name__ == '__main__':
    main()
