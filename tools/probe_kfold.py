"""AD vs CN and age under subject-grouped 5-fold CV over the whole cohort, for several representations and seeds.

    python tools/probe_kfold.py COHORT_WITH_LATENTS_CSV [Y_SEM_CSV …] [--seeds 0 1 2] [--no-pca]

The demo's probe table uses the recorded split (16 AD/CN test subjects): its intervals are wide. This repeats the
probing protocol of `ldae.probe.run_probe` with `protocol='kfold'` (every AD/CN subject tested once; the
regularisation chosen inside the training folds) for each y_sem embeddings file (`ldae embed` / the run's
probe/y_sem.csv), PCA of the cohort's cached autoencoder latents, and the true ventricle volume + age, with the
fold assignment drawn from each seed.
"""

import argparse
from pathlib import Path
import numpy as np
from ldae.data import read_cohort
from ldae.probe import read_embeddings, align, run_probe

ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
ap.add_argument('csv', type=Path)
ap.add_argument('embeddings', type=Path, nargs='*')
ap.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
ap.add_argument('--no-pca', action='store_true')
a = ap.parse_args()
df0 = read_cohort(a.csv)
feats = {}
for e in a.embeddings:
    emb, Y = read_embeddings(e)
    feats[f'y_sem {e.parent.parent.name}'] = align(emb, Y, df0)
if not a.no_pca:
    L = np.stack([np.load((a.csv.parent / p).resolve())['data'].ravel() for p in df0.latent_path])
    feats['PCA of AE latents'] = (df0, L)
feats['true ventricles + age'] = (df0, np.c_[df0.ventricle_ml, df0.age])
for name, (df, X) in feats.items():
    pca = name.startswith('PCA')
    auc = [
        run_probe(X, df, 'diagnosis', protocol='kfold', seed=s, n_boot=0, pca=pca)['metrics']['auc'] for s in a.seeds
    ]
    print(f"{name:28s} 5-fold AD/CN AUC {' '.join(f'{v:.3f}' for v in auc)} (mean {np.mean(auc):.3f})", flush=True)
