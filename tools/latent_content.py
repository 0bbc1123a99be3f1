"""What a cohort's cached autoencoder latents (or scans) hold about each true volume, beyond the ventricles and age.

    python tools/latent_content.py COHORT_WITH_LATENTS_CSV

Ridge regression (subject-grouped 5-fold, α chosen inside each training fold) from the flattened latent means to:
the true hippocampal volume; its residual after a linear fit on the true ventricle volume and age (what the
hippocampus adds to the ventricles); the true ventricle volume. Pearson r of the out-of-fold predictions. The same
from the scans' voxels (at the cohort's grid) as the reference for what the images hold.
"""

import sys
import numpy as np
import nibabel as nib
from pathlib import Path
from sklearn.linear_model import LinearRegression, RidgeCV
from sklearn.model_selection import GroupKFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from ldae.data import read_cohort

csv = Path(sys.argv[1])
df = read_cohort(csv)
root = csv.parent
Z = np.stack([np.load((root / p).resolve())['data'].ravel() for p in df.latent_path])
X = np.stack([np.asarray(nib.load(p).dataobj, np.float32).ravel() for p in df._path])
cov = df[['ventricle_ml', 'age']].to_numpy()
h = df.hippocampus_ml.to_numpy()
resid = h - LinearRegression().fit(cov, h).predict(cov)
targets = {'hippocampus': h, 'hippocampus | ventricles, age': resid, 'ventricles': df.ventricle_ml.to_numpy()}
cv = GroupKFold(5)
for name, F in (('AE latent', Z), ('scan voxels', X)):
    for t, y in targets.items():
        model = make_pipeline(StandardScaler(with_std=name == 'AE latent'), RidgeCV(alphas=np.logspace(-2, 10, 25)))
        p = cross_val_predict(model, F, y, groups=df.subject, cv=cv)
        print(f'{name:12s} ({F.shape[1]:6d}-d) → {t:32s} r = {np.corrcoef(p, y)[0, 1]:.3f}')
