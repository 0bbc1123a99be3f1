"""Seconds per training step of the cpu autoencoder (batch 4, Adam, L1) at each grid: the cost side of the grid choice.

    OMP_NUM_THREADS=1 python tools/ae_step.py [D H W …]   # default: 32 40 32 and 48 56 48

Prints the third step's time per grid (the first two warm up).
"""

import sys
import time
import torch
from ldae.autoencoder import build_autoencoder

args = [int(a) for a in sys.argv[1:]] or [32, 40, 32, 48, 56, 48]
ae = build_autoencoder('cpu')
opt = torch.optim.Adam(ae.parameters(), 1e-3)
for shape in [tuple(args[i : i + 3]) for i in range(0, len(args), 3)]:
    x = torch.rand(4, 1, *shape)
    for _ in range(3):
        t = time.time()
        r, mu, s = ae(x)
        loss = (r - x).abs().mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        dt = time.time() - t
    print(f'{shape}: {dt:.2f} s/step on {torch.get_num_threads()} thread(s)')
