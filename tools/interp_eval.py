"""Interpolation at a real intermediate session, judged against the scan and against the autoencoder's
reconstruction of it (the reference implementation's protocol), at several DDIM step counts.

    python tools/interp_eval.py COHORT_CSV [--bundle synthad-cpu] [--steps 10 50] [--subjects 8]

COHORT_CSV: a SynthAD cohort with a `split` column (e.g. the `cohort/cohort.csv` of an `ldae demo --out DIR` run).
Subjects: the test subjects with three or more sessions (first, second, last), as in `ldae demo`; the table is
`ldae.counterfactual.judge_interpolation`'s at each S, with the per-subject win fractions under both protocols.
"""

import argparse
import time

import pandas as pd

from ldae.counterfactual import interpolation_triples, judge_interpolation
from ldae.data import read_cohort
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
    print(f"{len(tri)} subjects, t = {tri.t.round(2).tolist()}")
    tabs = {}
    for S in a.steps:
        t1 = time.time()
        r = judge_interpolation(m, x0, xm, x1, tri.t, S)
        s = r['summary']
        print(
            f"S = {S}: {time.time() - t1:.0f} s; the interpolation beats, per subject: the nearest endpoint "
            f"{s['beats_nearest_fraction']:.3f} (through the AE {s['beats_nearest_ae_fraction']:.3f}), the voxel "
            f"blend {s['beats_blend_fraction']:.3f} (through the AE {s['beats_blend_ae_fraction']:.3f})"
        )
        tabs[S] = r['table']
    print(pd.concat(tabs, names=['S', 'candidate']).round(4).to_string())


if __name__ == '__main__':
    main()
