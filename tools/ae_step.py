"""Seconds per training step of the cpu autoencoder (batch 4, Adam, L1) at each grid, in both memory orders.

    OMP_NUM_THREADS=1 python tools/ae_step.py [D H W …]   # default: 32 40 32 and 48 56 48

Prints the best of steps 3–5 per grid, with the default (channels-first) and channels-last (`torch.channels_last_3d`,
the cpu preset's `train.channels_last`) memory orders: the cost side of the grid choice and of that option.
"""

import sys
import time
import torch
from ldae.autoencoder import build_autoencoder

args = [int(a) for a in sys.argv[1:]] or [32, 40, 32, 48, 56, 48]
for shape in [tuple(args[i : i + 3]) for i in range(0, len(args), 3)]:
    row = []
    for last in (False, True):
        torch.manual_seed(0)
        ae = build_autoencoder('cpu')
        x = torch.rand(4, 1, *shape)
        if last:
            ae, x = ae.to(memory_format=torch.channels_last_3d), x.contiguous(memory_format=torch.channels_last_3d)
        opt = torch.optim.Adam(ae.parameters(), 1e-3)
        ts = []
        for _ in range(5):
            t = time.time()
            r, mu, s = ae(x)
            loss = (r - x).abs().mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            ts.append(time.time() - t)
        row.append(min(ts[2:]))
    print(
        f'{shape}: {row[0]:.2f} s/step channels-first, {row[1]:.2f} s/step channels-last '
        f'({row[0] / row[1]:.2f}×) on {torch.get_num_threads()} thread(s)'
    )
