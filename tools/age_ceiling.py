"""How well can age be read from what SynthAD's ageing changes? The ceiling for the age probe (issue: age MAE target).

    python tools/age_ceiling.py [N_SUBJECTS]

SynthAD moves three structures with age and with disease (`ldae.synth.EFFECTS`): the ventricle wall, the hippocampal
surface and the cortex, each in mm. Draw N subjects of cohort seed 0 (no rendering), take their sessions' true
displacements, and predict age with subject-grouped 5-fold CV: ridge on the values and a gradient-boosted model. The
mean predictor (the training folds' mean age) is the baseline. Readouts: ventricles + hippocampus (what an image at
4 mm shows), and + cortex (0.015 mm per year: what only a sub-millimetre image could show).
"""

import sys
import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.linear_model import RidgeCV
from sklearn.model_selection import GroupKFold, cross_val_predict
from ldae.synth import sample_subject

n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
rows = []
for i in range(n):
    s, ses = sample_subject(0, i)
    rows += [
        dict(subject=i, dx=s['diagnosis'], **{k: x[k] for k in ('age', 'vent_mm', 'hip_mm', 'cortex_mm')}) for x in ses
    ]
df = pd.DataFrame(rows)
y, g, cv = df.age.to_numpy(), df.subject.to_numpy(), GroupKFold(5)
mean = np.zeros_like(y)
for tr, te in cv.split(y, groups=g):
    mean[te] = y[tr].mean()
print(f'{n} subjects, {len(df)} sessions; mean predictor MAE {np.abs(y - mean).mean():.2f} y')
for name, cols in [
    ('ventricles + hippocampus', ['vent_mm', 'hip_mm']),
    ('+ cortex', ['vent_mm', 'hip_mm', 'cortex_mm']),
]:
    X = df[cols].to_numpy()
    for mname, m in [('ridge', RidgeCV()), ('boosted', HistGradientBoostingRegressor(random_state=0))]:
        p = cross_val_predict(m, X, y, groups=g, cv=cv)
        print(f'{name:26s} {mname:8s} MAE {np.abs(y - p).mean():.2f} y')
