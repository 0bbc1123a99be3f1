"""Can the semantic encoder's architecture see the disease? The supervised classifier with each slice pooling.

    python tools/encoder_grid.py COHORT_CSV OUT [--grids 1 4] [--folds 5]

The supervised baseline (`ldae fit --config classification`: the semantic encoder + a linear head, trained on AD vs
CN) is the most the encoder's architecture can take from the images with the labels given. Its `cpu` backbone
averages each slice to one vector (`encoder.grid=1`); `grid=k` keeps a k×k map. This trains it with each grid under
subject-grouped K-fold CV over the cohort's AD and CN subjects (stratified; a tenth of the training subjects
validate, as in the recorded split) and pools the out-of-fold P(AD): AUC over all AD/CN scans, beside each fold's.
Each fit is written to OUT/g<grid>/fold<k> and skipped when done, so the command resumes.
"""

import argparse
import json
from pathlib import Path
import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedGroupKFold
from ldae.data import read_cohort
from ldae.demo import demo_config
from ldae.supervised import fit_supervised

ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
ap.add_argument('csv', type=Path)
ap.add_argument('out', type=Path)
ap.add_argument('--grids', type=int, nargs='+', default=[1, 4])
ap.add_argument('--folds', type=int, default=5)
ap.add_argument('--seed', type=int, default=0)
a = ap.parse_args()

df = read_cohort(a.csv)
df['path'] = [str(p) for p in df._path]  # absolute: the fold CSVs live elsewhere
df = df.drop(columns=[c for c in df if c.startswith('_')])
shape = [int(s) for s in __import__('nibabel').load(df.path.iloc[0]).shape[:3]]
subj = df.groupby('subject').diagnosis.first()
adcn = subj[subj.isin(['AD', 'CN'])]
rng = np.random.default_rng(a.seed)
cv = StratifiedGroupKFold(a.folds, shuffle=True, random_state=a.seed)
folds = list(cv.split(adcn.index, adcn.values, groups=adcn.index))
res = {}
for g in a.grids:
    preds = []
    for k, (tr, te) in enumerate(folds):
        d = a.out / f'g{g}' / f'fold{k}'
        test = set(adcn.index[te])
        val = set()  # a tenth of each class's remaining subjects (both classes: early stopping needs them)
        for dx in ('AD', 'CN'):
            rest = [s for s in adcn.index[adcn == dx] if s not in test]
            val |= set(rng.permutation(rest)[: max(2, len(rest) // 10)])
        f = df.assign(split=['test' if s in test else 'val' if s in val else 'train' for s in df.subject])
        if not (d / 'test_predictions.csv').exists():
            d.mkdir(parents=True, exist_ok=True)
            f.to_csv(d / 'cohort.csv', index=False)
            cfg = demo_config('classification', a.seed, extra=[f'data.shape={shape}', f'encoder.grid={g}'])
            fit_supervised(cfg, d / 'cohort.csv', d, show_progress=False, n_boot=10)
        p = pd.read_csv(d / 'test_predictions.csv').assign(fold=k)
        preds.append(p)
        print(f'grid {g} fold {k}: AUC {roc_auc_score(p.y_true, p.y_pred):.3f} ({p.subject.nunique()} subjects)')
    p = pd.concat(preds)
    res[g] = dict(
        auc_pooled=float(roc_auc_score(p.y_true, p.y_pred)),
        auc_folds=[float(roc_auc_score(q.y_true, q.y_pred)) for _, q in p.groupby('fold')],
        n_scans=int(len(p)),
        n_subjects=int(p.subject.nunique()),
    )
    print(f'grid {g}: pooled out-of-fold AUC {res[g]["auc_pooled"]:.3f}', flush=True)
(a.out / 'results.json').write_text(json.dumps(res, indent=1))
print(json.dumps(res, indent=1))
