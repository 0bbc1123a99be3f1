"""What a cohort's cached autoencoder latents (or scans) hold about each true volume, beyond the ventricles and age.

    python tools/latent_content.py COHORT_WITH_LATENTS_CSV [Y_SEM_CSV …] [--no-voxels]

Ridge regression (subject-grouped 5-fold, α chosen inside each training fold) from the flattened latent means to:
the true hippocampal volume; its residual after a linear fit on the true ventricle volume and age (what the
hippocampus adds to the ventricles); the true ventricle volume. Pearson r of the out-of-fold predictions. The same
from the scans' voxels (at the cohort's grid) as the reference for what the images hold, and from each y_sem
embeddings file given (`ldae embed` / a run's probe/y_sem.csv), named by its run folder.
"""

import argparse
import numpy as np
import nibabel as nib
from pathlib import Path
from sklearn.linear_model import LinearRegression, RidgeCV
from sklearn.model_selection import GroupKFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from ldae.data import read_cohort
from ldae.probe import read_embeddings, align

ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
ap.add_argument('csv', type=Path)
ap.add_argument('embeddings', type=Path, nargs='*')
ap.add_argument('--no-voxels', action='store_true', help='skip the scans themselves')
a = ap.parse_args()
df = read_cohort(a.csv)
root = a.csv.parent
feats = {'AE latent': np.stack([np.load((root / p).resolve())['data'].ravel() for p in df.latent_path])}
if not a.no_voxels:
    feats['scan voxels'] = np.stack([np.asarray(nib.load(p).dataobj, np.float32).ravel() for p in df._path])
for e in a.embeddings:
    emb, Y = read_embeddings(e)
    _, Ye = align(emb, Y, df)  # in the cohort's row order
    feats[f'y_sem {e.parent.parent.name}'] = Ye
cov = df[['ventricle_ml', 'age']].to_numpy()
h = df.hippocampus_ml.to_numpy()
resid = h - LinearRegression().fit(cov, h).predict(cov)
targets = {'hippocampus': h, 'hippocampus | ventricles, age': resid, 'ventricles': df.ventricle_ml.to_numpy()}
cv = GroupKFold(5)
for name, F in feats.items():
    for t, y in targets.items():
        model = make_pipeline(StandardScaler(with_std=name != 'scan voxels'), RidgeCV(alphas=np.logspace(-2, 10, 25)))
        p = cross_val_predict(model, F, y, groups=df.subject, cv=cv)
        print(f'{name:16s} ({F.shape[1]:6d}-d) → {t:32s} r = {np.corrcoef(p, y)[0, 1]:.3f}', flush=True)
