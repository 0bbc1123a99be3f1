"""Interpolation at a real intermediate session, judged two ways: against the scan, and against the autoencoder's
reconstruction of it (the reference implementation's protocol), at several DDIM step counts.

    python tools/interp_eval.py COHORT_CSV [--bundle synthad-cpu] [--steps 10 50] [--subjects 8]

COHORT_CSV: a SynthAD cohort with a `split` column (e.g. the `cohort/cohort.csv` of an `ldae demo --out DIR` run).
Subjects: the test subjects with three or more sessions (first, second, last), as in `ldae demo`. Candidates for
the second session: the interpolation (LERP y_sem, SLERP z_T at its place in time), the nearest endpoint and the
voxel blend of the endpoints — as scans, as autoencoder reconstructions and as LDAE reconstructions.
"""

import argparse
import time

import numpy as np
import pandas as pd
import torch

from ldae.counterfactual import interpolation_triples, slerp
from ldae.data import read_cohort
from ldae.metrics import ssim3d
from ldae.pretrained import pretrained


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('csv')
    ap.add_argument('--bundle', default='synthad-cpu')
    ap.add_argument('--steps', type=int, nargs='+', default=[10, 50])
    ap.add_argument('--subjects', type=int, default=8)
    a = ap.parse_args(argv)
    m = pretrained(a.bundle)
    df = read_cohort(a.csv)
    tri = interpolation_triples(df[df.split == 'test']).head(a.subjects)
    x0, xm, x1 = (m.load_scans(list(tri[k])) for k in ('first', 'mid', 'last'))
    t = torch.tensor(tri.t.values, dtype=x0.dtype).view(-1, 1, 1, 1, 1)
    print(f"{len(tri)} subjects, t = {np.round(tri.t.values, 2).tolist()}")
    with torch.no_grad():
        a0, am, a1 = (m.ae.reconstruct(v).clamp(0, 1) for v in (x0, xm, x1))
    rows = {}
    for S in a.steps:
        t1 = time.time()
        y0, z0 = m.encode(x0, S)
        y1, z1 = m.encode(x1, S)
        Y = torch.stack([torch.lerp(y0[b], y1[b], float(t[b])) for b in range(len(t))])
        Z = torch.cat([slerp(z0[b : b + 1], z1[b : b + 1], float(t[b])) for b in range(len(t))])
        r0, r1, rm = m.decode(y0, z0, S), m.decode(y1, z1, S), m.reconstruct(xm, S)
        cands = {
            'interpolation': m.decode(Y, Z, S),
            'nearest endpoint (scan)': torch.where(t < 0.5, x0, x1),
            'voxel blend (scans)': (1 - t) * x0 + t * x1,
            'nearest endpoint (AE)': torch.where(t < 0.5, a0, a1),
            'voxel blend (AE)': (1 - t) * a0 + t * a1,
            'nearest endpoint (LDAE)': torch.where(t < 0.5, r0, r1),
            'voxel blend (LDAE)': (1 - t) * r0 + t * r1,
            'LDAE reconstruction of the scan': rm,
            'AE reconstruction of the scan': am,
        }
        for k, v in cands.items():
            rows[(S, k)] = {'vs scan': float(ssim3d(v, xm).mean()), 'vs AE reconstruction': float(ssim3d(v, am).mean())}
            if k == 'interpolation':
                s_i = ssim3d(v, am)
        beat = {
            k: float((s_i > ssim3d(cands[k], am)).float().mean()) for k in ('nearest endpoint (AE)', 'voxel blend (AE)')
        }
        print(f"S = {S}: {time.time() - t1:.0f} s; interpolation beats (vs AE reconstruction), per subject: {beat}")
    tab = pd.DataFrame(rows).T.round(4)
    tab.index.names = ['S', 'candidate']
    print(tab.to_string())


if __name__ == '__main__':
    main()
